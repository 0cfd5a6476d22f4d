/** GET /healthz (the process answers) and GET /readyz (the store answers): no key, for load balancers. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { StoreUnavailableError } from '../../errors.ts';
import type { AuditStore } from '../../store/interface.ts';
import type { AppEnv } from '../context.ts';
import { json } from '../auth-route.ts';

const StoreKind = z.enum(['sqlite', 'elasticsearch']);

const healthRoute = createRoute({
  operationId: 'health',
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers (no key)',
  tags: ['health'],
  security: [],
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'Alive') },
});

const readyRoute = createRoute({
  operationId: 'ready',
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the store answers (no key)',
  tags: ['health'],
  security: [],
  responses: {
    200: json(
      z.object({
        status: z.literal('ready'),
        store: StoreKind,
        retention: z.enum(['ilm', 'scheduled']).openapi({ description: "How expired events go: Elasticsearch's ILM or auditlog's scheduled pass" }),
      }),
      'Ready',
    ),
    503: {
      description: 'The store cannot be reached; retry after Retry-After seconds',
      headers: z.object({ 'Retry-After': z.string().regex(/^\d+$/).openapi({ description: 'Seconds to wait before trying again' }) }),
      content: { 'application/json': { schema: z.object({ status: z.literal('not ready'), store: StoreKind, reason: z.string() }) } },
    },
  },
});

export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, deps: { store: AuditStore }) {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, async (c) => {
    try {
      await deps.store.ping();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      // A load balancer reads the status; a person reads why.
      c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json({ status: 'not ready' as const, store: deps.store.kind, reason: err.message }, 503);
    }
    return c.json({ status: 'ready' as const, store: deps.store.kind, retention: deps.store.retention }, 200);
  });
}
