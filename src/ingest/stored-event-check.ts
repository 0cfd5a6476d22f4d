/**
 * A fast path for StoredEvent validation on ingest. Running the zod schema costs a few µs per
 * event and copies the event (and its original) on the way; this checks the same rules by
 * hand. It only ever says "valid" for values the schema accepts and would return unchanged
 * (up to key order, which it rebuilds); anything else, even valid input it does not
 * recognise, goes to the schema, which stays the one judge and the source of error messages.
 */
import { EventFlag, EventFormat, IpScope, NORMALIZED_FIELD_NAMES, type NormalizedFields, type StoredEvent } from '../events/event.ts';

const FORMATS = new Set<string>(EventFormat.options);
const FLAGS = new Set<string>(EventFlag.options);
const OUTCOMES = new Set(['success', 'failure', 'unknown']);
const STRING_ARRAYS = new Set(['event.category', 'event.type']);
const KNOWN = new Set<string>(NORMALIZED_FIELD_NAMES);
const SCOPES = new Set<string>(IpScope.options);

function geoPointOk(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  const { lat, lon } = v;
  return (
    keys.length === 2 &&
    typeof lat === 'number' && Number.isFinite(lat) && Math.abs(lat) <= 90 &&
    typeof lon === 'number' && Number.isFinite(lon) && Math.abs(lon) <= 180
  );
}

function ecsValueOk(name: string, value: unknown): boolean {
  // A key present with `undefined` passes the schema's `.partial()` and is kept.
  if (value === undefined) return true;
  if (name === 'http.response.status_code') return Number.isSafeInteger(value);
  if (name === 'source.as.number') return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 4_294_967_295;
  if (name === 'source.geo.location') return geoPointOk(value);
  if (name === 'source.ip_scope') return typeof value === 'string' && SCOPES.has(value);
  if (name === 'event.outcome') return typeof value === 'string' && OUTCOMES.has(value);
  if (STRING_ARRAYS.has(name)) return Array.isArray(value) && value.every((v) => typeof v === 'string');
  return typeof value === 'string';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * The StoredEvent the schema would return for `candidate`, or undefined when this cannot tell
 * (the caller then runs the schema). `team` must already be a valid TeamId.
 */
export function quickStoredEvent(candidate: StoredEvent): StoredEvent | undefined {
  const { id, timestamp, received, format, flags, ecs, original, raw } = candidate;
  if (typeof id !== 'string' || id.length < 1 || id.length > 128) return undefined;
  if (!Number.isSafeInteger(timestamp) || !Number.isSafeInteger(received)) return undefined;
  if (!FORMATS.has(format) || typeof raw !== 'string') return undefined;
  if (!Array.isArray(flags) || !flags.every((f) => FLAGS.has(f))) return undefined;
  if (!isPlainObject(ecs) || !isPlainObject(original)) return undefined;
  // The schema's record copy would turn an own `__proto__` key into a prototype; let it.
  if (Object.hasOwn(original, '__proto__') || Object.getOwnPropertySymbols(original).length > 0) return undefined;
  let count = 0;
  for (const name in ecs) {
    if (!Object.hasOwn(ecs, name)) continue;
    if (!KNOWN.has(name) || !ecsValueOk(name, (ecs as Record<string, unknown>)[name])) return undefined;
    count++;
  }
  if (Object.getOwnPropertySymbols(ecs).length > 0 || Object.getOwnPropertyNames(ecs).length !== count) return undefined;
  // The schema lists normalized fields in its own order.
  const ordered: Record<string, unknown> = {};
  for (const name of NORMALIZED_FIELD_NAMES) {
    if (Object.hasOwn(ecs, name)) ordered[name] = (ecs as Record<string, unknown>)[name];
  }
  return {
    id,
    team: candidate.team,
    timestamp,
    received,
    format,
    flags: [...flags],
    ecs: ordered as NormalizedFields,
    // The schema copies only the top level of the original; nothing writes to either.
    original,
    raw,
  };
}
