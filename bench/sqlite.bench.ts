/**
 * SQLite store benchmark: `node bench/sqlite.bench.ts` (BENCH_EVENTS=100000 for a quick run).
 *
 * (a) Ingest: SqliteStore.append against a baseline of raw prepared-statement inserts of
 *     the SAME rows (events + docs + fields + paths + FTS, precomputed before the clock starts)
 *     in one transaction, same schema and pragmas. Target: store ≥ 50% of the baseline.
 * (b) Search latency over BENCH_EVENTS (default 1,000,000) events in one team, for field,
 *     phrase, wildcard, range and free-text queries; each search returns 50 hits newest
 *     first AND the exact total, as the API does. Target: p95 < 100 ms.
 *
 * Data and queries: bench/fixtures.ts (the seed formats' shapes, a seeded PRNG).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../src/events/event.ts';
import { parseQuery } from '../src/query/parse.ts';
import { fieldRows } from '../src/store/sqlite/index-rows.ts';
import { openSchema, type Synchronous } from '../src/store/sqlite/schema.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { ftsDocument, ftsValues } from '../src/store/sqlite/text.ts';
import { BASE, generateEvent, QUERY_KINDS } from './fixtures.ts';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const N_INGEST = Number(process.env.BENCH_INGEST ?? Math.min(N, 20_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

// The generator and the query mix live in fixtures.ts (shared with the Elasticsearch bench).
const generate = (i: number, team: string): StoredEvent => generateEvent(i, team, N);

// --- helpers -------------------------------------------------------------------------------
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function appendAll(store: SqliteStore, team: string, from: number, to: number, batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = from; i < to; i += batch) {
    const events: StoredEvent[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) events.push(generate(j, team));
    const results = await store.append(team, events);
    if (results.some((r) => r.status !== 'created')) throw new Error('bench: an event was not created');
  }
  return performance.now() - t0;
}

/** Times only the appends (generation excluded), for a fair comparison with the baseline. */
async function timedAppend(store: SqliteStore, team: string, events: StoredEvent[], batch: number): Promise<number> {
  let ms = 0;
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const t0 = performance.now();
    await store.append(team, slice);
    ms += performance.now() - t0;
  }
  return ms;
}

