/**
 * The embedded event store: one SQLite database file per team under a data directory
 * (physical isolation: a team's file is opened only for calls naming that team).
 */
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LimitExceededError, StoreUnavailableError, UnsupportedQueryError, ValidationError } from '../../errors.ts';
import { StoredEvent, TeamId } from '../../events/event.ts';
import type {
  AppendItemResult,
  AuditStore,
  Facet,
  FacetRequest,
  Histogram,
  HistogramRequest,
  QueryRequest,
  SearchPage,
  SearchRequest,
} from '../interface.ts';
import { isFieldPattern } from '../../query/fields.ts';
import { type CompiledWhere, compileWhere, concreteTarget } from './compile-sql.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { registerFunctions } from './functions.ts';
import { chooseInterval, MAX_BUCKETS } from '../histogram-interval.ts';
import { fieldRows } from './index-rows.ts';
import { formatIpKey } from '../../query/ip.ts';
import { openSchema, type Synchronous } from './schema.ts';
import type { Plan } from './sql-sets.ts';
import { ftsDocument, ftsValues } from './text.ts';

export interface SqliteStoreOptions {
  /** Directory holding one `<team>.db` file per team; created when missing. */
  dataDir: string;
  /** `FULL` (default) makes every acknowledged batch survive power loss. */
  synchronous?: Synchronous;
  /** Clock for date math (`now`); tests pin it. */
  now?: () => number;
  /**
   * How queries run (sql-sets.ts Plan). `auto` (default) picks per request from the sizes of
   * the time range and of the query's index sets; tests force each plan to compare them.
   */
  plan?: Plan | 'auto';
}

interface TeamDb {
  db: Database.Database;
  knownPaths: Set<string>;
  insertEvent: Database.Statement;
  insertDoc: Database.Statement;
  insertField: Database.Statement;
  insertPath: Database.Statement;
  insertFts: Database.Statement;
  appendBatch: (events: StoredEvent[], team: TeamId) => AppendItemResult[];
}

interface KeyRow {
  seq: number;
  id: string;
  ts: number;
  received?: number;
  total?: number;
}

interface DocRow {
  seq: number;
  format: string;
  flags: string;
  ecs: string;
  original: string;
  raw: string;
}

const DELETE_CHUNK = 1_000;

/**
 * Most events a time range may hold for the probe plan. Measured at 200k events: a probe
 * costs ~0.3 µs per event in the range and leaf, reading and combining index sets 0.05 to
 * 0.2 µs per entry, so the probe plan wins when the sets hold at least SETS_PER_EVENT entries
 * per event of the range; the cap bounds its worst case (and the cost of counting) to ~3 ms.
 */
const PROBE_MAX_EVENTS = 10_000;
const SETS_PER_EVENT = 2;
/** First counting step: most requests are decided by counts this small. */
const FIRST_COUNT = 1_024;

export class SqliteStore implements AuditStore {
  readonly kind = 'sqlite' as const;
  readonly retention = 'scheduled' as const;
  readonly dataDir: string;
  readonly #synchronous: Synchronous;
  readonly #now: () => number;
  readonly #plan: Plan | 'auto';
  readonly #teams = new Map<TeamId, TeamDb>();
  #closed = false;

  constructor({ dataDir, synchronous = 'FULL', now = Date.now, plan = 'auto' }: SqliteStoreOptions) {
    this.dataDir = dataDir;
    this.#plan = plan;
    this.#synchronous = synchronous;
    this.#now = now;
    mkdirSync(dataDir, { recursive: true });
  }

  /** Path of a team's database file (the team id is validated first). */
  fileOf(team: TeamId): string {
    return join(this.dataDir, `${checkTeam(team)}.db`);
  }

  async append(team: TeamId, events: StoredEvent[]): Promise<AppendItemResult[]> {
    const t = this.#open(team);
    try {
      return t.appendBatch(events, team);
    } catch (err) {
      // The batch rolled back: the cache of known paths may now be ahead of the table.
      t.knownPaths = new Set(t.db.prepare('SELECT path FROM paths').pluck().all() as string[]);
      throw new StoreUnavailableError(`could not store the batch for team ${team}: ${(err as Error).message}`, 5, { cause: err });
    }
  }

