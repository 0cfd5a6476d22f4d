/**
 * The embedded event store: one SQLite database file per team under a data directory
 * (physical isolation: a team's file is opened only for calls naming that team).
 */
import { accessSync, constants, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../errors.ts';
import { StoredEvent, TeamId } from '../../events/event.ts';
import { checkTeam, facetField, facetSize, otherTeam, pageSize } from '../rules.ts';
import { conflictEventId, contentHash, MAX_CONFLICT_STEPS } from '../../events/identity.ts';
import type {
  AppendItemResult,
  AuditStore,
  Facet,
  FacetRequest,
  Histogram,
  HistogramRequest,
  ChangesLag,
  ChangesPage,
  ChangesRequest,
  OriginalField,
  QueryRequest,
  ReadOptions,
  SearchPage,
  SearchRequest,
  StoreStats,
} from '../interface.ts';
import { registerFunctions } from './functions.ts';
import { fieldRows } from './index-rows.ts';
import { listOriginalFields } from './original-fields.ts';
import { InlineReads } from './inline-reads.ts';
import { Checkpointer } from './checkpointer.ts';
import { type ReadExecutor, ReadPool } from './read-pool.ts';
import type { ReadOp, ReadResult } from './reads.ts';
import { type DocRow, openSchema, type Synchronous } from './schema.ts';
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
  /** Time budget of every read, in ms (AUDITLOG_QUERY_TIMEOUT_MS). Default 10,000. */
  queryTimeoutMs?: number;
  /**
   * Where reads run: `pool` (default) in worker threads beside the event loop (read-pool.ts),
   * `inline` on the calling thread (the benchmark's baseline, single-query tools).
   */
  reads?: 'pool' | 'inline';
  /** Read worker threads in `pool` mode (default: the machine's parallelism, 2 to 8). */
  readWorkers?: number;
  /**
   * Where WAL checkpoints run: `thread` (default) on the checkpointer's thread (checkpointer.ts),
   * `commit` inside the commit that crosses SQLite's threshold (its own default: the benchmark's
   * baseline).
   */
  checkpoints?: 'thread' | 'commit';
}

interface TeamDb {
  db: Database.Database;
  knownPaths: Set<string>;
  insertEvent: Database.Statement;
  insertDoc: Database.Statement;
  insertField: Database.Statement;
  insertPath: Database.Statement;
  insertFts: Database.Statement;
  storedContent: Database.Statement;
  setHash: Database.Statement;
  appendBatch: (events: StoredEvent[], team: TeamId) => AppendItemResult[];
}

/**
 * Retention deletes in transactions of about DELETE_CHUNK_MS each, yielding to the event loop
 * between them, so a pass that deletes most of a team holds other requests for that long at a
 * time, not for the whole pass (measured before: 76,667 events in one 34 s stall). The chunk
 * size adapts to what an event costs here (its index rows, the machine's speed).
 */
const DELETE_CHUNK_MS = 20;
const DELETE_CHUNK_MIN = 16;
const DELETE_CHUNK_MAX = 2_000;
/**
 * FTS5 merges a segment once a tenth of its rows are deleted (`deletemerge`, default 10), and
 * does it inside the transaction that passes the mark: measured, 23 of the ~2,000 chunks of a
 * 76,667-event pass took 200-530 ms because of it. The pass turns it off, then reclaims the
 * space in steps of FTS_MERGE_PAGES pages (measured: 10 steps of at most 18 ms each).
 */
const FTS_DELETEMERGE = 10;
const FTS_MERGE_PAGES = 16;
const FTS_MERGE_MAX_STEPS = 10_000;
/**
 * A write log of more frames than this (64 MB of 4 KiB pages) waits for a checkpoint to catch
 * up before the next write. SQLite's own threshold is 1,000 frames, checked inside the commit.
 */
const LOG_CATCH_UP_FRAMES = 16_384;
/** Longest wait of a write for that catch-up. */
const CATCH_UP_MAX_WAIT_MS = 1_000;
/** SQLite's own threshold, for a writer whose checkpoints failed on the thread. */
const SQLITE_AUTOCHECKPOINT_FRAMES = 1_000;

export class SqliteStore implements AuditStore {
  readonly kind = 'sqlite' as const;
  readonly retention = 'scheduled' as const;
  readonly dataDir: string;
  readonly #synchronous: Synchronous;
  readonly #now: () => number;
  readonly #plan: Plan | 'auto';
  readonly #teams = new Map<TeamId, TeamDb>();
  readonly #reads: ReadExecutor;
  readonly #inline: InlineReads | null;
  /** null: SQLite checkpoints inside commits (`checkpoints: 'commit'`). */
  readonly #checkpoints: Checkpointer | null;
  #closed = false;

