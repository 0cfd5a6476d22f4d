/**
 * Control state in Elasticsearch system indices, so that several auditlog instances on one
 * cluster share teams, keys and quotas (ARCHITECTURE.md §6).
 *
 * Index names are `<prefix>_control-*`: team event indices are `<prefix>-<team>.<period>`, so
 * no team's index pattern can ever reach these. Writes use optimistic concurrency
 * (if_seq_no / if_primary_term) instead of scripts, because the test distribution has no
 * painless.
 */
import type { Client } from '@elastic/elasticsearch';
import { ConflictError } from '../errors.ts';
import { createSystemIndices, getVersioned, isStatus, type Mapping, type Versioned } from '../store/elasticsearch/system-indices.ts';
import type { ControlStore, StoredKey } from './control-store.ts';
import { ApiKey, Team } from './model.ts';

type ControlIndex = 'settings' | 'teams' | 'keys' | 'usage';

const controlIndices = (prefix: string): Record<ControlIndex, string> => ({
  settings: `${prefix}_control-settings`,
  teams: `${prefix}_control-teams`,
  keys: `${prefix}_control-keys`,
  usage: `${prefix}_control-usage`,
});

const MAPPINGS: Record<ControlIndex, Mapping> = {
  settings: { value: { type: 'keyword', index: false } },
  teams: {
    id: { type: 'keyword' },
    name: { type: 'keyword' },
    retentionDays: { type: 'integer' },
    dailyQuotaBytes: { type: 'long' },
    createdAt: { type: 'date' },
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
};


export class ElasticsearchControlStore implements ControlStore {
  readonly #es: Client;
  readonly #indices: Record<ControlIndex, string>;

  private constructor(es: Client, prefix: string) {
    this.#es = es;
    this.#indices = controlIndices(prefix);
  }

  /**
   * Creates the control indices when missing (idempotent; safe when instances race).
   * `prefix` is the event store's index prefix, so one cluster can hold separate installations.
   */
  static async open(es: Client, { replicas = 0, prefix = 'auditlog' }: { replicas?: number; prefix?: string } = {}): Promise<ElasticsearchControlStore> {
    const store = new ElasticsearchControlStore(es, prefix);
    const names = Object.keys(MAPPINGS) as ControlIndex[];
    await createSystemIndices(es, names.map((name) => ({ index: store.#indices[name], mapping: MAPPINGS[name] })), replicas);
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
    try {
      await this.#es.index({ index: this.#indices.settings, id: name, document: { value }, op_type: 'create', refresh: true });
      return value;
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      return (await this.getSetting(name))!;
    }
  }

  async insertTeam(team: Team) {
    try {
      await this.#es.index({ index: this.#indices.teams, id: team.id, document: team, op_type: 'create', refresh: true });
    } catch (err) {
      if (isStatus(err, 409)) throw new ConflictError(`team ${JSON.stringify(team.id)} already exists`, { field: 'id' });
      throw err;
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

  async updateTeam(id: string, patch: Partial<Pick<Team, 'name' | 'retentionDays' | 'dailyQuotaBytes'>>) {
    for (;;) {
      const found = await this.#get<Team>(this.#indices.teams, id);
      if (!found) return null;
      const next = Team.parse({ ...found.doc, ...patch });
      try {
        await this.#es.index({
          index: this.#indices.teams,
          id,
          document: next,
          if_seq_no: found.seqNo,
          if_primary_term: found.primaryTerm,
          refresh: true,
        });
        return next;
      } catch (err) {
        if (!isStatus(err, 409)) throw err; // a concurrent update won: read again and re-apply
      }
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
    try {
      await this.#es.index({
        index: this.#indices.keys,
        id,
        document: { ...found.doc, revokedAt: at },
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
        refresh: true,
      });
      return true;
    } catch (err) {
      if (isStatus(err, 409)) return false;
      throw err;
    }
  }

  async addUsage(team: string, day: string, bytes: number) {
    const id = `${team}:${day}`;
    for (;;) {
      const found = await this.#get<{ bytes: number }>(this.#indices.usage, id);
      const total = (found?.doc.bytes ?? 0) + bytes;
      try {
        await this.#es.index({
          index: this.#indices.usage,
          id,
          document: { team, day, bytes: total },
          ...(found ? { if_seq_no: found.seqNo, if_primary_term: found.primaryTerm } : { op_type: 'create' as const }),
        });
        return total;
      } catch (err) {
        if (!isStatus(err, 409)) throw err; // another instance added usage at the same moment
      }
    }
  }

  async getUsage(team: string, day: string) {
    return (await this.#get<{ bytes: number }>(this.#indices.usage, `${team}:${day}`))?.doc.bytes ?? 0;
  }

  async close() {
    // The client belongs to the caller (it is shared with the event store).
  }
}