  async search(team: TeamId, request: SearchRequest): Promise<SearchPage> {
    const size = request.size;
    if (!Number.isInteger(size) || size < 1 || size > 1000) {
      throw new ValidationError('size must be an integer from 1 to 1000', { field: 'size' });
    }
    const sort = request.sort ?? 'desc';
    const { db } = this.#open(team);
    const where = this.#where(db, request);
    const dir = sort === 'desc' ? 'DESC' : 'ASC';
    const after = request.cursor ? decodeCursor(request.cursor) : null;
    const afterSql = sort === 'desc' ? '(ts, id) < (?, ?)' : '(ts, id) > (?, ?)';
    let keys: KeyRow[];
    let total: number;
    if (where.matchesAll) {
      // No query (at most a time range): the count and the page come straight from the (ts, id) index.
      total = (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
      keys = db
        .prepare(
          `SELECT e.seq, e.id, e.ts, e.received FROM events e WHERE ${where.sql}${after ? ` AND ${afterSql.replace(/\b(ts|id)\b/g, 'e.$1')}` : ''}
           ORDER BY e.ts ${dir}, e.id ${dir} LIMIT ?`,
        )
        .all(...where.params, ...(after ? [after.ts, after.id] : []), size + 1) as KeyRow[];
    } else {
      // One pass over the matches gives both the exact total (window count, before the
      // cursor cuts) and the page.
      keys = db
        .prepare(
          `SELECT seq, id, ts, received, total FROM (SELECT e.seq, e.id, e.ts, e.received, count(*) OVER () AS total FROM events e WHERE ${where.sql})
           ${after ? `WHERE ${afterSql}` : ''} ORDER BY ts ${dir}, id ${dir} LIMIT ?`,
        )
        .all(...where.params, ...(after ? [after.ts, after.id] : []), size + 1) as KeyRow[];
      total =
        keys[0]?.total ??
        (after ? (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n : 0);
    }
    const more = keys.length > size;
    const page = keys.slice(0, size);
    const hits = this.#load(db, page, team);
    const last = page.at(-1);
    return { hits, total, cursor: more && last ? encodeCursor({ ts: last.ts, id: last.id }) : null };
  }

  #load(db: Database.Database, keys: KeyRow[], team: TeamId): StoredEvent[] {
    if (keys.length === 0) return [];
    const docs = db
      .prepare(`SELECT * FROM docs WHERE seq IN (${keys.map(() => '?').join(', ')})`)
      .all(...keys.map((k) => k.seq)) as DocRow[];
    const bySeq = new Map(docs.map((d) => [d.seq, d]));
    return keys.map((k) => {
      const d = bySeq.get(k.seq);
      if (!d) throw new StoreUnavailableError(`event ${k.id} of team ${team} has no document: the database is damaged`);
      return toEvent(k, d, team);
    });
  }

  async count(team: TeamId, request: QueryRequest): Promise<number> {
    const { db } = this.#open(team);
    const where = this.#where(db, request);
    return (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  }

  async histogram(team: TeamId, request: HistogramRequest): Promise<Histogram> {
    const { db } = this.#open(team);
    const where = this.#where(db, request);
    let from = request.from;
    let to = request.to;
    if (from === undefined || to === undefined) {
      const extent = db.prepare(`SELECT min(e.ts) AS lo, max(e.ts) AS hi FROM events e WHERE ${where.sql}`).get(...where.params) as {
        lo: number | null;
        hi: number | null;
      };
      if (extent.lo === null || extent.hi === null) {
        if (from === undefined || to === undefined) return { intervalMs: request.intervalMs ?? 60_000, buckets: [] };
      } else {
        from ??= extent.lo;
        to ??= extent.hi + 1;
      }
    }
    if (to! <= from!) return { intervalMs: request.intervalMs ?? 1_000, buckets: [] };
    let intervalMs = request.intervalMs ?? chooseInterval(to! - from!);
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new ValidationError('intervalMs must be a positive integer', { field: 'intervalMs' });
    }
    const first = Math.floor(from! / intervalMs) * intervalMs;
    const count = Math.ceil((to! - first) / intervalMs);
    if (count > MAX_BUCKETS) throw new LimitExceededError('histogram bucket count', MAX_BUCKETS, 'BAD_REQUEST');
    const rows = db
      .prepare(
        `SELECT CAST((e.ts - ?) / ? AS INTEGER) AS b, count(*) AS n FROM events e WHERE ${where.sql} GROUP BY b`,
      )
      .all(first, intervalMs, ...where.params) as Array<{ b: number; n: number }>;
    const buckets = Array.from({ length: count }, (_, i) => ({ start: first + i * intervalMs, count: 0 }));
    for (const r of rows) {
      const bucket = buckets[r.b];
      if (bucket) bucket.count = r.n;
    }
    return { intervalMs, buckets };
  }

  async facets(team: TeamId, request: FacetRequest): Promise<Facet> {
    const size = request.size ?? 10;
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      throw new ValidationError('facet size must be an integer from 1 to 100', { field: 'size' });
    }
    if (isFieldPattern(request.field)) {
      throw new UnsupportedQueryError(`facets need one concrete field, not the pattern ${request.field}`, { field: request.field });
    }
    const { db } = this.#open(team);
    const where = this.#where(db, request);
    const total = (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
    const target = concreteTarget(request.field);
    let top: Array<{ value: unknown; n: number }>;
    let covered: number;
    if (target.kind === 'id') {
      top = db
        .prepare(`SELECT e.id AS value, 1 AS n FROM events e WHERE ${where.sql} ORDER BY e.id LIMIT ?`)
        .all(...where.params, size) as typeof top;
      covered = top.length;
    } else if (target.kind === 'timestamp') {
      throw new UnsupportedQueryError(`facets on the date field ${request.field} are not supported; use the histogram`, {
        field: request.field,
      });
    } else {
      const path = target.kind === 'text' ? target.path : target.kind === 'originalGlob' ? null : target.path;
      if (path === null) throw new UnsupportedQueryError(`facets are not supported on ${request.field}`, { field: request.field });
      // Without a query or range every index row counts: no membership test needed.
      const inMatching = where.matchesAll && !where.ranged ? '' : ` AND f.event IN (SELECT e.seq FROM events e WHERE ${where.sql})`;
      const matchParams = where.matchesAll && !where.ranged ? [] : where.params;
      top = db
        .prepare(
          `SELECT f.value AS value, count(*) AS n FROM fields f WHERE f.path = ?${inMatching}
           GROUP BY f.value ORDER BY n DESC, f.value ASC LIMIT ?`,
        )
        .all(path, ...matchParams, size) as typeof top;
      if (top.length === 0) {
        covered = 0;
      } else {
        const placeholders = top.map(() => '?').join(', ');
        covered = (
          db
            .prepare(
              `SELECT count(DISTINCT f.event) AS n FROM fields f WHERE f.path = ? AND f.value IN (${placeholders})${inMatching}`,
            )
            .get(path, ...top.map((r) => r.value), ...matchParams) as { n: number }
        ).n;
      }
    }
    const render = (v: unknown) => (target.kind === 'ip' && typeof v === 'string' ? formatIpKey(v) : String(v));
    return {
      field: request.field,
      buckets: top.map((r) => ({ value: render(r.value), count: r.n })),
      other: Math.max(0, total - covered),
    };
  }

  async get(team: TeamId, id: string): Promise<StoredEvent | null> {
    const { db } = this.#open(team);
    const key = db.prepare('SELECT seq, id, ts, received FROM events WHERE id = ?').get(id) as KeyRow | undefined;
    return key ? (this.#load(db, [key], team)[0] ?? null) : null;
  }

  async deleteOlderThan(team: TeamId, cutoff: number): Promise<number> {
    const t = this.#open(team);
    const { db } = t;
    const select = db.prepare('SELECT d.* FROM events e JOIN docs d ON d.seq = e.seq WHERE e.ts < ? LIMIT ?');
    const delField = db.prepare('DELETE FROM fields WHERE path = ? AND value = ? AND event = ?');
    const delFts = db.prepare('DELETE FROM fts WHERE rowid = ?');
    const delEvent = db.prepare('DELETE FROM events WHERE seq = ?');
    const delDoc = db.prepare('DELETE FROM docs WHERE seq = ?');
    // Chunks keep each transaction (and the WAL) small while other calls interleave.
    const chunk = db.transaction(() => {
      const rows = select.all(cutoff, DELETE_CHUNK) as DocRow[];
      for (const r of rows) {
        const parsed = { original: JSON.parse(r.original), ecs: JSON.parse(r.ecs), format: r.format as never, flags: JSON.parse(r.flags) };
        for (const [path, value] of fieldRows(parsed).rows) delField.run(path, value, r.seq);
        delFts.run(r.seq);
        delEvent.run(r.seq);
        delDoc.run(r.seq);
      }
      return rows.length;
    });
    let deleted = 0;
    for (;;) {
      const n = chunk();
      deleted += n;
      if (n < DELETE_CHUNK) break;
    }
    return deleted;
  }

  async dropTeam(team: TeamId): Promise<void> {
    const file = this.fileOf(team);
    const open = this.#teams.get(team);
    if (open) {
      open.db.close();
      this.#teams.delete(team);
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new StoreUnavailableError('the SQLite store is closed');
    try {
      accessSync(this.dataDir, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw new StoreUnavailableError(`data directory ${this.dataDir} is not writable`, 5, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#teams.values()) t.db.close();
    this.#teams.clear();
  }

  /** The query and the time range as one condition; `matchesAll` is about the query alone. */
  #where(db: Database.Database, request: QueryRequest): Pick<CompiledWhere, 'sql' | 'params' | 'matchesAll'> & { ranged: boolean } {
    const now = this.#now();
    let q = compileWhere(request.query, { now, plan: 'sets' });
    if (!q.matchesAll && this.#choosePlan(db, request, q) === 'probe') {
      const ftsRowids = q.usesFts ? seqBounds(db, request) : undefined;
      q = compileWhere(request.query, { now, plan: 'probe', ...(ftsRowids ? { ftsRowids } : {}) });
    }
    const conds = [q.sql];
    const params = [...q.params];
    if (request.from !== undefined) {
      conds.push('e.ts >= ?');
      params.push(request.from);
    }
    if (request.to !== undefined) {
      conds.push('e.ts < ?');
      params.push(request.to);
    }
    return { sql: conds.join(' AND '), params, matchesAll: q.matchesAll, ranged: conds.length > 1 };
  }

  /**
   * The probe plan when the time range holds at most PROBE_MAX_EVENTS events and the sets it
   * makes cheap (q.probeable) hold SETS_PER_EVENT entries per event of it. Counts stop one past
   * what the decision needs, in two steps so that a rare value or a short range costs only a
   * small count (the decision adds ~0.05 ms to those, up to ~0.6 ms to wide frequent ones).
   */
  #choosePlan(db: Database.Database, request: QueryRequest, q: CompiledWhere): Plan {
    if (this.#plan !== 'auto') return this.#plan;
    const rangeCount = (limit: number) => countRange(db, request, limit);
    const setsCount = (limit: number) => countSets(db, q.probeable, limit);
    const events = rangeCount(FIRST_COUNT);
    // Nothing to size, the plans differ only in what drives the scan: a short range beats
    // looking up each member of the sets (bench: `event.action:log*` over 10 minutes, 9 → 4 ms).
    if (q.probeable.length === 0) return events <= FIRST_COUNT ? 'probe' : 'sets';
    const enough = (n: number) => setsCount(n * SETS_PER_EVENT) >= n * SETS_PER_EVENT;
    if (events <= FIRST_COUNT) return enough(events) ? 'probe' : 'sets';
    if (!enough(FIRST_COUNT)) return 'sets';
    const all = rangeCount(PROBE_MAX_EVENTS);
    if (all > PROBE_MAX_EVENTS) return 'sets';
    return enough(all) ? 'probe' : 'sets';
  }

  #open(team: TeamId): TeamDb {
    if (this.#closed) throw new StoreUnavailableError('the SQLite store is closed');
    const existing = this.#teams.get(team);
    if (existing) return existing;
    const file = this.fileOf(team);
    let db: Database.Database;
    try {
      db = new Database(file);
      openSchema(db, this.#synchronous);
    } catch (err) {
      throw new StoreUnavailableError(`cannot open the database of team ${team}: ${(err as Error).message}`, 5, { cause: err });
    }
    registerFunctions(db);
    const t: TeamDb = {
      db,
      knownPaths: new Set((db.prepare('SELECT path FROM paths').pluck().all() as string[])),
      insertEvent: db.prepare('INSERT OR IGNORE INTO events (id, ts, received) VALUES (?, ?, ?)'),
      insertDoc: db.prepare('INSERT INTO docs (seq, format, flags, ecs, original, raw) VALUES (?, ?, ?, ?, ?, ?)'),
      insertField: db.prepare('INSERT OR IGNORE INTO fields (path, value, event) VALUES (?, ?, ?)'),
      insertPath: db.prepare('INSERT OR IGNORE INTO paths (path) VALUES (?)'),
      insertFts: db.prepare('INSERT INTO fts (rowid, text, message, ua) VALUES (?, ?, ?, ?)'),
      appendBatch: () => [],
    };
    t.appendBatch = db.transaction((events: StoredEvent[], forTeam: TeamId) =>
      events.map((raw, i): AppendItemResult => {
        const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : `#${i}`;
        const parsed = StoredEvent.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return { status: 'rejected', id, reason: `invalid event: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
        }
        if (parsed.data.team !== forTeam) {
          return { status: 'rejected', id, reason: `event belongs to team ${parsed.data.team}, not ${forTeam}` };
        }
        // No savepoint per event (it would copy every touched page): the event was validated,
        // so an insert can only fail for the whole database (I/O, disk full), and then the
        // batch rolls back and append throws, acknowledging nothing.
        return insertOne(t, parsed.data) ? { status: 'created', id } : { status: 'duplicate', id };
      }),
    );
    this.#teams.set(team, t);
    return t;
  }
}

/** Inserts one event with its index rows; false when the id is already stored. */
function insertOne(t: TeamDb, e: StoredEvent): boolean {
  const info = t.insertEvent.run(e.id, e.timestamp, e.received);
  if (info.changes === 0) return false;
  const seq = info.lastInsertRowid;
  t.insertDoc.run(seq, e.format, JSON.stringify(e.flags), JSON.stringify(e.ecs), JSON.stringify(e.original), e.raw);
  const { rows, originalPaths } = fieldRows(e);
  for (const [path, value] of rows) t.insertField.run(path, value, seq);
  const text = ftsValues(e);
  t.insertFts.run(seq, ftsDocument(text.text), ftsDocument(text.message), ftsDocument(text.ua));
  for (const p of originalPaths) {
    if (t.knownPaths.has(p)) continue;
    t.insertPath.run(p);
    t.knownPaths.add(p);
  }
  return true;
}

/** The request's time range as a condition on `events` (empty: no range). */
function rangeSql(request: QueryRequest): { where: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  if (request.from !== undefined) {
    conds.push('ts >= ?');
    params.push(request.from);
  }
  if (request.to !== undefined) {
    conds.push('ts < ?');
    params.push(request.to);
  }
  return { where: conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '', params };
}

/** Planning counts run on every request: their few distinct statements are prepared once per database. */
const countStatements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const MAX_CACHED_COUNTS = 200;

function cached(db: Database.Database, sql: string): Database.Statement {
  let bySql = countStatements.get(db);
  if (!bySql) countStatements.set(db, (bySql = new Map()));
  let st = bySql.get(sql);
  if (!st) {
    // Leaf shapes are few, but bound the cache anyway (a query's SQL varies with its shape).
    if (bySql.size >= MAX_CACHED_COUNTS) bySql.clear();
    st = db.prepare(sql).pluck();
    bySql.set(sql, st);
  }
  return st;
}

/** Events in the request's time range, counted up to `limit + 1`. */
function countRange(db: Database.Database, request: QueryRequest, limit: number): number {
  const { where, params } = rangeSql(request);
  return cached(db, `SELECT count(*) FROM (SELECT 1 FROM events INDEXED BY events_ts ${where} LIMIT ?)`).get(...params, limit + 1) as number;
}

/** Least and greatest seq of the events in the request's time range (nulls: none). */
function seqBounds(db: Database.Database, request: QueryRequest): { lo: number | null; hi: number | null } {
  const { where, params } = rangeSql(request);
  return db.prepare(`SELECT min(seq) AS lo, max(seq) AS hi FROM events INDEXED BY events_ts ${where}`).get(...params) as {
    lo: number | null;
    hi: number | null;
  };
}

/** Entries of the given index sets together, counted up to `limit + 1`. */
function countSets(db: Database.Database, sets: CompiledWhere['probeable'], limit: number): number {
  let n = 0;
  for (const s of sets) {
    if (n > limit) break;
    n += cached(db, `SELECT count(*) FROM (${s.sql} LIMIT ?)`).get(...s.params, limit + 1 - n) as number;
  }
  return n;
}

function checkTeam(team: string): TeamId {
  const r = TeamId.safeParse(team);
  if (!r.success) throw new ValidationError(`invalid team id ${JSON.stringify(team)}: ${r.error.issues[0]?.message}`, { field: 'team' });
  return r.data;
}

function toEvent(k: KeyRow, d: DocRow, team: TeamId): StoredEvent {
  return {
    id: k.id,
    team,
    timestamp: k.ts,
    received: k.received!,
    format: d.format as StoredEvent['format'],
    flags: JSON.parse(d.flags),
    ecs: JSON.parse(d.ecs),
    original: JSON.parse(d.original),
    raw: d.raw,
  };
}
