/**
 * One team's database. `events` holds each event's id and times (`seq` never reused so a
 * stale index row can never point at a newer event), `docs` its JSON; `fields` is the inverted index that
 * makes `path:value` an index lookup for ANY path; `fts` is the full-text index.
 *
 * `fields.value` has no declared type (BLOB affinity) on purpose: original leaves are stored
 * as text (keyword semantics: `"20"` and `20` are both the text 20) while
 * `http.response.status_code` is stored as an integer so that its ranges compare as numbers.
 */
import type Database from 'better-sqlite3';

export const SCHEMA_VERSION = 2;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  received INTEGER NOT NULL
);
-- The bulky part apart: queries sort and filter on the slim events table (it stays in
-- cache at a million rows), and read docs only for the page they return.
CREATE TABLE IF NOT EXISTS docs (
  seq INTEGER PRIMARY KEY,
  format TEXT NOT NULL,
  flags TEXT NOT NULL,
  ecs TEXT NOT NULL,
  original TEXT NOT NULL,
  raw TEXT NOT NULL,
  -- events/identity.ts contentHash(raw): an id only deduplicates the same content. NULL in rows
  -- written before version 2; computed from raw (and stored) the first time an id meets it again.
  hash TEXT
);
CREATE INDEX IF NOT EXISTS events_ts ON events (ts, id);
-- Keys: ECS names as is (event.action), metadata as auditlog.format / auditlog.flags,
-- original paths with a leading dot (.actor.user.email), so they can never collide.
CREATE TABLE IF NOT EXISTS fields (
  path TEXT NOT NULL,
  value,
  event INTEGER NOT NULL,
  PRIMARY KEY (path, value, event)
) WITHOUT ROWID;
-- Every original path ever seen: wildcard field names (actor.*) expand over this small table.
CREATE TABLE IF NOT EXISTS paths (path TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
  text, message, ua,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 0 tokenchars ''._:''''\u2019\u2018,;\u00B7'''
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab (fts, col);
`;

/** A row of `docs` as reads and retention use it (they do not need the hash). */
export interface DocRow {
  seq: number;
  format: string;
  flags: string;
  ecs: string;
  original: string;
  raw: string;
}

export type Synchronous = 'FULL' | 'NORMAL';

export function openSchema(db: Database.Database, synchronous: Synchronous): void {
  db.pragma('journal_mode = WAL');
  // FULL: a commit is fsynced before append resolves, so an acknowledged event survives power
  // loss. NORMAL in WAL mode only survives a process crash (bench/sqlite.bench.ts measures both).
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0) {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  } else if (version < SCHEMA_VERSION) {
    migrate(db);
  } else if (version !== SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is not supported (expected at most ${SCHEMA_VERSION})`);
  }
}

/**
 * Brings a file of an older version up to date in one transaction. Each step is cheap whatever
 * the file's size: no step rewrites existing rows.
 */
function migrate(db: Database.Database): void {
  // IMMEDIATE takes the write lock first, and the version is read again under it: another
  // process opening the same file at the same moment migrates it once, not twice.
  db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    // 1 → 2: the content hash. Old rows keep NULL until an id meets them again (insert path).
    if (from < 2) db.exec('ALTER TABLE docs ADD COLUMN hash TEXT');
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
