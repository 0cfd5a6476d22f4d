/**
 * POST /api/v1/events: one JSON object, a JSON array, or NDJSON, optionally gzip-encoded.
 * The body is read raw (not through a JSON validator) because it may be NDJSON or gzip.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../errors.ts';
import { EventFormat } from '../../events/event.ts';
import { IngestResult, type IngestService } from '../../ingest/service.ts';
import type { TeamService } from '../../teams/service.ts';
import { teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

export const IngestResponse = z.object(IngestResult.shape).openapi('IngestResponse');

const FORMATS = [...EventFormat.options, 'auto'] as const;
const IDEMPOTENCY_KEY_MAX = 200;
const FormatParam = z.enum(FORMATS);

export function registerIngestRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: { ingest: IngestService; teams: TeamService; maxBodyBytes: number },
) {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/api/v1/events',
    summary: 'Ingest audit events',
    description:
      'One JSON object, a JSON array of objects, or NDJSON (application/x-ndjson); Content-Encoding gzip is accepted. ' +
      'Each event is accepted or rejected on its own, with its index and a reason.',
    security: [{ Bearer: [] }],
    request: {
      query: z.object({
        format: FormatParam.optional(),
        refresh: z.enum(['wait_for', 'false']).optional().openapi({
          description: 'wait_for: answer once the events are searchable. By default they are durable at once and searchable within about a second.',
        }),
      }),
      headers: z.object({
        'idempotency-key': z.string().min(1).max(IDEMPOTENCY_KEY_MAX).optional().openapi({
          description:
            'Makes a retry safe: the same key with the same body stores nothing twice (the events come back as duplicates); ' +
            'the same key with another body within 24 hours is refused with 422 IDEMPOTENCY_KEY_REUSED. Keys are per team.',
        }),
        'x-auditlog-format': FormatParam.optional(),
      }),
      body: {
        content: {
          'application/json': { schema: z.union([z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]) },
          'application/x-ndjson': { schema: z.string() },
        },
      },
    },
    responses: {
      200: { description: 'At least one event accepted', content: { 'application/json': { schema: IngestResponse } } },
      400: { description: 'No event accepted, or the body is not JSON', content: { 'application/json': { schema: IngestResponse.or(ErrorBody) } } },
      413: { description: 'Body or batch too large', content: { 'application/json': { schema: ErrorBody } } },
      422: {
        description: 'IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used in the last 24 hours with another body; nothing stored',
        content: { 'application/json': { schema: ErrorBody } },
      },
      429: { description: 'Daily quota reached', content: { 'application/json': { schema: ErrorBody } } },
      503: { description: 'Store unavailable; retry after Retry-After seconds', content: { 'application/json': { schema: ErrorBody } } },
    },
  });

  app.post(
    '/api/v1/events',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `request body exceeds ${deps.maxBodyBytes} bytes`, { limit: deps.maxBodyBytes });
      },
    }),
    async (c) => {
      const teamId = teamOf(c.get('principal'), 'ingest');
      const rawFormat = c.req.query('format') ?? c.req.header('x-auditlog-format');
      const format = rawFormat === undefined ? undefined : FormatParam.safeParse(rawFormat);
      if (format && !format.success) {
        throw new AppError('BAD_REQUEST', `format: must be one of ${FORMATS.join(', ')}`, { field: 'format' });
      }
      const idempotencyKey = c.req.header('idempotency-key');
      if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX)) {
        throw new AppError('BAD_REQUEST', `Idempotency-Key: must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`, { field: 'Idempotency-Key' });
      }
      const team = await deps.teams.getTeam(teamId);
      const result = await deps.ingest.ingest({
        team,
        body: new Uint8Array(await c.req.arrayBuffer()),
        contentType: c.req.header('content-type'),
        contentEncoding: c.req.header('content-encoding'),
        format: format?.data === 'auto' ? undefined : format?.data,
        idempotencyKey,
        waitForSearch: parseRefresh(c.req.query('refresh')),
      });
      const status = result.accepted.length === 0 && result.rejected.length > 0 ? 400 : 200;
      return c.json(result, status);
    },
  );
}

function parseRefresh(value: string | undefined): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'wait_for' || value === 'true' || value === '') return true;
  throw new AppError('BAD_REQUEST', 'refresh: must be wait_for or false', { field: 'refresh' });
}
