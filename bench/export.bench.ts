/**
 * Export benchmark: `node bench/export.bench.ts` (BENCH_EVENTS=200000 by default).
 *
 * Stores BENCH_EVENTS events in one team of an SqliteStore, then streams exports of a tenth of
 * them and of all of them through ExportService (the code behind GET /api/v1/events/export),
 * read by a consumer that takes one chunk at a time. Reports rows/s against the baseline of
 * paging through store.search alone (the least an export must do, same run), and the peak
 * growth of the heap during each export: with a constant-memory export, the peak is about the
 * same for 10x the rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent, TeamId } from '../src/events/event.ts';
import { rng } from '../src/demo/generate.ts';
import { ExportService } from '../src/search/export.ts';
import { SearchService } from '../src/search/service.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const TEAM = 'bench' as TeamId;
const T0 = Date.UTC(2026, 10, 1);
const STEP = 1_000;

function event(i: number, r: () => number): StoredEvent {
  const ok = r() > 0.1;
  const original = {
    actor: { username: `user${Math.floor(r() * 500)}@example.com` },
    action: ['login', 'read', 'update', 'export'][i % 4],
    ip: `10.${i % 256}.${(i >> 8) % 256}.${i % 200}`,
    result: ok ? 'pass' : 'fail',
    note: i % 97 === 0 ? '=HYPERLINK("http://x")' : `event number ${i}`,
  };
  return {
    id: `e${i.toString(36).padStart(8, '0')}`,
    team: TEAM,
    timestamp: T0 + i * STEP,
    received: T0 + i * STEP,
    format: 'generic',
    flags: [],
    ecs: {
      'event.action': original.action!,
      'event.outcome': ok ? 'success' : 'failure',
      'user.email': original.actor.username,
      'source.ip': original.ip,
      message: original.note,
    },
    original,
    raw: JSON.stringify(original),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'auditlog-bench-export-'));
const store = new SqliteStore({ dataDir: dir, synchronous: 'NORMAL' });
const search = new SearchService(store);
const exporter = new ExportService(store, search);

async function measure(label: string, run: () => Promise<number>) {
  globalThis.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  const t = performance.now();
  const rows = await run();
  const ms = performance.now() - t;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const mb = (peak - base) / 1024 / 1024;
  console.log(`${label.padEnd(44)} ${String(rows).padStart(8)} rows  ${(rows / (ms / 1000)).toFixed(0).padStart(7)} rows/s  heap peak +${mb.toFixed(1)} MB`);
  return { rows, ms, mb };
}

async function exportRows(to: number, format: 'csv' | 'ndjson'): Promise<number> {
  const out = await exporter.open(TEAM, { format, from: String(T0), to: String(to) });
  const reader = out.body.getReader();
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const b of value) if (b === 10) lines++;
    // A slow client: the next page is read only after this one is taken.
    await new Promise((r) => setImmediate(r));
  }
  return format === 'csv' ? lines - 1 : lines;
}

async function pageAll(to: number): Promise<number> {
  let cursor: string | undefined;
  let rows = 0;
  do {
    const page = await store.search(TEAM, { query: null, from: T0, to, size: 1000, ...(cursor ? { cursor } : {}) });
    rows += page.hits.length;
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return rows;
}

try {
  const r = rng(11);
  const t = performance.now();
  for (let i = 0; i < N; i += 5_000) {
    await store.append(TEAM, Array.from({ length: Math.min(5_000, N - i) }, (_, j) => event(i + j, r)));
  }
  console.log(`stored ${N} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const tenth = T0 + Math.floor(N / 10) * STEP;
  const all = T0 + N * STEP;
  await measure('baseline: store.search pages, 1/10 of events', () => pageAll(tenth));
  await measure('baseline: store.search pages, all events', () => pageAll(all));
  const small = await measure('export CSV, 1/10 of events', () => exportRows(tenth, 'csv'));
  const big = await measure('export CSV, all events', () => exportRows(all, 'csv'));
  await measure('export NDJSON, all events', () => exportRows(all, 'ndjson'));
  console.log(`\nheap peak for 10x the rows: ${(big.mb / Math.max(small.mb, 0.1)).toFixed(2)}x`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
