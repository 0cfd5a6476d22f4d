/**
 * The live tail over real HTTP (fetch reading the Server-Sent Events stream) on both stores:
 * matching events of the key's team arrive as they are ingested, nothing else does; keys and
 * queries are checked before the stream opens; a closed connection ends its tail. On
 * Elasticsearch, a tail on one instance sees events ingested through another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger, createRuntime, type Runtime } from '../../src/runtime.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

interface Message {
  event: string;
  id?: string;
  data: string;
}

/** An open tail: the messages so far, and a way to wait for more. */
class SseClient {
  readonly messages: Message[] = [];
  readonly #controller = new AbortController();
  #buffer = '';
  #done: Promise<void> = Promise.resolve();

  static async open(url: string, key: string): Promise<{ res: Response; client: SseClient }> {
    const client = new SseClient();
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: client.#controller.signal });
    if (res.ok && res.body) client.#done = client.#read(res.body);
    return { res, client };
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.#buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.#buffer.indexOf('\n\n')) !== -1) {
          const block = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + 2);
          const m: Message = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') m.event = value;
            else if (field === 'id') m.id = value;
            else if (field === 'data') m.data += value;
          }
          if (block.split('\n').some((l) => !l.startsWith(':'))) this.messages.push(m);
        }
      }
    } catch {
      // Aborted by close().
    }
  }

  events(): Array<{ id: string; original: Record<string, unknown> }> {
    return this.messages.filter((m) => m.event === 'event').map((m) => JSON.parse(m.data));
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }
}

describe.each(storeKinds('live tail'))('GET /api/v1/events/tail on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { AUDITLOG_TAIL_POLL_MS: '200' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const ingest = async (key: string, events: unknown[]) => {
    const res = await h.call('/api/v1/events', { method: 'POST', key, json: events });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: Array<{ id: string }>; rejected: unknown[] };
    expect(body.rejected).toEqual([]);
    return body.accepted.map((a) => a.id);
  };
  const event = (action: string, marker: string, timestamp = new Date().toISOString()) => ({ '@timestamp': timestamp, event: { action }, marker });

  it('streams the team’s matching events as they are ingested, and nothing else', async () => {
    const marker = `m${Date.now().toString(36)}`;
    const { res, client } = await SseClient.open(`${h.url}/api/v1/events/tail?q=${encodeURIComponent(`event.action:login AND marker:${marker}`)}`, h.teams.a.keys.read);
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await eventually(async () => expect(client.messages.map((m) => m.event)).toContain('ready'));
      const [login, logout] = await ingest(h.teams.a.keys.ingest, [event('login', marker), event('logout', marker)]);
      // Another team's matching event, at the same time.
      await ingest(h.teams.b.keys.ingest, [event('login', marker)]);
      // An event whose @timestamp is a day old: an import of history is not tailed.
      await ingest(h.teams.a.keys.ingest, [event('login', marker, new Date(Date.now() - 86_400_000).toISOString())]);
      await eventually(async () => expect(client.events().map((e) => e.id)).toEqual([login]));
      const later = await ingest(h.teams.a.keys.ingest, [event('login', marker)]);
      await eventually(async () => expect(client.events().map((e) => e.id)).toEqual([login, ...later]));
      // A few more polls: nothing is delivered twice and nothing else arrives.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(client.events().map((e) => e.id)).toEqual([login, ...later]);
      expect(client.events()[0]).toMatchObject({ original: { marker, event: { action: 'login' } } });
      expect(client.events().map((e) => e.id)).not.toContain(logout);
    } finally {
      await client.close();
    }
  });

  it('a closed connection ends its tail', async () => {
    const { client } = await SseClient.open(`${h.url}/api/v1/events/tail`, h.teams.a.keys.read);
    await eventually(async () => expect(h.rt.tail.size).toBeGreaterThan(0));
    await client.close();
    await eventually(async () => expect(h.rt.tail.size).toBe(0));
  });

  it('checks the key and the query before streaming', async () => {
    const bad = await h.call(`/api/v1/events/tail?q=${encodeURIComponent('a AND (')}`, { key: h.teams.a.keys.read });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('QUERY_SYNTAX');
    const typed = await h.call(`/api/v1/events/tail?q=${encodeURIComponent('http.response.status_code:abc')}`, { key: h.teams.a.keys.read });
    expect(typed.status).toBe(400);
    expect((await h.call('/api/v1/events/tail', {})).status).toBe(401);
    expect((await h.call('/api/v1/events/tail', { key: h.teams.a.keys.ingest })).status).toBe(403);
    expect((await h.call('/api/v1/events/tail', { key: OPERATOR_KEY })).status).toBe(403);
    expect(h.rt.tail.size).toBe(0);
  });

  if (kind === 'elasticsearch') {
    describe('with a second instance on the same cluster', () => {
      let second: { rt: Runtime; server: RunningServer };
      beforeAll(async () => {
        const config = loadConfig({
          AUDITLOG_DATA_DIR: '/nonexistent-unused',
          AUDITLOG_OPERATOR_KEY: OPERATOR_KEY,
          AUDITLOG_LOG_LEVEL: 'silent',
          AUDITLOG_STORE: 'elasticsearch',
          AUDITLOG_ALERTS: 'off',
          AUDITLOG_TAIL_POLL_MS: '200',
          ES_URL: process.env.ES_URL!,
          ES_USERNAME: process.env.ES_USERNAME ?? '',
          ES_PASSWORD: process.env.ES_PASSWORD ?? '',
        });
        const rt = await createRuntime(config, createLogger(config));
        second = { rt, server: await startServer(rt, { port: 0, host: '127.0.0.1' }) };
      });
      afterAll(async () => {
        await second?.server.close();
        await second?.rt.close();
      });

      it('a tail on one instance sees the events ingested through the other', async () => {
        const marker = `x${Date.now().toString(36)}`;
        const { res, client } = await SseClient.open(`${second.server.url}/api/v1/events/tail?q=${encodeURIComponent(`marker:${marker}`)}`, h.teams.a.keys.read);
        try {
          expect(res.status).toBe(200);
          await eventually(async () => expect(client.messages.map((m) => m.event)).toContain('ready'));
          const ids = await ingest(h.teams.a.keys.ingest, [event('login', marker), event('delete', marker)]);
          await eventually(async () => expect(client.events().map((e) => e.id).sort()).toEqual([...ids].sort()));
        } finally {
          await client.close();
        }
      });
    });
  }
});
