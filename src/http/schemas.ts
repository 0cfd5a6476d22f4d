/** Response shapes shared by routes; the OpenAPI document is generated from these. */
import { z } from '@hono/zod-openapi';
import { EventFlag, EventFormat, JsonObject, NormalizedFields, type StoredEvent } from '../events/event.ts';
import { eventView } from '../events/view.ts';

/** The query and range of a read: q, from, to. */
export const TimeParams = z.object({
  q: z.string().max(16 * 1024).optional().openapi({ description: 'Lucene query string', example: 'event.outcome:failure AND event.action:*login*' }),
  from: z.string().optional().openapi({ description: 'Inclusive start: ISO 8601, epoch ms, or date math', example: 'now-7d' }),
  to: z.string().optional().openapi({ description: 'Exclusive end: ISO 8601, epoch ms, or date math', example: 'now' }),
});

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

export function toEventView(e: StoredEvent, options: { withRaw?: boolean } = {}): EventView {
  return eventView(e, options);
}

/**
 * The schema of what a route answers, from one that also reads input. The document generator
 * reads every zod schema as input, where a field with a `.default()` may be left out; in an
 * answer the default is filled in, so the field is always there and generated clients should
 * see it required. Parts without a default are kept as they are (with their component names).
 */
export function answerSchema<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>> {
  return (withoutDefaults(schema) ?? schema) as z.ZodType<z.output<T>>;
}

/** `schema` with every `.default()` unwrapped, or undefined when it has none. */
function withoutDefaults(schema: z.ZodType): z.ZodType | undefined {
  if (schema instanceof z.ZodDefault) return withoutDefaults(schema.unwrap() as z.ZodType) ?? (schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodOptional) return wrapIf(withoutDefaults(schema.unwrap() as z.ZodType), (s) => s.optional());
  if (schema instanceof z.ZodNullable) return wrapIf(withoutDefaults(schema.unwrap() as z.ZodType), (s) => s.nullable());
  if (schema instanceof z.ZodArray) return wrapIf(withoutDefaults(schema.element as z.ZodType), (s) => z.array(s));
  if (schema instanceof z.ZodObject) {
    let changed = false;
    const shape = Object.fromEntries(
      Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
        const out = withoutDefaults(field);
        if (out) changed = true;
        return [key, out ?? field];
      }),
    );
    return changed ? z.object(shape) : undefined;
  }
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const options = (schema.options as z.ZodType[]).map((o) => withoutDefaults(o));
    if (options.every((o) => o === undefined)) return undefined;
    return z.discriminatedUnion(
      schema.def.discriminator,
      (schema.options as z.ZodType[]).map((o, i) => options[i] ?? o) as never,
    );
  }
  return undefined;
}

function wrapIf(inner: z.ZodType | undefined, wrap: (s: z.ZodType) => z.ZodType): z.ZodType | undefined {
  return inner ? wrap(inner) : undefined;
}
