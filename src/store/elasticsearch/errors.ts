/**
 * Elasticsearch client errors → our typed errors. An unreachable, overloaded or failing
 * cluster is StoreUnavailableError (the HTTP layer answers 503 with Retry-After); a request
 * the cluster refuses as bad (400) names Elasticsearch's own reason.
 */
import { errors } from '@elastic/elasticsearch';
import { AppError, ConflictError, StoreUnavailableError, ValidationError } from '../../errors.ts';
import { limitErrorOf } from './query-limits.ts';

/** The innermost reason Elasticsearch gives, for messages a person can act on. */
export function esReason(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return error;
  const e = error as { type?: string; reason?: string; root_cause?: Array<{ type?: string; reason?: string }>; caused_by?: unknown } | undefined;
  const root = e?.root_cause?.[0] ?? e;
  let cause = e?.caused_by as { type?: string; reason?: string; caused_by?: unknown } | undefined;
  while (cause?.caused_by) cause = cause.caused_by as typeof cause;
  const parts = [root?.type, root?.reason].filter(Boolean).join(': ');
  return cause?.reason && cause.reason !== root?.reason ? `${parts} (${cause.reason})` : parts || 'unknown error';
}

export function isRetryableStatus(status: number | undefined): boolean {
  return status === 429 || (status !== undefined && status >= 500);
}

export function isUnavailable(err: unknown): boolean {
  if (err instanceof errors.ResponseError) return isRetryableStatus(err.statusCode) || err.statusCode === 401 || err.statusCode === 403;
  return (
    err instanceof errors.ConnectionError ||
    err instanceof errors.TimeoutError ||
    err instanceof errors.NoLivingConnectionsError ||
    err instanceof errors.ProductNotSupportedError
  );
}

/**
 * Maps a failure of `what` (e.g. "search") to an AppError; AppErrors pass through. `refused`
 * says whose fault a request the cluster refuses (4xx) is: the caller's for event reads and
 * writes (a query the cluster cannot run is a 400), ours for auditlog's own state (a 500).
 */
export function toAppError(err: unknown, what: string, { refused = 'validation' }: { refused?: 'validation' | 'internal' } = {}): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof errors.ResponseError) {
    const reason = esReason(err.body);
    if (err.statusCode === 401 || err.statusCode === 403) {
      return new StoreUnavailableError(`Elasticsearch refused the credentials for ${what}: ${reason}`, 30, { cause: err });
    }
    if (isRetryableStatus(err.statusCode)) {
      return new StoreUnavailableError(`Elasticsearch could not serve ${what} (${err.statusCode}): ${reason}`, 5, { cause: err });
    }
    if (err.statusCode === 409) return new ConflictError(`${what}: ${reason}`);
    if (refused === 'internal') return new AppError('INTERNAL', `Elasticsearch refused ${what}: ${reason}`, undefined, { cause: err });
    return limitErrorOf(reason) ?? new ValidationError(`Elasticsearch rejected the ${what}: ${reason}`);
  }
  if (isUnavailable(err)) {
    // The transport's message names the cluster's address: it stays in the cause (logged), not in the answer.
    return new StoreUnavailableError(`Elasticsearch is unreachable (${what}); retry later`, 5, { cause: err });
  }
  return new AppError('INTERNAL', `unexpected failure in Elasticsearch ${what}`, undefined, { cause: err });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Full-jitter exponential backoff: attempt 0 → up to base, doubling, capped. */
export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}
