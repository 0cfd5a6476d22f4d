/**
 * The time budget of one read on Elasticsearch (AUDITLOG_QUERY_TIMEOUT_MS): every request the
 * read makes carries what is left of it, both as the search `timeout` (Elasticsearch stops
 * collecting and says `timed_out`) and as an AbortSignal that closes the request at the
 * deadline, which makes Elasticsearch cancel the search task. A caller's signal (the HTTP
 * client went away) aborts the same way. Partial results are never returned as complete.
 */
import { errors, type TransportRequestOptions } from '@elastic/elasticsearch';
import { type AppError, QueryCancelledError, QueryTimeoutError } from '../../errors.ts';

/** The search `timeout` leaves this share of the budget for the answer to come back. */
const SEARCH_TIMEOUT_SHARE = 0.9;

export class ReadBudget {
  readonly #budgetMs: number;
  readonly #deadline: number;
  readonly #timeout: AbortController;
  readonly #timer: NodeJS.Timeout;
  readonly #caller: AbortSignal | undefined;
  readonly signal: AbortSignal;

  constructor(budgetMs: number, caller?: AbortSignal) {
    this.#budgetMs = budgetMs;
    this.#deadline = performance.now() + budgetMs;
    this.#timeout = new AbortController();
    this.#timer = setTimeout(() => this.#timeout.abort(new QueryTimeoutError(budgetMs)), budgetMs);
    this.#caller = caller;
    this.signal = caller ? AbortSignal.any([caller, this.#timeout.signal]) : this.#timeout.signal;
  }

  /** Milliseconds left, at least 1. */
  remaining(): number {
    return Math.max(1, Math.floor(this.#deadline - performance.now()));
  }

  /** The `timeout` of a search body. */
  searchTimeout(): string {
    return `${Math.max(1, Math.floor(this.remaining() * SEARCH_TIMEOUT_SHARE))}ms`;
  }

  /** Transport options for one request of the read. */
  options(): TransportRequestOptions {
    if (this.#caller?.aborted) throw new QueryCancelledError();
    if (this.#timeout.signal.aborted) throw new QueryTimeoutError(this.#budgetMs);
    return { signal: this.signal, requestTimeout: this.remaining() };
  }

  /** Throws when Elasticsearch answered with what it found before its timeout. */
  complete<T extends { timed_out?: boolean }>(response: T): T {
    if (response.timed_out) throw new QueryTimeoutError(this.#budgetMs);
    return response;
  }

  /** The error of a request that failed because of the budget or the caller; null otherwise. */
  errorOf(err: unknown): AppError | null {
    if (this.#caller?.aborted) return new QueryCancelledError();
    if (this.#timeout.signal.aborted || err instanceof errors.TimeoutError) return new QueryTimeoutError(this.#budgetMs);
    return err instanceof errors.RequestAbortedError ? new QueryCancelledError() : null;
  }

  done(): void {
    clearTimeout(this.#timer);
  }
}
