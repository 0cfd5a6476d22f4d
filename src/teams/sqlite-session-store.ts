/** Sessions in the control database (control.db), one row each. */
import type Database from 'better-sqlite3';
import { Session, type SessionStore } from './session-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ui_sessions (
  id TEXT PRIMARY KEY, team TEXT NOT NULL, key_id TEXT NOT NULL, role TEXT NOT NULL, csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER);
CREATE INDEX IF NOT EXISTS ui_sessions_expires ON ui_sessions(expires_at);
`;

interface Row {
  id: string;
  team: string;
  key_id: string;
  role: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export class SqliteSessionStore implements SessionStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
    db.exec(SCHEMA);
  }

  async insert(s: Session) {
    this.#db
      .prepare('INSERT INTO ui_sessions (id, team, key_id, role, csrf_token, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.id, s.team, s.keyId, s.role, s.csrfToken, s.createdAt, s.expiresAt, s.revokedAt);
  }

  async get(id: string) {
    const r = this.#db.prepare('SELECT * FROM ui_sessions WHERE id = ?').get(id) as Row | undefined;
    return r
      ? Session.parse({
          id: r.id,
          team: r.team,
          keyId: r.key_id,
          role: r.role,
          csrfToken: r.csrf_token,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          revokedAt: r.revoked_at,
        })
      : null;
  }

  async revoke(id: string, at: number) {
    return this.#db.prepare('UPDATE ui_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
  }

  async deleteExpired(before: number) {
    return this.#db.prepare('DELETE FROM ui_sessions WHERE expires_at < ?').run(before).changes;
  }
}
