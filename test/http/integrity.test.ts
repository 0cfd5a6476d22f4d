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
    h = await startHarness(kind);
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
        expect(res.body.error?.message).toContain('Idempotency-Key');
      }
    });
  });
});
