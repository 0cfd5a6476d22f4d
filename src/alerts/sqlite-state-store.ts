/**
 * Alert state in one SQLite file (`state/alerts.db` in the data dir: src/data-dir.ts). Several processes
 * may open the same file: leases and compare-and-set commits run in IMMEDIATE transactions,
 * which SQLite serialises across processes.
 */
import type Database from 'better-sqlite3';
import { openStateDatabase } from '../store/sqlite/state-database.ts';
import type { SavedSearch } from '../saved-searches/model.ts';
import type { AlertRule } from './model.ts';
import type {
  AlertStateStore,
  EvaluationCommit,
  GroupState,
  HistoryEntry,
  OutboxEntry,
  OutboxStatus,
  RuleCursor,
} from './state-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_rules (
  id TEXT PRIMARY KEY, team TEXT NOT NULL, enabled INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS alert_rules_team ON alert_rules(team);
CREATE TABLE IF NOT EXISTS saved_searches (
  id TEXT PRIMARY KEY, team TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS saved_searches_team ON saved_searches(team);
CREATE TABLE IF NOT EXISTS alert_cursors (
  rule TEXT PRIMARY KEY, watermark INTEGER, version INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT, lease_until INTEGER);
CREATE TABLE IF NOT EXISTS alert_groups (
  rule TEXT NOT NULL, grp TEXT NOT NULL, status TEXT NOT NULL, last_notified INTEGER,
  suppressed INTEGER NOT NULL, since INTEGER, value REAL NOT NULL, PRIMARY KEY (rule, grp));
CREATE TABLE IF NOT EXISTS alert_outbox (
  id TEXT PRIMARY KEY, team TEXT NOT NULL, rule TEXT NOT NULL, channel TEXT NOT NULL, payload TEXT NOT NULL,
  attempts INTEGER NOT NULL, next_attempt INTEGER NOT NULL, status TEXT NOT NULL, last_error TEXT,
  created INTEGER NOT NULL, claim_owner TEXT, claim_until INTEGER);
CREATE INDEX IF NOT EXISTS alert_outbox_due ON alert_outbox(status, next_attempt);
CREATE INDEX IF NOT EXISTS alert_outbox_rule ON alert_outbox(rule, created);
CREATE TABLE IF NOT EXISTS alert_history (
  id TEXT PRIMARY KEY, team TEXT NOT NULL, rule TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
  grp TEXT NOT NULL, message TEXT NOT NULL, detail TEXT);
CREATE INDEX IF NOT EXISTS alert_history_rule ON alert_history(team, rule, at);
`;

interface GroupRow {
  grp: string;
  status: string;
  last_notified: number | null;
  suppressed: number;
  since: number | null;
  value: number;
}
interface OutboxRow {
  id: string;
  team: string;
  rule: string;
  channel: string;
  payload: string;
  attempts: number;
  next_attempt: number;
  status: string;
  last_error: string | null;
  created: number;
}
interface HistoryRow {
  id: string;
  team: string;
  rule: string;
  at: number;
  kind: string;
  grp: string;
  message: string;
  detail: string | null;
}

const toGroup = (r: GroupRow): GroupState => ({
  group: r.grp,
  status: r.status as GroupState['status'],
  lastNotifiedAt: r.last_notified,
  suppressed: r.suppressed,
  since: r.since,
  value: r.value,
});
const toOutbox = (r: OutboxRow): OutboxEntry => ({
  id: r.id,
  team: r.team,
  ruleId: r.rule,
  channelId: r.channel,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt,
  status: r.status as OutboxStatus,
  lastError: r.last_error,
  createdAt: r.created,
});
const toHistory = (r: HistoryRow): HistoryEntry => ({
  id: r.id,
  team: r.team,
  ruleId: r.rule,
  at: r.at,
  kind: r.kind as HistoryEntry['kind'],
  group: r.grp,
  message: r.message,
  ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
});

export class SqliteAlertStateStore implements AlertStateStore {
  readonly #db: Database.Database;

  /** `file`: a path (created with its directory) or `:memory:`. */
  constructor(file: string) {
    this.#db = openStateDatabase(file, SCHEMA);
  }

  async insertRule(rule: AlertRule) {
    this.#db.prepare('INSERT INTO alert_rules (id, team, enabled, body) VALUES (?, ?, ?, ?)').run(rule.id, rule.team, rule.enabled ? 1 : 0, JSON.stringify(rule));
  }

  async updateRule(rule: AlertRule) {
    const r = this.#db
      .prepare('UPDATE alert_rules SET enabled = ?, body = ? WHERE id = ? AND team = ?')
      .run(rule.enabled ? 1 : 0, JSON.stringify(rule), rule.id, rule.team);
    return r.changes > 0;
  }

  async getRule(team: string, id: string) {
    const row = this.#db.prepare('SELECT body FROM alert_rules WHERE id = ? AND team = ?').get(id, team) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as AlertRule) : null;
  }

  async getRuleById(id: string) {
    const row = this.#db.prepare('SELECT body FROM alert_rules WHERE id = ?').get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as AlertRule) : null;
  }

  async listRules(team: string) {
    const rows = this.#db.prepare('SELECT body FROM alert_rules WHERE team = ? ORDER BY id').all(team) as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as AlertRule);
  }

  async listEnabledRules() {
    const rows = this.#db.prepare('SELECT body FROM alert_rules WHERE enabled = 1 ORDER BY id').all() as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as AlertRule);
  }

  async deleteRule(team: string, id: string) {
    return this.#db.transaction(() => {
      const r = this.#db.prepare('DELETE FROM alert_rules WHERE id = ? AND team = ?').run(id, team);
      if (r.changes === 0) return false;
      // History stays (it is the audit of what was sent); live state goes with the rule.
      this.#db.prepare('DELETE FROM alert_cursors WHERE rule = ?').run(id);
      this.#db.prepare('DELETE FROM alert_groups WHERE rule = ?').run(id);
      this.#db.prepare("UPDATE alert_outbox SET status = 'failed', last_error = 'rule deleted' WHERE rule = ? AND status = 'pending'").run(id);
      return true;
    })();
  }

  async insertSavedSearch(s: SavedSearch) {
    this.#db.prepare('INSERT INTO saved_searches (id, team, body) VALUES (?, ?, ?)').run(s.id, s.team, JSON.stringify(s));
  }

  async updateSavedSearch(s: SavedSearch) {
    return this.#db.prepare('UPDATE saved_searches SET body = ? WHERE id = ? AND team = ?').run(JSON.stringify(s), s.id, s.team).changes > 0;
  }

  async getSavedSearch(team: string, id: string) {
    const row = this.#db.prepare('SELECT body FROM saved_searches WHERE id = ? AND team = ?').get(id, team) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as SavedSearch) : null;
  }

  async listSavedSearches(team: string) {
    const rows = this.#db.prepare('SELECT body FROM saved_searches WHERE team = ? ORDER BY id').all(team) as Array<{ body: string }>;
    return rows.map((r) => JSON.parse(r.body) as SavedSearch);
  }

  async deleteSavedSearch(team: string, id: string) {
    return this.#db.prepare('DELETE FROM saved_searches WHERE id = ? AND team = ?').run(id, team).changes > 0;
  }

  #acquire(ruleId: string, owner: string, now: number, ttlMs: number): boolean {
    const r = this.#db
      .prepare(
        `INSERT INTO alert_cursors (rule, watermark, version, lease_owner, lease_until) VALUES (?, NULL, 0, ?, ?)
         ON CONFLICT (rule) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
         WHERE alert_cursors.lease_owner IS NULL OR alert_cursors.lease_owner = excluded.lease_owner OR alert_cursors.lease_until <= ?`,
      )
      .run(ruleId, owner, now + ttlMs, now);
    return r.changes > 0;
  }

  async acquireLease(ruleId: string, owner: string, now: number, ttlMs: number) {
    return this.#acquire(ruleId, owner, now, ttlMs);
  }

  async acquireLeases(ruleIds: string[], owner: string, now: number, ttlMs: number) {
    // One transaction, so one sync to disk for the whole cycle's leases.
    return this.#db.transaction(() => new Set(ruleIds.filter((id) => this.#acquire(id, owner, now, ttlMs)))).immediate();
  }

  #release(ruleId: string, owner: string): void {
    this.#db.prepare('UPDATE alert_cursors SET lease_owner = NULL, lease_until = NULL WHERE rule = ? AND lease_owner = ?').run(ruleId, owner);
  }

  async releaseLease(ruleId: string, owner: string) {
    this.#release(ruleId, owner);
  }

  async releaseLeases(ruleIds: string[], owner: string) {
    this.#db.transaction(() => {
      for (const id of ruleIds) this.#release(id, owner);
    }).immediate();
  }

  async getCursor(ruleId: string): Promise<RuleCursor> {
    const row = this.#db.prepare('SELECT watermark, version FROM alert_cursors WHERE rule = ?').get(ruleId) as
      | { watermark: number | null; version: number }
      | undefined;
    return row ?? { watermark: null, version: 0 };
  }

  async getCursors(ruleIds: string[]) {
    const out = new Map<string, RuleCursor>();
    for (const id of ruleIds) out.set(id, await this.getCursor(id));
    return out;
  }

  async getGroupStates(ruleId: string) {
    return (this.#db.prepare('SELECT * FROM alert_groups WHERE rule = ? ORDER BY grp').all(ruleId) as GroupRow[]).map(toGroup);
  }

  async getGroupStatesOf(ruleIds: string[]) {
    const out = new Map<string, GroupState[]>();
    for (const id of ruleIds) out.set(id, await this.getGroupStates(id));
    return out;
  }

  #commit(c: EvaluationCommit, now: number): boolean {
    const moved = this.#db
      .prepare(
        `UPDATE alert_cursors SET watermark = ?, version = version + 1
         WHERE rule = ? AND version = ? AND lease_owner = ? AND lease_until > ?`,
      )
      .run(c.watermark, c.ruleId, c.expectedVersion, c.owner, now);
    if (moved.changes === 0) return false;
    const upsert = this.#db.prepare(
      `INSERT INTO alert_groups (rule, grp, status, last_notified, suppressed, since, value) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (rule, grp) DO UPDATE SET status = excluded.status, last_notified = excluded.last_notified,
         suppressed = excluded.suppressed, since = excluded.since, value = excluded.value`,
    );
    const drop = this.#db.prepare('DELETE FROM alert_groups WHERE rule = ? AND grp = ?');
    for (const s of c.states) {
      // An ok group with nothing pending and no throttle to remember carries no information.
      if (s.status === 'ok' && s.suppressed === 0 && s.lastNotifiedAt === null) drop.run(c.ruleId, s.group);
      else upsert.run(c.ruleId, s.group, s.status, s.lastNotifiedAt, s.suppressed, s.since, s.value);
    }
    this.#insertOutbox(c.outbox);
    this.#insertHistory(c.history);
    return true;
  }

  async commitEvaluation(c: EvaluationCommit, now: number) {
    return this.#db.transaction(() => this.#commit(c, now)).immediate();
  }

  async commitEvaluations(commits: EvaluationCommit[], now: number) {
    return this.#db.transaction(() => commits.map((c) => this.#commit(c, now))).immediate();
  }

  #insertOutbox(entries: OutboxEntry[]) {
    const stmt = this.#db.prepare(
      `INSERT INTO alert_outbox (id, team, rule, channel, payload, attempts, next_attempt, status, last_error, created)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const o of entries) {
      stmt.run(o.id, o.team, o.ruleId, o.channelId, JSON.stringify(o.payload), o.attempts, o.nextAttemptAt, o.status, o.lastError, o.createdAt);
    }
  }

  #insertHistory(entries: HistoryEntry[]) {
    const stmt = this.#db.prepare('INSERT INTO alert_history (id, team, rule, at, kind, grp, message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const h of entries) {
      stmt.run(h.id, h.team, h.ruleId, h.at, h.kind, h.group, h.message, h.detail ? JSON.stringify(h.detail) : null);
    }
  }

  async claimDeliveries(owner: string, now: number, ttlMs: number, limit: number) {
    const tx = this.#db.transaction(() => {
      const rows = this.#db
        .prepare(
          `SELECT * FROM alert_outbox WHERE status = 'pending' AND next_attempt <= ? AND (claim_until IS NULL OR claim_until <= ?)
           ORDER BY next_attempt, id LIMIT ?`,
        )
        .all(now, now, limit) as OutboxRow[];
      const claim = this.#db.prepare('UPDATE alert_outbox SET claim_owner = ?, claim_until = ? WHERE id = ?');
      for (const r of rows) claim.run(owner, now + ttlMs, r.id);
      return rows.map(toOutbox);
    });
    return tx.immediate();
  }

  async finishDelivery(
    id: string,
    owner: string,
    result: { status: OutboxStatus; attempts: number; nextAttemptAt: number; lastError: string | null },
    history: HistoryEntry,
  ) {
    const tx = this.#db.transaction(() => {
      const r = this.#db
        .prepare(
          `UPDATE alert_outbox SET status = ?, attempts = ?, next_attempt = ?, last_error = ?, claim_owner = NULL, claim_until = NULL
           WHERE id = ? AND claim_owner = ?`,
        )
        .run(result.status, result.attempts, result.nextAttemptAt, result.lastError, id, owner);
      if (r.changes === 0) return false;
      this.#insertHistory([history]);
      return true;
    });
    return tx.immediate();
  }

  async listOutbox(ruleId: string) {
    return (this.#db.prepare('SELECT * FROM alert_outbox WHERE rule = ? ORDER BY created, id').all(ruleId) as OutboxRow[]).map(toOutbox);
  }

  async appendHistory(entries: HistoryEntry[]) {
    this.#db.transaction(() => this.#insertHistory(entries))();
  }

  async listHistory(team: string, ruleId: string, options: { limit?: number; before?: number } = {}) {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const rows = this.#db
      .prepare('SELECT * FROM alert_history WHERE team = ? AND rule = ? AND at < ? ORDER BY at DESC, id DESC LIMIT ?')
      .all(team, ruleId, options.before ?? Number.MAX_SAFE_INTEGER, limit) as HistoryRow[];
    return rows.map(toHistory);
  }

  async close() {
    this.#db.close();
  }
}
