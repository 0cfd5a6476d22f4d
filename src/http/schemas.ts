/** Response shapes shared by routes; the OpenAPI document is generated from these. */
import { z } from '@hono/zod-openapi';
import { EventFlag, EventFormat, JsonObject, NormalizedFields, type StoredEvent } from '../events/event.ts';

export const EventView = z
  .object({
    id: z.string(),
    '@timestamp': z.string().openapi({ example: '2026-11-20T09:15:02.000Z' }),
    received: z.string(),
    format: EventFormat,
    flags: z.array(EventFlag),
    normalized: NormalizedFields.describe(
      'Normalized Elastic Common Schema fields. source.ip_scope, source.geo.* and source.as.* come from GeoIP at ingest ' +
        'unless the producer sent them: by default IP geolocation by DB-IP (https://db-ip.com, CC BY 4.0) and ASN data from ' +
        'RouteViews, DB-IP and NRO (CC BY 4.0), or the MaxMind databases the operator configured (README, "GeoIP").',
    ),
    original: JsonObject,
    raw: z.string().optional().openapi({ description: 'The event exactly as received (only on GET /events/{id}).' }),
  })
  .openapi('Event');
export type EventView = z.infer<typeof EventView>;

export function toEventView(e: StoredEvent, { withRaw = false } = {}): EventView {
  return {
    id: e.id,
    '@timestamp': new Date(e.timestamp).toISOString(),
    received: new Date(e.received).toISOString(),
    format: e.format,
    flags: e.flags,
    normalized: e.ecs,
    original: e.original,
    ...(withRaw ? { raw: e.raw } : {}),
  };
}
