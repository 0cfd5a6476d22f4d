/**
 * The HTTP side of the metrics: request latency by route pattern, and GET /metrics.
 *
 * /metrics is served when AUDITLOG_METRICS_TOKEN is set (the scraper sends it as a bearer
 * token) or when the operator opens it with AUDITLOG_METRICS=open (for a scraper on a network
 * only it can reach); otherwise it answers 404, so a default install shows nothing about its teams.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { matchedRoutes } from 'hono/route';
import { AppError } from '../errors.ts';
import { type AuthRefusals, countRefusal, refuseWhileLimited } from '../http/auth-refusals.ts';
import { clientAddress } from '../http/client-address.ts';
import type { AppEnv } from '../http/context.ts';
import type { AddressSet } from '../net/cidr.ts';
import type { Metrics } from './registry.ts';

export interface MetricsAccess {
  /** The registry; absent when /metrics is off (neither a token nor `open`). */
  metrics: Metrics | undefined;
  /** Bearer token the scraper must send. */
  token?: string | undefined;
}

/**
 * The route label is the pattern the request matched (`/api/v1/events/:id`), never its path,
 * so the series stay bounded whatever clients send; a request no route matched is `unmatched`.
 */
export function requestTiming(metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const end = metrics.httpDuration.startTimer();
    await next();
    // The handler that answered, or (when a middleware answered first, e.g. a 401) the one the
    // request was going to. Middleware is registered for method ALL, a route for its own method.
    const route = matchedRoutes(c).slice(c.req.routeIndex).find((r) => r.method !== 'ALL')?.path ?? 'unmatched';
    end({ method: normalMethod(c.req.method), route, status: `${Math.floor(c.res.status / 100)}xx` });
  };
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
function normalMethod(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

export interface MetricsGuard {
  /** The API's own: a wrong token is one more guess from its address. */
  refusals: AuthRefusals;
  trustedProxies?: AddressSet | undefined;
}

export function registerMetricsRoute(app: OpenAPIHono<AppEnv>, { metrics, token }: MetricsAccess, guard: MetricsGuard): void {
  const expected = token === undefined ? undefined : digest(token);
  app.get('/metrics', async (c) => {
    if (!metrics) {
      throw new AppError('NOT_FOUND', '/metrics is off: set AUDITLOG_METRICS_TOKEN (or AUDITLOG_METRICS=open) to serve it');
    }
    if (expected !== undefined) {
      const ip = clientAddress(c, guard.trustedProxies);
      refuseWhileLimited(guard.refusals, ip);
      const header = c.req.header('authorization') ?? '';
      const sent = /^Bearer (.+)$/i.exec(header)?.[1];
      // Compared as digests: equal lengths, and no early exit on the first different byte.
      if (sent === undefined || !timingSafeEqual(digest(sent), expected)) {
        await countRefusal(c, guard.refusals, ip, sent === undefined ? 'missing' : 'wrong_secret', null);
        c.header('WWW-Authenticate', 'Bearer realm="metrics"');
        throw new AppError('UNAUTHORIZED', 'GET /metrics needs the AUDITLOG_METRICS_TOKEN as a bearer token');
      }
    }
    return c.body(await metrics.scrape(), 200, { 'content-type': metrics.contentType });
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
