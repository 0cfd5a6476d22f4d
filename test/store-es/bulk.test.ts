import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { StoreUnavailableError } from '../../src/errors.ts';
import { conflictEventId, contentHash } from '../../src/events/identity.ts';
import { toDocument } from '../../src/store/elasticsearch/document.ts';
import { indexName, periodForRetention } from '../../src/store/elasticsearch/naming.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { cleanPrefix, makeEvent, uniquePrefix, useStore } from './harness.ts';
import { connectionOptions, describeElasticsearch, ES_URL } from '../support/elasticsearch.ts';

describeElasticsearch('Elasticsearch store: bulk append', () => {
  const ctx = useStore();

  it('reports created, then duplicate for the same content; other content under a taken id gets its own id', async () => {
    const team = 'dups';
    const events = [makeEvent(team), makeEvent(team)];
    expect(await ctx.store.append(team, events)).toEqual(events.map((e) => ({ status: 'created', id: e.id })));
    expect(await ctx.store.append(team, events)).toEqual(events.map((e) => ({ status: 'duplicate', id: e.id })));
    const changed = events.map((e) => ({ ...e, original: { changed: true }, raw: '{"changed":true}' }));
    const derived = events.map((e) => conflictEventId(e.id, contentHash('{"changed":true}')));
    expect(await ctx.store.append(team, changed)).toEqual(events.map((e, i) => ({ status: 'created', id: derived[i], conflictsWith: e.id })));
    expect((await ctx.store.get(team, events[0]!.id))?.original).toEqual(events[0]!.original);
    expect(await ctx.store.get(team, derived[0]!)).toEqual({ ...changed[0], id: derived[0], flags: ['id_conflict'] });
    const again = makeEvent(team);
    expect((await ctx.store.append(team, [again, again])).map((r) => r.status)).toEqual(['created', 'duplicate']);
  });

  it('compares content with documents written before there was a content hash, in indices mapped before it', async () => {
    const team = 'old-docs';
    const old = makeEvent(team, { original: { who: 'written by an older version' }, raw: '{"who": "written by an older version"}' });
    // The index as an older version made it: its mapping has no auditlog.hash (strict), and its document none.
    const properties = (name: string) =>
      (JSON.parse(readFileSync(new URL(`../../index-templates/auditlog-${name}.component.json`, import.meta.url), 'utf8')) as {
        template: { mappings: { properties: Record<string, unknown> } };
      }).template.mappings.properties;
    const meta = properties('meta') as { auditlog: { properties: Record<string, unknown> } };
    const { hash: _hash, ...oldMeta } = meta.auditlog.properties;
    const original = JSON.parse(readFileSync(new URL('../../index-templates/auditlog-original.component.json', import.meta.url), 'utf8')) as {
      template: { mappings: Record<string, unknown> };
    };
    const index = indexName(ctx.prefix, team, periodForRetention(90), old.timestamp);
    await ctx.store.client.indices.create({
      index,
      mappings: {
        ...original.template.mappings,
        dynamic: 'strict',
        properties: { ...properties('ecs'), auditlog: { properties: oldMeta }, ...(original.template.mappings.properties as object) },
      } as never,
    });
    const { hash: _h, ...oldDoc } = toDocument(old).auditlog as Record<string, unknown>;
    await ctx.store.client.index({ index, id: old.id, document: { ...toDocument(old), auditlog: oldDoc }, refresh: true });

    expect(await ctx.store.append(team, [old])).toEqual([{ status: 'duplicate', id: old.id }]);
    const other = { ...old, original: { who: 'someone else' }, raw: '{"who": "someone else"}' };
    const [conflict] = await ctx.store.append(team, [other]);
    expect(conflict).toMatchObject({ status: 'created', conflictsWith: old.id });
    // A new event lands in the old index too: the store added the new field to its mapping.
    const fresh = makeEvent(team);
    expect(await ctx.store.append(team, [fresh])).toEqual([{ status: 'created', id: fresh.id }]);
    const stored = await ctx.store.client.get<{ auditlog: { hash?: string } }>({ index, id: fresh.id });
    expect(stored._source?.auditlog.hash).toBe(contentHash(fresh.raw));
    expect(await ctx.store.count(team, { query: null })).toBe(3);
  });

  it('one id three times in a batch, with two contents and timestamps in two periods: two events, one duplicate', async () => {
    const team = 'dups-batch';
    const a = makeEvent(team, { timestamp: Date.UTC(2026, 0, 15) });
    const b = { ...a, timestamp: Date.UTC(2027, 5, 15), original: { other: true }, raw: '{"other":true}' };
    const results = await ctx.store.append(team, [a, b, a]);
    expect(results).toEqual([
      { status: 'created', id: a.id },
      { status: 'created', id: conflictEventId(a.id, contentHash(b.raw)), conflictsWith: a.id },
      { status: 'duplicate', id: a.id },
    ]);
    expect(await ctx.store.count(team, { query: null })).toBe(2);
  });

  it('finds a duplicate whose retry falls into another period’s index', async () => {
    const team = 'dups-periods';
    const first = makeEvent(team, { timestamp: Date.UTC(2026, 0, 31, 23, 59, 59) });
    expect(await ctx.store.append(team, [first])).toEqual([{ status: 'created', id: first.id }]);
    // The same id a month later (a retry whose timestamp is its new received time).
    const retry = { ...first, timestamp: Date.UTC(2026, 1, 1, 0, 0, 1) };
    expect(await ctx.store.append(team, [retry])).toEqual([{ status: 'duplicate', id: first.id }]);
    expect(await ctx.store.count(team, { query: null })).toBe(1);
  });

  it('indexes a path as a value in one event and as an object in another (the original is indexed flat)', async () => {
    const team = 'shapes';
    const events = [
      makeEvent(team, { original: { actor: 'bot', id: 'x-1', items: 'loose' } }),
      makeEvent(team, { original: { actor: { user: { email: 'ana@example.com' } }, id: { applicationName: 'gmail' }, items: [{ name: 'a' }] } }),
    ];
    expect((await ctx.store.append(team, events)).map((r) => r.status)).toEqual(['created', 'created']);
    const hits = async (field: string, value: string) =>
      (await ctx.store.client.count({ index: `${ctx.prefix}-${team}.*`, query: { term: { [field]: value } } })).count;
    expect(await hits('original.actor', 'bot')).toBe(1);
    expect(await hits('original.actor.user.email', 'ana@example.com')).toBe(1);
    expect(await hits('original.id.applicationName', 'gmail')).toBe(1);
    expect(await hits('original.items', 'loose')).toBe(1);
    expect(await hits('original.items.name', 'a')).toBe(1);
    for (const event of events) expect(await ctx.store.get(team, event.id)).toEqual(event);
  });

  it('keeps events that exceed a mapping limit or type, with only the offending part unindexed, and flags them', async () => {
    const team = 'conflicts';
    const deep: Record<string, unknown> = {};
    let node = deep;
    for (let i = 0; i < 40; i++) node = node.d = {} as Record<string, unknown>;
    node.leaf = 'bottom';
    // Two events of 5,001 distinct fields each: the second crosses the 10,000-field limit.
    const wide = (tag: string) => Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [`${tag}${i}`, i]));
    const events = [
      makeEvent(team, { original: { who: 'plain' } }),
      makeEvent(team, { original: { who: 'empty-segment', a: { '': 'x' } } }),
      // A leaf `tags` and a leaf `tags.name` in one event (a mixed array): two separate keyword fields.
      makeEvent(team, { original: { who: 'mixed-array', tags: ['loose', { name: 'inner' }] } }),
      makeEvent(team, { original: deep }),
      makeEvent(team, { original: wide('p') }),
      makeEvent(team, { original: { ...wide('q'), who: 'too-wide' } }),
      // An ECS value its type cannot parse: that field is left out, the rest stays indexed.
      makeEvent(team, { ecs: { 'source.ip': 'not-an-ip', 'user.name': 'mallory' }, original: { x: 1 } }),
    ];
    const results = await ctx.store.append(team, events);
    expect(results.map((r) => r.status)).toEqual(events.map(() => 'created'));
    const expectedFlags = [[], ['mapping_conflict'], [], ['fields_truncated'], [], ['mapping_conflict'], ['mapping_conflict']];
    for (const [i, event] of events.entries()) {
      expect(await ctx.store.get(team, event.id), `event ${i}`).toEqual({ ...event, flags: expectedFlags[i] });
    }
    expect(await ctx.store.count(team, { query: null })).toBe(7);
    const byField = async (field: string, value: string) =>
      (await ctx.store.client.count({ index: `${ctx.prefix}-${team}.*`, query: { term: { [field]: value } } })).count;
    expect(await byField('original.who', 'empty-segment')).toBe(1);
    expect(await byField('original.who', 'mixed-array')).toBe(1);
    expect(await byField('original.tags', 'loose')).toBe(1);
    expect(await byField('original.tags.name', 'inner')).toBe(1);
    expect(await byField('original.d.d.d.d', 'x')).toBe(0);
    expect(await byField('user.name', 'mallory')).toBe(1);
    expect(await byField('original.x', '1')).toBe(1);
    const flagged = await ctx.store.facets(team, { query: null, field: 'auditlog.flags' });
    expect(flagged.buckets).toEqual([
      { value: 'mapping_conflict', count: 3 },
      { value: 'fields_truncated', count: 1 },
    ]);
  });

  it('rejects, one by one, events whose timestamp no index can hold, and keeps the rest', async () => {
    const team = 'badtime';
    const good = makeEvent(team);
    const results = await ctx.store.append(team, [makeEvent(team, { timestamp: Date.UTC(10000, 0, 1) }), good]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/timestamp/) });
    expect(results[1]).toEqual({ status: 'created', id: good.id });
  });
});

