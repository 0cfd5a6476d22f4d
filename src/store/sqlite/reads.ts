/**
 * The SQLite store's reads (search, count, histogram, facets, get) over one team's
 * connection: plain functions of a database handle and a request, so the same code runs in a
 * read worker (read-worker.ts, the default) or on the calling thread (`reads: 'inline'`).
 */
import type Database from 'better-sqlite3';
import { StoreUnavailableError, ValidationError } from '../../errors.ts';
import type { StoredEvent, TeamId } from '../../events/event.ts';
import { type Extent, fillBuckets, needsExtent, planBuckets } from '../histogram.ts';
import type {
  ChangesLag,
  ChangesPage,
  ChangesRequest,
  Facet,
  FacetRequest,
  Histogram,
  HistogramRequest,
  QueryRequest,
  SearchPage,
  SearchRequest,
} from '../interface.ts';
import type { FacetField } from '../rules.ts';
import { type CompiledWhere, compileWhere, facetTarget, tick } from './compile-sql.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { formatIpKey } from '../../query/ip.ts';
import type { DocRow } from './schema.ts';
import type { Plan } from './sql-sets.ts';

/** What a read needs besides the connection and the request. */
export interface ReadContext {
  /** Epoch ms that `now` means in date math. */
  now: number;
  plan: Plan | 'auto';
}

/**
 * A facet as the read runs it: the size and the field already checked by the rules
 * (rules.ts facetSize and facetField), the field resolved.
 */
export interface CheckedFacetRequest extends FacetRequest {
  size: number;
  resolved: FacetField;
}

/**
 * The reads, by name: what a read worker is asked to run. Requests come checked by the shared
 * rules (rules.ts) on the calling thread; the histogram plans its buckets here (histogram.ts),
 * so its extent and its counts are one read with one budget.
 */
export type ReadOp =
  | { op: 'search'; request: SearchRequest }
  | { op: 'count'; request: QueryRequest }
  | { op: 'histogram'; request: HistogramRequest }
  | { op: 'facets'; request: CheckedFacetRequest }
  | { op: 'get'; id: string }
  | { op: 'changes'; request: Omit<ChangesRequest, 'signal'> }
  | { op: 'changesStart'; since?: number }
  | { op: 'changesLag'; after: string };

export type ReadResult = SearchPage | number | Histogram | Facet | StoredEvent | null | ChangesPage | string | ChangesLag;

export function runRead(db: Database.Database, team: TeamId, read: ReadOp, ctx: ReadContext): ReadResult {
  switch (read.op) {
    case 'search':
      return search(db, team, read.request, ctx);
    case 'count':
      return count(db, read.request, ctx);
    case 'histogram':
      return histogram(db, read.request, ctx);
    case 'facets':
      return facets(db, read.request, ctx);
    case 'get':
      return get(db, team, read.id);
    case 'changes':
      return changes(db, team, read.request, ctx);
    case 'changesStart':
      return changesStart(db, read.since);
    case 'changesLag':
      return changesLag(db, read.after);
  }
}

/**
 * Positions are the `seq` of the last event handed on: AUTOINCREMENT never reuses one, and
 * writes to a file are serialised, so once seq N is visible every smaller one is too.
 */
const SEQ_POSITION = /^sq:(0|[1-9][0-9]{0,15})$/;

function seqOf(position: string): number {
  const m = SEQ_POSITION.exec(position);
  if (!m) throw new ValidationError('invalid stream position: not one this store issued', { field: 'position' });
  return Number(m[1]);
}

/**
 * Events a changes read looks at, at most: a query that matches rarely moves the position
 * this far per read instead of scanning the rest of the file in one go.
 */
const CHANGES_SCAN = 20_000;

function changes(db: Database.Database, team: TeamId, request: Omit<ChangesRequest, 'signal'>, ctx: ReadContext): ChangesPage {
  const size = request.size;
  const after = seqOf(request.after);
  const newest = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  const upper = Math.min(newest, after + CHANGES_SCAN);
  if (upper <= after) return { events: [], position: request.after };
  const where = whereOf(db, { query: request.query }, ctx);
  const keys = db
    .prepare(`SELECT e.seq, e.id, e.ts, e.received FROM events e WHERE e.seq > ? AND e.seq <= ? AND ${where.sql} ORDER BY e.seq LIMIT ?`)
    .all(after, upper, ...where.params, size) as KeyRow[];
  const position = keys.length === size ? keys.at(-1)!.seq : upper;
  return { events: load(db, keys, team), position: `sq:${position}` };
}

function changesStart(db: Database.Database, since: number | undefined): string {
  const newest = (db.prepare('SELECT max(seq) FROM events').pluck().get() as number | null) ?? 0;
  if (since === undefined) return `sq:${newest}`;
  // Receipt times have no index: a one-off scan when a stream is made to start in the past.
  const first = db.prepare('SELECT min(seq) FROM events WHERE received >= ?').pluck().get(since) as number | null;
  return `sq:${first === null ? newest : first - 1}`;
}

function changesLag(db: Database.Database, position: string): ChangesLag {
  const after = seqOf(position);
  const events = db.prepare('SELECT count(*) FROM events WHERE seq > ?').pluck().get(after) as number;
  const oldest = db.prepare('SELECT received FROM events WHERE seq > ? ORDER BY seq LIMIT 1').pluck().get(after) as number | undefined;
  return { events, oldestReceived: oldest ?? null };
}

interface KeyRow {
  seq: number;
  id: string;
  ts: number;
  received?: number;
  total?: number;
}

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

function search(db: Database.Database, team: TeamId, request: SearchRequest, ctx: ReadContext): SearchPage {
  const size = request.size;
  const sort = request.sort ?? 'desc';
  const where = whereOf(db, request, ctx);
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
  const hits = load(db, page, team);
  const last = page.at(-1);
  return { hits, total, cursor: more && last ? encodeCursor({ ts: last.ts, id: last.id }) : null };
}

