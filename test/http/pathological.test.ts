/**
 * No query can stall the server (issue 8): the queries that froze it, and others like them,
 * against a store of 100,000 events, on both stores, through a real server on loopback.
 * While each runs, /healthz is probed back to back and 1,000 events are ingested:
 * - every pathological query ends within its budget (AUDITLOG_QUERY_TIMEOUT_MS, 3 s here)
 *   with a correct answer, QUERY_TIMEOUT (503) or QUERY_LIMIT (400, naming the limit);
 * - /healthz answers in under 200 ms at p99 over all probes, and never takes a second while
 *   no ingest is in flight (an ingest's SQLite writes run on the event loop, by design: a probe
 *   that overlaps one measures the write path, docs/benchmarks.md, not the query);
 * - the ingest of 1,000 events completes in under a second;
 * - a client that disconnects cancels its read; a retention pass that deletes three quarters
 *   of the team does not hold /healthz for a second either.
 * The bounds are the issue's; the machine running CI has two cores and other suites beside.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BASE, generateEvent } from '../../bench/fixtures.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

const EVENTS = 100_000;
const BUDGET_MS = 3_000;
const DAY = 86_400_000;

const or = (n: number, leaf: string) => Array.from({ length: n }, () => leaf).join(' OR ');
const phrase = `"${'a '.repeat(1000)}b"`;

type Outcome = 'answer' | 'answer-or-timeout' | { limit: string };
interface Case {
  name: string;
  path: string;
  expect: Outcome;
}
const events = (q: string) => `/api/v1/events?size=50&q=${encodeURIComponent(q)}`;
const CASES: Case[] = [
  { name: 'user.email:/.*.*.*.*.*x/ (froze the server 77 s)', path: events('user.email:/.*.*.*.*.*x/'), expect: 'answer' },
  { name: '*:/.*.*.*.*.*.*.*.*.*.*x/ (pinned a core 600 s)', path: events('*:/.*.*.*.*.*.*.*.*.*.*x/'), expect: 'answer-or-timeout' },
  { name: "300 OR'd *:*abc*", path: events(or(300, '*:*abc*')), expect: { limit: 'indices.query.bool.max_clause_count' } },
  { name: "200 OR'd *:/.*a.*b/", path: events(or(200, '*:/.*a.*b/')), expect: { limit: 'indices.query.bool.max_clause_count' } },
  { name: "100 OR'd *:word~2", path: events(or(100, '*:word~2')), expect: { limit: 'indices.query.bool.max_clause_count' } },
  { name: "20 OR'd *:*abc*", path: events(or(20, '*:*abc*')), expect: 'answer-or-timeout' },
  { name: "20 OR'd *:/.*a.*b/", path: events(or(20, '*:/.*a.*b/')), expect: 'answer-or-timeout' },
  { name: "20 OR'd *:word~2", path: events(or(20, '*:word~2')), expect: 'answer-or-timeout' },
  { name: "500 OR'd crud:c (a quarter of the events each)", path: events(or(500, 'crud:c')), expect: 'answer-or-timeout' },
  { name: "1,000 OR'd free-text api (a third of the events each)", path: events(or(1000, 'api')), expect: 'answer-or-timeout' },
  { name: 'leading wildcard in free text, *e*', path: events('*e*'), expect: 'answer-or-timeout' },
  { name: 'regex too complex to determinize', path: events('user.name:/(a|b)*a(a|b){13}/'), expect: { limit: 'max_determinized_states' } },
  { name: 'wildcard too complex to determinize', path: events(`user.name:*a${'?'.repeat(20)}`), expect: { limit: 'max_determinized_states' } },
  { name: 'a 1,000-word phrase over events that repeat the word 2,000 times', path: events(phrase), expect: 'answer-or-timeout' },
  {
    name: "facets over 20 OR'd *:/.*a.*b/",
    path: `/api/v1/events/facets?field=user.email&q=${encodeURIComponent(or(20, '*:/.*a.*b/'))}`,
    expect: 'answer-or-timeout',
  },
  { name: "histogram over 20 OR'd *:*abc*", path: `/api/v1/events/histogram?q=${encodeURIComponent(or(20, '*:*abc*'))}`, expect: 'answer-or-timeout' },
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const kind of storeKinds('pathological queries')) {
  describe(`pathological queries (${kind}, ${EVENTS.toLocaleString('en-US')} events)`, () => {
    let h: Harness;
    let team: string;
    /** Every /healthz latency measured while a pathological query or the retention pass ran. */
    const probes: number[] = [];
    /** The same, for the probes during which no ingest request was in flight. */
    const quietProbes: number[] = [];
    const ingests: number[] = [];

    beforeAll(async () => {
      h = await startHarness(kind, { AUDITLOG_QUERY_TIMEOUT_MS: String(BUDGET_MS), AUDITLOG_READ_WORKERS: '2' });
      team = h.teams.a.team;
      const batch = 5_000;
      for (let i = 0; i < EVENTS; i += batch) {
        await h.rt.store.append(team, Array.from({ length: batch }, (_, j) => generateEvent(i + j, team, EVENTS)));
      }
      // Events a hostile ingest key could send: one word 2,000 times (the phrase case).
      const repeated = `b ${'a '.repeat(2000)}`;
      const crafted: StoredEvent[] = Array.from({ length: 1000 }, (_, i) => ({
        ...generateEvent(EVENTS + i, team, EVENTS),
        original: { note: repeated },
        raw: JSON.stringify({ note: repeated }),
      }));
      await h.rt.store.append(team, crafted, { waitForSearch: true });
    }, 600_000);

    afterAll(async () => {
      if (!h) return;
      await h.rt.store.dropTeam(team as never).catch(() => {});
      await h.close();
    });

    /** Runs `fn` while /healthz is probed back to back and 1,000 events are ingested once. */
    async function underLoad<T>(fn: () => Promise<T>, { ingest = true } = {}): Promise<{ result: T; ms: number }> {
      let done = false;
      let ingestFrom = Infinity;
      let ingestTo = Infinity;
      const probing = (async () => {
        while (!done) {
          const t0 = performance.now();
          const r = await fetch(`${h.url}/healthz`);
          await r.arrayBuffer();
          const t1 = performance.now();
          probes.push(t1 - t0);
          if (t1 < ingestFrom || t0 > ingestTo) quietProbes.push(t1 - t0);
          expect(r.status).toBe(200);
        }
      })();
      const ingesting = ingest
        ? (async () => {
            await sleep(200);
            const body = Array.from({ length: 1000 }, (_, i) => ({
              '@timestamp': new Date(BASE + i).toISOString(),
              event: { action: 'probe.ingest' },
              user: { name: `prober${i}` },
              message: 'ingested while a pathological query runs',
            }));
            const t0 = performance.now();
            ingestFrom = t0;
            const r = await h.call('/api/v1/events', { method: 'POST', key: h.teams.a.keys.ingest, json: body });
            const answer = (await r.json()) as { accepted?: unknown[] };
            ingestTo = performance.now();
            ingests.push(ingestTo - t0);
            expect(r.status).toBe(200);
            expect(answer.accepted).toHaveLength(1000);
          })()
        : Promise.resolve();
      const t0 = performance.now();
      try {
        const result = await fn();
        const ms = performance.now() - t0;
        await ingesting;
        return { result, ms };
      } finally {
        done = true;
        await probing;
      }
    }

    for (const c of CASES) {
      test(c.name, async () => {
        const first = probes.length;
        const { result, ms } = await underLoad(async () => {
          const r = await h.call(c.path, { key: h.teams.a.keys.read });
          return { status: r.status, body: (await r.json()) as { error?: { code: string; details?: Record<string, unknown> } } };
        });
        if (process.env.PATHO_DEBUG) {
          console.log(c.name, result.status, Math.round(ms), 'probes', probes.length - first, 'max', Math.round(Math.max(...probes.slice(first))), 'ingest', Math.round(ingests.at(-1)!));
        }
        // Within its budget (plus the time a loaded machine takes to answer), whatever the outcome.
        expect(ms).toBeLessThan(BUDGET_MS + 2_000);
        if (typeof c.expect === 'object') {
          expect(result.status).toBe(400);
          expect(result.body.error?.code).toBe('QUERY_LIMIT');
          expect(result.body.error?.details?.limit).toBe(c.expect.limit);
        } else if (c.expect === 'answer') {
          expect(result.status, JSON.stringify(result.body.error)).toBe(200);
        } else if (result.status !== 200) {
          expect(result.status, JSON.stringify(result.body.error)).toBe(503);
          expect(result.body.error?.code).toBe('QUERY_TIMEOUT');
          expect(result.body.error?.details).toMatchObject({ budgetMs: BUDGET_MS, limit: 'AUDITLOG_QUERY_TIMEOUT_MS' });
        }
      }, 60_000);
    }

    test('/healthz answered in under 200 ms at p99 while they ran, never a second without an ingest in flight; ingests of 1,000 events took under a second', () => {
      const sorted = [...probes].sort((a, b) => a - b);
      expect(sorted.length).toBeGreaterThan(200);
      expect(percentile(sorted, 99)).toBeLessThan(200);
      expect(quietProbes.length).toBeGreaterThan(100);
      expect(Math.max(...quietProbes)).toBeLessThan(1_000);
      expect(ingests).toHaveLength(CASES.length);
      // The median, with a ceiling for the rest: on Elasticsearch an ingest waits for the node,
      // which shares this 2-core machine with the pathological query and other suites.
      const ingestSorted = [...ingests].sort((a, b) => a - b);
      expect(percentile(ingestSorted, 50)).toBeLessThan(1_000);
      expect(ingestSorted.at(-1)!).toBeLessThan(3_000);
    });

    test('a client that disconnects cancels its read', async () => {
      const agent = `disconnect-${Math.random().toString(36).slice(2)}`;
      // Queries that take longer than the 300 ms before the hang-up on each store (measured above).
      const slow = events(kind === 'sqlite' ? or(20, '*:/.*a.*b/') : phrase);
      const started = performance.now();
      // As many hung-up requests as there are read workers: if their reads went on, the next search would wait for them.
      await Promise.all(
        [0, 1].map(
          () =>
            new Promise<void>((resolve, reject) => {
              const url = new URL(h.url);
              const socket = connect(Number(url.port), url.hostname, () => {
                socket.write(
                  `GET ${slow} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${h.teams.a.keys.read}\r\nUser-Agent: ${agent}\r\n\r\n`,
                );
                setTimeout(() => {
                  socket.destroy();
                  resolve();
                }, 300);
              });
              socket.on('error', reject);
            }),
        ),
      );
      const r = await h.call(events('user.name:nobody'), { key: h.teams.a.keys.read });
      expect(r.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(BUDGET_MS);
      // The server recorded both calls as cancelled (499), not as answered or timed out.
      await eventually(async () => {
        const trail = await h.call(`/api/v1/system/events?q=${encodeURIComponent(`user_agent.original:"${agent}"`)}`, { key: OPERATOR_KEY });
        const page = (await trail.json()) as { hits: Array<{ normalized: Record<string, unknown> }> };
        expect(page.hits.map((e) => e.normalized['http.response.status_code'])).toEqual([499, 499]);
      });
    });

    test('an alert rule with a pathological query ends within its budget and says so in its history', async () => {
      const admin = h.teams.a.keys.admin;
      const rule = { name: 'pathological', query: or(20, '*:/.*a.*b/'), window: '7d', condition: { type: 'any' }, channels: [] };
      const created = (await (await h.call('/api/v1/alerts', { method: 'POST', key: admin, json: rule })).json()) as { id: string };
      // Recent events, so that the rule's window is not empty (an empty window costs nothing on either store).
      const now = Date.now();
      await h.rt.store.append(
        team as never,
        Array.from({ length: 100 }, (_, i) => ({ ...generateEvent(i, team, 100), id: `recent-${i}`, timestamp: now - 60_000 - i, received: now })),
        { waitForSearch: true },
      );
      const { result, ms } = await underLoad(async () => {
        const r = await h.call(`/api/v1/alerts/${created.id}/evaluate`, { method: 'POST', key: admin });
        return { status: r.status, body: (await r.json()) as { error?: { code: string } } };
      }, { ingest: false });
      expect(ms).toBeLessThan(BUDGET_MS + 2_000);
      // SQLite scans every value of every field for these regexes: more than the budget.
      if (kind === 'sqlite') expect(result.status).toBe(503);
      if (result.status !== 200) {
        expect(result.status).toBe(503);
        expect(result.body.error?.code).toBe('QUERY_TIMEOUT');
        const history = (await (await h.call(`/api/v1/alerts/${created.id}/history?limit=1`, { key: admin })).json()) as { history: unknown[] };
        expect(history.history[0]).toMatchObject({ kind: 'error' });
        expect(JSON.stringify(history.history[0])).toContain('time budget');
      }
    });

    test('a retention pass that deletes three quarters of the events never holds /healthz for a second', async () => {
      const before = probes.length;
      const { result: deleted } = await underLoad(() => h.rt.store.deleteOlderThan(team as never, BASE + 23 * DAY), { ingest: false });
      expect(deleted).toBeGreaterThan(70_000);
      const during = probes.slice(before).sort((a, b) => a - b);
      expect(during.length).toBeGreaterThan(10);
      expect(during.at(-1)!).toBeLessThan(1_000);
    }, 300_000);
  });
}
