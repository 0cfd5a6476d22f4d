/**
 * `authRoute`: the one way to declare an authenticated API route. It adds what every such route
 * shares, so that no route can forget it and the OpenAPI document cannot disagree with the code:
 *
 * - the security requirement (a bearer key; the web page's session cookie stands in for one),
 * - the access check, run before any input is read or validated: a key of the wrong kind gets
 *   403 whatever it sent,
 * - the caller's team, as `c.get('team')`, for every route that a team key calls,
 * - every error response the route can give, from the error codes it names plus the ones every
 *   authenticated route shares (401, 403, 429 with Retry-After, 503 with Retry-After, 500),
 *   each status described by its codes and mapped by the one `statusOf` of src/http/errors.ts,
 * - `x-auditlog-role` in the document, which the security suite reads to test every route.
 *
 * Adopting it for a new route (e.g. one of a new src/http/routes/<thing>.ts):
 *
 *   const listThings = authRoute({
 *     method: 'get', path: '/api/v1/things', role: 'admin', operationId: 'listThings',
 *     summary: "List your team's things (admin key)",
 *     errors: ['NOT_FOUND'],            // what the route can answer besides the shared errors
 *                                       // (BAD_REQUEST is added for any route with a request)
 *     responses: { 200: json(ThingList, 'Things') },
 *   });
 *   app.openapi(listThings, async (c) => c.json({ things: await things.list(c.get('team')) }, 200));
 *
 * `role` is 'ingest' | 'read' | 'admin' (that role or a stronger one), 'team' (any team key) or
 * 'operator'; the operationId is unique and is the name generated clients give the call. A
 * collection kept by id (list/get/create/replace/delete) is one call: src/http/collection-routes.ts.
 * Then add a sample request for the route in test/http/security.test.ts (the suite reads the
 * routes from the OpenAPI document and fails until each has one) and run `npm run openapi`
 * (Redocly's lint of the document).
 */
import { createRoute, type RouteConfig, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { AppError, type ErrorCode } from '../errors.ts';
import type { TeamId } from '../events/event.ts';
import { type Principal, type Role, roleAllows } from '../teams/model.ts';
import type { AppEnv } from './context.ts';
import { ErrorBody, statusOf } from './errors.ts';

/** Who may call a route: a team key of at least that role, any team key, or the operator key. */
export type Access = Role | 'team' | 'operator';

/** What a route can answer besides what every authenticated route can (added by the factory). */
export type RouteErrorCode = Exclude<ErrorCode, (typeof SHARED_ERRORS)[number]>;

/** Every authenticated route can answer these, whatever it does. */
export const SHARED_ERRORS = ['UNAUTHORIZED', 'FORBIDDEN', 'RATE_LIMITED', 'STORE_UNAVAILABLE', 'INTERNAL'] as const;

/** The reads that go to the store with a query: syntax, limits, time budget and a client that leaves. */
// QUERY_CANCELLED is left out: its 499 reaches no client, only the server log.
export const QUERY_ERRORS = ['QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT', 'QUERY_TIMEOUT'] as const satisfies readonly RouteErrorCode[];

const WHAT: Record<ErrorCode, string> = {
  BAD_REQUEST: 'a parameter, header or field is invalid; `details` names it',
  QUERY_SYNTAX: 'the query string does not parse; `details` gives the position',
  UNSUPPORTED_QUERY: 'the query asks something of a field that its type cannot answer',
  QUERY_LIMIT: 'the query is over a complexity limit (regex states, clauses, pattern length); `details.limit` names it',
  UNAUTHORIZED: 'no key, a malformed Authorization header, or a key that is unknown or revoked',
  FORBIDDEN: "the key's role or kind does not allow this call, or (web page) the CSRF token is missing",
  NOT_FOUND: 'nothing of that id in your team',
  CONFLICT: 'it exists already',
  PAYLOAD_TOO_LARGE: 'the body or the batch is over its limit',
  UNSUPPORTED_MEDIA_TYPE: 'a content type, charset or content encoding this call does not take',
  QUOTA_EXCEEDED: "a quota is reached (the team's daily ingest bytes, the server's live tails)",
  IDEMPOTENCY_KEY_REUSED: 'the Idempotency-Key was used in the last 24 hours with another body; nothing stored',
  RATE_LIMITED: 'too many failed authentications from this address; retry after Retry-After seconds',
  STORE_UNAVAILABLE: 'the store cannot be reached; retry after Retry-After seconds',
  QUERY_TIMEOUT: 'the read did not finish within its time budget (AUDITLOG_QUERY_TIMEOUT_MS)',
  QUERY_CANCELLED: 'the client went away before the read finished (only the server log sees it)',
  INTERNAL: 'an unexpected error; the request id identifies it in the server log',
};

const RetryAfter = z.object({
  'Retry-After': z.string().regex(/^\d+$/).openapi({ description: 'Seconds to wait before trying again' }),
});

type ErrorResponse = {
  description: string;
  content: { 'application/json': { schema: typeof ErrorBody } };
  headers?: typeof RetryAfter;
};

/** The error responses of a route answering `codes`: one per status, described by its codes. */
export function errorResponses(codes: readonly ErrorCode[]): Record<number, ErrorResponse> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<number, ErrorResponse> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[status] = {
      description: list.map((code) => `${code}: ${WHAT[code]}`).join('. '),
      content: { 'application/json': { schema: ErrorBody } },
      ...(status === 429 || status === 503 ? { headers: RetryAfter } : {}),
    };
  }
  return out;
}