/**
 * Fault injection in front of the real node: a loopback proxy that answers some `_bulk`
 * requests itself (503) or marks items of a real response as 429, and records what it saw.
 */
describeElasticsearch('Elasticsearch store: bulk retries', () => {
  let server: Server;
  let proxyUrl = '';
  const seen: string[] = [];
  let failRequests = 0;
  let throttleFirstItemOnce = false;
  let loseAnswerOnce = false;
  const prefix = uniquePrefix();
  let store: ElasticsearchStore;

  beforeAll(async () => {
    const upstream = new URL(ES_URL ?? 'http://127.0.0.1:9200');
    const options = connectionOptions();
    const auth = options.username ? `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}` : undefined;
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const isBulk = req.url?.includes('_bulk') ?? false;
      if (isBulk) seen.push(body.toString('utf8'));
      if (isBulk && failRequests > 0) {
        failRequests--;
        res.writeHead(503, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        res.end(JSON.stringify({ error: { type: 'unavailable', reason: 'injected' }, status: 503 }));
        return;
      }
      const response = await fetch(new URL(req.url ?? '/', upstream), {
        method: req.method,
        headers: {
          ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
          ...(req.headers.accept ? { accept: req.headers.accept } : {}),
          ...(auth ? { authorization: auth } : {}),
        },
        ...(body.length > 0 ? { body } : {}),
      });
      let text = await response.text();
      if (isBulk && loseAnswerOnce) {
        // The cluster wrote the batch; its answer is lost on the way (a timeout, a dropped connection).
        loseAnswerOnce = false;
        res.destroy();
        return;
      }
      if (isBulk && throttleFirstItemOnce) {
        throttleFirstItemOnce = false;
        const parsed = JSON.parse(text) as { errors: boolean; items: Array<Record<string, Record<string, unknown>>> };
        const first = Object.values(parsed.items[0]!)[0]!;
        // The item really was written; a 429 makes the store send it again, which must come back as a duplicate.
        Object.assign(first, { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'injected' } });
        parsed.errors = true;
        text = JSON.stringify(parsed);
      }
      res.writeHead(response.status, {
        'content-type': response.headers.get('content-type') ?? 'application/json',
        'x-elastic-product': 'Elasticsearch',
      });
      res.end(text);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as { port: number };
    proxyUrl = `http://127.0.0.1:${address.port}`;
    store = await ElasticsearchStore.connect({
      node: proxyUrl,
      prefix,
      refresh: 'wait_for',
      bulk: { backoffBaseMs: 5, backoffCapMs: 20, maxAttempts: 3 },
    });
  });

  afterAll(async () => {
    if (store) {
      await cleanPrefix(store, prefix);
      await store.close();
    }
    server?.close();
  });

  it('retries a whole request the cluster answered 503, then succeeds', async () => {
    seen.length = 0;
    failRequests = 2;
    const events = [makeEvent('retry'), makeEvent('retry')];
    expect((await store.append('retry', events)).map((r) => r.status)).toEqual(['created', 'created']);
    expect(seen.length).toBe(3);
  });

  it('resends only the items answered 429', async () => {
    seen.length = 0;
    throttleFirstItemOnce = true;
    const events = [makeEvent('retry'), makeEvent('retry'), makeEvent('retry')];
    const results = await store.append('retry', events);
    // The injected 429 hid a write that happened: the resend finds it, with its own content, so
    // this call created it (not a duplicate of an earlier event).
    expect(results.map((r) => r.status)).toEqual(['created', 'created', 'created']);
    expect(seen.length).toBe(2);
    expect(seen[1]!.trim().split('\n').length).toBe(2);
    expect(seen[1]).toContain(events[0]!.id);
  });

  it('a batch written but whose answer was lost is sent again and answered created, each event stored once', async () => {
    seen.length = 0;
    loseAnswerOnce = true;
    const events = [makeEvent('lost'), makeEvent('lost')];
    expect(await store.append('lost', events)).toEqual(events.map((e) => ({ status: 'created', id: e.id })));
    expect(seen.length).toBe(2);
    expect(await store.count('lost', { query: null })).toBe(2);
    // A real retry afterwards is a duplicate.
    expect((await store.append('lost', events)).map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
  });

  it('throws StoreUnavailableError when the cluster never takes the batch', async () => {
    failRequests = 3;
    await expect(store.append('retry', [makeEvent('retry')])).rejects.toThrow(StoreUnavailableError);
    failRequests = 0;
  });
});
