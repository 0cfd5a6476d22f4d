/**
 * Control state in Elasticsearch system indices, so that several auditlog instances on one
 * cluster share teams, keys and quotas (docs/architecture.md, "State").
 *
 * Index names are `<prefix>_control-*`: team event indices are `<prefix>-<team>.<period>`, so
 * no team's index pattern can ever reach these. Writes use optimistic concurrency
 * (if_seq_no / if_primary_term) instead of scripts, because the test distribution has no
 * painless.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { ConflictError } from '../errors.ts';
import {
  createSystemIndices,
  deleteMatching,
  getVersioned,
  type Mapping,
  type Versioned,
  writeIfUnchanged,
} from '../store/elasticsearch/system-indices.ts';
import type { ControlStore, StoredKey } from './control-store.ts';
import { ElasticsearchSessionStore } from './elasticsearch-session-store.ts';
import { ApiKey, Team, type TeamPatch } from './model.ts';

type ControlIndex = 'settings' | 'teams' | 'keys' | 'usage' | 'idempotency';

const controlIndices = (prefix: string): Record<ControlIndex, string> => ({
  settings: `${prefix}_control-settings`,
  teams: `${prefix}_control-teams`,
  keys: `${prefix}_control-keys`,
  usage: `${prefix}_control-usage`,
  idempotency: `${prefix}_control-idempotency`,
});

const MAPPINGS: Record<ControlIndex, Mapping> = {
  settings: { value: { type: 'keyword', index: false } },
  teams: {
    id: { type: 'keyword' },
    name: { type: 'keyword' },
    retentionDays: { type: 'integer' },
    dailyQuotaBytes: { type: 'long' },
    createdAt: { type: 'date' },
    minRetentionDays: { type: 'integer' },
    maxRetentionDays: { type: 'integer' },
    legalHold: { type: 'boolean' },
  },
  keys: {
    id: { type: 'keyword' },
    team: { type: 'keyword' },
    role: { type: 'keyword' },
    name: { type: 'keyword' },
    hash: { type: 'keyword', index: false },
    createdAt: { type: 'date' },
    revokedAt: { type: 'date' },
  },
  usage: { team: { type: 'keyword' }, day: { type: 'keyword' }, bytes: { type: 'long' } },
  idempotency: {
    team: { type: 'keyword' },
    key: { type: 'keyword', index: false },
    fingerprint: { type: 'keyword', index: false },
    createdAt: { type: 'date' },
  },
};

interface IdempotencyBinding {
  team: string;
  key: string;
  fingerprint: string;
  createdAt: number;
}

/** How often expired Idempotency-Key bindings are deleted (in passing, by a claim). */
const PRUNE_EVERY_MS = 3_600_000;


export class ElasticsearchControlStore implements ControlStore {
  readonly #es: Client;
  readonly #indices: Record<ControlIndex, string>;
  readonly sessions: ElasticsearchSessionStore;
  #prunedAt = 0;

  private constructor(es: Client, prefix: string) {
    this.#es = es;
    this.#indices = controlIndices(prefix);
    this.sessions = new ElasticsearchSessionStore(es, prefix);
  }

