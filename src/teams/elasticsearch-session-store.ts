/**
 * Sessions in a system index (`<prefix>_control-sessions`), read by id (real time, no refresh
 * needed), so every instance on the cluster sees a sign-in or sign-out at once.
 */
import type { Client } from '@elastic/elasticsearch';
import { createSystemIndices, deleteMatching, getVersioned, type Mapping, writeIfUnchanged } from '../store/elasticsearch/system-indices.ts';
import { Session, type SessionStore } from './session-store.ts';

const MAPPING: Mapping = {
  id: { type: 'keyword' },
  team: { type: 'keyword' },
  keyId: { type: 'keyword' },
  role: { type: 'keyword' },
  csrfToken: { type: 'keyword', index: false },
  createdAt: { type: 'date', format: 'epoch_millis' },
  expiresAt: { type: 'date', format: 'epoch_millis' },
  revokedAt: { type: 'date', format: 'epoch_millis' },
};

export class ElasticsearchSessionStore implements SessionStore {
  readonly #es: Client;
  readonly #index: string;

  constructor(es: Client, prefix: string) {
    this.#es = es;
    this.#index = `${prefix}_control-sessions`;
  }

  /** Creates the index when missing (idempotent). */
  async createIndex(replicas: number): Promise<void> {
    await createSystemIndices(this.#es, [{ index: this.#index, mapping: MAPPING }], replicas);
  }

  async insert(s: Session) {
    // A read by id sees the write without a refresh.
    if (!(await writeIfUnchanged(this.#es, this.#index, s.id, s, null, { refresh: false }))) {
      throw new Error('session id collision');
    }
  }

  async get(id: string) {
    const found = await getVersioned<Session>(this.#es, this.#index, id);
    return found ? Session.parse(found.doc) : null;
  }

  async revoke(id: string, at: number) {
    const found = await getVersioned<Session>(this.#es, this.#index, id);
    if (!found || found.doc.revokedAt !== null) return false;
    return (await writeIfUnchanged(this.#es, this.#index, id, { ...found.doc, revokedAt: at }, found, { refresh: false })) !== null;
  }

  async deleteExpired(before: number) {
    const { count } = await this.#es.count({ index: this.#index, query: { range: { expiresAt: { lt: before } } } });
    if (count > 0) await deleteMatching(this.#es, [this.#index], { range: { expiresAt: { lt: before } } });
    return count;
  }
}
