/**
 * What a WAL checkpoint costs the event loop: a retention pass deletes three quarters of 100,000
 * events while a reader (as a long query in the read pool does) holds a snapshot for the first
 * PIN_MS of it. While the snapshot is held no checkpoint can pass it and the log grows; when the
 * reader lets go, the next checkpoint copies all of it back.
 *
 * Two sides in one run, on copies of the same data: `commit` (SQLite's own automatic
 * checkpoint, inside the commit on the event loop: the baseline) and `thread` (the store's
 * checkpointer thread, the default). Printed per side: the longest event-loop stall (a 5 ms
 * timer's longest gap), the pass's time, and the log's size at the end.
 *
 * `node bench/checkpoint.bench.ts` (about 2 minutes); knobs BENCH_EVENTS (100,000), BENCH_PIN_MS
 * (10,000).
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/index.ts';
import { BASE, generateEvent, longestStall } from './fixtures.ts';

const N = Number(process.env.BENCH_EVENTS ?? 100_000);
const PIN_MS = Number(process.env.BENCH_PIN_MS ?? 10_000);
const TEAM = 'bench' as never;
const DAY = 86_400_000;

const root = mkdtempSync(join(tmpdir(), 'auditlog-checkpoint-bench-'));
const seed = join(root, 'seed');
{
  const store = new SqliteStore({ dataDir: seed });
  for (let i = 0; i < N; i += 5000) await store.append(TEAM, Array.from({ length: Math.min(5000, N - i) }, (_, j) => generateEvent(i + j, TEAM, N)));
  // Closing checkpoints the whole log: the copies below are the database file alone.
  await store.close();
}

interface Side {
  side: 'commit' | 'thread';
  deleted: number;
  passMs: number;
  worstStallMs: number;
  walMb: number;
}

async function run(side: 'commit' | 'thread'): Promise<Side> {
  const dir = join(root, side);
  mkdirSync(dir);
  copyFileSync(join(seed, 'bench.db'), join(dir, 'bench.db'));
  const store = new SqliteStore({ dataDir: dir, checkpoints: side });
  await store.count(TEAM, { query: null });
  const reader = new Database(store.fileOf(TEAM), { readonly: true });
  reader.prepare('BEGIN').run();
  reader.prepare('SELECT count(*) FROM events').get();
  const release = setTimeout(() => reader.prepare('COMMIT').run(), PIN_MS);
  const { result: deleted, stallMs, ms: passMs } = await longestStall(() => store.deleteOlderThan(TEAM, BASE + 23 * DAY));
  clearTimeout(release);
  if (deleted instanceof Error) throw deleted;
  if (reader.inTransaction) reader.prepare('COMMIT').run();
  reader.close();
  const walMb = (statSync(`${store.fileOf(TEAM)}-wal`, { throwIfNoEntry: false })?.size ?? 0) / 1e6;
  await store.close();
  return { side, deleted, passMs, worstStallMs: stallMs, walMb };
}

const sides = [await run('commit'), await run('thread')];
rmSync(root, { recursive: true, force: true });

const [base, ours] = sides as [Side, Side];
console.log(`\n${N.toLocaleString('en-US')} events, a reader holding its snapshot for the first ${PIN_MS.toLocaleString('en-US')} ms of a retention pass\n`);
console.log('| checkpoints | deleted | pass s | longest event-loop stall ms | log at the end MB |');
console.log('|---|---:|---:|---:|---:|');
for (const s of sides) {
  console.log(`| ${s.side === 'commit' ? 'in the commit (SQLite default, baseline)' : 'checkpointer thread'} | ${s.deleted.toLocaleString('en-US')} | ${(s.passMs / 1000).toFixed(1)} | ${Math.round(s.worstStallMs).toLocaleString('en-US')} | ${s.walMb.toFixed(0)} |`);
}
console.log(`\nlongest stall, thread / commit: ${(ours.worstStallMs / base.worstStallMs).toFixed(2)}x`);