  constructor({ dataDir, synchronous = 'FULL', now = Date.now, plan = 'auto', queryTimeoutMs = 10_000, reads = 'pool', readWorkers, checkpoints = 'thread' }: SqliteStoreOptions) {
    this.dataDir = dataDir;
    this.#plan = plan;
    this.#synchronous = synchronous;
    this.#now = now;
    this.#inline = reads === 'inline' ? new InlineReads((team) => this.#open(team).db, queryTimeoutMs) : null;
    this.#reads = this.#inline ?? new ReadPool({ budgetMs: queryTimeoutMs, ...(readWorkers !== undefined ? { size: readWorkers } : {}) });
    this.#checkpoints = checkpoints === 'thread' ? new Checkpointer({ onFailure: (file) => this.#checkpointFailed(file) }) : null;
    mkdirSync(dataDir, { recursive: true });
  }

  /** Path of a team's database file (the team id is validated first). */
  fileOf(team: TeamId): string {
    return join(this.dataDir, `${checkTeam(team)}.db`);
  }

  async append(team: TeamId, events: StoredEvent[]): Promise<AppendItemResult[]> {
    await this.#roomInLog(this.#open(team));
    // Opened again: the team may have been dropped (and the store closed) while the log caught up.
    const t = this.#open(team);
    try {
      const results = t.appendBatch(events, team);
      this.#checkpoints?.request(t.db.name);
      return results;
    } catch (err) {
      // The batch rolled back: the cache of known paths may now be ahead of the table.
      t.knownPaths = new Set(t.db.prepare('SELECT path FROM paths').pluck().all() as string[]);
      throw new StoreUnavailableError(`could not store the batch for team ${team}: ${(err as Error).message}`, 5, { cause: err });
    }
  }

  async search(team: TeamId, request: SearchRequest): Promise<SearchPage> {
    pageSize(request.size);
    return this.#read(team, { op: 'search', request: withoutSignal(request) }, request.signal) as Promise<SearchPage>;
  }

  count(team: TeamId, request: QueryRequest): Promise<number> {
    return this.#read(team, { op: 'count', request: withoutSignal(request) }, request.signal) as Promise<number>;
  }

  histogram(team: TeamId, request: HistogramRequest): Promise<Histogram> {
    return this.#read(team, { op: 'histogram', request: withoutSignal(request) }, request.signal) as Promise<Histogram>;
  }

  async facets(team: TeamId, request: FacetRequest): Promise<Facet> {
    const checked = { ...withoutSignal(request), size: facetSize(request.size), resolved: facetField(request.field) };
    return this.#read(team, { op: 'facets', request: checked }, request.signal) as Promise<Facet>;
  }

  get(team: TeamId, id: string, options: ReadOptions = {}): Promise<StoredEvent | null> {
    return this.#read(team, { op: 'get', id }, options.signal) as Promise<StoredEvent | null>;
  }

  async changes(team: TeamId, request: ChangesRequest): Promise<ChangesPage> {
    pageSize(request.size);
    const { signal, ...rest } = request;
    return this.#read(team, { op: 'changes', request: rest }, signal) as Promise<ChangesPage>;
  }

  changesStart(team: TeamId, since?: number): Promise<string> {
    return this.#read(team, { op: 'changesStart', ...(since !== undefined ? { since } : {}) }, undefined) as Promise<string>;
  }

  changesLag(team: TeamId, after: string, options: ReadOptions = {}): Promise<ChangesLag> {
    return this.#read(team, { op: 'changesLag', after }, options.signal) as Promise<ChangesLag>;
  }

