/**
 * The property of issue 9, on both stores over real HTTP: for random sequences of ingests
 * that reuse producer ids, Idempotency-Keys and whole requests, across teams and formats,
 * every acknowledged event is retrievable under the id it was acknowledged with and holds the
 * content sent; distinct contents never share an id; nothing is stored twice.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, startHarness, storeKinds } from './harness.ts';

const FORMATS = ['threatstack', 'ecs', 'generic', 'coralogix', 'bigpanda'] as const;
type Format = (typeof FORMATS)[number];

interface EventSpec {
  format: Format;
  /** Index into a small pool of producer ids (undefined: none), so ids collide often. */
  pid: number | undefined;
  /** A small pool of contents, so the same content comes back often. */
  note: number;
  offset: number;
}
interface RequestSpec {
  team: 'a' | 'b';
  /** Index into a small pool of Idempotency-Keys. */
  key: number | undefined;
  ndjson: boolean;
  events: EventSpec[];
  /** Send an earlier request's body and key again (to this request's team). */
  repeat: number | undefined;
}

const eventSpec: fc.Arbitrary<EventSpec> = fc.record({
  format: fc.constantFrom(...FORMATS),
  pid: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
  note: fc.integer({ min: 0, max: 2 }),
  offset: fc.integer({ min: 0, max: 2 }),
});
const requestSpec: fc.Arbitrary<RequestSpec> = fc.record({
  team: fc.constantFrom('a' as const, 'b' as const),
  key: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
  ndjson: fc.boolean(),
  events: fc.array(eventSpec, { minLength: 1, maxLength: 4 }),
  repeat: fc.option(fc.nat(), { freq: 3, nil: undefined }),
});

interface Answer {
  accepted: Array<{ index: number; id: string; duplicate?: true; conflictsWith?: string }>;
  rejected: Array<{ index: number; reason: string }>;
  error?: { code: string };
}

let h: Harness;
let runs = 0;

/** The event as sent: every format, with the run's tag to find its events, and a producer id from a pool shared by formats. */
function eventOf(spec: EventSpec, tag: string, base: number): Record<string, unknown> {
  const ts = base + spec.offset * 1000;
  // Producer ids shared by every format, one of them spelled like the id an Idempotency-Key gives.
  const pid = spec.pid === undefined ? undefined : [`p-${tag}`, `q-${tag}`, `key.${tag}-k0-0`][spec.pid];
  const common = { runTag: tag, note: `n${spec.note}` };
  switch (spec.format) {
    case 'threatstack':
      return { ...(pid ? { id: pid } : {}), crud: 'c', result: 'pass', action: 'prop', event_time: new Date(ts).toISOString(), ...common };
    case 'ecs':
      return { '@timestamp': new Date(ts).toISOString(), event: { action: 'prop', ...(pid ? { id: pid } : {}) }, ...common };
    case 'generic':
      return { ...(pid ? { eventID: pid } : {}), eventTime: new Date(ts).toISOString(), eventName: 'prop', ...common };
    case 'coralogix':
      return { action_details: { operation: { action: 'prop' } }, audit_schema_version: 'v1', action_start_timestamp: ts, ...common };
    case 'bigpanda':
      return { actor: { type: 'user' }, action_type: 'update', resource_type: 'prop', timestamp: String(Math.floor(ts / 1000)), ...common };
  }
}

describe.each(storeKinds('ingest property'))('ingest property on %s', (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  it(
    'every acknowledged event is retrievable with the content sent; distinct contents never share an id; nothing is stored twice',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(requestSpec, { minLength: 1, maxLength: 6 }), async (requests) => {
          const tag = `r${process.pid}x${runs++}x${Math.random().toString(36).slice(2, 8)}`;
          // Close to now and inside one month, so every event of a run lands in one Elasticsearch index.
          const now = Date.now();
          const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
          const base = Math.max(now - 60_000, monthStart);

          const sent: Array<{ body: string; key: string | undefined; ndjson: boolean; raws: string[] }> = [];
          // What each team acknowledged: id → the raw text it was acknowledged for.
          const acked = { a: new Map<string, string>(), b: new Map<string, string>() };
          // Idempotency-Key → the body it was first accepted with, per team.
          const keys = { a: new Map<string, string>(), b: new Map<string, string>() };

          for (const spec of requests) {
            const earlier = spec.repeat !== undefined && sent.length > 0 ? sent[spec.repeat % sent.length]! : undefined;
            let request = earlier;
            if (!request) {
              const raws = spec.events.map((e) => JSON.stringify(eventOf(e, tag, base)));
              const body = spec.ndjson ? raws.join('\n') : `[${raws.join(',')}]`;
              request = { body, key: spec.key === undefined ? undefined : `${tag}-k${spec.key}`, ndjson: spec.ndjson, raws };
            }
            sent.push(request);
            const res = await h.call('/api/v1/events', {
              method: 'POST',
              key: h.teams[spec.team].keys.ingest,
              headers: {
                'content-type': request.ndjson ? 'application/x-ndjson' : 'application/json',
                ...(request.key ? { 'idempotency-key': request.key } : {}),
              },
              body: request.body,
            });
            const answer = (await res.json()) as Answer;
            const bound = request.key === undefined ? undefined : keys[spec.team].get(request.key);
            if (bound !== undefined && bound !== request.body) {
              // A key reused with another body: refused whole.
              expect(res.status, JSON.stringify(answer)).toBe(422);
              expect(answer.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
              continue;
            }
            expect(res.status, JSON.stringify(answer)).toBe(200);
            expect(answer.rejected).toEqual([]);
            expect(answer.accepted.map((a) => a.index)).toEqual(request.raws.map((_, i) => i));
            if (request.key !== undefined) keys[spec.team].set(request.key, request.body);
            for (const a of answer.accepted) {
              const raw = request.raws[a.index]!;
              const before = acked[spec.team].get(a.id);
              // One id, one content: an id acknowledged twice was acknowledged for the same event.
              if (before !== undefined) expect(before, `${a.id} acknowledged for two contents`).toBe(raw);
              // A duplicate is only ever a duplicate of the same content acknowledged before (in this run
              // or, for ids outside this run's namespace, never: every id here carries the run's tag or content).
              if (a.duplicate && before === undefined) throw new Error(`${a.id} answered duplicate of nothing acknowledged: ${raw}`);
              acked[spec.team].set(a.id, raw);
            }
          }

          for (const team of ['a', 'b'] as const) {
            if (acked[team].size === 0) continue;
            await eventually(async () => {
              for (const [id, raw] of acked[team]) {
                const res = await h.call(`/api/v1/events/${encodeURIComponent(id)}`, { key: h.teams[team].keys.read });
                expect(res.status, `${team} ${id}`).toBe(200);
                const event = (await res.json()) as { raw: string; flags: string[] };
                expect(event.raw, `${team} ${id}`).toBe(raw);
                expect(event.flags.includes('id_conflict'), `${team} ${id}`).toBe(id.startsWith('conflict:'));
              }
              // Nothing else stored under the run's tag: each acknowledged id is one event.
              const page = await h.call(`/api/v1/events?${new URLSearchParams({ q: `runTag:${tag}`, size: '1000' })}`, { key: h.teams[team].keys.read });
              const found = (await page.json()) as { total: number; hits: Array<{ id: string }> };
              expect(found.hits.map((e) => e.id).sort()).toEqual([...acked[team].keys()].sort());
            });
          }
        }),
        { numRuns: kind === 'sqlite' ? 40 : 15 },
      );
    },
    240_000,
  );
});
