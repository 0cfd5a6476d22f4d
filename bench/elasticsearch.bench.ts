/**
 * Elasticsearch store benchmark: `node bench/elasticsearch.bench.ts` (needs ES_URL, and
 * ES_USERNAME / ES_PASSWORD when the cluster has security on).
 *
 * (a) Ingest. Ours: a real auditlog server (createRuntime + startServer, AUDITLOG_STORE=
 *     elasticsearch, 127.0.0.1, port 0) receiving NDJSON batches over HTTP (BENCH_BATCH events
 *     per request, BENCH_CONCURRENCY requests in flight). Raw: the same events turned into the
 *     same documents the store writes (the ingest pipeline, then the store's own toDocument,
 *     serialized as the store serializes them, all before the clock starts), sent with
 *     client.bulk: same batch size, same concurrency, same refresh (none), into an index made
 *     from the same template. Rounds interleave raw and ours (the machine is shared); each
 *     round uses fresh team ids, so every run writes into new, empty indices. Target: ours ≥
 *     85% of raw.
 * (b) Search latency over BENCH_EVENTS (default 1,000,000) events in one team, loaded through
 *     the store's append in big batches then refreshed once; the query mix of the SQLite bench
 *     (bench/fixtures.ts), each search returning the 50 newest hits and the exact total.
 *
 * Knobs: BENCH_INGEST (events per ingest run, default min(BENCH_EVENTS, 100,000)), BENCH_ROUNDS
 * (default 3), BENCH_BATCH (1000), BENCH_CONCURRENCY (4), BENCH_RUNS (searches per kind, 30),
 * BENCH_PARTS (`ingest,search`), BENCH_SIDES (`raw,ours`), BENCH_KEEP=1 keeps the search index
 * for the next run (it is reused when it holds exactly BENCH_EVENTS events).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { loadConfig } from '../src/config.ts';
import type { StoredEvent, TeamId } from '../src/events/event.ts';
import { ingestBody } from '../src/ingest/index.ts';
import { parseQuery } from '../src/query/parse.ts';
import { createLogger, createRuntime } from '../src/runtime.ts';
import { startServer } from '../src/server.ts';
import { toDocument } from '../src/store/elasticsearch/document.ts';
import { indexName, periodEnd, periodForRetention, teamPattern } from '../src/store/elasticsearch/naming.ts';
import { ElasticsearchStore } from '../src/store/elasticsearch/store.ts';
import { installIndexTemplate, teamTemplateBody } from '../src/store/elasticsearch/templates.ts';
import { generateEvent, percentile, QUERY_KINDS } from './fixtures.ts';

const ES_URL = process.env.ES_URL;
if (!ES_URL) {
  console.error('bench/elasticsearch.bench.ts: ES_URL is not set (start a node with `source scripts/elasticsearch.sh && elasticsearch_start`); nothing to measure.');
  process.exit(2);
}
const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const N_INGEST = Number(process.env.BENCH_INGEST ?? Math.min(N, 100_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'ingest,search').split(',').map((p) => p.trim()));
const KEEP = process.env.BENCH_KEEP === '1';
/** `ours` alone is for profiling the server (node --cpu-prof) without the baseline's set-up in the profile. */
const SIDES = new Set((process.env.BENCH_SIDES ?? 'raw,ours').split(',').map((p) => p.trim()));
/** The server's prefix (not configurable): bench teams live beside real ones, under unique ids. */
const PREFIX = 'auditlog';
const SEARCH_PREFIX = 'auditbench';
const SEARCH_TEAM = 'search' as TeamId;
// Long enough to keep the fixtures' fixed dates (from 2026-10-01), which ingest would refuse as
// older than a shorter retention; still monthly indices, the layout of a 90-day team.
const RETENTION_DAYS = 365;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () => loadavg()[0]!.toFixed(1);
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const runId = Date.now().toString(36);

const client = new Client({
  node: ES_URL,
  ...(process.env.ES_USERNAME ? { auth: { username: process.env.ES_USERNAME, password: process.env.ES_PASSWORD ?? '' } } : {}),
  requestTimeout: 120_000,
});

/** Runs `work(i)` for i in [0, count) with at most `concurrency` in flight. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** CPU time of the Elasticsearch node(s), ms: with ours' own CPU it says where a run's time went. */
async function esCpuMs(): Promise<number> {
  const stats = await client.nodes.stats({ metric: 'process' });
  return Object.values(stats.nodes).reduce((sum, n) => sum + (n.process?.cpu?.total_in_millis ?? 0), 0);
}

