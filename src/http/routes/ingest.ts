/**
 * POST /api/v1/events: one JSON object, a JSON array, or NDJSON, optionally gzip-encoded.
 * The query and headers are validated by their schemas; the body is read raw, not through a
 * JSON validator, because it may be NDJSON or gzip (src/ingest/decode.ts reads it).
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../errors.ts';
import { EventFormat } from '../../events/event.ts';
import { IngestResult, type IngestService } from '../../ingest/service.ts';
import type { TeamService } from '../../teams/service.ts';
import { authRoute, json } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

export const IngestResponse = z.object(IngestResult.shape).openapi('IngestResponse');

const FORMATS = [...EventFormat.options, 'auto'] as const;
const IDEMPOTENCY_KEY_MAX = 200;
const FormatParam = z.enum(FORMATS).openapi({ description: 'The format of every event of the body; detected per event when absent or auto' });

const EventObject = z.record(z.string(), z.unknown()).openapi({ description: 'One audit event, in any format the server reads' });
const IngestBody = z.union([EventObject, z.array(EventObject).openapi({ description: 'A batch of events' })]).openapi('IngestBody');
// The JSON body is documented by reference, not validated by the route: a zod schema there
// would parse it before src/ingest/decode.ts, which also reads gzip and NDJSON.
const INGEST_BODY_REF = { $ref: '#/components/schemas/IngestBody' };

/** The route, with the body limit of this server. */
const ingestRoute = (maxBodyBytes: number) =>
  authRoute({
    method: 'post', path: '/api/v1/events', role: 'ingest', operationId: 'ingestEvents',
    summary: 'Ingest audit events (ingest key)',
    description:
      'One JSON object, a JSON array of objects, or NDJSON (application/x-ndjson); Content-Encoding gzip is accepted. ' +
      'Without a content type, or with text/plain, the body is read as JSON or NDJSON by its first character. ' +
      'Each event is accepted or rejected on its own, with its index and a reason.',
    errors: ['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'QUOTA_EXCEEDED', 'IDEMPOTENCY_KEY_REUSED'],
    middleware: [
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: () => {
          throw new AppError('PAYLOAD_TOO_LARGE', `request body exceeds ${maxBodyBytes} bytes`, { limit: maxBodyBytes });
        },
      }),
    ],
    request: {
      query: z.object({
        format: FormatParam.optional(),
        refresh: z.enum(['wait_for', 'false']).optional().openapi({
          description: 'wait_for: answer once the events are searchable. By default (false) they are durable at once and searchable within about a second.',
        }),
      }),
      headers: z.object({
        'idempotency-key': z
          .string()
          .min(1, `must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`)
          .max(IDEMPOTENCY_KEY_MAX, `must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`)
          .optional()
          .openapi({
            description:
              'Makes a retry safe: the same key with the same body stores nothing twice (the events come back as duplicates); ' +
              'the same key with another body within 24 hours is refused with 422 IDEMPOTENCY_KEY_REUSED. Keys are per team.',
          }),
        'x-auditlog-format': FormatParam.optional().openapi({ description: 'As the format query parameter, which wins when both are given' }),
      }),
      body: {
        required: true,
        content: {
          'application/json': { schema: INGEST_BODY_REF },
          'application/x-ndjson': { schema: z.string().openapi({ description: 'One JSON object per line' }) },
          'text/plain': { schema: z.string().openapi({ description: 'JSON or NDJSON, told apart by the first character' }) },
        },
      },
    },
    responses: {
      200: json(IngestResponse, 'At least one event accepted; the others are listed in `rejected`'),
      400: {
        description: 'No event accepted (an IngestResponse, every event in `rejected`), or a bad parameter or body (an error)',
        content: { 'application/json': { schema: IngestResponse.or(ErrorBody) } },
      },
    },
  });

export function registerIngestRoutes(app: OpenAPIHono<AppEnv>, deps: { ingest: IngestService; teams: TeamService; maxBodyBytes: number }) {
  app.openAPIRegistry.register('IngestBody', IngestBody);
  app.openapi(ingestRoute(deps.maxBodyBytes), async (c) => {
    const query = c.req.valid('query');
    const headers = c.req.valid('header');
    const format = query.format ?? headers['x-auditlog-format'];
    const team = await deps.teams.getTeam(c.get('team'));
    const result = await deps.ingest.ingest({
      team,
      body: new Uint8Array(await c.req.arrayBuffer()),
      contentType: c.req.header('content-type'),
      contentEncoding: c.req.header('content-encoding'),
      format: format === 'auto' ? undefined : format,
      idempotencyKey: headers['idempotency-key'],
      waitForSearch: query.refresh === 'wait_for',
    });
    return c.json(result, result.accepted.length === 0 && result.rejected.length > 0 ? 400 : 200);
  });
}
