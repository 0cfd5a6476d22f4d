/** The operator reads auditlog's own audit trail (every search and admin call). */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { SYSTEM_TEAM } from '../../audit/trail.ts';
import type { SearchService } from '../../search/service.ts';
import { authRoute, QUERY_ERRORS } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { EventView, TimeParams, toEventView } from '../schemas.ts';

const systemEventsRoute = authRoute({
  method: 'get', path: '/api/v1/system/events', role: 'operator', operationId: 'searchSystemEvents',
  errors: QUERY_ERRORS,
  summary: "Search auditlog's own audit trail (operator key)",
  request: {
    query: TimeParams.extend({
      size: z.coerce.number().int().min(1).max(1000).default(50),
      cursor: z.string().max(1024).optional(),
    }),
  },
  responses: {
    200: {
      description: 'Recorded API calls, newest first',
      content: { 'application/json': { schema: z.object({ total: z.number().int(), hits: z.array(EventView), cursor: z.string().nullable() }) } },
    },
  },
});

export function registerSystemRoutes(app: OpenAPIHono<AppEnv>, deps: { search: SearchService }) {
  app.openapi(systemEventsRoute, async (c) => {
    const { size, cursor, ...time } = c.req.valid('query');
    const page = await deps.search.search(SYSTEM_TEAM, { ...time, size, cursor, signal: c.req.raw.signal });
    return c.json({ total: page.total, hits: page.hits.map((e) => toEventView(e)), cursor: page.cursor }, 200);
  });
}