type TeamEnv = { Variables: { team: TeamId } };

/** The fields `authRoute` takes: a route as `createRoute` takes it, less what the factory adds. */
export type AuthRouteSpec = Omit<RouteConfig, 'security' | 'middleware' | 'operationId'> & {
  role: Access;
  /** Unique in the API; generated clients name the call after it. */
  operationId: string;
  errors?: readonly RouteErrorCode[];
  /** Route middleware that runs after the access check (e.g. a body limit). */
  middleware?: MiddlewareHandler<AppEnv>[];
};

// One middleware, not a list: @hono/zod-openapi reads the handler's env from a tuple only.
type Built<R extends AuthRouteSpec> = Omit<R, 'role' | 'errors' | 'middleware'> & {
  security: Array<Record<string, string[]>>;
  middleware: [R['role'] extends 'operator' ? MiddlewareHandler<AppEnv> : MiddlewareHandler<AppEnv & TeamEnv>];
};

/** A team route's team, or 403; the operator key reads no team data. */
export function teamOf(principal: Principal, need: Role | 'team'): TeamId {
  if (principal.kind === 'operator') {
    throw new AppError('FORBIDDEN', 'the operator key manages teams; use a team API key to reach events');
  }
  if (need !== 'team' && !roleAllows(principal.key.role, need)) {
    throw new AppError('FORBIDDEN', `this key has role "${principal.key.role}"; this call needs "${need}"`);
  }
  return principal.key.team;
}

function accessCheck(role: Access): MiddlewareHandler<AppEnv & TeamEnv> {
  if (role === 'operator') {
    return async (c, next) => {
      if (c.get('principal').kind !== 'operator') throw new AppError('FORBIDDEN', 'this call needs the operator key');
      await next();
    };
  }
  return async (c, next) => {
    c.set('team', teamOf(c.get('principal'), role));
    await next();
  };
}

/** An authenticated route; see the module comment. */
export function authRoute<const R extends AuthRouteSpec>(spec: R): Built<R> {
  const { role, errors = [], middleware = [], ...route } = spec;
  const hasInput = route.request !== undefined && Object.values(route.request).some((v) => v !== undefined);
  const codes: ErrorCode[] = [...SHARED_ERRORS, ...(hasInput ? (['BAD_REQUEST'] as const) : []), ...errors];
  return createRoute({
    ...route,
    security: [{ Bearer: [] }],
    'x-auditlog-role': role,
    middleware: [every(accessCheck(role), ...middleware)],
    responses: { ...errorResponses(codes), ...route.responses },
  } as RouteConfig) as unknown as Built<R>;
}

/** A JSON response of `schema`, for a route's `responses`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
