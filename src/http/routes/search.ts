/** Search API: events, one event, histogram, facets. All need a `read` key. */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.ts';
import type { SearchService } from '../../search/service.ts';
import type { AuditStore } from '../../store/interface.ts';
import { authRoute, json, QUERY_ERRORS } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { EventView, TimeParams, toEventView } from '../schemas.ts';

const searchRoute = authRoute({
  method: 'get', path: '/api/v1/events', role: 'read', operationId: 'searchEvents',
  summary: 'Search events (read key)',
  errors: QUERY_ERRORS,
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
  },
});

const getRoute = authRoute({
  method: 'get', path: '/api/v1/events/{id}', role: 'read', operationId: 'getEvent',
  summary: 'One event, with its raw text (read key)',
  errors: ['NOT_FOUND', 'QUERY_TIMEOUT'],
  request: { params: z.object({ id: z.string().min(1).max(128) }) },
  responses: {
    200: json(EventView, 'The event'),
  },
});

const histogramRoute = authRoute({
  method: 'get', path: '/api/v1/events/histogram', role: 'read', operationId: 'eventHistogram',
  summary: 'Event counts over time (read key)',
  errors: QUERY_ERRORS,
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
  },
});

const facetsRoute = authRoute({
  method: 'get', path: '/api/v1/events/facets', role: 'read', operationId: 'eventFacets',
  summary: 'Top values of a field (read key)',
  errors: QUERY_ERRORS,
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
  },
});

export function registerSearchRoutes(app: OpenAPIHono<AppEnv>, deps: { search: SearchService; store: AuditStore }) {
  app.openapi(searchRoute, async (c) => {
    const { size, cursor, sort, ...time } = c.req.valid('query');
    const page = await deps.search.search(c.get('team'), { ...time, size, cursor, sort, signal: c.req.raw.signal });
    return c.json({ total: page.total, hits: page.hits.map((e) => toEventView(e)), cursor: page.cursor }, 200);
  });

  // Registered before /{id} would also work, but explicit paths must win over the parameter.
  app.openapi(histogramRoute, async (c) => {
    const { interval, ...time } = c.req.valid('query');
    const h = await deps.search.histogram(c.get('team'), { ...time, intervalMs: interval, signal: c.req.raw.signal });
    return c.json({ intervalMs: h.intervalMs, buckets: h.buckets.map((b) => ({ start: new Date(b.start).toISOString(), count: b.count })) }, 200);
  });

  app.openapi(facetsRoute, async (c) => {
    const { field, size, ...time } = c.req.valid('query');
    return c.json(await deps.search.facets(c.get('team'), { ...time, field, size, signal: c.req.raw.signal }), 200);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const event = await deps.store.get(c.get('team'), id, { signal: c.req.raw.signal });
    if (!event) throw new NotFoundError('event', id);
    return c.json(toEventView(event, { withRaw: true }), 200);
  });
}
