/** Streams in `state/streams.db` (src/data-dir.ts); several processes may share the file. */
import type Database from 'better-sqlite3';
import { openStateDatabase } from '../store/sqlite/state-database.ts';
import { StreamRecord } from './model.ts';
import type { StreamStateStore, VersionedStream } from './state-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS streams (
  id TEXT PRIMARY KEY, team TEXT NOT NULL, created INTEGER NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS streams_team ON streams(team, created);
`;

interface Row {
  body: string;
  version: number;
}

const toVersioned = (r: Row): VersionedStream => ({ record: StreamRecord.parse(JSON.parse(r.body)), version: String(r.version) });

export class SqliteStreamStateStore implements StreamStateStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = openStateDatabase(file, SCHEMA);
  }

  async list(team?: string): Promise<VersionedStream[]> {
    const rows = (
      team === undefined
        ? this.#db.prepare('SELECT body, version FROM streams ORDER BY created, id').all()
        : this.#db.prepare('SELECT body, version FROM streams WHERE team = ? ORDER BY created, id').all(team)
    ) as Row[];
    return rows.map(toVersioned);
  }

  async get(id: string): Promise<VersionedStream | null> {
    const row = this.#db.prepare('SELECT body, version FROM streams WHERE id = ?').get(id) as Row | undefined;
    return row ? toVersioned(row) : null;
  }

  async create(record: StreamRecord): Promise<void> {
    this.#db
      .prepare('INSERT INTO streams (id, team, created, body, version) VALUES (?, ?, ?, ?, 1)')
      .run(record.id, record.team, record.createdAt, JSON.stringify(record));
  }

  async replace(record: StreamRecord, version: string): Promise<string | null> {
    const next = Number(version) + 1;
    const info = this.#db
      .prepare('UPDATE streams SET body = ?, version = ? WHERE id = ? AND version = ?')
      .run(JSON.stringify(record), next, record.id, Number(version));
    return info.changes === 1 ? String(next) : null;
  }

  async delete(id: string): Promise<boolean> {
    return this.#db.prepare('DELETE FROM streams WHERE id = ?').run(id).changes === 1;
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
