/** What only the SQLite store has: files per team, reopening, index hygiene, refusals. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueryLimitError, UnsupportedQueryError, ValidationError } from '../../src/errors.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { compileWhere } from '../../src/store/sqlite/compile-sql.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { makeEvent, T0 } from './common.ts';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlog-sqlite-'));
  store = new SqliteStore({ dataDir: dir });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (team: string, q: string) => store.count(team, { query: parseQuery(q) });

describe('SqliteStore files', () => {
  it('keeps one database file per team, named from the validated team id, and drops it', async () => {
    await store.append('acme', [makeEvent('acme', 'a', T0, { x: 1 })]);
    await store.append('globex', [makeEvent('globex', 'a', T0, { x: 2 })]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.db')).sort()).toEqual(['acme.db', 'globex.db']);
    await store.dropTeam('acme');
    expect(existsSync(join(dir, 'acme.db'))).toBe(false);
    expect(existsSync(join(dir, 'acme.db-wal'))).toBe(false);
    expect(await count('globex', 'x:2')).toBe(1);
  });

  it('refuses team ids that could escape the data directory, creating nothing', async () => {
    for (const team of ['../x', 'a/b', 'UPPER', '', '.hidden', 'a'.repeat(64)]) {
      await expect(store.count(team, { query: null })).rejects.toThrow(ValidationError);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('uses WAL and finds everything again after a reopen (paths for wildcard fields included)', async () => {
    await store.append('acme', [makeEvent('acme', 'a', T0, { actor: { name: 'dave' } }, { message: 'key created' })]);
    await store.close();
    const db = new Database(join(dir, 'acme.db'), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    store = new SqliteStore({ dataDir: dir });
    expect(await count('acme', 'actor.\\*:dave')).toBe(1);
    expect(await count('acme', 'message:created')).toBe(1);
    await store.append('acme', [makeEvent('acme', 'b', T0, { actor: { role: 'admin' } })]);
    expect(await count('acme', '_exists_:actor.*')).toBe(2);
  });

  it('a closed store answers StoreUnavailableError', async () => {
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.count('acme', { query: null })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('SqliteStore index hygiene', () => {
  it('retention leaves no index rows behind', async () => {
    const events = Array.from({ length: 2500 }, (_, i) =>
      makeEvent('acme', `e${i}`, T0 + i, { user: `u${i % 7}`, tags: ['a', 'b', 'a'], n: i }, { 'user.name': `u${i}`, message: `msg ${i}` }),
    );
    await store.append('acme', events);
    expect(await store.deleteOlderThan('acme', T0 + 2000)).toBe(2000);
    await store.close();
    const db = new Database(join(dir, 'acme.db'), { readonly: true });
    const orphans = db.prepare('SELECT count(*) AS n FROM fields WHERE event NOT IN (SELECT seq FROM events)').get() as { n: number };
    expect(orphans.n).toBe(0);
    const ftsRows = db.prepare("SELECT count(*) AS n FROM fts WHERE fts MATCH 'msg'").get() as { n: number };
    expect(ftsRows.n).toBe(500);
    db.close();
    store = new SqliteStore({ dataDir: dir });
    expect(await count('acme', 'user:u3')).toBe(71);
  });
});

describe('SqliteStore hostile values', () => {
  it('user values never reach SQL or FTS5 syntax', async () => {
    const nasty = [`'; DROP TABLE events; --`, `" OR 1=1 --`, 'NEAR(a b)', 'a" OR "b', '*', 'x AND NOT y', '{text}: z', `\\`, '%_'];
    await store.append(
      'acme',
      nasty.map((v, i) => makeEvent('acme', `n${i}`, T0 + i, { v }, { message: v })),
    );
    expect(await store.count('acme', { query: null })).toBe(nasty.length);
    for (const [i, v] of nasty.entries()) {
      const hits = await store.search('acme', {
        query: { type: 'term', field: 'v', value: v, loc: { start: 0, end: 0 } },
        size: 10,
      });
      expect(hits.hits.map((h) => h.id)).toEqual([`n${i}`]);
      await store.search('acme', { query: { type: 'phrase', field: null, value: v, loc: { start: 0, end: 0 } }, size: 10 });
      await store.search('acme', { query: { type: 'wildcard', field: 'v', pattern: `${v}*`, loc: { start: 0, end: 0 } }, size: 10 });
      await store.search('acme', { query: { type: 'wildcard', field: null, pattern: `*${v}*`, loc: { start: 0, end: 0 } }, size: 10 });
    }
    expect(await store.count('acme', { query: null })).toBe(nasty.length);
  });
});

describe('SqliteStore refusals', () => {
  beforeEach(async () => {
    await store.append('acme', [makeEvent('acme', 'a', T0, { x: 'abc' }, { 'http.response.status_code': 200 })]);
  });
  it.each([
    ['x:/(a|b)*a(a|b){13}/', QueryLimitError],
    ['x:*a?????????????', QueryLimitError],
    ['x:/[a-/', ValidationError],
    ['http.response.status_code:2*', UnsupportedQueryError],
    ['source.ip:/10.*/', UnsupportedQueryError],
    ['@timestamp:2026*', UnsupportedQueryError],
    ['http.response.status_code:20~1', UnsupportedQueryError],
    // A value the field's type cannot take: the same error as on Elasticsearch (the shared suite checks both).
    ['@timestamp:[now-1q TO now]', UnsupportedQueryError],
    ['source.ip:[a TO b]', UnsupportedQueryError],
  ])('%s', async (q, type) => {
    await expect(count('acme', q)).rejects.toThrow(type);
  });
  it('refuses an edit distance above 2 even when the parser lets one through', async () => {
    const fuzzy = { type: 'fuzzy' as const, field: 'x', value: 'abc', distance: 3, loc: { start: 0, end: 0 } };
    await expect(store.count('acme', { query: fuzzy })).rejects.toThrow(ValidationError);
  });
  it('refuses facets on patterns and dates, bad sizes and intervals', async () => {
    await expect(store.facets('acme', { query: null, field: 'x.*' })).rejects.toThrow(UnsupportedQueryError);
    await expect(store.facets('acme', { query: null, field: '@timestamp' })).rejects.toThrow(UnsupportedQueryError);
    await expect(store.facets('acme', { query: null, field: 'x', size: 0 })).rejects.toThrow(ValidationError);
    await expect(store.search('acme', { query: null, size: 0 })).rejects.toThrow(ValidationError);
    await expect(store.search('acme', { query: null, size: 1001 })).rejects.toThrow(ValidationError);
    await expect(store.histogram('acme', { query: null, from: 0, to: T0, intervalMs: 1000 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
  it('a wildcard field pattern skips fields whose type cannot hold the value, as ES all-fields mode does', async () => {
    expect(await count('acme', 'http.\\*:abc')).toBe(0);
    expect(await count('acme', '\\*:abc')).toBe(1);
  });
});

describe('SqliteStore query plans', () => {
  it('the probe plan tests exact-value leaves per event and keeps the other sets from driving the scan', () => {
    const query = parseQuery('(event.action:login AND NOT user.name:bob) OR settings OR event.action:log*');
    const probe = compileWhere(query, { now: T0, plan: 'probe' });
    expect(probe.sql).toContain('EXISTS (SELECT 1 FROM fields WHERE path = ? AND value = ? AND event = e.seq)');
    expect(probe.sql).toContain('+e.seq IN (SELECT rowid FROM fts');
    expect(probe.sql).not.toMatch(/(?<!\+)e\.seq IN/);
    const cut = compileWhere(parseQuery('settings'), { now: T0, plan: 'probe', ftsRowids: { lo: 5, hi: 9 } });
    expect(cut.sql).toBe('+e.seq IN (SELECT rowid FROM fts WHERE fts MATCH ? AND (rowid & 1023 OR al_tick()) AND rowid BETWEEN ? AND ?)');
    expect(cut.params.slice(1)).toEqual([5, 9]);
    const sets = compileWhere(query, { now: T0, plan: 'sets' });
    expect(sets.sql).not.toContain('EXISTS');
    expect(sets.probeable.map((p) => p.params)).toEqual([['event.action', 'login'], ['user.name', 'bob'], ['{text} : ("settings")']]);
  });

  it('every plan, and the automatic choice across its thresholds, gives the same answers', async () => {
    // 3,000 events one second apart: windows from a few events to past the first counting step
    // (1,024), with frequent, rare and absent values, so auto takes each branch.
    const events = Array.from({ length: 3000 }, (_, i) =>
      makeEvent(
        'acme',
        `e${String(i).padStart(4, '0')}`,
        T0 + i * 1000,
        { user: `u${i % 50}`, n: i % 7 },
        {
          'event.action': i % 4 === 0 ? 'logout' : 'login',
          'event.outcome': i % 3 === 0 ? 'failure' : 'success',
          'user.name': i % 500 === 0 ? 'rare' : `u${i % 50}`,
          message: i % 5 === 0 ? 'settings changed' : 'signed in',
        },
      ),
    );
    // Stored out of time order (seq no longer follows the timestamp), as late events are: the
    // probe plan's full-text cut by seq must still hold every event of the range.
    await store.append('acme', events.filter((_, i) => i % 3 !== 1));
    await store.append('acme', events.filter((_, i) => i % 3 === 1).reverse());
    const auto = store;
    const forced = { sets: new SqliteStore({ dataDir: dir, plan: 'sets' }), probe: new SqliteStore({ dataDir: dir, plan: 'probe' }) };
    const queries = [
      'event.action:login',
      'event.action:login AND event.outcome:failure',
      'event.action:login AND NOT event.outcome:failure',
      'user.name:rare OR event.outcome:failure',
      'NOT event.action:login',
      'user.name:rare',
      'user.name:nobody',
      'settings AND event.action:logout',
      'event.action:log* AND NOT user:u3',
      'event.action:login AND (settings OR n:3) AND NOT user.name:u7',
      'settings',
    ];
    const windows: Array<[number | undefined, number | undefined]> = [
      [T0 + 100_000, T0 + 110_000],
      [T0 + 500_000, T0 + 1_500_000],
      [T0, T0 + 2_000_000],
      [undefined, T0 + 900_000],
      [T0 + 2_990_000, undefined],
      [undefined, undefined],
    ];
    const answers = async (s: SqliteStore, query: string, from: number | undefined, to: number | undefined) => {
      const r = { query: parseQuery(query), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
      const page = await s.search('acme', { ...r, size: 5, sort: 'asc' });
      const next = page.cursor ? await s.search('acme', { ...r, size: 5, sort: 'asc', cursor: page.cursor }) : null;
      return {
        count: await s.count('acme', r),
        total: page.total,
        ids: [...page.hits, ...(next?.hits ?? [])].map((h) => h.id),
        histogram: await s.histogram('acme', { ...r, intervalMs: 600_000 }),
        facets: await s.facets('acme', { ...r, field: 'user.name', size: 3 }),
      };
    };
    try {
      for (const query of queries) {
        for (const [from, to] of windows) {
          const expected = await answers(forced.sets, query, from, to);
          expect(await answers(forced.probe, query, from, to), `${query} [${from}, ${to})`).toEqual(expected);
          expect(await answers(auto, query, from, to), `${query} [${from}, ${to})`).toEqual(expected);
        }
      }
      expect((await answers(auto, 'event.action:login', T0, T0 + 3_000_000)).count).toBe(2250);
    } finally {
      await forced.sets.close();
      await forced.probe.close();
    }
  });
});