/** Runs `timed` and reports its wall time with this process's and Elasticsearch's CPU time. */
async function measured(timed: () => Promise<void>): Promise<{ ms: number; ownCpuMs: number; esCpuMs: number }> {
  const es0 = await esCpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await timed();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, ownCpuMs: (cpu.user + cpu.system) / 1000, esCpuMs: (await esCpuMs()) - es0 };
}

async function countTeam(prefix: string, team: string): Promise<number> {
  const index = teamPattern(prefix, team as TeamId);
  await client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  return (await client.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
}

async function dropTeam(prefix: string, team: string): Promise<void> {
  // Deleting by wildcard is refused on clusters with action.destructive_requires_name: names first.
  const found = await client.indices.get({ index: teamPattern(prefix, team as TeamId), ignore_unavailable: true, allow_no_indices: true });
  const names = Object.keys(found);
  if (names.length > 0) await client.indices.delete({ index: names });
  await client.indices.deleteIndexTemplate({ name: `${prefix}-team-${team}` }, { ignore: [404] });
}

// --- (a) ingest ------------------------------------------------------------------------------
type Run = { ms: number; ownCpuMs: number; esCpuMs: number };

async function ingestPart(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'auditlog-esbench-'));
  const config = loadConfig({
    ...process.env,
    AUDITLOG_STORE: 'elasticsearch',
    AUDITLOG_DATA_DIR: dataDir,
    AUDITLOG_LOG_LEVEL: 'warn',
    AUDITLOG_RETENTION_DAYS: String(RETENTION_DAYS),
  });
  const rt = await createRuntime(config, createLogger(config));
  const server = await startServer(rt, { port: 0, host: '127.0.0.1' });
  const es = rt.store as ElasticsearchStore;
  const lifecyclePolicy = es.capabilities.ilm ? `${PREFIX}-retention-${RETENTION_DAYS}d` : null;
  const teams: string[] = [];
  try {
    // The request bodies: seed-format originals as NDJSON, one string per batch.
    const bodies: string[] = [];
    let bytes = 0;
    for (let i = 0; i < N_INGEST; i += BATCH) {
      const lines: string[] = [];
      for (let j = i; j < Math.min(N_INGEST, i + BATCH); j++) lines.push(JSON.stringify(generateEvent(j, 'x', N_INGEST).original));
      const body = `${lines.join('\n')}\n`;
      bytes += Buffer.byteLength(body);
      bodies.push(body);
    }
    console.log(
      `## Ingest: ${fmt(N_INGEST)} events (${(bytes / 1e6).toFixed(1)} MB of NDJSON), ${bodies.length} requests of ${BATCH}, ${CONCURRENCY} in flight, refresh=false, ${ROUNDS} interleaved rounds\n`,
    );

    /** Ours: POST each body to the server; every event must be accepted. */
    const ours = async (round: number): Promise<Run> => {
      const team = `bench-${runId}-ours${round}`;
      teams.push(team);
      await rt.teams.createTeam({ id: team as TeamId, retentionDays: RETENTION_DAYS });
      const { secret } = await rt.teams.createKey(team, 'ingest', 'bench');
      const run = await measured(() => pool(bodies.length, CONCURRENCY, async (b) => {
        const response = await fetch(`${server.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/x-ndjson' },
          body: bodies[b]!,
        });
        const result = (await response.json()) as { accepted?: unknown[]; rejected?: Array<{ reason: string }> };
        if (response.status !== 200 || result.rejected?.length) {
          throw new Error(`bench: request ${b} answered ${response.status}: ${JSON.stringify(result).slice(0, 300)}`);
        }
      }));
      const stored = await countTeam(PREFIX, team);
      if (stored !== N_INGEST) throw new Error(`bench: ours stored ${stored} of ${N_INGEST} events`);
      return run;
    };

    /**
     * Raw: the documents the store would write for the same events (ingest pipeline +
     * toDocument + the store's action line), built before the clock; timed from the team's
     * template and index creation (which ours also does on its first append) to the last bulk.
     */
    const raw = async (round: number): Promise<Run> => {
      const team = `bench-${runId}-raw${round}` as TeamId;
      teams.push(team);
      const period = periodForRetention(RETENTION_DAYS);
      const requests: string[] = [];
      const indices = new Map<string, number>();
      const received = Date.now();
      const buildCpu0 = process.cpuUsage();
      for (const body of bodies) {
        const prepared = await ingestBody({ body: new TextEncoder().encode(body), contentType: 'application/x-ndjson', team, received });
        let ndjson = '';
        for (const item of prepared) {
          if (!('event' in item)) throw new Error(`bench: event ${item.index} rejected by the ingest pipeline: ${item.error.reason}`);
          const event: StoredEvent = item.event;
          const index = indexName(PREFIX, team, period, event.timestamp);
          indices.set(index, event.timestamp);
          ndjson += `${JSON.stringify({ create: { _index: index, _id: event.id } })}\n${JSON.stringify(toDocument(event))}\n`;
        }
        requests.push(ndjson);
      }
      const buildCpu = process.cpuUsage(buildCpu0);
      buildCpuMs.push((buildCpu.user + buildCpu.system) / 1000);
      const run = await measured(async () => {
        await installIndexTemplate(client, `${PREFIX}-team-${team}`, teamTemplateBody({ prefix: PREFIX, team }, lifecyclePolicy));
        for (const [index, ts] of indices) {
          await client.indices.create({ index, settings: { 'index.lifecycle.origination_date': periodEnd(period, ts) } });
        }
        await pool(requests.length, CONCURRENCY, async (r) => {
          const response = await client.bulk({ refresh: false, body: requests[r]! } as Parameters<Client['bulk']>[0], { maxRetries: 0 });
          if (response.errors) {
            const failed = response.items.find((item) => Object.values(item)[0]?.error);
            throw new Error(`bench: raw bulk item failed: ${JSON.stringify(failed).slice(0, 300)}`);
          }
        });
      });
      const stored = await countTeam(PREFIX, team);
      if (stored !== N_INGEST) throw new Error(`bench: raw stored ${stored} of ${N_INGEST} events`);
      return run;
    };

    /** CPU of the baseline's untimed preparation: the ingest pipeline and the documents, which ours does per request. */
    const buildCpuMs: number[] = [];
    const rate = (run: Run) => (N_INGEST / run.ms) * 1000;
    // CPU per event: this process (ours: the whole server plus the HTTP client; raw: the ES
    // client only) and the Elasticsearch node (which also serves whatever else runs on it).
    const perEvent = (cpuMs: number) => ((cpuMs * 1000) / N_INGEST).toFixed(0);
    const rawRates: number[] = [];
    const ourRates: number[] = [];
    console.log('| round | raw _bulk events/s | ours (HTTP API) events/s | ours / raw | CPU µs/event raw: bench process + ES | CPU µs/event ours: bench process + ES | load avg (1 min) |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (let round = 0; round < ROUNDS; round++) {
      const loadBefore = load();
      const rawRun = SIDES.has('raw') ? await raw(round) : { ms: NaN, ownCpuMs: NaN, esCpuMs: NaN };
      const ourRun = SIDES.has('ours') ? await ours(round) : { ms: NaN, ownCpuMs: NaN, esCpuMs: NaN };
      const r = rate(rawRun);
      const o = rate(ourRun);
      rawRates.push(r);
      ourRates.push(o);
      console.log(
        `| ${round + 1} | ${fmt(r)} | ${fmt(o)} | ${Math.round((o / r) * 100)}% | ${perEvent(rawRun.ownCpuMs)} + ${perEvent(rawRun.esCpuMs)} | ${perEvent(ourRun.ownCpuMs)} + ${perEvent(ourRun.esCpuMs)} | ${loadBefore} → ${load()} |`,
      );
      // Dropping each round's indices keeps segment merges of earlier rounds out of later ones.
      for (const team of teams.splice(0)) await dropTeam(PREFIX, team);
    }
    const bestRaw = Math.max(...rawRates);
    const bestOurs = Math.max(...ourRates);
    console.log(`\nbest:   raw ${fmt(bestRaw)} events/s, ours ${fmt(bestOurs)} events/s, ours/raw ${Math.round((bestOurs / bestRaw) * 100)}%`);
    console.log(
      `median: raw ${fmt(median(rawRates))} events/s, ours ${fmt(median(ourRates))} events/s, ours/raw ${Math.round((median(ourRates) / median(rawRates)) * 100)}%`,
    );
    const ratios = ourRates.map((o, i) => o / rawRates[i]!);
    console.log(`per-round ratio median ${Math.round(median(ratios) * 100)}% (target ≥ 85%)`);
    if (buildCpuMs.length > 0) {
      console.log(
        `CPU to build the baseline's documents (ingest pipeline + toDocument + JSON, untimed, done by ours per request): median ${perEvent(median(buildCpuMs))} µs/event\n`,
      );
    }
  } finally {
    for (const team of teams) await dropTeam(PREFIX, team).catch(() => undefined);
    await server.close();
    await rt.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- (b) search ------------------------------------------------------------------------------
async function searchPart(): Promise<void> {
  const store = await ElasticsearchStore.connect({
    node: ES_URL!,
    ...(process.env.ES_USERNAME ? { username: process.env.ES_USERNAME, password: process.env.ES_PASSWORD ?? '' } : {}),
    prefix: SEARCH_PREFIX,
    retentionDays: () => RETENTION_DAYS,
    requestTimeoutMs: 120_000,
  });
  try {
    const existing = await countTeam(SEARCH_PREFIX, SEARCH_TEAM);
    if (existing === N) {
      console.log(`## Search: reusing ${fmt(N)} events already loaded in ${teamPattern(SEARCH_PREFIX, SEARCH_TEAM)}\n`);
    } else {
      await dropTeam(SEARCH_PREFIX, SEARCH_TEAM);
      const LOAD_BATCH = 5000;
      const t0 = performance.now();
      let done = 0;
      // Two appends in flight: one generates and serializes while Elasticsearch indexes the other.
      await pool(Math.ceil(N / LOAD_BATCH), 2, async (b) => {
        const events: StoredEvent[] = [];
        for (let i = b * LOAD_BATCH; i < Math.min(N, (b + 1) * LOAD_BATCH); i++) events.push(generateEvent(i, SEARCH_TEAM, N));
        const results = await store.append(SEARCH_TEAM, events);
        const bad = results.find((r) => r.status !== 'created');
        if (bad) throw new Error(`bench: loading failed: ${JSON.stringify(bad)}`);
        done += events.length;
        if (done % 100_000 < LOAD_BATCH) console.log(`  loaded ${fmt(done)} (${fmt((done / (performance.now() - t0)) * 1000)} events/s, load ${load()})`);
      });
      const loadMs = performance.now() - t0;
      const t1 = performance.now();
      const stored = await countTeam(SEARCH_PREFIX, SEARCH_TEAM); // refreshes first
      if (stored !== N) throw new Error(`bench: loaded ${stored} of ${N} events`);
      console.log(
        `\nLoaded ${fmt(N)} events through ElasticsearchStore.append (batches of 5000, 2 in flight, generation included) in ${(loadMs / 1000).toFixed(1)} s: ${fmt((N / loadMs) * 1000)} events/s; refresh ${((performance.now() - t1) / 1000).toFixed(1)} s\n`,
      );
    }
    const stats = await client.indices.stats({ index: teamPattern(SEARCH_PREFIX, SEARCH_TEAM), metric: ['store', 'segments'] });
    const size = stats._all.primaries?.store?.size_in_bytes ?? 0;
    console.log(`Index size ${(size / 1e9).toFixed(2)} GB, ${stats._all.primaries?.segments?.count ?? '?'} segments; load avg ${load()}\n`);

    console.log(`## Search over ${fmt(N)} events (size 50, newest first, exact total; ${RUNS} runs per kind, values rotate)\n`);
    console.log('| query kind | example | p50 ms | p95 ms | max ms | avg hits total |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const [kind, make] of QUERY_KINDS) {
      await store.search(SEARCH_TEAM, { query: parseQuery(make(0)), size: 50 }); // warm-up
      const times: number[] = [];
      let totals = 0;
      for (let k = 0; k < RUNS; k++) {
        const query = parseQuery(make(k + 1));
        const t0 = performance.now();
        const page = await store.search(SEARCH_TEAM, { query, size: 50 });
        times.push(performance.now() - t0);
        totals += page.total;
      }
      times.sort((a, b) => a - b);
      console.log(
        `| ${kind} | \`${make(1).replaceAll('|', '\\|')}\` | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${times.at(-1)!.toFixed(1)} | ${fmt(totals / RUNS)} |`,
      );
    }
    const t0 = performance.now();
    const h = await store.histogram(SEARCH_TEAM, { query: parseQuery('event.outcome:failure') });
    console.log(`\nhistogram (auto interval, event.outcome:failure, whole range): ${(performance.now() - t0).toFixed(0)} ms, ${h.buckets.length} buckets`);
    const t1 = performance.now();
    await store.facets(SEARCH_TEAM, { query: parseQuery('event.outcome:failure'), field: 'user.email' });
    console.log(`facets (user.email top 10, event.outcome:failure): ${(performance.now() - t1).toFixed(0)} ms; load avg ${load()}`);
  } finally {
    if (!KEEP) await dropTeam(SEARCH_PREFIX, SEARCH_TEAM).catch(() => undefined);
    await store.close();
  }
}

console.log(`# Elasticsearch store benchmark — node ${process.version}, ${ES_URL}, load avg ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
try {
  if (PARTS.has('ingest')) await ingestPart();
  if (PARTS.has('search')) await searchPart();
} finally {
  await client.close();
}