function rawBaseline(file: string, events: StoredEvent[], synchronous: Synchronous): number {
  const db = new Database(file);
  openSchema(db, synchronous);
  const insertEvent = db.prepare('INSERT INTO events (id, ts, received) VALUES (?, ?, ?)');
  const insertDoc = db.prepare('INSERT INTO docs (seq, format, flags, ecs, original, raw) VALUES (?, ?, ?, ?, ?, ?)');
  const insertField = db.prepare('INSERT OR IGNORE INTO fields (path, value, event) VALUES (?, ?, ?)');
  const insertPath = db.prepare('INSERT OR IGNORE INTO paths (path) VALUES (?)');
  const insertFts = db.prepare('INSERT INTO fts (rowid, text, message, ua) VALUES (?, ?, ?, ?)');
  // The same rows the store writes, computed before the clock starts.
  const rows = events.map((e) => {
    const { rows: fields, originalPaths } = fieldRows(e);
    const text = ftsValues(e);
    return {
      event: [e.id, e.timestamp, e.received],
      doc: [e.format, JSON.stringify(e.flags), JSON.stringify(e.ecs), JSON.stringify(e.original), e.raw],
      fields,
      paths: [...originalPaths],
      fts: [ftsDocument(text.text), ftsDocument(text.message), ftsDocument(text.ua)],
    };
  });
  const t0 = performance.now();
  db.transaction(() => {
    for (const r of rows) {
      const seq = insertEvent.run(...r.event).lastInsertRowid;
      insertDoc.run(seq, ...r.doc);
      for (const [p, v] of r.fields) insertField.run(p, v, seq);
      for (const p of r.paths) insertPath.run(p);
      insertFts.run(seq, ...r.fts);
    }
  })();
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

// --- (a) ingest ------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'auditlog-bench-'));
try {
  console.log(`# SQLite store benchmark — node ${process.version}, ${N_INGEST.toLocaleString()} events for ingest, ${N.toLocaleString()} for search\n`);
  const ingestEvents = Array.from({ length: N_INGEST }, (_, i) => generate(i, 'ingest'));
  const rate = (ms: number) => (N_INGEST / ms) * 1000;
  // Disk and CPU noise on a shared machine: every configuration runs ROUNDS times,
  // interleaved with the baseline, and the best run of each counts.
  const configs = [
    ['store, one batch (one transaction), synchronous=FULL', 'FULL', N_INGEST],
    ['store, batches of 1000, synchronous=FULL', 'FULL', 1000],
    ['store, batches of 1000, synchronous=NORMAL', 'NORMAL', 1000],
    ['store, batches of 100, synchronous=FULL', 'FULL', 100],
  ] as const;
  let rawMs = Infinity;
  const best = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    rawMs = Math.min(rawMs, rawBaseline(join(dir, `raw${round}.db`), ingestEvents, 'FULL'));
    for (const [label, synchronous, batch] of configs) {
      const store = new SqliteStore({ dataDir: join(dir, `${synchronous}-${batch}-${round}`), synchronous });
      const ms = await timedAppend(store, 'ingest', ingestEvents, batch);
      await store.close();
      best.set(label, Math.min(best.get(label) ?? Infinity, ms));
    }
  }
  console.log(`## Ingest (${N_INGEST.toLocaleString()} events, best of ${ROUNDS} rounds)\n`);
  console.log('| run | events/s | vs raw |');
  console.log('|---|---:|---:|');
  console.log(`| raw prepared inserts of the same rows (events+docs+fields+paths+FTS), one transaction, synchronous=FULL | ${fmt(rate(rawMs))} | 100% |`);
  for (const [label] of configs) {
    const ms = best.get(label)!;
    console.log(`| ${label} | ${fmt(rate(ms))} | ${Math.round((rawMs / ms) * 100)}% |`);
  }

  // --- (b) search ------------------------------------------------------------------------------
  const store = new SqliteStore({ dataDir: join(dir, 'search') });
  const seedMs = await appendAll(store, 'bench', 0, N, 5000);
  const file = store.fileOf('bench');
  const size = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  console.log(`\nSeeded ${N.toLocaleString()} events in ${(seedMs / 1000).toFixed(1)} s (generation included, batches of 5000): ${fmt((N / seedMs) * 1000)} events/s; database ${(size / 1e9).toFixed(2)} GB\n`);

  const kinds = QUERY_KINDS;
  console.log(`## Search over ${N.toLocaleString()} events (size 50, newest first, exact total; ${RUNS} runs per kind, values rotate)\n`);
  console.log('| query kind | example | p50 ms | p95 ms | max ms | avg hits total |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const [kind, make] of kinds) {
    await store.search('bench', { query: parseQuery(make(0)), size: 50 }); // warm-up
    const times: number[] = [];
    let totals = 0;
    for (let k = 0; k < RUNS; k++) {
      const query = parseQuery(make(k + 1));
      const t0 = performance.now();
      const page = await store.search('bench', { query, size: 50 });
      times.push(performance.now() - t0);
      totals += page.total;
    }
    times.sort((a, b) => a - b);
    console.log(
      `| ${kind} | \`${make(1).replaceAll('|', '\\|')}\` | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${times.at(-1)!.toFixed(1)} | ${fmt(totals / RUNS)} |`,
    );
  }
  const t0 = performance.now();
  const h = await store.histogram('bench', { query: parseQuery('event.outcome:failure') });
  console.log(`\nhistogram (auto interval, event.outcome:failure, whole range): ${(performance.now() - t0).toFixed(0)} ms, ${h.buckets.length} buckets`);
  const t1 = performance.now();
  await store.facets('bench', { query: parseQuery('event.outcome:failure'), field: 'user.email' });
  console.log(`facets (user.email top 10, event.outcome:failure): ${(performance.now() - t1).toFixed(0)} ms`);
  const t2 = performance.now();
  const deleted = await store.deleteOlderThan('bench', BASE + 86_400_000);
  console.log(`retention: deleted ${fmt(deleted)} events (first day) in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
