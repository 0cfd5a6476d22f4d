import type Database from 'better-sqlite3';
import { openStateDatabase } from '../store/sqlite/state-database.ts';
import type { ControlStore, StoredKey } from './control-store.ts';
import { ApiKey, Team, type TeamPatch } from './model.ts';
import { SqliteSessionStore } from './sqlite-session-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, retention_days INTEGER NOT NULL,
  daily_quota_bytes INTEGER, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY, team TEXT NOT NULL REFERENCES teams(id), role TEXT NOT NULL, name TEXT NOT NULL,
  hash TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE INDEX IF NOT EXISTS api_keys_team ON api_keys(team);
CREATE TABLE IF NOT EXISTS usage (team TEXT NOT NULL, day TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (team, day));
CREATE TABLE IF NOT EXISTS idempotency_keys (
  team TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (team, key));
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys(created_at);
`;

/** Columns added after the first release: added to an older file when it is opened. */
const ADDED_TEAM_COLUMNS: Record<string, string> = {
  min_retention_days: 'INTEGER NOT NULL DEFAULT 1',
  max_retention_days: 'INTEGER NOT NULL DEFAULT 36500',
  legal_hold: 'INTEGER NOT NULL DEFAULT 0',
};

interface TeamRow {
  id: string;
  name: string;
  retention_days: number;
  daily_quota_bytes: number | null;
  created_at: string;
  min_retention_days: number;
  max_retention_days: number;
  legal_hold: number;
}
interface KeyRow {
  id: string;
  team: string;
  role: string;
  name: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

const toTeam = (r: TeamRow): Team =>
  Team.parse({
    id: r.id,
    name: r.name,
    retentionDays: r.retention_days,
    dailyQuotaBytes: r.daily_quota_bytes,
    createdAt: r.created_at,
    minRetentionDays: r.min_retention_days,
    maxRetentionDays: r.max_retention_days,
    legalHold: r.legal_hold === 1,
  });
const toKey = (r: KeyRow): ApiKey =>
  ApiKey.parse({ id: r.id, team: r.team, role: r.role, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at });

/** How often expired Idempotency-Key bindings are deleted (in passing, by a claim). */
const PRUNE_EVERY_MS = 3_600_000;

/** Control state in one SQLite file (`state/control.db` of the data directory, apart from the team files: src/data-dir.ts). */
export class SqliteControlStore implements ControlStore {
  readonly #db: Database.Database;
  readonly sessions: SqliteSessionStore;
  #prunedAt = 0;

  constructor(file: string) {
    this.#db = openStateDatabase(file, SCHEMA);
    this.sessions = new SqliteSessionStore(this.#db);
    const have = new Set((this.#db.prepare('PRAGMA table_info(teams)').all() as Array<{ name: string }>).map((c) => c.name));
    for (const [column, type] of Object.entries(ADDED_TEAM_COLUMNS)) {
      if (!have.has(column)) this.#db.exec(`ALTER TABLE teams ADD COLUMN ${column} ${type}`);
    }
  }

  async getSetting(name: string) {
    const row = this.#db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setSetting(name: string, value: string) {
    this.#db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, value);
  }

  async initSetting(name: string, value: string) {
    this.#db.prepare('INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)').run(name, value);
    return (await this.getSetting(name))!;
  }

  async insertTeam(team: Team) {
    this.#db
      .prepare(
        'INSERT INTO teams (id, name, retention_days, daily_quota_bytes, created_at, min_retention_days, max_retention_days, legal_hold) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(team.id, team.name, team.retentionDays, team.dailyQuotaBytes, team.createdAt, team.minRetentionDays, team.maxRetentionDays, team.legalHold ? 1 : 0);
  }

  async getTeam(id: string) {
    const row = this.#db.prepare('SELECT * FROM teams WHERE id = ?').get(id) as TeamRow | undefined;
    return row ? toTeam(row) : null;
  }

  async listTeams() {
    return (this.#db.prepare('SELECT * FROM teams ORDER BY id').all() as TeamRow[]).map(toTeam);
  }

  async updateTeam(id: string, patch: TeamPatch) {
    return (await this.changeTeam(id, (current) => ({ ...current, ...patch })))?.after ?? null;
  }

  async changeTeam(id: string, change: (current: Team) => Team) {
    // IMMEDIATE: the write lock is taken before the read, so no other process writes in between.
    const run = this.#db.transaction(() => {
      const row = this.#db.prepare('SELECT * FROM teams WHERE id = ?').get(id) as TeamRow | undefined;
      if (!row) return null;
      const before = toTeam(row);
      const after = Team.parse(change(before));
      this.#db
        .prepare(
          'UPDATE teams SET name = ?, retention_days = ?, daily_quota_bytes = ?, min_retention_days = ?, max_retention_days = ?, legal_hold = ? WHERE id = ?',
        )
        .run(after.name, after.retentionDays, after.dailyQuotaBytes, after.minRetentionDays, after.maxRetentionDays, after.legalHold ? 1 : 0, id);
      return { before, after };
    });
    return run.immediate();
  }

  async insertKey(key: StoredKey) {
    this.#db
      .prepare('INSERT INTO api_keys (id, team, role, name, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(key.id, key.team, key.role, key.name, key.hash, key.createdAt, key.revokedAt);
  }

  async getKey(id: string) {
    const row = this.#db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row ? { ...toKey(row), hash: row.hash } : null;
  }

  async listKeys(team: string) {
    return (this.#db.prepare('SELECT * FROM api_keys WHERE team = ? ORDER BY created_at, id').all(team) as KeyRow[]).map(toKey);
  }

  async revokeKey(team: string, id: string, at: string) {
    const r = this.#db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND team = ? AND revoked_at IS NULL')
      .run(at, id, team);
    return r.changes > 0;
  }

  async addUsage(team: string, day: string, bytes: number) {
    const row = this.#db
      .prepare(
        'INSERT INTO usage (team, day, bytes) VALUES (?, ?, ?) ON CONFLICT (team, day) DO UPDATE SET bytes = bytes + excluded.bytes RETURNING bytes',
      )
      .get(team, day, bytes) as { bytes: number };
    return row.bytes;
  }

  async getUsage(team: string, day: string) {
    const row = this.#db.prepare('SELECT bytes FROM usage WHERE team = ? AND day = ?').get(team, day) as { bytes: number } | undefined;
    return row?.bytes ?? 0;
  }

  async claimIdempotencyKey(team: string, key: string, fingerprint: string, now: number, since: number) {
    const claim = this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO idempotency_keys (team, key, fingerprint, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (team, key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at
           WHERE created_at < ?`,
        )
        .run(team, key, fingerprint, now, since);
      return this.#db.prepare('SELECT fingerprint FROM idempotency_keys WHERE team = ? AND key = ?').pluck().get(team, key) as string;
    });
    const bound = claim.immediate();
    // Expired bindings go in passing, at most once an hour; the index keeps it a short range delete.
    if (now - this.#prunedAt > PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      this.#db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(since);
    }
    return bound;
  }

  async close() {
    this.#db.close();
  }
}
