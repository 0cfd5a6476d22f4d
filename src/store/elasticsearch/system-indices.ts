/**
 * Helpers for auditlog's own state in Elasticsearch (control state, alert state): small
 * indices with strict mappings, read by id with their sequence numbers so that writes can use
 * optimistic concurrency (if_seq_no / if_primary_term) — the test distribution has no
 * painless, so there are no update scripts.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';

export type Mapping = Record<string, estypes.MappingProperty>;

export const isStatus = (err: unknown, status: number): boolean => err instanceof errors.ResponseError && err.statusCode === status;

/**
 * Creates each index with its mapping when missing; idempotent and safe when instances race.
 * An index made by an older version gets the fields added since (mappings are strict, so a
 * document with a new field would otherwise be refused).
 */
export async function createSystemIndices(es: Client, indices: Array<{ index: string; mapping: Mapping }>, replicas: number): Promise<void> {
  for (const { index, mapping } of indices) {
    try {
      await es.indices.create({
        index,
        settings: { number_of_shards: 1, number_of_replicas: replicas },
        mappings: { dynamic: 'strict', properties: mapping },
      });
    } catch (err) {
      if (!(err instanceof errors.ResponseError && err.body?.error?.type === 'resource_already_exists_exception')) throw err;
      await es.indices.putMapping({ index, properties: mapping });
    }
  }
}

export interface Versioned<T> {
  doc: T;
  seqNo: number;
  primaryTerm: number;
}

/** A document with the sequence number and primary term to write it back conditionally; null when absent. */
export async function getVersioned<T>(es: Client, index: string, id: string): Promise<Versioned<T> | null> {
  try {
    const r = await es.get<T>({ index, id });
    return r.found ? { doc: r._source!, seqNo: r._seq_no!, primaryTerm: r._primary_term! } : null;
  } catch (err) {
    if (isStatus(err, 404)) return null;
    throw err;
  }
}

/**
 * Deletes the documents matching `query` in small system indices. `_delete_by_query` lives in
 * a module that not every distribution has (the test node lacks it), so ids are read and
 * deleted in bulk, page by page.
 */
export async function deleteMatching(es: Client, indices: string[], query: estypes.QueryDslQueryContainer): Promise<void> {
  for (;;) {
    const page = await es.search({ index: indices, size: 1000, _source: false, query });
    if (page.hits.hits.length === 0) return;
    await es.bulk({ refresh: true, operations: page.hits.hits.map((h) => ({ delete: { _index: h._index, _id: h._id! } })) });
  }
}

/**
 * Writes `document` only if the stored copy is still the version that was read (`expected`),
 * or, with `expected` null, only if there is none yet. Returns the new version, or null when
 * another writer came first (409): the caller reads again or gives up.
 */
export async function writeIfUnchanged(
  es: Client,
  index: string,
  id: string,
  document: object,
  expected: { seqNo: number; primaryTerm: number } | null,
  /** Visible to searches at once; reads by id see a write without it. */
  { refresh = true }: { refresh?: boolean } = {},
): Promise<{ seqNo: number; primaryTerm: number } | null> {
  try {
    const r = await es.index({
      index,
      id,
      document,
      refresh,
      ...(expected ? { if_seq_no: expected.seqNo, if_primary_term: expected.primaryTerm } : { op_type: 'create' as const }),
    });
    return { seqNo: r._seq_no!, primaryTerm: r._primary_term! };
  } catch (err) {
    if (isStatus(err, 409)) return null;
    throw err;
  }
}
