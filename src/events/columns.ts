/**
 * Table and export columns: what a column shows for an event, the same in the page's result
 * table and in the CSV export. A column is a field name as typed in a query (`event.action`,
 * `actor.user.email`, `original.message`), or `actor`: who did it, whichever of `user.email`,
 * `user.name`, `user.id` the event has.
 *
 * This module is also bundled into the browser page, so it imports nothing: the page must not
 * carry zod. Its walk over the original follows flattenOriginal (src/events/fields.ts), which
 * test/ui/columns.test.ts checks on the real-event corpus.
 */

/** An event as the API returns it (src/http/schemas.ts EventView), reduced to what columns read. */
export interface EventRecord {
  id: string;
  '@timestamp': string;
  received: string;
  format: string;
  flags: string[];
  normalized: Record<string, unknown>;
  original: Record<string, unknown>;
}

export const ACTOR_COLUMN = 'actor';
export const ACTOR_FIELDS = ['user.email', 'user.name', 'user.id'] as const;

/** The page's default columns, after Kibana Discover and Graylog: who did what, when, from where, did it work. */
export const DEFAULT_COLUMNS = ['@timestamp', ACTOR_COLUMN, 'event.action', 'event.outcome', 'source.ip', 'message'];

/** The normalized ECS field names (src/events/event.ts NORMALIZED_FIELD_NAMES, checked by test/ui/columns.test.ts). */
export const NORMALIZED_FIELDS: readonly string[] = [
  'event.action',
  'event.outcome',
  'event.category',
  'event.type',
  'event.id',
  'event.provider',
  'message',
  'user.id',
  'user.name',
  'user.email',
  'organization.id',
  'organization.name',
  'source.ip',
  'source.ip_scope',
  'source.geo.country_iso_code',
  'source.geo.country_name',
  'source.geo.city_name',
  'source.geo.location',
  'source.as.number',
  'source.as.organization.name',
  'user_agent.original',
  'http.request.method',
  'http.response.status_code',
  'url.path',
  'url.original',
];
const NORMALIZED = new Set(NORMALIZED_FIELDS);
const ORIGINAL_PREFIX = 'original.';

/** Names a query reserves for our own fields; an original path by such a name is typed `original.<path>`. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  '@timestamp',
  ...NORMALIZED_FIELDS,
  'auditlog.id',
  'auditlog.received',
  'auditlog.format',
  'auditlog.flags',
  'message.keyword',
  'user_agent.original.keyword',
]);

/**
 * The query name of an original path: the path itself, unless a reserved name or the
 * `original.` prefix would take it (`message` in the original is typed `original.message`).
 */
export function originalFieldName(path: string): string {
  return RESERVED_FIELDS.has(path) || path.startsWith(ORIGINAL_PREFIX) ? ORIGINAL_PREFIX + path : path;
}

/** Every value of a column in an event, as text (arrays give several). */
export function columnValues(event: EventRecord, column: string): string[] {
  switch (column) {
    case ACTOR_COLUMN: {
      for (const f of ACTOR_FIELDS) {
        const v = columnValues(event, f);
        if (v.length > 0) return v;
      }
      return [];
    }
    case '@timestamp':
      return [event['@timestamp']];
    case 'auditlog.id':
      return [event.id];
    case 'auditlog.received':
      return [event.received];
    case 'auditlog.format':
      return [event.format];
    case 'auditlog.flags':
      return event.flags;
    case 'message.keyword':
      return columnValues(event, 'message');
    case 'user_agent.original.keyword':
      return columnValues(event, 'user_agent.original');
  }
  if (NORMALIZED.has(column)) {
    const v = event.normalized[column];
    if (v === undefined || v === null) return [];
    return Array.isArray(v) ? v.map(valueText) : [valueText(v)];
  }
  const path = column.startsWith(ORIGINAL_PREFIX) ? column.slice(ORIGINAL_PREFIX.length) : column;
  const out: string[] = [];
  for (const [p, v] of originalLeaves(event.original)) if (p === path && v !== null && !out.includes(String(v))) out.push(String(v));
  return out;
}

/** A normalized value as text: a point (`source.geo.location`) as `lat, lon`, as maps and Kibana write it. */
export function valueText(v: unknown): string {
  if (typeof v === 'object' && v !== null && 'lat' in v && 'lon' in v) return `${String(v.lat)}, ${String(v.lon)}`;
  return String(v);
}

/** Fields whose values a query cannot take as a term (only `_exists_`): no filter buttons for them. */
export const UNFILTERABLE_FIELDS: ReadonlySet<string> = new Set(['source.geo.location']);

/** A column as one cell of text: several values joined by ", ". */
export function columnText(event: EventRecord, column: string): string {
  return columnValues(event, column).join(', ');
}

export type Leaf = string | number | boolean | null;

/**
 * Every leaf of an original event with its dotted path, as Elasticsearch flattens a document:
 * array indexes vanish and a key holding dots addresses the same path as nested objects.
 */
export function originalLeaves(value: unknown, maxLeaves = 10_000, maxDepth = 32): Array<[string, Leaf]> {
  const leaves: Array<[string, Leaf]> = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (leaves.length >= maxLeaves) return;
    if (Array.isArray(v)) {
      for (const item of v) walk(item, path, depth);
      return;
    }
    if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) return;
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    if (path === '') return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) leaves.push([path, v]);
  };
  walk(value, '', 0);
  return leaves;
}