function load(db: Database.Database, keys: KeyRow[], team: TeamId): StoredEvent[] {
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

function count(db: Database.Database, request: QueryRequest, ctx: ReadContext): number {
  const where = whereOf(db, request, ctx);
  return (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
}

function histogram(db: Database.Database, request: HistogramRequest, ctx: ReadContext): Histogram {
  const where = whereOf(db, request, ctx);
  const plan = planBuckets(request, needsExtent(request) ? extent(db, where) : null);
  if ('buckets' in plan) return plan;
  const { first, intervalMs } = plan;
  // The range starts at or after `first`, so every bucket number is a whole number from 0.
  const rows = db
    .prepare(`SELECT CAST((e.ts - ?) / ? AS INTEGER) AS b, count(*) AS n FROM events e WHERE ${where.sql} GROUP BY b`)
    .all(first, intervalMs, ...where.params) as Array<{ b: number; n: number }>;
  return fillBuckets(plan, rows.map((r) => ({ start: first + r.b * intervalMs, count: r.n })));
}

/** Least and greatest `@timestamp` of the matching events, null when none match. */
function extent(db: Database.Database, where: Where): Extent | null {
  const row = db.prepare(`SELECT min(e.ts) AS lo, max(e.ts) AS hi FROM events e WHERE ${where.sql}`).get(...where.params) as {
    lo: number | null;
    hi: number | null;
  };
  return row.lo === null || row.hi === null ? null : { min: row.lo, max: row.hi };
}

function facets(db: Database.Database, request: CheckedFacetRequest, ctx: ReadContext): Facet {
  const { size } = request;
  const where = whereOf(db, request, ctx);
  const total = (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  const target = facetTarget(request.resolved);
  let top: Array<{ value: unknown; n: number }>;
  let covered: number;
  if (target.kind === 'id') {
    top = db
      .prepare(`SELECT e.id AS value, 1 AS n FROM events e WHERE ${where.sql} ORDER BY e.id LIMIT ?`)
      .all(...where.params, size) as typeof top;
    covered = top.length;
  } else {
    const { path } = target;
    // Without a query or range every index row counts: no membership test needed.
    const inMatching = where.matchesAll && !where.ranged ? '' : ` AND f.event IN (SELECT e.seq FROM events e WHERE ${where.sql})`;
    const matchParams = where.matchesAll && !where.ranged ? [] : where.params;
    top = db
      .prepare(
        `SELECT f.value AS value, count(*) AS n FROM fields f WHERE f.path = ? AND ${tick('f.event')}${inMatching}
         GROUP BY f.value ORDER BY n DESC, f.value ASC LIMIT ?`,
      )
      .all(path, ...matchParams, size) as typeof top;
    if (top.length === 0) {
      covered = 0;
    } else {
      const placeholders = top.map(() => '?').join(', ');
      covered = (
        db
          .prepare(`SELECT count(DISTINCT f.event) AS n FROM fields f WHERE f.path = ? AND f.value IN (${placeholders})${inMatching}`)
          .get(path, ...top.map((r) => r.value), ...matchParams) as { n: number }
      ).n;
    }
  }
  const render = (v: unknown) => (target.kind === 'values' && target.ip && typeof v === 'string' ? formatIpKey(v) : String(v));
  return {
    field: request.field,
    buckets: top.map((r) => ({ value: render(r.value), count: r.n })),
    other: Math.max(0, total - covered),
  };
}

function get(db: Database.Database, team: TeamId, id: string): StoredEvent | null {
  const key = db.prepare('SELECT seq, id, ts, received FROM events WHERE id = ?').get(id) as KeyRow | undefined;
  return key ? (load(db, [key], team)[0] ?? null) : null;
}

/** A read's WHERE clause over `events e`, and whether it has a time range. */
type Where = Pick<CompiledWhere, 'sql' | 'params' | 'matchesAll'> & { ranged: boolean };

/**
 * The query and the time range as one condition; `matchesAll` is about the query alone. A
 * query that filters anything also ticks (compile-sql.ts tick) on the events it scans.
 */
function whereOf(db: Database.Database, request: QueryRequest, ctx: ReadContext): Where {
  let q = compileWhere(request.query, { now: ctx.now, plan: 'sets' });
  if (!q.matchesAll && choosePlan(db, request, q, ctx.plan) === 'probe') {
    const ftsRowids = q.usesFts ? seqBounds(db, request) : undefined;
    q = compileWhere(request.query, { now: ctx.now, plan: 'probe', ...(ftsRowids ? { ftsRowids } : {}) });
  }
  const conds = q.matchesAll ? [q.sql] : [tick('e.seq'), q.sql];
  const params = [...q.params];
  let ranged = false;
  if (request.from !== undefined) {
    conds.push('e.ts >= ?');
    params.push(request.from);
    ranged = true;
  }
  if (request.to !== undefined) {
    conds.push('e.ts < ?');
    params.push(request.to);
    ranged = true;
  }
  return { sql: conds.join(' AND '), params, matchesAll: q.matchesAll, ranged };
}

/**
 * The probe plan when the time range holds at most PROBE_MAX_EVENTS events and the sets it
 * makes cheap (q.probeable) hold SETS_PER_EVENT entries per event of it. Counts stop one past
 * what the decision needs, in two steps so that a rare value or a short range costs only a
 * small count (the decision adds ~0.05 ms to those, up to ~0.6 ms to wide frequent ones).
 */
function choosePlan(db: Database.Database, request: QueryRequest, q: CompiledWhere, forced: Plan | 'auto'): Plan {
  if (forced !== 'auto') return forced;
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
