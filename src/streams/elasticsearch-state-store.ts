/**
 * Streams in a system index (`auditlog_control-streams`), shared by every instance on the
 * cluster; writes are optimistic-concurrency indexes (if_seq_no / if_primary_term).
 */
import type { Client } from '@elastic/elasticsearch';
import { createSystemIndices, getVersioned, isStatus, writeIfUnchanged } from '../store/elasticsearch/system-indices.ts';
import { StreamRecord } from './model.ts';
import type { StreamStateStore, VersionedStream } from './state-store.ts';

/** More streams than this in one list is beyond what the service allows (per team limit × teams read at once). */
const MAX_LIST = 10_000;

interface Doc {
  id: string;
  team: string;
  created: number;
  body: StreamRecord;
}

const version = (seqNo: number, primaryTerm: number) => `${seqNo}:${primaryTerm}`;

export class ElasticsearchStreamStateStore implements StreamStateStore {
  readonly #es: Client;
  readonly #index: string;

  private constructor(es: Client, index: string) {
    this.#es = es;
    this.#index = index;
  }

  static async open(es: Client, { prefix, replicas }: { prefix: string; replicas: number }): Promise<ElasticsearchStreamStateStore> {
    const index = `${prefix}_control-streams`;
    await createSystemIndices(
      es,
      [{ index, mapping: { id: { type: 'keyword' }, team: { type: 'keyword' }, created: { type: 'long' }, body: { type: 'object', enabled: false } } }],
      replicas,
    );
    return new ElasticsearchStreamStateStore(es, index);
  }

  async list(team?: string): Promise<VersionedStream[]> {
    const r = await this.#es.search<Doc>({
      index: this.#index,
      size: MAX_LIST,
      seq_no_primary_term: true,
      query: team === undefined ? { match_all: {} } : { term: { team } },
      sort: [{ created: 'asc' }, { id: 'asc' }],
    });
    return r.hits.hits.map((h) => ({ record: StreamRecord.parse(h._source!.body), version: version(h._seq_no!, h._primary_term!) }));
  }

  async get(id: string): Promise<VersionedStream | null> {
    const v = await getVersioned<Doc>(this.#es, this.#index, id);
    return v ? { record: StreamRecord.parse(v.doc.body), version: version(v.seqNo, v.primaryTerm) } : null;
  }

  async create(record: StreamRecord): Promise<void> {
    const written = await writeIfUnchanged(this.#es, this.#index, record.id, this.#doc(record), null);
    if (!written) throw new Error(`stream ${record.id} exists already`);
  }

  async replace(record: StreamRecord, expected: string): Promise<string | null> {
    const [seqNo, primaryTerm] = expected.split(':').map(Number) as [number, number];
    // No refresh: reads by id (get) see the write at once; only lists lag by up to a refresh interval.
    const written = await writeIfUnchanged(this.#es, this.#index, record.id, this.#doc(record), { seqNo, primaryTerm }, { refresh: false });
    return written ? version(written.seqNo, written.primaryTerm) : null;
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.#es.delete({ index: this.#index, id, refresh: true });
      return true;
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  async close(): Promise<void> {}

  #doc(record: StreamRecord): Doc {
    return { id: record.id, team: record.team, created: record.createdAt, body: record };
  }
}
