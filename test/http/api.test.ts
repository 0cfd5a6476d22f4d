/**
 * The ingest and search API over real HTTP: formats, batches, NDJSON, gzip, idempotency,
 * limits, query errors, paging, histogram, facets, the OpenAPI document.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIGPANDA_EXAMPLE, CORALOGIX_EXAMPLE, THREATSTACK_EXAMPLE } from '../fixtures/seed-events.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

let h: Harness;

interface IngestBody {
  accepted: Array<{ index: number; id: string; duplicate?: true }>;
  rejected: Array<{ index: number; reason: string }>;
}
interface Page {
  total: number;
  hits: Array<{ id: string; '@timestamp': string; format: string; normalized: Record<string, unknown>; original: Record<string, unknown> }>;
  cursor: string | null;
}

async function ingest(team: 'a' | 'b', body: string | Uint8Array, headers: Record<string, string> = {}, query = '') {
  const res = await h.call(`/api/v1/events?refresh=wait_for${query}`, {
    method: 'POST',
    key: h.teams[team].keys.ingest,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as IngestBody };
}

async function search(q: string, params: Record<string, string> = {}, team: 'a' | 'b' = 'a'): Promise<Page> {
  const qs = new URLSearchParams({ q, ...params });
  const res = await h.call(`/api/v1/events?${qs}`, { key: h.teams[team].keys.read });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

describe.each(storeKinds('HTTP API'))('HTTP API on %s', (kind) => {
  beforeAll(async () => {
    // The seed examples are dated 2020 and 2021: a retention long enough to keep them.
    h = await startHarness(kind, { AUDITLOG_MAX_BODY_BYTES: String(256 * 1024), AUDITLOG_RETENTION_DAYS: '36500' });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('seed formats', () => {
    const cases = [
      {
        name: 'Coralogix example log',
        event: CORALOGIX_EXAMPLE,
        format: 'coralogix',
        original: 'action_details.operation.action:"POST:/api/v1/logquery" AND action.team_name:cs-test-medium',
        normalized: 'source.ip:10.1.2.3 AND http.request.method:POST AND url.path:"/api/v1/logquery" AND event.outcome:success',
        timestamp: '2021-09-10T06:51:37.042Z',
      },
      {
        name: 'Threat Stack event with every field',
        event: THREATSTACK_EXAMPLE,
        format: 'threatstack',
        original: 'crud:r AND result:pass AND context.httpMethod:GET AND context.responseCode:200 AND source:API',
        normalized: 'event.outcome:success AND user.email:"alice@example.com" AND source.ip:203.0.113.7 AND http.response.status_code:200',
        timestamp: '2021-03-04T12:34:56.789Z',
      },
      {
        name: 'BigPanda event with every attribute',
        event: BIGPANDA_EXAMPLE,
        format: 'bigpanda',
        original: 'actor.user.email:"bp.user@example.com" AND action_type:update AND object.name:"MWV2 Demo"',
        normalized: 'user.email:"bp.user@example.com" AND source.ip:52.55.23.8 AND user.id:235554234242892734',
        timestamp: '2020-05-05T16:43:46.000Z',
      },
    ] as const;

    it.each(cases)('$name ingests with format detection and is found by its original and normalized fields', async (c) => {
      const { status, body } = await ingest('a', JSON.stringify(c.event));
      expect(status).toBe(200);
      expect(body.rejected).toEqual([]);
      const id = body.accepted[0]!.id;
      for (const q of [c.original, c.normalized]) {
        const page = await search(q);
        expect(page.hits.map((e) => e.id), q).toContain(id);
      }
      const got = (await (await h.call(`/api/v1/events/${id}`, { key: h.teams.a.keys.read })).json()) as Page['hits'][number] & { raw: string };
      expect(got.format).toBe(c.format);
      expect(got['@timestamp']).toBe(c.timestamp);
      expect(got.original).toEqual(c.event);
      expect(JSON.parse(got.raw)).toEqual(c.event);
    });
  });

  describe('ingest', () => {
    it('accepts a JSON array and rejects bad items one by one', async () => {
      const batch = [
        { '@timestamp': '2026-11-02T10:00:00Z', event: { action: 'batch-ok-1' } },
        42,
        { event_time: '2026-11-02T10:00:00Z', crud: 'create', result: 'pass', user_email: 'x@example.com', action: 'user-login' },
        { '@timestamp': '2026-11-02T10:00:01Z', event: { action: 'batch-ok-2' } },
      ];
      const { status, body } = await ingest('a', JSON.stringify(batch));
      expect(status).toBe(200);
      expect(body.accepted.map((a) => a.index)).toEqual([0, 3]);
      expect(body.rejected.map((r) => r.index)).toEqual([1, 2]);
      for (const r of body.rejected) expect(r.reason.length).toBeGreaterThan(5);
      expect((await search('event.action:batch-ok-1 OR event.action:batch-ok-2')).total).toBe(2);
    });

    it('accepts NDJSON, keeps good lines around a broken one', async () => {
      const ndjson = ['{"@timestamp":"2026-11-03T00:00:00Z","event":{"action":"nd-1"}}', '{broken', '', '{"@timestamp":"2026-11-03T00:00:01Z","event":{"action":"nd-2"}}'].join('\n');
      const { body } = await ingest('a', ndjson, { 'content-type': 'application/x-ndjson' });
      expect(body.accepted).toHaveLength(2);
      expect(body.rejected).toHaveLength(1);
      expect(body.rejected[0]!.index).toBe(1);
    });

    it('accepts gzip-encoded bodies', async () => {
      const payload = gzipSync(JSON.stringify([{ '@timestamp': '2026-11-04T00:00:00Z', event: { action: 'gzipped' } }]));
      const { status, body } = await ingest('a', payload, { 'content-encoding': 'gzip' });
      expect(status).toBe(200);
      expect(body.accepted).toHaveLength(1);
      expect((await search('event.action:gzipped')).total).toBe(1);
    });

    it('makes retries with the same Idempotency-Key safe', async () => {
      const events = JSON.stringify([
        { '@timestamp': '2026-11-05T00:00:00Z', event: { action: 'idem' } },
        { '@timestamp': '2026-11-05T00:00:01Z', event: { action: 'idem' } },
      ]);
      const first = await ingest('a', events, { 'idempotency-key': 'retry-me-1' });
      const second = await ingest('a', events, { 'idempotency-key': 'retry-me-1' });
      expect(second.body.accepted.map((a) => a.id)).toEqual(first.body.accepted.map((a) => a.id));
      expect(second.body.accepted.every((a) => a.duplicate)).toBe(true);
      expect((await search('event.action:idem')).total).toBe(2);
    });

    it('makes a producer id idempotent (Threat Stack id)', async () => {
      const ev = { ...THREATSTACK_EXAMPLE, id: 'producer-id-777', action: 'user-login', crud: 'c', result: 'fail' };
      const a = await ingest('a', JSON.stringify(ev));
      const b = await ingest('a', JSON.stringify(ev));
      expect(b.body.accepted[0]!.id).toBe(a.body.accepted[0]!.id);
      expect((await search('id:producer-id-777')).total).toBe(1);
    });

    it('answers 413 for a body over the limit', async () => {
      const big = JSON.stringify({ '@timestamp': '2026-11-05T00:00:00Z', message: 'x'.repeat(300 * 1024) });
      const res = await h.call('/api/v1/events', { method: 'POST', key: h.teams.a.keys.ingest, headers: { 'content-type': 'application/json' }, body: big });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers 400 naming the problem for a body that is not JSON', async () => {
      const res = await h.call('/api/v1/events', { method: 'POST', key: h.teams.a.keys.ingest, headers: { 'content-type': 'application/json' }, body: 'hello' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/JSON/i);
    });

    it('answers 400 for an unknown format', async () => {
      const res = await h.call('/api/v1/events?format=syslog', { method: 'POST', key: h.teams.a.keys.ingest, headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/format/);
    });

    it('enforces the daily quota with 429', async () => {
      // The quota is the operator's (a team admin gets 403: test/http/team-settings.test.ts).
      const patch = await h.call(`/api/v1/teams/${h.teams.b.team}`, {
        method: 'PATCH',
        key: OPERATOR_KEY,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dailyQuotaBytes: 300 }),
      });
      expect(patch.status).toBe(200);
      const ev = JSON.stringify({ '@timestamp': new Date().toISOString(), message: 'y'.repeat(150) });
      expect((await ingest('b', ev)).status).toBe(200);
      const res = await h.call('/api/v1/events', { method: 'POST', key: h.teams.b.keys.ingest, headers: { 'content-type': 'application/json' }, body: ev });
      expect(res.status).toBe(429);
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      const base = Date.parse('2026-10-01T00:00:00Z');
      const events = Array.from({ length: 25 }, (_, i) => ({
        '@timestamp': new Date(base + Math.floor(i / 2) * 60_000).toISOString(), // pairs share a timestamp
        event: { action: 'paging', outcome: i % 3 === 0 ? 'failure' : 'success' },
        user: { email: `user${i % 4}@example.com` },
        seq: i,
      }));
      const { body } = await ingest('a', JSON.stringify(events));
      expect(body.accepted).toHaveLength(25);
    });

    it('pages through results with a cursor, with no duplicate or gap', async () => {
      for (const sort of ['desc', 'asc']) {
        const seen: number[] = [];
        let cursor: string | null = null;
        do {
          const page: Page = await search('event.action:paging', { size: '4', sort, ...(cursor ? { cursor } : {}) });
          expect(page.total).toBe(25);
          seen.push(...page.hits.map((e) => e.original.seq as number));
          cursor = page.cursor;
        } while (cursor);
        expect(seen).toHaveLength(25);
        expect(new Set(seen).size).toBe(25);
        const times = seen.map((s) => Math.floor(s / 2));
        expect(times).toEqual([...times].sort((a, b) => (sort === 'asc' ? a - b : b - a)));
      }
    });

    it('filters by a half-open time range with ISO and date math', async () => {
      const page = await search('event.action:paging', { from: '2026-10-01T00:01:00Z', to: '2026-10-01T00:03:00Z' });
      expect(page.total).toBe(4);
      expect((await search('event.action:paging', { from: 'now-1d' })).total).toBe(0);
    });

    it('answers 400 with the position for a bad query', async () => {
      const res = await h.call(`/api/v1/events?q=${encodeURIComponent('user.email:(a OR b')}`, { key: h.teams.a.keys.read });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string; details: { column: number } } };
      expect(body.error.code).toBe('QUERY_SYNTAX');
      expect(body.error.details.column).toBeGreaterThan(0);
    });

    it('answers 400 naming the parameter for a bad time or size', async () => {
      const bad = await h.call('/api/v1/events?from=yesterday', { key: h.teams.a.keys.read });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^from/);
      const size = await h.call('/api/v1/events?size=5000', { key: h.teams.a.keys.read });
      expect(size.status).toBe(400);
      expect(((await size.json()) as { error: { message: string } }).error.message).toMatch(/size/);
    });

    it('counts over time in a histogram', async () => {
      const qs = new URLSearchParams({ q: 'event.action:paging', from: '2026-10-01T00:00:00Z', to: '2026-10-01T00:13:00Z' });
      const res = await h.call(`/api/v1/events/histogram?${qs}`, { key: h.teams.a.keys.read });
      const body = (await res.json()) as { intervalMs: number; buckets: Array<{ start: string; count: number }> };
      expect(body.buckets.reduce((n, b) => n + b.count, 0)).toBe(25);
    });

    it('gives the top values of a field', async () => {
      const qs = new URLSearchParams({ q: 'event.action:paging', field: 'user.email', size: '2' });
      const body = (await (await h.call(`/api/v1/events/facets?${qs}`, { key: h.teams.a.keys.read })).json()) as {
        buckets: Array<{ value: string; count: number }>;
        other: number;
      };
      expect(body.buckets).toHaveLength(2);
      expect(body.buckets[0]).toEqual({ value: 'user0@example.com', count: 7 });
      expect(body.buckets[1]!.count + body.other).toBe(18);
    });
  });

  describe('audit trail', () => {
    it("records searches and admin calls in the system team, which only the operator reads", async () => {
      await h.call(`/api/v1/events?q=${encodeURIComponent('audited-search-marker')}`, { key: h.teams.a.keys.read });
      await h.call('/api/v1/keys', { key: h.teams.a.keys.admin });
      const systemSearch = async (q: string) => {
        const res = await h.call(`/api/v1/system/events?${new URLSearchParams({ q })}`, { key: OPERATOR_KEY });
        expect(res.status).toBe(200);
        return (await res.json()) as Page;
      };
      // The trail is written without waiting for a refresh, so on Elasticsearch it shows up within a second.
      await eventually(async () => {
        const page = await systemSearch(`url.path:"/api/v1/events" AND organization.id:${h.teams.a.team}`);
        const searched = page.hits.find((e) => JSON.stringify(e.original).includes('audited-search-marker'));
        expect(searched?.normalized).toMatchObject({ 'user.id': h.teams.a.keyIds.read, 'event.outcome': 'success', 'http.request.method': 'GET' });
      });
      await eventually(async () => {
        expect((await systemSearch(`url.path:"/api/v1/keys" AND user.id:${h.teams.a.keyIds.admin}`)).total).toBeGreaterThan(0);
      });
    });
  });

  describe('service endpoints', () => {
    it('serves health, readiness and the OpenAPI document', async () => {
      expect((await h.call('/healthz')).status).toBe(200);
      expect(await (await h.call('/readyz')).json()).toMatchObject({ status: 'ready', store: kind });
      const doc = (await (await h.call('/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      for (const p of [
        '/api/v1/events',
        '/api/v1/events/{id}',
        '/api/v1/events/histogram',
        '/api/v1/events/facets',
        '/api/v1/teams',
        '/api/v1/keys',
        '/api/v1/alerts',
        '/api/v1/alerts/{id}/history',
        '/api/v1/saved-searches',
      ]) {
        expect(Object.keys(doc.paths)).toContain(p);
      }
    });

    it('answers 404 in the error shape for an unknown route', async () => {
      const res = await h.call('/api/v1/nope', { key: h.teams.a.keys.read });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    });
  });
});
