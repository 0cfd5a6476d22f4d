/**
 * Concurrency benchmark (issue 8): `node bench/concurrency.bench.ts`.
 *
 * A real server on loopback over the SQLite store holding BENCH_EVENTS (default 100,000)
 * events of one team. For BENCH_SECONDS (30) s, BENCH_INGESTERS (8) clients POST batches of
 * BENCH_BATCH (500) seed-format events back to back, BENCH_SEARCHERS (4) clients search back
 * to back (the query mix of bench/fixtures.ts, 50 newest hits and the exact total, as the API
 * answers), and a probe GETs /healthz every 50 ms. The clients run in a child process, so
 * their own work does not sit on the server's event loop.
 *
 * Twice, on copies of the same data, in one run:
 * - `inline`: reads on the event loop and WAL checkpoints inside commits, as the store ran
 *   them before issue 8 (the baseline);
 * - `pool`: reads in the worker pool (src/store/sqlite/read-pool.ts) and checkpoints on the
 *   checkpointer's thread (checkpointer.ts), the default.
 * A third side, `pool-commit` (reads in the pool, checkpoints inside commits), measures the
 * checkpointer alone: BENCH_SIDES=pool-commit,pool.
 * Reported per side: ingest and search latency (p50/p95/p99), events/s ingested, searches/s,
 * /healthz p99 and max, and the ratios. Goal (issue 8): ingest p99 < 500 ms and search p99
 * < 1 s with 500-event batches at ≥ 7,500 events/s.
 *
 * Knobs: BENCH_EVENTS, BENCH_SECONDS, BENCH_BATCH, BENCH_INGESTERS, BENCH_SEARCHERS,
 * BENCH_SIDES (`inline,pool`; also `pool-commit`), BENCH_READ_WORKERS (pool size; default the store's).
 */
import { fork } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig } from '../src/config.ts';
import type { TeamId } from '../src/events/event.ts';
import { createApp } from '../src/http/app.ts';
import { IngestLimits } from '../src/ingest/limits.ts';
import { createLogger, createRuntime } from '../src/runtime.ts';
import { AuditTrail } from '../src/audit/trail.ts';
import { IngestService } from '../src/ingest/service.ts';
import { LiveTail } from '../src/search/live-tail.ts';
import { SearchService } from '../src/search/service.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { generateEvent, percentile, QUERY_KINDS } from './fixtures.ts';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const INGESTERS = Number(process.env.BENCH_INGESTERS ?? 8);
const SEARCHERS = Number(process.env.BENCH_SEARCHERS ?? 4);
const SIDES = (process.env.BENCH_SIDES ?? 'inline,pool').split(',').map((s) => s.trim()) as Side[];
type Side = 'inline' | 'pool' | 'pool-commit';
const READ_WORKERS = process.env.BENCH_READ_WORKERS ? Number(process.env.BENCH_READ_WORKERS) : undefined;
const TEAM = 'bench' as TeamId;

/** What the load process measured. */
interface LoadReport {
  ingestMs: number[];
  ingested: number;
  searchMs: number[];
  healthMs: number[];
  seconds: number;
  /** The first few failures, and how many there were. */
  errors: string[];
  failures: number;
}

interface LoadTask {
  url: string;
  ingestKey: string;
  readKey: string;
  firstEvent: number;
}

