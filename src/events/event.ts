/**
 * The stored event (docs/architecture.md, "The event"): the original as received, normalized ECS fields,
 * and our metadata, kept apart so that none can overwrite another.
 */
import { z } from 'zod';

export const EventFormat = z.enum(['coralogix', 'threatstack', 'bigpanda', 'ecs', 'generic']);
export type EventFormat = z.infer<typeof EventFormat>;

/**
 * Why an event is stored with a caveat. Flags never reject an event; they tell the user
 * that something was guessed or kept unindexed.
 */
export const EventFlag = z.enum([
  /** No timestamp in the event: `@timestamp` is the received time. */
  'timestamp_missing',
  /**
   * The event's time field holds no readable date in the years 1970 to 2200 (`"NaN"`, year
   * 9999, a negative epoch): `@timestamp` is the received time; the value sent stays in the original.
   */
  'timestamp_invalid',
  /**
   * The event is dated more than a day after it was received: `@timestamp` is the received
   * time, so it does not sort above every real event; the value sent stays in the original.
   */
  'timestamp_future',
  /**
   * The event came with an id that already holds a different event: it is stored under an id
   * derived from that id and its content (events/identity.ts), so neither is lost.
   */
  'id_conflict',
  /** A value conflicted with the field's type or a mapping limit: it is kept in `raw` only. */
  'mapping_conflict',
  /** More fields or deeper nesting than the store indexes: the excess is in `raw` only. */
  'fields_truncated',
]);
export type EventFlag = z.infer<typeof EventFlag>;

export const EventOutcome = z.enum(['success', 'failure', 'unknown']);
export type EventOutcome = z.infer<typeof EventOutcome>;

/** A place on Earth (ECS `geo.location`, a geo_point on Elasticsearch), in degrees. */
export const GeoPoint = z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });
export type GeoPoint = z.infer<typeof GeoPoint>;

/**
 * What kind of address `source.ip` is (src/geo/address-scope.ts): `public` for an address that
 * is routed on the internet, otherwise the special-purpose range it falls in (IANA's registries),
 * so that private and reserved addresses are never looked up, and `NOT source.ip_scope:public`
 * finds the events that came from inside.
 */
export const IpScope = z.enum([
  'public',
  'private',
  'loopback',
  'link_local',
  'shared',
  'unspecified',
  'multicast',
  'broadcast',
  'documentation',
  'benchmarking',
  'reserved',
]);
export type IpScope = z.infer<typeof IpScope>;

/**
 * Normalized fields, flat, keyed by their Elastic Common Schema path. Adapters fill what
 * their format carries; the field types live in index-templates/ (the single source).
 */
export const NormalizedFields = z
  .object({
    'event.action': z.string(),
    'event.outcome': EventOutcome,
    'event.category': z.array(z.string()),
    'event.type': z.array(z.string()),
    'event.id': z.string(),
    'event.provider': z.string(),
    message: z.string(),
    'user.id': z.string(),
    'user.name': z.string(),
    'user.email': z.string(),
    'organization.id': z.string(),
    'organization.name': z.string(),
    'source.ip': z.string(),
    'source.ip_scope': IpScope,
    'source.geo.country_iso_code': z.string(),
    'source.geo.country_name': z.string(),
    'source.geo.city_name': z.string(),
    'source.geo.location': GeoPoint,
    'source.as.number': z.number().int().min(0).max(4_294_967_295),
    'source.as.organization.name': z.string(),
    'user_agent.original': z.string(),
    'http.request.method': z.string(),
    'http.response.status_code': z.number().int(),
    'url.path': z.string(),
    'url.original': z.string(),
  })
  .partial();
export type NormalizedFields = z.infer<typeof NormalizedFields>;
export type NormalizedFieldName = keyof NormalizedFields;
export const NORMALIZED_FIELD_NAMES = Object.keys(NormalizedFields.shape) as NormalizedFieldName[];

/** A team id is also part of index names and file names: keep it to a safe alphabet. */
export const TeamId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'team id: 1-63 of a-z, 0-9, _ and -, starting with a letter or digit');
export type TeamId = z.infer<typeof TeamId>;

/** JSON object as received. */
export const JsonObject = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof JsonObject>;

export const StoredEvent = z.object({
  /** ULID, or derived from the producer's id / Idempotency-Key so retries are idempotent (ingest/ids.ts). */
  id: z.string().min(1).max(128),
  team: TeamId,
  /** `@timestamp`, epoch milliseconds. */
  timestamp: z.number().int(),
  /** When we received it, epoch milliseconds. */
  received: z.number().int(),
  format: EventFormat,
  flags: z.array(EventFlag),
  ecs: NormalizedFields,
  /** The parsed original; every leaf is searchable by its own dotted path. */
  original: JsonObject,
  /** The original text exactly as received (ECS `event.original`). */
  raw: z.string(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;
