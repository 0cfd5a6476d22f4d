/**
 * GeoIP benchmark: `node bench/geoip.bench.ts` (BENCH_INGEST=20000 events by default).
 *
 * (a) Start-up: time to open the shipped databases (DB-IP Lite city mmdb files, read whole
 *     into memory; ip-location-db ASN CSVs, parsed into typed arrays) and the memory they take.
 * (b) Lookup: the enricher alone per event, over the fixtures' 5,000 addresses (mostly public),
 *     without and with its per-address cache.
 * (c) Ingest: NDJSON bodies of 1,000 ECS events decoded, prepared and appended to a real
 *     SQLite store, with enrichment against without, alternating rounds in the same run, the
 *     same events (5,000 addresses, each seen ~4 times); the ratio is the cost of GeoIP on the
 *     ingest path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { geoEnricher, openGeoDatabases, type EventEnricher } from '../src/geo/index.ts';
import { ingestBody } from '../src/ingest/index.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { BASE, IPS, USERS } from './fixtures.ts';

const N = Number(process.env.BENCH_INGEST ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 1_000;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

// --- (a) start-up ----------------------------------------------------------------------------
const before = process.memoryUsage();
let t0 = performance.now();
const dbs = openGeoDatabases();
const openMs = performance.now() - t0;
globalThis.gc?.();
const after = process.memoryUsage();
console.log(`(a) open the shipped databases: ${fmt(openMs)} ms; rss +${fmt((after.rss - before.rss) / 1e6)} MB, heap +${fmt((after.heapUsed - before.heapUsed) / 1e6)} MB, external +${fmt((after.external + after.arrayBuffers - before.external - before.arrayBuffers) / 1e6)} MB`);

// --- (b) lookups -----------------------------------------------------------------------------
const LOOKUPS = 100_000;
function timeLookups(enrich: EventEnricher): { us: number; located: number } {
  const start = performance.now();
  let located = 0;
  for (let i = 0; i < LOOKUPS; i++) if (enrich({ 'source.ip': IPS[(i * 7919) % IPS.length]! })['source.geo.country_iso_code'] !== undefined) located++;
  return { us: ((performance.now() - start) * 1000) / LOOKUPS, located };
}
const cold = timeLookups(geoEnricher(dbs, { cacheSize: 0 }));
const enrich = geoEnricher(dbs);
const cached = timeLookups(enrich);
console.log(
  `(b) enrich one event: ${fmt(cold.us, 1)} µs looked up in the databases, ${fmt(cached.us, 1)} µs with the per-address cache ` +
    `(${fmt(LOOKUPS)} events over ${IPS.length} addresses, ${fmt((100 * cold.located) / LOOKUPS)}% given a country)`,
);

// --- (c) ingest ------------------------------------------------------------------------------
const ACTIONS = ['user.login', 'user.logout', 'api_key.create', 'role.grant', 'export', 'settings.update'];
function body(from: number): Uint8Array {
  const lines: string[] = [];
  for (let i = from; i < from + BATCH; i++) {
    const u = USERS[(i * 31) % USERS.length]!;
    lines.push(
      JSON.stringify({
        '@timestamp': new Date(BASE + i * 1000).toISOString(),
        event: { action: ACTIONS[i % ACTIONS.length], outcome: i % 10 === 0 ? 'failure' : 'success', category: ['iam'] },
        user: { id: u.id, name: u.name, email: u.email },
        source: { ip: IPS[(i * 7919) % IPS.length] },
        message: `${u.name} did ${ACTIONS[i % ACTIONS.length]}`,
      }),
    );
  }
  return new TextEncoder().encode(lines.join('\n'));
}
const bodies = Array.from({ length: Math.ceil(N / BATCH) }, (_, b) => body(b * BATCH));

const dir = mkdtempSync(join(tmpdir(), 'auditlog-bench-geoip-'));
const store = new SqliteStore({ dataDir: dir });
let teamNo = 0;
async function ingestAll(withGeo: EventEnricher | undefined): Promise<number> {
  const team = `geo${teamNo++}`;
  const start = performance.now();
  for (const b of bodies) {
    const items = await ingestBody({ body: b, contentType: 'application/x-ndjson', team, received: BASE + 40 * 86_400_000, enrich: withGeo });
    const events = items.flatMap((p) => ('event' in p ? [p.event] : []));
    if (events.length !== BATCH) throw new Error(`rejected events: ${BATCH - events.length}`);
    await store.append(team, events);
  }
  return (N / (performance.now() - start)) * 1000;
}

try {
  await ingestAll(enrich); // warm-up
  const rates = { on: [] as number[], off: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    rates.off.push(await ingestAll(undefined));
    rates.on.push(await ingestAll(enrich));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const on = median(rates.on);
  const off = median(rates.off);
  console.log(`(c) ingest ${fmt(N)} events into SQLite (median of ${ROUNDS}): without GeoIP ${fmt(off)} events/s, with ${fmt(on)} events/s: ratio ${fmt(on / off, 2)}`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
