/**
 * GET /api/v1/events/export: every matching event as CSV or NDJSON, streamed (read key). The
 * call is recorded in the audit trail like every read (src/http/app.ts), with its query.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { ExportService, MAX_EXPORT_COLUMNS } from '../../search/export.ts';
import type { SearchService } from '../../search/service.ts';
import type { AuditStore } from '../../store/interface.ts';
import { authRoute, QUERY_ERRORS } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { TimeParams } from '../schemas.ts';

const exportRoute = authRoute({
  method: 'get', path: '/api/v1/events/export', role: 'read', operationId: 'exportEvents',
  errors: QUERY_ERRORS,
  summary: 'Export matching events as CSV or NDJSON (read key)',
  description:
    'Streams every event matching the query and range, newest first unless sort=asc, with no row cap. CSV cells that a ' +
    'spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) are prefixed with a single quote.',
  request: {
    query: TimeParams.extend({
      to: z.string().optional().openapi({ description: 'Exclusive end (default: now, fixed when the export starts)' }),
      format: z.enum(['csv', 'ndjson']).default('csv'),
      columns: z
        .string()
        .max(8 * 1024)
        .optional()
        .openapi({
          description: `Comma-separated field names (at most ${MAX_EXPORT_COLUMNS}); \`actor\` is user.email, else user.name, else user.id. Default for CSV: @timestamp, auditlog.id, actor, event.action, event.outcome, source.ip, user_agent.original, message; for NDJSON: the whole event with its raw text.`,
          example: '@timestamp,actor,event.action,source.ip',
        }),
      sort: z.enum(['desc', 'asc']).default('desc'),
    }),
  },
  responses: {
    200: {
      description: 'The events, one per line (CSV with a header row)',
      content: { 'text/csv': { schema: z.string() }, 'application/x-ndjson': { schema: z.string() } },
    },
  },
});

/** Register before the search routes: `/events/{id}` would otherwise take `export` for an id. */
export function registerExportRoutes(app: OpenAPIHono<AppEnv>, deps: { store: AuditStore; search: SearchService }) {
  const exporter = new ExportService(deps.store, deps.search);
  app.openapi(exportRoute, async (c) => {
    const team = c.get('team');
    const { columns, ...params } = c.req.valid('query');
    const list = columns
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    // A client that goes away stops the export at its next page read.
    const out = await exporter.open(team, { ...params, ...(list?.length ? { columns: list } : {}), signal: c.req.raw.signal });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    return c.body(out.body, 200, {
      'Content-Type': out.contentType,
      'Content-Disposition': `attachment; filename="auditlog-${team}-${stamp}.${out.extension}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    }) as never;
  });
}
