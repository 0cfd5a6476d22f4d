/** Search API: events, one event, histogram, facets. All need a `read` key. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.ts';
import type { TeamId } from '../../events/event.ts';
import type { SearchService } from '../../search/service.ts';
import type { AuditStore } from '../../store/interface.ts';
import { teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';
import { EventView, toEventView } from '../schemas.ts';

const TimeParams = z.object({
  q: z.string().max(16 * 1024).optional().openapi({ description: 'Lucene query string', example: 'event.outcome:failure AND event.action:*login*' }),
  from: z.string().optional().openapi({ description: 'Inclusive start: ISO 8601, epoch ms, or date math', example: 'now-7d' }),
  to: z.string().optional().openapi({ description: 'Exclusive end: ISO 8601, epoch ms, or date math', example: 'now' }),
});

const errors = {
  400: { description: 'Bad query or parameter, or a query over a limit (QUERY_LIMIT)', content: { 'application/json': { schema: ErrorBody } } },
  401: { description: 'Missing or invalid key', content: { 'application/json': { schema: ErrorBody } } },
  403: { description: 'Key lacks the read role', content: { 'application/json': { schema: ErrorBody } } },
  503: {
    description: 'The read did not finish within its time budget (QUERY_TIMEOUT, AUDITLOG_QUERY_TIMEOUT_MS) or the store is unavailable',
    content: { 'application/json': { schema: ErrorBody } },
  },
} as const;

const searchRoute = createRoute({
  method: 'get',
  path: '/api/v1/events',
  summary: 'Search events',
  security: [{ Bearer: [] }],
  request: {
    query: TimeParams.extend({
      size: z.coerce.number().int().min(1).max(1000).default(50),
      cursor: z.string().max(1024).optional(),
      sort: z.enum(['desc', 'asc']).default('desc'),
    }),
  },
  responses: {
    200: {
      description: 'A page of events, newest first unless sort=asc',
      content: {
        'application/json': {
          schema: z.object({ total: z.number().int(), hits: z.array(EventView), cursor: z.string().nullable() }).openapi('SearchPage'),
        },
      },
    },
    ...errors,
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/events/{id}',
  summary: 'One event, with its raw text',
  security: [{ Bearer: [] }],
  request: { params: z.object({ id: z.string().min(1).max(128) }) },
  responses: {
    200: { description: 'The event', content: { 'application/json': { schema: EventView } } },
    404: { description: 'No such event in this team', content: { 'application/json': { schema: ErrorBody } } },
    ...errors,
  },
});

const histogramRoute = createRoute({
  method: 'get',
  path: '/api/v1/events/histogram',
  summary: 'Event counts over time',
  security: [{ Bearer: [] }],
  request: {
    query: TimeParams.extend({
      interval: z.coerce.number().int().min(1000).optional().openapi({ description: 'Bucket width in ms; automatic when absent' }),
    }),
  },
  responses: {
    200: {
      description: 'Buckets in time order',
      content: {
        'application/json': {
          schema: z
            .object({ intervalMs: z.number().int(), buckets: z.array(z.object({ start: z.string(), count: z.number().int() })) })
            .openapi('Histogram'),
        },
      },
    },
    ...errors,
  },
});

const facetsRoute = createRoute({
  method: 'get',
  path: '/api/v1/events/facets',
  summary: 'Top values of a field',
  security: [{ Bearer: [] }],
  request: {
    query: TimeParams.extend({
      field: z.string().min(1).max(512).openapi({ example: 'user.email' }),
      size: z.coerce.number().int().min(1).max(100).default(10),
    }),
  },
  responses: {
    200: {
      description: 'Most frequent values first',
      content: {
        'application/json': {
          schema: z
            .object({ field: z.string(), buckets: z.array(z.object({ value: z.string(), count: z.number().int() })), other: z.number().int() })
            .openapi('Facet'),
        },
      },
    },
    ...errors,
  },
});

export function registerSearchRoutes(app: OpenAPIHono<AppEnv>, deps: { search: SearchService; store: AuditStore }) {
  const team = (c: { get(k: 'principal'): AppEnv['Variables']['principal'] }) => teamOf(c.get('principal'), 'read') as TeamId;

  app.openapi(searchRoute, async (c) => {
    const { size, cursor, sort, ...time } = c.req.valid('query');
    const page = await deps.search.search(team(c), { ...time, size, cursor, sort, signal: c.req.raw.signal });
    return c.json({ total: page.total, hits: page.hits.map((e) => toEventView(e)), cursor: page.cursor }, 200);
  });

  // Registered before /{id} would also work, but explicit paths must win over the parameter.
  app.openapi(histogramRoute, async (c) => {
    const { interval, ...time } = c.req.valid('query');
    const h = await deps.search.histogram(team(c), { ...time, intervalMs: interval, signal: c.req.raw.signal });
    return c.json({ intervalMs: h.intervalMs, buckets: h.buckets.map((b) => ({ start: new Date(b.start).toISOString(), count: b.count })) }, 200);
  });

  app.openapi(facetsRoute, async (c) => {
    const { field, size, ...time } = c.req.valid('query');
    return c.json(await deps.search.facets(team(c), { ...time, field, size, signal: c.req.raw.signal }), 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const event = await deps.store.get(team(c), id, { signal: c.req.raw.signal });
    if (!event) throw new NotFoundError('event', id);
    return c.json(toEventView(event, { withRaw: true }), 200);
  });
}
