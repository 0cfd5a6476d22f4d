/**
 * Reads that travel together: searches and counts asked for in the same turn of the event
 * loop are sent as one `_msearch` (a count is a search with `size: 0` and an exact total).
 * The alert engine evaluates a team's rules at once, so their look-back facets and counts,
 * and every query of the rules that read the store themselves, cost one round trip per step
 * instead of one each. Each part's failure is its own (a 400 for one query fails that query).
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { StoreUnavailableError, ValidationError, type AppError } from '../../errors.ts';
import { esReason, isRetryableStatus } from './errors.ts';

/** What a store read needs of the client: the ElasticsearchStore runs its reads through one of these. */
export interface ReadExecutor {
  search<T = unknown>(params: estypes.SearchRequest): Promise<estypes.SearchResponse<T>>;
  count(params: estypes.CountRequest): Promise<estypes.CountResponse>;
}

/** Most searches in one `_msearch`; more asked at once go in several. */
const MAX_BATCH = 200;

interface Pending {
  header: estypes.MsearchMultisearchHeader;
  body: estypes.SearchSearchRequestBody;
  resolve: (r: estypes.SearchResponse<unknown>) => void;
  reject: (err: unknown) => void;
}

export class MsearchBatcher implements ReadExecutor {
  readonly #client: Client;
  readonly #toError: (err: unknown) => AppError;
  #queue: Pending[] = [];
  #scheduled = false;

  /** `toError` maps a failure of the whole request (the cluster unreachable…) to the store's errors. */
  constructor(client: Client, toError: (err: unknown) => AppError) {
    this.#client = client;
    this.#toError = toError;
  }

  search<T = unknown>(params: estypes.SearchRequest): Promise<estypes.SearchResponse<T>> {
    const { index, ignore_unavailable, allow_no_indices, ...body } = params;
    const header: estypes.MsearchMultisearchHeader = {
      ...(index !== undefined ? { index } : {}),
      ...(ignore_unavailable !== undefined ? { ignore_unavailable } : {}),
      ...(allow_no_indices !== undefined ? { allow_no_indices } : {}),
    };
    return new Promise((resolve, reject) => {
      this.#queue.push({ header, body: body as estypes.SearchSearchRequestBody, resolve: resolve as Pending['resolve'], reject });
      if (this.#queue.length >= MAX_BATCH) void this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        // Everything asked for in this turn of the event loop goes in the same request.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async count(params: estypes.CountRequest): Promise<estypes.CountResponse> {
    const { index, ignore_unavailable, allow_no_indices, query } = params;
    const r = await this.search({
      ...(index !== undefined ? { index } : {}),
      ...(ignore_unavailable !== undefined ? { ignore_unavailable } : {}),
      ...(allow_no_indices !== undefined ? { allow_no_indices } : {}),
      ...(query !== undefined ? { query } : {}),
      size: 0,
      track_total_hits: true,
    });
    const total = typeof r.hits.total === 'number' ? r.hits.total : (r.hits.total?.value ?? 0);
    return { count: total, _shards: r._shards };
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, MAX_BATCH);
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.#flush());
    }
    if (batch.length === 0) return;
    let responses: estypes.MsearchResponseItem<unknown>[];
    try {
      responses = (await this.#client.msearch({ searches: batch.flatMap((p) => [p.header, p.body]) })).responses;
    } catch (err) {
      const mapped = this.#toError(err);
      for (const p of batch) p.reject(mapped);
      return;
    }
    batch.forEach((p, i) => {
      const r = responses[i];
      if (r === undefined) p.reject(new StoreUnavailableError('Elasticsearch answered a multi-search with fewer responses than searches'));
      else if ('error' in r) p.reject(partError(r));
      else p.resolve(r as estypes.SearchResponse<unknown>);
    });
  }
}

/** One part of a multi-search that failed, as the store's errors map a failed search. */
function partError(r: estypes.ErrorResponseBase): AppError {
  const reason = esReason(r);
  if (isRetryableStatus(r.status)) return new StoreUnavailableError(`Elasticsearch could not serve a search (${r.status}): ${reason}`, 5);
  return new ValidationError(`Elasticsearch rejected the search: ${reason}`);
}
