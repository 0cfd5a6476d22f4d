/**
 * The field catalogue: what a field name in a query means, for every compiler (the
 * Elasticsearch DSL, the SQLite WHERE clause, the in-memory matcher). One place decides which
 * field a name is, its type, which names a pattern covers, and the error a value of the wrong
 * type gets; each compiler only maps a QueryField to where its store keeps the values.
 *
 * Names follow resolveField (events/fields.ts): normalized ECS names and our metadata are
 * reserved, `message.keyword` / `user_agent.original.keyword` are the exact forms of the two
 * text fields, every other name is a path into the original (and `original.<path>` always
 * is). Only `*` is a wildcard in a field name, as in Elasticsearch's field patterns; `?` is an
 * ordinary character (`is_admin?:true` names the field `is_admin?`), as query_string reads it.
 */
import { UnsupportedQueryError } from '../errors.ts';
import { NORMALIZED_FIELD_NAMES, type NormalizedFieldName } from '../events/event.ts';
import { META_FIELDS, ORIGINAL_PREFIX, resolveField } from '../events/fields.ts';
import { ECS_FIELD_TYPES, type FieldType } from '../events/field-types.ts';
import type { FieldNode, Location } from './ast.ts';

export type { FieldType } from '../events/field-types.ts';

/** The catch-all full-text field every string and number value is copied into. */
export const FREE_TEXT_FIELD = 'auditlog.text';

/** auditlog-ecs.component.json: the keyword sub-fields of the text fields have ignore_above 1024. */
const SUBFIELD_IGNORE_ABOVE = 1024;
/** auditlog-original.component.json: original leaves have ignore_above 8191. */
export const ORIGINAL_IGNORE_ABOVE = 8191;

/**
 * A concrete field a query can name. `name` is how errors name it; `ignoreAbove`: a longer
 * value is kept (and is free text) but is no value of the field, as in the mapping.
 */
export type QueryField =
  | { kind: 'freeText'; name: typeof FREE_TEXT_FIELD; type: 'text' }
  | { kind: 'timestamp'; name: '@timestamp'; type: 'date' }
  | { kind: 'received'; name: 'auditlog.received'; type: 'date' }
  | { kind: 'id'; name: 'auditlog.id'; type: 'keyword' }
  | { kind: 'meta'; name: 'auditlog.format' | 'auditlog.flags'; type: 'keyword' }
  | { kind: 'normalized'; name: NormalizedFieldName; type: FieldType }
  | { kind: 'keywordOf'; name: string; of: 'message' | 'user_agent.original'; type: 'keyword'; ignoreAbove: number }
  | { kind: 'original'; name: string; path: string; type: 'keyword'; ignoreAbove: number };

const KEYWORD_SUBFIELDS: ReadonlyMap<string, 'message' | 'user_agent.original'> = new Map([
  ['message.keyword', 'message'],
  ['user_agent.original.keyword', 'user_agent.original'],
]);

const FREE_TEXT: QueryField = { kind: 'freeText', name: FREE_TEXT_FIELD, type: 'text' };

/** The field a concrete (pattern-free) name means; `null` is the free-text default field. */
export function resolveQueryField(field: string | null): QueryField {
  if (field === null) return FREE_TEXT;
  const of = KEYWORD_SUBFIELDS.get(field);
  if (of) return { kind: 'keywordOf', name: field, of, type: 'keyword', ignoreAbove: SUBFIELD_IGNORE_ABOVE };
  const r = resolveField(field);
  switch (r.kind) {
    case 'timestamp':
      return { kind: 'timestamp', name: '@timestamp', type: 'date' };
    case 'normalized':
      return { kind: 'normalized', name: r.name, type: ECS_FIELD_TYPES.get(r.name) ?? 'keyword' };
    case 'meta':
      if (r.name === 'auditlog.id') return { kind: 'id', name: r.name, type: 'keyword' };
      if (r.name === 'auditlog.received') return { kind: 'received', name: r.name, type: 'date' };
      return { kind: 'meta', name: r.name, type: 'keyword' };
    case 'original':
      // Every original leaf is a keyword of its string form, whatever its JSON type.
      return { kind: 'original', name: field, path: r.path, type: 'keyword', ignoreAbove: ORIGINAL_IGNORE_ABOVE };
  }
}