// --- the load (child process) ------------------------------------------------------------------
async function runLoad(task: LoadTask): Promise<LoadReport> {
  const report: LoadReport = { ingestMs: [], ingested: 0, searchMs: [], healthMs: [], seconds: SECONDS, errors: [], failures: 0 };
  const end = performance.now() + SECONDS * 1000;
  let nextEvent = task.firstEvent;
  const body = () => {
    const lines: string[] = [];
    // Event numbers past the loaded ones: new events with their own producer ids.
    for (let j = 0; j < BATCH; j++) lines.push(JSON.stringify(generateEvent(nextEvent++, 'x', N).original));
    return `${lines.join('\n')}\n`;
  };
  const fail = (what: string) => {
    report.failures++;
    if (report.errors.length < 10) report.errors.push(what);
  };
  const ingester = async () => {
    while (performance.now() < end) {
      const payload = body();
      const t0 = performance.now();
      let r: Response;
      let answer: { accepted?: unknown[] };
      try {
        r = await fetch(`${task.url}/api/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${task.ingestKey}`, 'content-type': 'application/x-ndjson' },
          body: payload,
        });
        answer = (await r.json()) as { accepted?: unknown[] };
      } catch (err) {
        // A keep-alive socket the server closed as the request went out: counted, not fatal.
        fail(`ingest: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
        continue;
      }
      if (performance.now() > end) break;
      report.ingestMs.push(performance.now() - t0);
      if (r.status !== 200) fail(`ingest ${r.status}: ${JSON.stringify(answer).slice(0, 200)}`);
      else report.ingested += answer.accepted?.length ?? 0;
    }
  };
  let k = 0;
  const searcher = async () => {
    while (performance.now() < end) {
      const [, query] = QUERY_KINDS[k % QUERY_KINDS.length]!;
      const q = query(k++);
      const t0 = performance.now();
      let r: Response;
      try {
        r = await fetch(`${task.url}/api/v1/events?size=50&q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${task.readKey}` } });
        await r.arrayBuffer();
      } catch (err) {
        fail(`search: ${(err as Error).message}`);
        continue;
      }
      if (performance.now() > end) break;
      report.searchMs.push(performance.now() - t0);
      if (r.status !== 200) fail(`search ${r.status}: ${q}`);
    }
  };
  const prober = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${task.url}/healthz`);
        await r.arrayBuffer();
        report.healthMs.push(performance.now() - t0);
      } catch (err) {
        fail(`healthz: ${(err as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await Promise.all([
    ...Array.from({ length: INGESTERS }, ingester),
    ...Array.from({ length: SEARCHERS }, searcher),
    prober(),
  ]);
  return report;
}

if (process.argv[2] === 'load') {
  process.once('message', (task: LoadTask) => {
    void runLoad(task).then((report) => process.send!(report, () => process.exit(0)));
  });
} else {
  await main();
}

// --- the server side ---------------------------------------------------------------------------
/** The runtime of the server, with its SQLite store's reads and checkpoints where the side says. */
async function startSide(dataDir: string, side: Side) {
  const reads = side === 'inline' ? 'inline' : 'pool';
  const checkpoints = side === 'pool' ? 'thread' : 'commit';
  const config = loadConfig({ AUDITLOG_DATA_DIR: dataDir, AUDITLOG_LOG_LEVEL: 'warn', AUDITLOG_ALERTS: 'off' });
  const logger = createLogger(config);
  const rt = await createRuntime(config, logger);
  // The runtime's own store stays unused (it is closed with the runtime): this one takes every call.
  const store = new SqliteStore({ dataDir, reads, checkpoints, ...(READ_WORKERS ? { readWorkers: READ_WORKERS } : {}) });
  const app = createApp({
    store,
    alerting: rt.alerting,
    audit: new AuditTrail(store),
    teams: rt.teams,
    ingest: new IngestService(store, rt.control, IngestLimits.parse({ maxBodyBytes: config.AUDITLOG_MAX_BODY_BYTES, maxEvents: config.AUDITLOG_MAX_EVENTS_PER_REQUEST })),
    search: new SearchService(store),
    tail: new LiveTail({ store, pollMs: 1_000 }),
    logger,
    maxBodyBytes: config.AUDITLOG_MAX_BODY_BYTES,
    version: 'bench',
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await rt.teams.createTeam({ id: TEAM });
  const ingestKey = (await rt.teams.createKey(TEAM, 'ingest', 'bench')).secret;
  const readKey = (await rt.teams.createKey(TEAM, 'read', 'bench')).secret;
  return {
    url,
    ingestKey,
    readKey,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await store.close();
      await rt.close();
    },
  };
}

function load(task: LoadTask): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url), ['load'], { env: process.env });
    child.once('message', (report) => resolve(report as LoadReport));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`load process exited with code ${code}`))));
    child.send(task);
  });
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'auditlog-concurrency-'));
  try {
    console.log(
      `# Concurrency benchmark — node ${process.version}, ${N.toLocaleString('en-US')} events loaded, ${INGESTERS} ingesters × ${BATCH}-event batches + ${SEARCHERS} searchers for ${SECONDS} s, load average ${loadavg()[0]!.toFixed(1)}\n`,
    );
    // One copy of the data per side, loaded once.
    const template = join(root, 'template');
    const loader = new SqliteStore({ dataDir: template });
    const t0 = performance.now();
    for (let i = 0; i < N; i += 5000) {
      await loader.append(TEAM, Array.from({ length: Math.min(5000, N - i) }, (_, j) => generateEvent(i + j, TEAM, N)));
    }
    await loader.close();
    console.log(`loaded ${N.toLocaleString('en-US')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    const rows: Array<{ side: string; r: LoadReport }> = [];
    for (const side of SIDES) {
      const dataDir = join(root, side);
      cpSync(template, dataDir, { recursive: true });
      const server = await startSide(dataDir, side);
      try {
        const r = await load({ url: server.url, ingestKey: server.ingestKey, readKey: server.readKey, firstEvent: N });
        rows.push({ side, r });
        if (r.failures > 0) console.log(`${side}: ${r.failures} failed requests, e.g. ${r.errors.join('; ')}`);
        console.log(`${side}: done (load average ${loadavg()[0]!.toFixed(1)})`);
      } finally {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }

    const ms = (v: number) => Math.round(v).toLocaleString('en-US');
    const stats = (values: number[]) => {
      const s = [...values].sort((a, b) => a - b);
      return s.length === 0 ? { p50: NaN, p95: NaN, p99: NaN, max: NaN } : { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1)! };
    };
    console.log('\n| reads | ingest p50 ms | p95 | p99 | events/s | search p50 ms | p95 | p99 | searches/s | /healthz p99 ms | max |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const { side, r } of rows) {
      const i = stats(r.ingestMs);
      const s = stats(r.searchMs);
      const h = stats(r.healthMs);
      console.log(
        `| ${side} | ${ms(i.p50)} | ${ms(i.p95)} | ${ms(i.p99)} | ${ms(r.ingested / r.seconds)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${(r.searchMs.length / r.seconds).toFixed(1)} | ${ms(h.p99)} | ${ms(h.max)} |`,
      );
    }
    const after = rows.find((x) => x.side === 'pool')?.r;
    const baseline = rows.find((x) => x.side === 'inline') ?? rows.find((x) => x.side === 'pool-commit');
    const before = baseline?.r;
    if (before && after) {
      const ratio = (a: number, b: number) => (b === 0 ? '-' : `${(a / b).toFixed(2)}×`);
      console.log(
        `\npool vs ${baseline!.side}: ingest p99 ${ratio(stats(after.ingestMs).p99, stats(before.ingestMs).p99)}, search p99 ${ratio(stats(after.searchMs).p99, stats(before.searchMs).p99)}, ` +
          `events/s ${ratio(after.ingested, before.ingested)}, searches/s ${ratio(after.searchMs.length, before.searchMs.length)}, /healthz max ${ratio(stats(after.healthMs).max, stats(before.healthMs).max)}`,
      );
      const p99i = stats(after.ingestMs).p99;
      const p99s = stats(after.searchMs).p99;
      const rate = after.ingested / after.seconds;
      console.log(
        `goal (ingest p99 < 500 ms, search p99 < 1 s, ≥ 7,500 events/s): ${p99i < 500 && p99s < 1000 && rate >= 7500 ? 'met' : 'not met'} (${ms(p99i)} ms, ${ms(p99s)} ms, ${ms(rate)} events/s)`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
