/**
 * Event streams end to end over HTTP on both stores, with a real receiver on loopback: every
 * event arrives in store order, signed; a failing receiver gets the batch again until it takes
 * it; a 4xx marks the stream failing until resumed; the query filters; a stream carries only
 * its team's events; private targets are refused; every change lands in the audit trail.
 */
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_TARGETS } from '../alerts/receivers.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from '../http/harness.ts';
import { type StreamReceiver, startStreamReceiver } from './receiver.ts';

const SECRET = 'stream-secret-0123456789';

interface View {
  id: string;
  state: string;
  delivered: number;
  lastError: string | null;
  lastDeliveryAt: string | null;
  hasSecret: boolean;
  url: string;
  lag: { events: number | null; seconds: number | null };
}

describe.each(storeKinds('event streams'))('event streams on %s', { timeout: 90_000 }, (kind) => {
  let h: Harness;
  const receivers: StreamReceiver[] = [];
  const receiver = async (respond?: StreamReceiver['respond']) => {
    const r = await startStreamReceiver(respond);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    h = await startHarness(kind, {
      AUDITLOG_STREAMS: 'on',
      AUDITLOG_ALERT_ALLOWED_TARGETS: LOOPBACK_TARGETS,
      AUDITLOG_STREAM_POLL_MS: '200',
      AUDITLOG_STREAM_SETTLE_MS: '2500',
      AUDITLOG_STREAM_MAX_BACKOFF_SECONDS: '2',
    });
  });
  afterAll(async () => {
    await h?.close();
    for (const r of receivers) await r.close();
  });
  // Each test's streams go with it, so the runner's passes stay short for the next.
  afterEach(async () => {
    const list = (await (await h.call('/api/v1/streams', { key: h.teams.a.keys.admin })).json()) as { streams: View[] };
    for (const s of list.streams) await h.call(`/api/v1/streams/${s.id}`, { method: 'DELETE', key: h.teams.a.keys.admin });
  });

  const ingest = async (team: 'a' | 'b', events: object[]): Promise<string[]> => {
    const res = await h.call('/api/v1/events', { method: 'POST', key: h.teams[team].keys.ingest, json: events });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: Array<{ id: string }>; rejected: unknown[] };
    expect(body.rejected).toEqual([]);
    return body.accepted.map((a) => a.id);
  };
  /**
   * The store's order of one request's events: as sent on SQLite; on Elasticsearch, whose order
   * is the receipt time (one per request) and then the id, by id.
   */
  const order = (ids: string[]) => (kind === 'sqlite' ? ids : [...ids].sort());
  const events = (n: number, action: string, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ '@timestamp': new Date().toISOString(), event: { action }, user: { name: `u${from + i}` } }));
  const create = async (body: object, team: 'a' | 'b' = 'a') => {
    const res = await h.call('/api/v1/streams', { method: 'POST', key: h.teams[team].keys.admin, json: { name: 'siem', ...body } });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as View;
  };
  const get = async (id: string, team: 'a' | 'b' = 'a') => (await (await h.call(`/api/v1/streams/${id}`, { key: h.teams[team].keys.admin })).json()) as View;

  it('delivers every event after its creation, in order, signed, and not those acknowledged before', async () => {
    const before = await ingest('a', events(2, 'before-stream'));
    const r = await receiver();
    const stream = await create({ url: r.url, secret: SECRET, batchSize: 7, maxWaitSeconds: 0 });
    expect(stream).toMatchObject({ state: 'active', hasSecret: true, delivered: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(...order(await ingest('a', events(6, 'ordered', i * 6))));
    await eventually(async () => expect(r.acknowledged()).toEqual(ids), 30_000);
    for (const b of r.batches) {
      expect(b.lines.length).toBeLessThanOrEqual(7);
      expect(b.headers['content-type']).toBe('application/x-ndjson');
      expect(b.headers['x-auditlog-stream']).toBe(stream.id);
      const ts = String(b.headers['x-auditlog-timestamp']);
      expect(b.headers['x-auditlog-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${ts}.${b.body}`).digest('hex')}`);
      for (const line of b.lines) expect(line.team).toBe(h.teams.a.team);
    }
    expect(r.acknowledged()).not.toContain(before[0]);
    const view = await eventually(async () => {
      const v = await get(stream.id);
      expect(v.delivered).toBe(ids.length);
      return v;
    });
    expect(view.lastDeliveryAt).not.toBeNull();
    expect(view.lag).toMatchObject({ events: 0, seconds: 0 });
    // The endpoint's own secret is never shown.
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('starts from a time when asked, sending what was received since', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const early = order(await ingest('a', events(3, 'from-a-time')));
    const r = await receiver();
    await create({ url: r.url, startAt: since, query: 'event.action:from-a-time', maxWaitSeconds: 0 });
    await eventually(async () => expect(r.acknowledged()).toEqual(early), 30_000);
  });

  it('retries a failing receiver with backoff, honours Retry-After, and loses nothing', async () => {
    const r = await receiver((n) => (n <= 2 ? { status: 503 } : n === 3 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const stream = await create({ url: r.url, batchSize: 1000, maxWaitSeconds: 0 });
    const ids = order(await ingest('a', events(5, 'flaky')));
    await eventually(async () => {
      const v = await get(stream.id);
      expect(v.lastError).toMatch(/HTTP 503/);
      expect(v.state).toBe('active');
    }, 30_000);
    const more = order(await ingest('a', events(4, 'flaky', 5)));
    await eventually(async () => expect(new Set(r.acknowledged())).toEqual(new Set([...ids, ...more])), 60_000);
    // A failed batch is sent again from the same place (with what arrived since, up to the batch size).
    const first = r.batches[0]!.lines.map((l) => l.id);
    for (const b of r.batches.slice(1)) expect(b.lines.map((l) => l.id).slice(0, first.length)).toEqual(first);
    const same = r.batches.filter((b) => b.body === r.batches[0]!.body);
    expect(new Set(same.map((b) => b.headers['x-auditlog-delivery'])).size).toBe(1);
    // After 429 with Retry-After: 1, the next attempt waited at least that long.
    const third = r.batches[2]!;
    const fourth = r.batches[3]!;
    expect(Number(fourth.headers['x-auditlog-timestamp']) - Number(third.headers['x-auditlog-timestamp'])).toBeGreaterThanOrEqual(1000);
    expect(r.acknowledged()).toEqual([...ids, ...more]);
  });

  it('marks the stream failing on a 4xx, keeps its place, and sends again on resume', async () => {
    let reject = true;
    const r = await receiver(() => ({ status: reject ? 400 : 200 }));
    const stream = await create({ url: r.url, maxWaitSeconds: 0 });
    const ids = order(await ingest('a', events(3, 'refused-then-taken')));
    await eventually(async () => expect((await get(stream.id)).state).toBe('failing'), 30_000);
    const failing = await get(stream.id);
    expect(failing.lastError).toMatch(/HTTP 400/);
    expect(failing.lag.events).toBeGreaterThanOrEqual(3);
    const tries = r.batches.length;
    await new Promise((res) => setTimeout(res, 1500));
    expect(r.batches.length).toBe(tries); // no retrying forever
    reject = false;
    const resumed = await h.call(`/api/v1/streams/${stream.id}/resume`, { method: 'POST', key: h.teams.a.keys.admin });
    expect(resumed.status).toBe(200);
    await eventually(async () => expect(r.acknowledged()).toEqual(ids), 30_000);
  });

  it('pauses: nothing is sent, the lag shows what waits, and resume sends it', async () => {
    const r = await receiver();
    const stream = await create({ url: r.url, maxWaitSeconds: 0 });
    const paused = await h.call(`/api/v1/streams/${stream.id}/pause`, { method: 'POST', key: h.teams.a.keys.admin });
    expect(((await paused.json()) as View).state).toBe('paused');
    const ids = order(await ingest('a', events(4, 'while-paused')));
    await eventually(async () => expect((await get(stream.id)).lag.events).toBeGreaterThanOrEqual(4));
    expect(r.batches).toHaveLength(0);
    await h.call(`/api/v1/streams/${stream.id}/resume`, { method: 'POST', key: h.teams.a.keys.admin });
    await eventually(async () => expect(r.acknowledged()).toEqual(ids), 30_000);
  });

  it('sends only the events its query matches', async () => {
    const r = await receiver();
    await create({ url: r.url, query: 'event.action:wanted AND NOT user.name:u1', maxWaitSeconds: 0 });
    const wanted = await ingest('a', events(3, 'wanted'));
    await ingest('a', events(5, 'unwanted'));
    const later = order(await ingest('a', events(2, 'wanted', 10)));
    const expected = [...order([wanted[0]!, wanted[2]!]), ...later];
    await eventually(async () => expect(r.acknowledged()).toEqual(expected), 30_000);
    for (const b of r.batches) for (const l of b.lines) expect(l.normalized['event.action']).toBe('wanted');
  });

  it('refuses a bad query with its position', async () => {
    const r = await receiver();
    const res = await h.call('/api/v1/streams', { method: 'POST', key: h.teams.a.keys.admin, json: { name: 'x', url: r.url, query: 'event.action:(a OR' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; details?: { offset?: number } } };
    expect(body.error.message).toMatch(/column/);
    expect(body.error.details?.offset).toBeTypeOf('number');
  });

  it("never carries another team's events, and another team cannot see or change the stream", async () => {
    const r = await receiver();
    const stream = await create({ url: r.url, maxWaitSeconds: 0 });
    await ingest('b', events(4, 'team-b-only'));
    const mine = order(await ingest('a', events(2, 'team-a-only')));
    await eventually(async () => expect(r.acknowledged()).toEqual(mine), 30_000);
    for (const b of r.batches) for (const l of b.lines) expect(l.team).toBe(h.teams.a.team);
    for (const [method, path] of [
      ['GET', `/api/v1/streams/${stream.id}`],
      ['PATCH', `/api/v1/streams/${stream.id}`],
      ['POST', `/api/v1/streams/${stream.id}/pause`],
      ['DELETE', `/api/v1/streams/${stream.id}`],
    ] as const) {
      const res = await h.call(path, { method, key: h.teams.b.keys.admin, ...(method === 'PATCH' ? { json: { name: 'x' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = (await (await h.call('/api/v1/streams', { key: h.teams.b.keys.admin })).json()) as { streams: View[] };
    expect(list.streams.map((s) => s.id)).not.toContain(stream.id);
    // Only admin keys manage streams.
    expect((await h.call('/api/v1/streams', { key: h.teams.a.keys.read })).status).toBe(403);
  });

  it('records create, update and delete in the audit trail with old and new values, never the secret', async () => {
    const r = await receiver();
    const stream = await create({ url: r.url, secret: SECRET, query: 'event.action:audited' });
    const patched = await h.call(`/api/v1/streams/${stream.id}`, {
      method: 'PATCH',
      key: h.teams.a.keys.admin,
      json: { query: 'event.action:audited2', secret: `${SECRET}-new` },
    });
    expect(patched.status).toBe(200);
    expect((await h.call(`/api/v1/streams/${stream.id}`, { method: 'DELETE', key: h.teams.a.keys.admin })).status).toBe(204);
    expect((await h.call(`/api/v1/streams/${stream.id}`, { key: h.teams.a.keys.admin })).status).toBe(404);
    await eventually(async () => {
      const q = `event.action:stream.* AND organization.id:${h.teams.a.team}`;
      const page = (await (await h.call(`/api/v1/system/events?${new URLSearchParams({ q, size: '100' })}`, { key: OPERATOR_KEY })).json()) as {
        hits: Array<{ normalized: Record<string, unknown>; original: { change: { target: { id: string }; old: Record<string, unknown> | null; new: Record<string, unknown> | null } } }>;
      };
      const mine = page.hits.filter((e) => e.original.change.target.id === stream.id);
      const by = (action: string) => mine.find((e) => e.normalized['event.action'] === action)?.original.change;
      expect(by('stream.create')).toMatchObject({ old: null, new: { query: 'event.action:audited', hasSecret: true } });
      expect(by('stream.update')).toMatchObject({ old: { query: 'event.action:audited' }, new: { query: 'event.action:audited2' } });
      expect(by('stream.update')?.new?.secret).toMatch(/redacted/);
      expect(by('stream.delete')).toMatchObject({ old: { query: 'event.action:audited2' }, new: null });
      expect(JSON.stringify(mine)).not.toContain(SECRET);
    }, 15_000);
  });
});

describe('stream endpoints without the operator allowing private targets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('sqlite');
  });
  afterAll(async () => h?.close());

  it.each([
    'http://127.0.0.1:9/x',
    'http://localhost:9/x',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.5/x',
    'http://[::1]/x',
    'http://[::ffff:127.0.0.1]/x',
    'http://2130706433/x',
  ])('refuses %s', async (url) => {
    const res = await h.call('/api/v1/streams', { method: 'POST', key: h.teams.a.keys.admin, json: { name: 'x', url } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/refused/);
  });

  it('refuses non-http schemes and credentials in the URL', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'https://user:pw@example.com/']) {
      const res = await h.call('/api/v1/streams', { method: 'POST', key: h.teams.a.keys.admin, json: { name: 'x', url } });
      expect(res.status, url).toBe(400);
    }
  });
});