  /**
   * Creates the control indices when missing (idempotent; safe when instances race).
   * `prefix` is the event store's index prefix, so one cluster can hold separate installations.
   */
  static async open(es: Client, { replicas = 0, prefix = 'auditlog' }: { replicas?: number; prefix?: string } = {}): Promise<ElasticsearchControlStore> {
    const store = new ElasticsearchControlStore(es, prefix);
    const names = Object.keys(MAPPINGS) as ControlIndex[];
    await createSystemIndices(es, names.map((name) => ({ index: store.#indices[name], mapping: MAPPINGS[name] })), replicas);
    await store.sessions.createIndex(replicas);
    return store;
  }

  #get<T>(index: string, id: string): Promise<Versioned<T> | null> {
    return getVersioned<T>(this.#es, index, id);
  }

  async getSetting(name: string) {
    return (await this.#get<{ value: string }>(this.#indices.settings, name))?.doc.value ?? null;
  }

  async setSetting(name: string, value: string) {
    await this.#es.index({ index: this.#indices.settings, id: name, document: { value }, refresh: true });
  }

  async initSetting(name: string, value: string) {
    if (await writeIfUnchanged(this.#es, this.#indices.settings, name, { value }, null)) return value;
    return (await this.getSetting(name))!;
  }

  async insertTeam(team: Team) {
    if (!(await writeIfUnchanged(this.#es, this.#indices.teams, team.id, team, null))) {
      throw new ConflictError(`team ${JSON.stringify(team.id)} already exists`, { field: 'id' });
    }
  }

  async getTeam(id: string) {
    const found = await this.#get<Team>(this.#indices.teams, id);
    return found ? Team.parse(found.doc) : null;
  }

  async listTeams() {
    const r = await this.#es.search<Team>({ index: this.#indices.teams, size: 10_000, sort: [{ id: 'asc' }], query: { match_all: {} } });
    return r.hits.hits.map((h) => Team.parse(h._source));
  }

  async updateTeam(id: string, patch: TeamPatch) {
    return (await this.changeTeam(id, (current) => ({ ...current, ...patch })))?.after ?? null;
  }

  async changeTeam(id: string, change: (current: Team) => Team) {
    for (;;) {
      const found = await this.#get<Team>(this.#indices.teams, id);
      if (!found) return null;
      const before = Team.parse(found.doc);
      const after = Team.parse(change(before));
      // Null: a concurrent update won; read again and apply the change to what it wrote.
      if (await writeIfUnchanged(this.#es, this.#indices.teams, id, after, found)) return { before, after };
    }
  }

  async insertKey(key: StoredKey) {
    await this.#es.index({ index: this.#indices.keys, id: key.id, document: key, op_type: 'create', refresh: true });
  }

  async getKey(id: string) {
    const found = await this.#get<StoredKey>(this.#indices.keys, id);
    return found ? { ...ApiKey.parse(found.doc), hash: found.doc.hash } : null;
  }

  async listKeys(team: string) {
    const r = await this.#es.search<StoredKey>({
      index: this.#indices.keys,
      size: 10_000,
      query: { term: { team } },
      sort: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return r.hits.hits.map((h) => ApiKey.parse(h._source));
  }

  async revokeKey(team: string, id: string, at: string) {
    const found = await this.#get<StoredKey>(this.#indices.keys, id);
    if (!found || found.doc.team !== team || found.doc.revokedAt !== null) return false;
    return (await writeIfUnchanged(this.#es, this.#indices.keys, id, { ...found.doc, revokedAt: at }, found)) !== null;
  }

  async addUsage(team: string, day: string, bytes: number) {
    const id = `${team}:${day}`;
    for (;;) {
      const found = await this.#get<{ bytes: number }>(this.#indices.usage, id);
      const total = (found?.doc.bytes ?? 0) + bytes;
      // On the ingest path: no refresh (usage is read by id, which is real-time). Null: another
      // instance added usage at the same moment; read again.
      if (await writeIfUnchanged(this.#es, this.#indices.usage, id, { team, day, bytes: total }, found, { refresh: false })) return total;
    }
  }

  async getUsage(team: string, day: string) {
    return (await this.#get<{ bytes: number }>(this.#indices.usage, `${team}:${day}`))?.doc.bytes ?? 0;
  }

  async claimIdempotencyKey(team: string, key: string, fingerprint: string, now: number, since: number) {
    // The key hashed: any text up to the header's limit makes a short, safe document id.
    const id = `${team}:${createHash('sha256').update(key).digest('base64url')}`;
    const binding: IdempotencyBinding = { team, key, fingerprint, createdAt: now };
    let bound: string | undefined;
    while (bound === undefined) {
      const found = await this.#get<IdempotencyBinding>(this.#indices.idempotency, id);
      if (found && found.doc.createdAt >= since) bound = found.doc.fingerprint;
      // On the ingest path: no refresh (bindings are read by id, which is real-time). Null: a
      // racing claim came first; read again, and its binding holds.
      else if (await writeIfUnchanged(this.#es, this.#indices.idempotency, id, binding, found, { refresh: false })) bound = fingerprint;
    }
    if (now - this.#prunedAt > PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      // In the background: a failed prune only leaves expired bindings for the next one.
      void deleteMatching(this.#es, [this.#indices.idempotency], { range: { createdAt: { lt: since } } }).catch(() => undefined);
    }
    return bound;
  }

  async close() {
    // The client belongs to the caller (it is shared with the event store).
  }
}