  /** Every read runs in the read pool (read-pool.ts) unless the store was made with `reads: 'inline'`. */
  async #read(team: TeamId, read: ReadOp, signal: AbortSignal | undefined): Promise<ReadResult> {
    // Opening on the main thread validates the team and creates its file and schema before a worker reads it.
    this.#open(team);
    return this.#reads.run(team, this.fileOf(team), read, { now: this.#now(), plan: this.#plan }, signal);
  }

  async originalFields(team: TeamId): Promise<OriginalField[]> {
    return listOriginalFields(this.#open(team).db);
  }

  async deleteOlderThan(team: TeamId, cutoff: number): Promise<number> {
    const t = this.#open(team);
    const { db } = t;
    const select = db.prepare('SELECT d.* FROM events e JOIN docs d ON d.seq = e.seq WHERE e.ts < ? LIMIT ?');
    const delField = db.prepare('DELETE FROM fields WHERE path = ? AND value = ? AND event = ?');
    const delFts = db.prepare('DELETE FROM fts WHERE rowid = ?');
    const delEvent = db.prepare('DELETE FROM events WHERE seq = ?');
    const delDoc = db.prepare('DELETE FROM docs WHERE seq = ?');
    const chunk = db.transaction((size: number) => {
      const rows = select.all(cutoff, size) as DocRow[];
      for (const r of rows) {
        const parsed = { original: JSON.parse(r.original), ecs: JSON.parse(r.ecs), format: r.format as never, flags: JSON.parse(r.flags) };
        for (const [path, value] of fieldRows(parsed).rows) delField.run(path, value, r.seq);
        delFts.run(r.seq);
        delEvent.run(r.seq);
        delDoc.run(r.seq);
      }
      return rows.length;
    });
    if (db.prepare('SELECT 1 FROM events WHERE ts < ? LIMIT 1').get(cutoff) === undefined) return 0;
    let deleted = 0;
    const yieldToOthers = () => new Promise((resolve) => setImmediate(resolve));
    const stillOpen = () => !this.#closed && this.#teams.get(team) === t;
    db.exec(`INSERT INTO fts (fts, rank) VALUES ('deletemerge', 0)`);
    try {
      deleted = await this.#deleteChunks(t, chunk, stillOpen, yieldToOthers);
    } finally {
      if (stillOpen()) db.exec(`INSERT INTO fts (fts, rank) VALUES ('deletemerge', ${FTS_DELETEMERGE})`);
    }
    if (deleted === 0) return 0;
    const changes = db.prepare('SELECT total_changes()').pluck();
    for (let step = 0; step < FTS_MERGE_MAX_STEPS && stillOpen(); step++) {
      await this.#roomInLog(t);
      if (!stillOpen()) break;
      const before = changes.get() as number;
      db.exec(`INSERT INTO fts (fts, rank) VALUES ('merge', ${FTS_MERGE_PAGES})`);
      this.#checkpoints?.request(db.name);
      // SQLite's FTS5 documentation: fewer than 2 changes means the merge found nothing to do.
      if ((changes.get() as number) - before < 2) break;
      await yieldToOthers();
    }
    return deleted;
  }

  /** Deletes in transactions of about DELETE_CHUNK_MS, yielding between them; returns how many. */
  async #deleteChunks(t: TeamDb, chunk: (size: number) => number, stillOpen: () => boolean, yieldToOthers: () => Promise<unknown>): Promise<number> {
    const { db } = t;
    let deleted = 0;
    let size = 32;
    for (;;) {
      await this.#roomInLog(t);
      if (this.#closed) throw new StoreUnavailableError('the SQLite store is closed');
      // The team was dropped between two chunks: nothing is left to delete.
      if (!stillOpen()) break;
      const t0 = performance.now();
      // A delete that a crash undoes is redone by the next pass, so it need not wait for the disk
      // (the next acknowledged append's commit syncs the log, these commits included).
      db.pragma('synchronous = NORMAL');
      let n: number;
      try {
        n = chunk(size);
      } finally {
        db.pragma(`synchronous = ${this.#synchronous}`);
      }
      deleted += n;
      this.#checkpoints?.request(db.name);
      if (n < size) break;
      const ms = performance.now() - t0;
      size = Math.round(Math.min(DELETE_CHUNK_MAX, Math.max(DELETE_CHUNK_MIN, (size * DELETE_CHUNK_MS) / Math.max(ms, 1))));
      await yieldToOthers();
    }
    return deleted;
  }

  async dropTeam(team: TeamId): Promise<void> {
    const file = this.fileOf(team);
    await this.#reads.forget(file);
    await this.#checkpoints?.forget(file);
    const open = this.#teams.get(team);
    if (open) {
      open.db.close();
      this.#teams.delete(team);
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }

  async stats(): Promise<StoreStats> {
    const bytesByTeam = new Map<string, number>();
    for (const name of readdirSync(this.dataDir)) {
      const m = /^(.+)\.db(-wal)?$/.exec(name);
      if (!m || !TeamId.safeParse(m[1]).success) continue;
      // A file can go between the listing and the stat (a team dropped meanwhile).
      const size = statSync(join(this.dataDir, name), { throwIfNoEntry: false })?.size ?? 0;
      bytesByTeam.set(m[1]!, (bytesByTeam.get(m[1]!) ?? 0) + size);
    }
    return { bytesByTeam, readQueueDepth: this.#reads instanceof ReadPool ? this.#reads.queued : 0 };
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
    await this.#reads.close();
    await this.#checkpoints?.close();
    for (const t of this.#teams.values()) t.db.close();
    this.#teams.clear();
  }

  /**
   * A long log waits for a checkpoint to catch up before the next write (checkpointer.ts). How
   * long is the last checkpoint's count; the file's size says nothing, as a restarted log is
   * written over from its start, not cut (cutting a log grown to gigabytes took 0.6 s here).
   */
  async #roomInLog(t: TeamDb): Promise<void> {
    const checkpoints = this.#checkpoints;
    if (!checkpoints || checkpoints.logFrames(t.db.name) <= LOG_CATCH_UP_FRAMES) return;
    // Bounded: after a long-held snapshot the copy can take seconds, and the bound is soft.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([checkpoints.catchUp(t.db.name), new Promise((resolve) => (timer = setTimeout(resolve, CATCH_UP_MAX_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** A checkpoint of `file` failed on the thread: its writer checkpoints by itself again. */
  #checkpointFailed(file: string): void {
    for (const t of this.#teams.values()) if (t.db.name === file && t.db.open) t.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_FRAMES}`);
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
      // Checkpoints run on the checkpointer's thread, never inside a commit on this one.
      if (this.#checkpoints) db.pragma('wal_autocheckpoint = 0');
    } catch (err) {
      throw new StoreUnavailableError(`cannot open the database of team ${team}: ${(err as Error).message}`, 5, { cause: err });
    }
    const inline = this.#inline;
    registerFunctions(db, inline ? () => inline.control.check() : undefined);
    const t: TeamDb = {
      db,
      knownPaths: new Set((db.prepare('SELECT path FROM paths').pluck().all() as string[])),
      insertEvent: db.prepare('INSERT OR IGNORE INTO events (id, ts, received) VALUES (?, ?, ?)'),
      insertDoc: db.prepare('INSERT INTO docs (seq, format, flags, ecs, original, raw, hash) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insertField: db.prepare('INSERT OR IGNORE INTO fields (path, value, event) VALUES (?, ?, ?)'),
      insertPath: db.prepare('INSERT OR IGNORE INTO paths (path) VALUES (?)'),
      insertFts: db.prepare('INSERT INTO fts (rowid, text, message, ua) VALUES (?, ?, ?, ?)'),
      storedContent: db.prepare('SELECT d.seq, d.hash, d.raw FROM events e JOIN docs d ON d.seq = e.seq WHERE e.id = ?'),
      setHash: db.prepare('UPDATE docs SET hash = ? WHERE seq = ?'),
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
        const foreign = otherTeam(parsed.data, forTeam);
        if (foreign) return foreign;
        // No savepoint per event (it would copy every touched page): the event was validated,
        // so an insert can only fail for the whole database (I/O, disk full), and then the
        // batch rolls back and append throws, acknowledging nothing.
        return appendOne(t, parsed.data);
      }),
    );
    this.#teams.set(team, t);
    return t;
  }
}

/**
 * Stores one event under its id; when the id holds other content, under the id derived from
 * both (flagged id_conflict), so that an id only ever deduplicates the same content.
 */
function appendOne(t: TeamDb, event: StoredEvent): AppendItemResult {
  const hash = contentHash(event.raw);
  let e = event;
  for (let step = 0; step <= MAX_CONFLICT_STEPS; step++) {
    const conflictsWith = step > 0 ? { conflictsWith: event.id } : {};
    if (insertOne(t, e, hash)) return { status: 'created', id: e.id, ...conflictsWith };
    if (storedHash(t, e.id) === hash) return { status: 'duplicate', id: e.id, ...conflictsWith };
    e = { ...e, id: conflictEventId(e.id, hash), flags: e.flags.includes('id_conflict') ? e.flags : [...e.flags, 'id_conflict'] };
  }
  return { status: 'rejected', id: event.id, reason: `id ${event.id} and the ids derived from it hold other events` };
}

/** The content hash of the event stored under `id`; rows from before schema version 2 get theirs now. */
function storedHash(t: TeamDb, id: string): string {
  const row = t.storedContent.get(id) as { seq: number; hash: string | null; raw: string } | undefined;
  if (!row) throw new Error(`event ${id} has no document: the database is damaged`);
  if (row.hash !== null) return row.hash;
  const hash = contentHash(row.raw);
  t.setHash.run(hash, row.seq);
  return hash;
}

/** Inserts one event with its index rows; false when the id is already stored. */
function insertOne(t: TeamDb, e: StoredEvent, hash: string): boolean {
  const info = t.insertEvent.run(e.id, e.timestamp, e.received);
  if (info.changes === 0) return false;
  const seq = info.lastInsertRowid;
  t.insertDoc.run(seq, e.format, JSON.stringify(e.flags), JSON.stringify(e.ecs), JSON.stringify(e.original), e.raw, hash);
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

/** A request without its AbortSignal, which stays on this thread (it cannot be copied to a worker). */
function withoutSignal<T extends { signal?: AbortSignal }>(request: T): Omit<T, 'signal'> {
  if (request.signal === undefined) return request;
  const { signal: _, ...rest } = request;
  return rest;
}
