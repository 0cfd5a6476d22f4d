/**
 * Metrics benchmark: `node bench/metrics.bench.ts` (BENCH_REQUESTS=300 by default).
 *
 * What the Prometheus instrumentation costs on the hot path, and what a scrape costs. One
 * runtime on an SQLite data directory serves two servers on loopback: the server as it ships
 * (request timing, counted appends and rejections, timed reads) and a baseline app built on the
 * same store and services without any of it. They take the same ingest requests (100 events
 * each) and searches in alternating rounds, so both see the same machine load; the figures are
 * events/s and searches/s with the ratio instrumented / baseline. Then GET /metrics is timed
 * with BENCH_TEAMS teams (200 by default) that each hold events.
 */
import { serve, type ServerType } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/app.ts';
import { IngestLimits } from '../src/ingest/limits.ts';
import { IngestService } from '../src/ingest/service.ts';
import { createLogger, createRuntime } from '../src/runtime.ts';
import { SearchService } from '../src/search/service.ts';
import { startServer } from '../src/server.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 200);
const BATCH = 100;
const ROUNDS = 6;
const OPERATOR_KEY = 'bench-operator-key-0123456789abcdef';
const TOKEN = 'bench-metrics-token-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-bench-metrics-'));
const config = loadConfig({
  AUDITLOG_DATA_DIR: dir,
  AUDITLOG_OPERATOR_KEY: OPERATOR_KEY,
  AUDITLOG_LOG_LEVEL: 'silent',
  AUDITLOG_ALERTS: 'off',
  AUDITLOG_METRICS_TOKEN: TOKEN,
  AUDITLOG_AUTH_MAX_FAILURES: '1000000',
});
const rt = await createRuntime(config, createLogger(config));
await rt.teams.ensureOperatorKey(OPERATOR_KEY);
await rt.teams.createTeam({ id: 'bench' as never });
const ingestKey = (await rt.teams.createKey('bench', 'ingest')).secret;
const readKey = (await rt.teams.createKey('bench', 'read')).secret;

const instrumented = await startServer(rt, { port: 0, host: '127.0.0.1' });
const baselineApp = createApp({
  store: rt.store,
  audit: rt.audit,
  alerting: rt.alerting,
  teams: rt.teams,
  ingest: new IngestService(rt.store, rt.control, IngestLimits.parse({ maxBodyBytes: config.AUDITLOG_MAX_BODY_BYTES, maxEvents: config.AUDITLOG_MAX_EVENTS_PER_REQUEST })),
  search: new SearchService(rt.store),
  tail: rt.tail,
  logger: rt.logger,
  maxBodyBytes: config.AUDITLOG_MAX_BODY_BYTES,
  version: 'bench',
  authFailures: { max: 1_000_000, windowSeconds: 60 },
});
const baseline = await new Promise<{ server: ServerType; url: string }>((resolve) => {
  const server = serve({ fetch: baselineApp.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server, url: `http://127.0.0.1:${info.port}` }));
});

let seq = 0;
function body(): string {
  const now = Date.now();
  return Array.from({ length: BATCH }, () => {
    const i = seq++;
    return JSON.stringify({ '@timestamp': new Date(now - i).toISOString(), action: i % 3 ? 'login' : 'delete', user: `u${i % 50}`, seq: i });
  }).join('\n');
}

async function ingestRound(url: string, requests: number): Promise<number> {
  const t = performance.now();
  for (let r = 0; r < requests; r++) {
    const res = await fetch(`${url}/api/v1/events?format=generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/x-ndjson' },
      body: body(),
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  return performance.now() - t;
}

async function searchRound(url: string, requests: number): Promise<number> {
  const t = performance.now();
  for (let r = 0; r < requests; r++) {
    const res = await fetch(`${url}/api/v1/events?q=action:delete AND user:u${r % 50}&size=20`, { headers: { authorization: `Bearer ${readKey}` } });
    if (res.status !== 200) throw new Error(`search answered ${res.status}`);
    await res.arrayBuffer();
  }
  return performance.now() - t;
}

const perRound = Math.max(1, Math.round(REQUESTS / ROUNDS));
const totals = { ingest: { inst: 0, base: 0 }, search: { inst: 0, base: 0 } };
await ingestRound(baseline.url, 5); // warm-up: JIT, the team's file
await ingestRound(instrumented.url, 5);
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so neither always runs on a warmer cache.
  const order = round % 2 === 0 ? (['base', 'inst'] as const) : (['inst', 'base'] as const);
  for (const which of order) {
    const url = which === 'inst' ? instrumented.url : baseline.url;
    totals.ingest[which] += await ingestRound(url, perRound);
    totals.search[which] += await searchRound(url, perRound);
  }
}
const n = perRound * ROUNDS;
const line = (label: string, unit: string, count: number, t: { inst: number; base: number }) => {
  const inst = count / (t.inst / 1000);
  const base = count / (t.base / 1000);
  console.log(`${label.padEnd(34)} instrumented ${inst.toFixed(0).padStart(7)} ${unit}/s   baseline ${base.toFixed(0).padStart(7)} ${unit}/s   ratio ${(inst / base).toFixed(3)}`);
};
console.log(`\n${n} requests each, ${ROUNDS} alternating rounds`);
line(`ingest (${BATCH} events/request)`, 'events', n * BATCH, totals.ingest);
line('search (field query, 20 hits)', 'req', n, totals.search);

// A scrape with many teams on disk.
for (let t = 0; t < TEAMS; t++) {
  const id = `team${t}`;
  await rt.teams.createTeam({ id: id as never });
  await rt.ingest.ingest({ team: await rt.teams.getTeam(id), body: Buffer.from('{"action":"x"}'), contentType: 'application/json' });
}
const scrapes: number[] = [];
let size = 0;
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  const res = await fetch(`${instrumented.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  size = (await res.text()).length;
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  scrapes.push(performance.now() - t);
}
scrapes.sort((a, b) => a - b);
console.log(`GET /metrics with ${TEAMS + 1} teams: median ${scrapes[10]!.toFixed(1)} ms, max ${scrapes.at(-1)!.toFixed(1)} ms, ${(size / 1024).toFixed(0)} KiB`);

await instrumented.close();
await new Promise<void>((resolve) => baseline.server.close(() => resolve()));
await rt.close();
rmSync(dir, { recursive: true, force: true });
