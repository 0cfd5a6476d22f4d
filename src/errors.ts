/**
 * Typed errors of the application. Services and stores throw these; the HTTP layer maps
 * each code to a status once (src/http/errors.ts). Nothing else decides a status.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'QUERY_SYNTAX',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'QUOTA_EXCEEDED',
  /** An Idempotency-Key sent again with other content (as Stripe answers it). */
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'UNSUPPORTED_QUERY',
  'STORE_UNAVAILABLE',
  'QUERY_LIMIT',
  'QUERY_TIMEOUT',
  'QUERY_CANCELLED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable detail for the client (field, position, limit…). */
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Input failed validation; `field` names the offending path. */
export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('BAD_REQUEST', message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${JSON.stringify(id)} not found`, { entity, id });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

export class LimitExceededError extends AppError {
  constructor(what: string, limit: number, code: ErrorCode = 'PAYLOAD_TOO_LARGE') {
    super(code, `${what} exceeds the limit of ${limit}`, { limit });
  }
}

/** A store cannot answer this query (rather than answering it wrongly). */
export class UnsupportedQueryError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('UNSUPPORTED_QUERY', message, details);
  }
}

export class StoreUnavailableError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 5, options?: ErrorOptions) {
    super('STORE_UNAVAILABLE', message, { retryAfterSeconds }, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Too many failed attempts from one client: refused until `retryAfterSeconds` have passed. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('RATE_LIMITED', message, { retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A query is over one of the complexity limits both stores share with Elasticsearch
 * (`max_determinized_states`, `indices.query.bool.max_clause_count`, `index.max_regex_length`);
 * `limit` names it, `max` is its value.
 */
export class QueryLimitError extends AppError {
  constructor(limit: string, max: number, message: string, details?: Record<string, unknown>) {
    super('QUERY_LIMIT', message, { ...details, limit, max });
  }
}

/** A read did not finish within its time budget (AUDITLOG_QUERY_TIMEOUT_MS) and was cancelled. */
export class QueryTimeoutError extends AppError {
  readonly budgetMs: number;
  constructor(budgetMs: number, what = 'the query') {
    super(
      'QUERY_TIMEOUT',
      `${what} did not finish within its time budget of ${budgetMs} ms (AUDITLOG_QUERY_TIMEOUT_MS) and was cancelled; narrow the time range or simplify the query`,
      { budgetMs, limit: 'AUDITLOG_QUERY_TIMEOUT_MS' },
    );
    this.budgetMs = budgetMs;
  }
}

/** The caller of a read went away (the HTTP client disconnected), so the read was stopped. */
export class QueryCancelledError extends AppError {
  constructor(what = 'the query') {
    super('QUERY_CANCELLED', `${what} was cancelled: the client went away`);
  }
}
