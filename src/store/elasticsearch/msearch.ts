/**
 * Reads that travel together: searches and counts asked for in the same turn of the event
 * loop are sent as one `_msearch` (a count is a search with `size: 0` and an exact total).
 * The alert engine evaluates a team's rules at once, so their look-back facets and counts,
 * and every query of the rules that read the store themselves, cost one round trip per step
 * instead of one each. Each part's failure is its own (a 400 for one query fails that query).
 */
import type { Client, estypes, TransportRequestOptions } from '@elastic/elasticsearch';
import { StoreUnavailableError, ValidationError, type AppError } from '../../errors.ts';
import { esReason, isRetryableStatus } from './errors.ts';

/**
 * What a store read needs of the client: the ElasticsearchStore runs its reads through one of
 * these. A count is a search of no hits (it takes a `timeout`, which `_count` does not).
 * `options` carry the read's budget (read-budget.ts): its AbortSignal and request timeout.
 */
export interface ReadExecutor {
  search<T = unknown>(params: estypes.SearchRequest, options?: TransportRequestOptions): Promise<estypes.SearchResponse<T>>;
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

  /**
   * One part of the next multi-search. Its budget holds through the body's `timeout` (each part
   * stops on its own at the cluster); its signal rejects the part at once, though the shared
   * request goes on for the others.
   */
  search<T = unknown>(params: estypes.SearchRequest, options: TransportRequestOptions = {}): Promise<estypes.SearchResponse<T>> {
    const { index, ignore_unavailable, allow_no_indices, ...body } = params;
    const header: estypes.MsearchMultisearchHeader = {
      ...(index !== undefined ? { index } : {}),
      ...(ignore_unavailable !== undefined ? { ignore_unavailable } : {}),
      ...(allow_no_indices !== undefined ? { allow_no_indices } : {}),
    };
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
        signal?.removeEventListener('abort', onAbort);
        f(...a);
      };
      this.#queue.push({
        header,
        body: body as estypes.SearchSearchRequestBody,
        resolve: settle(resolve as Pending['resolve']),
        reject: settle(reject),
      });
      if (this.#queue.length >= MAX_BATCH) void this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        // Everything asked for in this turn of the event loop goes in the same request.
        setImmediate(() => void this.#flush());
      }
    });
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
