/**
 * The one place where errors become HTTP responses. Every error body has the same shape and
 * carries the request id; an unexpected error never leaks its message or stack.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { AppError, type ErrorCode, RateLimitedError, StoreUnavailableError } from '../errors.ts';
import type { AppEnv } from './context.ts';

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'BAD_REQUEST':
    case 'QUERY_SYNTAX':
    case 'UNSUPPORTED_QUERY':
    case 'QUERY_LIMIT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'QUOTA_EXCEEDED':
    case 'RATE_LIMITED':
      return 429;
    case 'IDEMPOTENCY_KEY_REUSED':
      return 422;
    case 'STORE_UNAVAILABLE':
    // Not 408: browsers repeat a 408 on their own, and a query over its budget would only time out again.
    case 'QUERY_TIMEOUT':
      return 503;
    case 'QUERY_CANCELLED':
      // nginx's "client closed request": only the log sees it, the client is gone.
      return 499 as ContentfulStatusCode;
    case 'INTERNAL':
      return 500;
  }
}

function body(c: Context<AppEnv>, code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}), requestId: c.get('requestId') ?? 'unknown' } };
}

export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof AppError) {
    if (err instanceof StoreUnavailableError || err instanceof RateLimitedError) c.header('Retry-After', String(err.retryAfterSeconds));
    // The answer says little about the backend; the log keeps the driver's own error for the operator.
    if (err instanceof StoreUnavailableError) c.get('logger')?.warn({ err }, 'backend unavailable');
    // The rest of an oversized body is never read: the connection cannot carry another request.
    if (err.code === 'PAYLOAD_TOO_LARGE') c.header('Connection', 'close');
    return c.json(body(c, err.code, err.message, err.details), statusOf(err.code));
  }
  if (err instanceof HTTPException) {
    // Hono's own exceptions (body limit, malformed JSON in a validator) carry a safe message.
    const status = err.status;
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
    return c.json(body(c, code, err.message || 'bad request'), status as ContentfulStatusCode);
  }
  c.get('logger')?.error({ err }, 'unhandled error');
  return c.json(body(c, 'INTERNAL', 'internal error; the request id identifies it in the server log'), 500);
}

/** zod-openapi validation hook: a 400 naming the first offending field of each issue. */
export function validationHook(
  result: { success: true } | { success: false; error: z.ZodError; target?: string },
  c: Context<AppEnv>,
): Response | undefined {
  if (result.success) return undefined;
  const issues = result.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
  const first = issues[0]!;
  const where = result.target === 'query' ? 'query parameter' : result.target === 'param' ? 'path parameter' : result.target === 'header' ? 'header' : 'field';
  return c.json(
    body(c, 'BAD_REQUEST', `${where} ${first.field || '(root)'}: ${first.message}`, { issues, target: result.target }),
    400,
  );
}
