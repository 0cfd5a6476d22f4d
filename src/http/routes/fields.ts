/**
 * GET /api/v1/fields: the team's fields with types and counts, and the fields of a query that
 * no event has (read key). Field completion in the page and its unknown-field warning use it.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { DEFAULT_SAMPLE, FieldService, MAX_SAMPLE } from '../../search/fields.ts';
import type { SearchService } from '../../search/service.ts';
import type { AuditStore } from '../../store/interface.ts';
import { authRoute, QUERY_ERRORS } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { TimeParams } from '../schemas.ts';

const FieldListView = z
  .object({
    fields: z.array(
      z.object({
        name: z.string().openapi({ description: 'The name to type in a query', example: 'actor.user.email' }),
        type: z.string().openapi({ example: 'keyword' }),
        kind: z.enum(['timestamp', 'normalized', 'meta', 'original']),
        count: z.number().int().openapi({ description: 'Events of the sample that have the field' }),
      }),
    ),
    sample: z.object({
      events: z.number().int().openapi({ description: 'Newest matching events the counts are taken over' }),
      total: z.number().int().openapi({ description: 'All matching events' }),
    }),
    unknown: z.array(
      z.object({
        field: z.string(),
        start: z.number().int(),
        end: z.number().int(),
        message: z.string(),
        suggestions: z.array(z.string()),
      }),
    ),
  })
  .openapi('FieldList');

const fieldsRoute = authRoute({
  method: 'get', path: '/api/v1/fields', role: 'read', operationId: 'listFields',
  errors: QUERY_ERRORS,
  summary: "The team's fields with types and counts; unknown fields of a query (read key)",
  description:
    'Lists the fixed fields (@timestamp, normalized ECS fields, auditlog.* metadata) and every original field path the ' +
    "team's events have. `count` is over the newest `sample` events matching q/from/to. `unknown` names each field of `q` " +
    'that no event of the team has, with close names as suggestions.',
  request: {
    query: TimeParams.extend({
      sample: z.coerce.number().int().min(1).max(MAX_SAMPLE).default(DEFAULT_SAMPLE),
    }),
  },
  responses: {
    200: { description: 'Fields', content: { 'application/json': { schema: FieldListView } } },
  },
});

export function registerFieldRoutes(app: OpenAPIHono<AppEnv>, deps: { store: AuditStore; search: SearchService }) {
  const fields = new FieldService(deps.store, deps.search);
  app.openapi(fieldsRoute, async (c) => {
    const team = c.get('team');
    return c.json(await fields.list(team, { ...c.req.valid('query'), signal: c.req.raw.signal }), 200);
  });
}
