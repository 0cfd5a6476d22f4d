/**
 * The SQLite store's read pool (src/store/sqlite/read-pool.ts) with real worker threads over
 * real team files: reads leave the event loop free, stop at their budget, stop when their
 * caller gives up, cannot hold a worker with a statement SQLite will not interrupt, and one
 * team's slow reads do not starve another's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCancelledError, QueryTimeoutError } from '../../src/errors.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import type { QueryNode } from '../../src/query/ast.ts';
import { ReadPool } from '../../src/store/sqlite/read-pool.ts';
import type { ReadOp } from '../../src/store/sqlite/reads.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { longestStall } from '../../bench/fixtures.ts';
import { makeEvent, q, T0 } from './common.ts';

const loc = { start: 0, end: 0 };
const dir = mkdtempSync(join(tmpdir(), 'auditlog-pool-'));
let writer: SqliteStore;

/**
 * Many OR'd leading wildcards over every field of every event, ticking all the way: about 1.2 s
 * of scanning on a quiet 2-core machine (0.8 s over 20,000 events, measured), longer under load,
 * so always past the 400 ms budget of the first test below.
 */
const slowScan: QueryNode = q.bool(...Array.from({ length: 29 }, (_, i) => q.should(q.wildcard('*', `*zz${i}*`))));
/** A 1,000-token phrase whose candidates FTS5 checks without returning a row: no tick for seconds. */
const untickable: QueryNode = { type: 'phrase', field: null, value: `${'a '.repeat(1000)}b`, loc };
const quick: QueryNode = q.term('k', 'v1');

const count = (query: QueryNode): ReadOp => ({ op: 'count', request: { query } });
const ctx = { now: T0, plan: 'auto' as const };

beforeAll(async () => {
  writer = new SqliteStore({ dataDir: dir, synchronous: 'NORMAL' });
  const events: StoredEvent[] = Array.from({ length: 30_000 }, (_, i) =>
    makeEvent('scan', `s${i}`, T0 + i, { k: `v${i % 100}`, a: { b: `x${i}`, c: `y${i % 7}` }, d: ['p', 'q', `r${i}`] }, { 'user.name': `u${i % 50}` }),
  );
  for (let i = 0; i < events.length; i += 5000) await writer.append('scan', events.slice(i, i + 5000));
  const text = `b ${'a '.repeat(2000)}`;
  await writer.append('phrase', Array.from({ length: 1000 }, (_, i) => makeEvent('phrase', `p${i}`, T0 + i, { m: text, k: 'v1' })));
  await writer.append('other', [makeEvent('other', 'o1', T0, { k: 'v1' })]);
}, 120_000);

afterAll(async () => {
  await writer?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('read pool', () => {
  it('a read over its budget ends at the budget with QueryTimeoutError; the event loop never waits for it; its worker is free at once', async () => {
    const pool = new ReadPool({ size: 1, budgetMs: 400 });
    try {
      const { result, stallMs, ms } = await longestStall(() => pool.run('scan', writer.fileOf('scan'), count(slowScan), ctx));
      expect(result).toBeInstanceOf(QueryTimeoutError);
      expect((result as QueryTimeoutError).details).toMatchObject({ budgetMs: 400, limit: 'AUDITLOG_QUERY_TIMEOUT_MS' });
      expect(ms).toBeLessThan(400 + 2000);
      // Generous: a loaded 2-core box delays timers, but a read on this thread would stall for seconds.
      expect(stallMs).toBeLessThan(1000);
      // The statement stopped at its next tick, so the only worker answers the next read within
      // its own budget; had it gone on scanning, the read would wait seconds for it and time out.
      expect(await pool.run('scan', writer.fileOf('scan'), count(quick), ctx)).toBe(300);
      expect(pool.stopping).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('an aborted signal stops a running read with QueryCancelledError', async () => {
    const pool = new ReadPool({ size: 1, budgetMs: 30_000 });
    try {
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 200);
      const t0 = performance.now();
      await expect(pool.run('scan', writer.fileOf('scan'), count(slowScan), ctx, abort.signal)).rejects.toBeInstanceOf(QueryCancelledError);
      expect(performance.now() - t0).toBeLessThan(200 + 2000);
      expect(await pool.run('scan', writer.fileOf('scan'), count(quick), ctx)).toBe(300);
      await expect(pool.run('scan', writer.fileOf('scan'), count(quick), ctx, AbortSignal.abort())).rejects.toBeInstanceOf(QueryCancelledError);
    } finally {
      await pool.close();
    }
  });

  it('a worker stuck inside SQLite past its budget is replaced, so it cannot hold the pool', async () => {
    // Measured here: without the pool this phrase runs ~5 s inside FTS5 whatever its budget,
    // since no JavaScript runs until it ends. Node ends a terminated thread only then too.
    const pool = new ReadPool({ size: 1, budgetMs: 2000, graceMs: 200 });
    try {
      const t0 = performance.now();
      await expect(pool.run('phrase', writer.fileOf('phrase'), count(untickable), ctx)).rejects.toBeInstanceOf(QueryTimeoutError);
      expect(performance.now() - t0).toBeLessThan(2000 + 1000);
      // After the grace period the stuck thread has left the pool; a fresh worker takes the next read.
      await new Promise((r) => setTimeout(r, 400));
      expect(pool.stopping).toBe(1);
      expect(await pool.run('other', writer.fileOf('other'), count(quick), ctx)).toBe(1);
      // The stopping thread exits once SQLite returns.
      const deadline = Date.now() + 30_000;
      while (pool.stopping > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(pool.stopping).toBe(0);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it("one team's slow reads do not starve another team's", async () => {
    const pool = new ReadPool({ size: 2, budgetMs: 10_000 });
    try {
      // Both workers started first, so the timings below are not their start-up.
      await Promise.all([0, 1].map(() => pool.run('other', writer.fileOf('other'), count(slowScan), ctx)));
      // Six reads of one team that end one after the other (each stopped by its caller at 600 ms steps).
      const settled: string[] = [];
      const slow = Array.from({ length: 6 }, (_, i) =>
        pool
          .run('scan', writer.fileOf('scan'), count(slowScan), ctx, AbortSignal.timeout(600 * (i + 1)))
          .catch((e: Error) => e)
          .finally(() => settled.push(`slow ${i}`)),
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(await pool.run('other', writer.fileOf('other'), count(quick), ctx)).toBe(1);
      settled.push('other');
      // Each ended by its caller, or by itself when it was quicker than its turn.
      for (const r of await Promise.all(slow)) expect(r instanceof QueryCancelledError || typeof r === 'number').toBe(true);
      // It took the first worker that freed (~600 ms), not a place behind the queued reads: it
      // ended before the third slow read's caller gave up (1.8 s), which a queue would have run first.
      // An order, not a time, so a slow machine delays both alike.
      expect(settled.indexOf('other')).toBeLessThan(settled.indexOf('slow 2'));
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('the store answers the same through the pool and inline', async () => {
    const inline = new SqliteStore({ dataDir: dir, reads: 'inline' });
    try {
      for (const query of [quick, q.wildcard('a.b', 'x1*'), q.regex('a.c', 'y[0-3]'), q.fuzzy('k', 'v12', 1)]) {
        expect(await writer.count('scan', { query })).toBe(await inline.count('scan', { query }));
        expect(await writer.facets('scan', { query, field: 'a.c' })).toEqual(await inline.facets('scan', { query, field: 'a.c' }));
      }
      expect(await writer.get('scan', 's7')).toEqual(await inline.get('scan', 's7'));
    } finally {
      await inline.close();
    }
  });
});
