/**
 * Integrity of the record over real HTTP, on both stores: an id only deduplicates the same
 * content (producer ids, Idempotency-Key), timestamps that cannot be taken as sent, and events
 * older than the team's retention.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, storeKinds } from './harness.ts';

interface IngestAnswer {
  accepted: Array<{ index: number; id: string; duplicate?: true; conflictsWith?: string }>;
  rejected: Array<{ index: number; reason: string; field?: string; code?: string }>;
  warnings: Array<{ index: number; code: string; message: string; field?: string }>;
}
interface EventView {
  id: string;
  '@timestamp': string;
  received: string;
  flags: string[];
  original: Record<string, unknown>;
  raw?: string;
}

let h: Harness;

async function ingest(body: unknown, { headers = {}, team = 'a', query = '' }: { headers?: Record<string, string>; team?: 'a' | 'b'; query?: string } = {}) {
  const res = await h.call(`/api/v1/events?refresh=wait_for${query}`, {
    method: 'POST',
    key: h.teams[team].keys.ingest,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as IngestAnswer & { error?: { code: string; message: string } } };
}

async function search(q: string, team: 'a' | 'b' = 'a'): Promise<{ total: number; hits: EventView[] }> {
  const res = await h.call(`/api/v1/events?${new URLSearchParams({ q, size: '100' })}`, { key: h.teams[team].keys.read });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { total: number; hits: EventView[] };
}

async function getEvent(id: string, team: 'a' | 'b' = 'a'): Promise<EventView> {
  const res = await h.call(`/api/v1/events/${encodeURIComponent(id)}`, { key: h.teams[team].keys.read });
  expect(res.status, `${id}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as EventView;
}

const unique = () => Math.random().toString(36).slice(2, 10);
const threatStack = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  user_email: 'alice@example.com',
  crud: 'c',
  result: 'pass',
  action: 'aws-profile-create',
  source: 'API',
  event_time: new Date(Date.now() - 60_000).toISOString(),
  ...fields,
});

describe.each(storeKinds('integrity'))('integrity of the record on %s', (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind, { AUDITLOG_RETENTION_DAYS: '90' });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('an id only deduplicates the same content', () => {
    it('a producer id pre-claimed by a forged event does not hide the genuine one', async () => {
      const id = `pre-${unique()}`;
      const forgedEvent = threatStack(id, { user_email: 'mallory@example.com', description: 'forged' });
      const forged = await ingest(forgedEvent);
      expect(forged.status).toBe(200);
      expect(forged.body.accepted).toEqual([{ index: 0, id: `threatstack.${id}` }]);

      const genuine = threatStack(id, { description: 'genuine' });
      const first = await ingest(genuine);
      expect(first.status).toBe(200);
      const [stored] = first.body.accepted;
      expect(stored).toMatchObject({ index: 0, conflictsWith: `threatstack.${id}` });
      expect(stored!.duplicate).toBeUndefined();
      expect(stored!.id).not.toBe(`threatstack.${id}`);
      expect(first.body.warnings).toEqual([{ index: 0, code: 'id_conflict', message: expect.stringContaining(`threatstack.${id}`) }]);

      // Both are kept and found by the producer's id; the genuine one is flagged.
      const found = await search(`id:${id}`);
      expect(found.total).toBe(2);
      expect(found.hits.map((e) => e.original.description).sort()).toEqual(['forged', 'genuine']);
      const view = await getEvent(stored!.id);
      expect(view.flags).toContain('id_conflict');
      expect(view.original.description).toBe('genuine');
      expect((await getEvent(`threatstack.${id}`)).original.description).toBe('forged');

      // A retry of the genuine event is idempotent: the same derived id, nothing stored twice.
      const retry = await ingest(genuine);
      expect(retry.body.accepted).toEqual([{ index: 0, id: stored!.id, duplicate: true, conflictsWith: `threatstack.${id}` }]);
      // So is a retry of the forged one.
      expect((await ingest(forgedEvent)).body.accepted).toEqual([
        { index: 0, id: `threatstack.${id}`, duplicate: true },
      ]);
      expect((await search(`id:${id}`)).total).toBe(2);
    });

    it('a retry of the same content is a duplicate, whatever the receive time', async () => {
      const event = threatStack(`same-${unique()}`);
      const a = await ingest(event);
      const b = await ingest(event);
      expect(b.body.accepted).toEqual([{ index: 0, id: a.body.accepted[0]!.id, duplicate: true }]);
      expect(b.body.warnings).toEqual([]);
    });

    it('producer ids are namespaced by format: an ECS event.id never equals a Threat Stack id or an Idempotency-Key id', async () => {
      const id = `shared-${unique()}`;
      const ts = await ingest(threatStack(id));
      const ecs = await ingest({ '@timestamp': new Date().toISOString(), event: { id, action: 'ecs-side' } });
      expect(ts.body.accepted[0]!.id).toBe(`threatstack.${id}`);
      expect(ecs.body.accepted[0]!.id).toBe(`ecs.${id}`);

      const key = `k-${unique()}`;
      const keyed = await ingest({ action: 'keyed', n: 1 }, { headers: { 'idempotency-key': key } });
      const keyedId = keyed.body.accepted[0]!.id;
      expect(keyedId).toBe(`key.${key}-0`);
      const spoof = await ingest({ '@timestamp': new Date().toISOString(), event: { id: keyedId, action: 'spoof' } });
      expect(spoof.body.accepted).toEqual([{ index: 0, id: `ecs.${keyedId}` }]);
      expect((await getEvent(keyedId)).original).toEqual({ action: 'keyed', n: 1 });
      expect(spoof.body.warnings).toEqual([]);
    });
  });

  describe('Idempotency-Key', () => {
    const events = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ '@timestamp': new Date(Date.now() - 1000 * (i + 1)).toISOString(), event: { action: tag }, n: i }));

    it('the same key with the same body replays as duplicates, however the body was compressed', async () => {
      const key = `same-${unique()}`;
      const body = JSON.stringify(events(`idem-${key}`, 3));
      const first = await ingest(body, { headers: { 'idempotency-key': key } });
      expect(first.status).toBe(200);
      expect(first.body.accepted.map((a) => a.id)).toEqual([0, 1, 2].map((i) => `key.${key}-${i}`));
      const again = await ingest(gzipSync(body, { level: 1 }), { headers: { 'idempotency-key': key, 'content-encoding': 'gzip' } });
      expect(again.status).toBe(200);
      expect(again.body.accepted).toEqual(first.body.accepted.map((a) => ({ ...a, duplicate: true })));
      expect((await search(`event.action:idem-${key}`)).total).toBe(3);
    });

    it('the same key with another body is refused with 422 IDEMPOTENCY_KEY_REUSED, and nothing of it is stored', async () => {
      const key = `reused-${unique()}`;
      const first = await ingest(events(`first-${key}`, 2), { headers: { 'idempotency-key': key } });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const reused = await ingest(events(`second-${key}`, 3), { headers: { 'idempotency-key': key } });
      expect(reused.status).toBe(422);
      expect(reused.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining(key) });
      expect((await search(`event.action:second-${key}`)).total).toBe(0);
      expect((await search(`event.action:first-${key}`)).total).toBe(2);
      // Keys are per team: team b may use the same key for its own content.
      const b = await ingest(events(`second-${key}`, 1), { headers: { 'idempotency-key': key }, team: 'b' });
      expect(b.status, JSON.stringify(b.body)).toBe(200);
      expect((await search(`event.action:second-${key}`, 'b')).total).toBe(1);
    });

    it('an empty or oversized key is refused, naming the header', async () => {
      for (const key of ['', 'k'.repeat(201)]) {
        const res = await ingest(events('bad-key', 1), { headers: { 'idempotency-key': key } });
        expect(res.status).toBe(400);
        expect(res.body.error?.message).toMatch(/^header idempotency-key: must be 1 to 200 characters/);
      }
    });
  });

  describe('timestamps', () => {
    const DAY = 86_400_000;

    it('invalid timestamps are kept, flagged timestamp_invalid with a warning each, and the value sent stays searchable by its own path', async () => {
      const tag = unique();
      // The cases of issue 9, each in a format whose time field it uses; 1e400 is written as sent.
      const lines = [
        JSON.stringify({ id: `y9999-${tag}`, crud: 'c', result: 'pass', action: `ts-${tag}`, event_time: '9999-01-01T00:00:00Z' }),
        JSON.stringify({ action_details: { operation: { action: `neg-${tag}` } }, audit_schema_version: 'v1', action_start_timestamp: -1631256697042 }),
        JSON.stringify({ '@timestamp': 'NaN', event: { action: `nan-${tag}`, category: 'iam' } }),
        `{"action_details":{"operation":{"action":"inf-${tag}"}},"audit_schema_version":"v1","action_start_timestamp":1e400}`,
        JSON.stringify({ timestamp: '0000-01-01T00:00:00Z', action_type: 'update', resource_type: `year0-${tag}`, actor: { type: 'user' } }),
      ];
      const before = Date.now();
      const res = await ingest(lines.join('\n'), { headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.rejected).toEqual([]);
      expect(res.body.accepted.map((a) => a.index)).toEqual([0, 1, 2, 3, 4]);
      const fields = ['event_time', 'action_start_timestamp', '@timestamp', 'action_start_timestamp', 'timestamp'];
      expect(res.body.warnings.map((w) => [w.index, w.code, w.field])).toEqual(fields.map((f, i) => [i, 'timestamp_invalid', f]));

      const searches = [
        'event_time:"9999-01-01T00:00:00Z"',
        'action_start_timestamp:"-1631256697042"',
        'original.@timestamp:NaN',
        'action_start_timestamp:1e400',
        'timestamp:"0000-01-01T00:00:00Z"',
      ];
      for (const [i, q] of searches.entries()) {
        const found = await search(`${q} AND auditlog.flags:timestamp_invalid`);
        expect(found.hits.map((e) => e.id), q).toEqual([res.body.accepted[i]!.id]);
        const view = await getEvent(res.body.accepted[i]!.id);
        expect(view.flags).toEqual(['timestamp_invalid']);
        // Not the sent value: the receive time, so the event sorts among its neighbours.
        expect(Date.parse(view['@timestamp'])).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(view['@timestamp'])).toBeLessThanOrEqual(Date.now());
        expect(view.raw).toBe(lines[i]);
      }
      expect((await getEvent(res.body.accepted[3]!.id)).original.action_start_timestamp).toBe('1e400');
      expect((await getEvent(res.body.accepted[2]!.id)).original['@timestamp']).toBe('NaN');
    });

    it('an event dated more than a day ahead is flagged timestamp_future, takes the receive time, and does not sort above later events', async () => {
      const tag = unique();
      const ahead = new Date(Date.now() + 10 * DAY).toISOString();
      const future = await ingest({ eventTime: ahead, eventName: `future-${tag}` });
      expect(future.body.warnings).toEqual([{ index: 0, code: 'timestamp_future', message: expect.stringContaining(ahead) }]);
      await new Promise((r) => setTimeout(r, 5));
      const later = await ingest({ eventTime: new Date().toISOString(), eventName: `later-${tag}` });
      expect(later.body.warnings).toEqual([]);
      const page = await search(`eventName:(future-${tag} OR later-${tag})`);
      expect(page.hits.map((e) => e.original.eventName)).toEqual([`later-${tag}`, `future-${tag}`]);
      expect(page.hits[1]!.flags).toEqual(['timestamp_future']);
      expect((await search(`eventTime:"${ahead}"`)).hits.map((e) => e.id)).toEqual([future.body.accepted[0]!.id]);
    });

    it('an event older than the team retention is rejected per item as older_than_retention, saying the retention; the rest are kept', async () => {
      const tag = unique();
      const res = await ingest([
        { eventTime: new Date(Date.now() - 91 * DAY).toISOString(), eventName: `old-${tag}` },
        { eventTime: new Date(Date.now() - 89 * DAY).toISOString(), eventName: `kept-${tag}` },
      ]);
      expect(res.status).toBe(200);
      expect(res.body.rejected).toEqual([
        { index: 0, code: 'older_than_retention', reason: expect.stringContaining("older than the team's retention of 90 days") },
      ]);
      expect(res.body.accepted.map((a) => a.index)).toEqual([1]);
      expect((await search(`eventName:old-${tag} OR eventName:kept-${tag}`)).hits.map((e) => e.original.eventName)).toEqual([`kept-${tag}`]);
      // Only old events: nothing accepted, 400 with the same per-item answer.
      const only = await ingest({ eventTime: '2020-05-05T16:43:46Z', eventName: `old-${tag}` });
      expect(only.status).toBe(400);
      expect(only.body.rejected[0]?.code).toBe('older_than_retention');
    });

    it('the OpenAPI document describes warnings, conflicts and rejection codes', async () => {
      const doc = (await (await h.call('/api/v1/openapi.json')).json()) as {
        components: { schemas: { IngestResponse: { properties: Record<string, { items?: { properties?: Record<string, unknown> } }> } } };
      };
      const props = doc.components.schemas.IngestResponse.properties;
      expect(Object.keys(props)).toEqual(['accepted', 'rejected', 'warnings']);
      expect(Object.keys(props.warnings!.items!.properties!)).toEqual(expect.arrayContaining(['index', 'code', 'message', 'field']));
      expect(Object.keys(props.accepted!.items!.properties!)).toContain('conflictsWith');
      expect(Object.keys(props.rejected!.items!.properties!)).toContain('code');
    });
  });
});
