/**
 * A small SQLite database for auditlog's own state (control state, alert state): WAL,
 * synchronous=FULL so an acknowledged change survives a power loss, foreign keys on, and a
 * wait on a busy lock (another process on the same file) instead of an error.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** `file`: a path (created with its directory) or `:memory:`; `schema` is run on every open, so it must be idempotent. */
export function openStateDatabase(file: string, schema: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  return db;
}