/** Whether a field name is a pattern (`actor.*`, `*`): only `*` is a wildcard in names. */
export function isFieldPattern(field: string): boolean {
  return field.includes('*');
}

/** Names a pattern can reach besides original paths (not the free-text field, which no name reaches). */
const RESERVED_FIELDS: readonly string[] = ['@timestamp', ...NORMALIZED_FIELD_NAMES, ...META_FIELDS, ...KEYWORD_SUBFIELDS.keys()];

export interface FieldPattern {
  /** The reserved fields the pattern names (none when it starts with `original.`). */
  fields: QueryField[];
  /** The pattern over original paths (without `original.`), `*` its only wildcard. */
  original: string;
  /** Whether an original path (without `original.`) matches `original`. */
  matchesOriginal(path: string): boolean;
}

/**
 * Expands a field pattern (`*` matches any run of characters, dots included, as in
 * Elasticsearch) into the reserved fields it names and the pattern it means over the
 * original's paths, which each store resolves against the paths it holds.
 */
export function expandFieldPattern(pattern: string): FieldPattern {
  const onlyOriginal = pattern.startsWith(ORIGINAL_PREFIX);
  const fields: QueryField[] = [];
  if (!onlyOriginal) {
    const re = patternRegex(pattern);
    for (const name of RESERVED_FIELDS) if (re.test(name)) fields.push(resolveQueryField(name));
  }
  const original = onlyOriginal ? pattern.slice(ORIGINAL_PREFIX.length) : pattern;
  const re = patternRegex(original);
  return { fields, original, matchesOriginal: (path) => re.test(path) };
}

const patternCache = new Map<string, RegExp>();

function patternRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

// --- the one error of a value or query kind a field's type cannot take ---------------------

function article(type: FieldType): string {
  return type === 'ip' ? 'an' : 'a';
}

/**
 * A value the field's type cannot take (`abc` on a long, a bad date or address): an error
 * that names the field, `UNSUPPORTED_QUERY` on every store.
 */
export function fieldTypeError(at: { loc: Location } | null, name: string, type: FieldType, what: string): UnsupportedQueryError {
  return new UnsupportedQueryError(`${name} is ${article(type)} ${type} field: ${what}`, {
    field: name,
    type,
    ...(at ? { loc: at.loc } : {}),
  });
}

const QUERY_KIND: Record<FieldNode['type'], string> = {
  wildcard: 'wildcard',
  regex: 'regular expression',
  fuzzy: 'fuzzy',
  term: 'term',
  phrase: 'phrase',
  range: 'range',
  exists: 'exists',
};

/**
 * Any query but `_exists_` on a geo_point (`source.geo.location`): Elasticsearch's query_string
 * refuses them ("Geometry fields do not support exact searching"), so every store does.
 */
export function geoPointQueryError(node: FieldNode, name: string): UnsupportedQueryError {
  return fieldTypeError(
    node,
    name,
    'geo_point',
    `only _exists_:${name} works on a point; search a place by source.geo.country_iso_code, source.geo.country_name or source.geo.city_name`,
  );
}

/** A facet (terms aggregation) on a geo_point: Elasticsearch has none, so no store does. */
export function geoPointFacetError(name: string): UnsupportedQueryError {
  return new UnsupportedQueryError(`facets on the geo_point field ${name} are not supported; facet source.geo.country_iso_code or source.geo.city_name`, {
    field: name,
  });
}

/** A query kind the field's type has no meaning for (a wildcard on a long, a regex on an ip). */
export function wrongQueryType(node: FieldNode, name: string, type: FieldType): UnsupportedQueryError {
  return fieldTypeError(node, name, type, `${QUERY_KIND[node.type]} queries work on text and keyword fields only; use a value or a range`);
}
