/**
 * What a query field means in the Elasticsearch document layout: its path and its mapped
 * type. One place, so every compiler node resolves fields the same way (resolveField is the
 * rule; this adds the types and the free-text default).
 */
import { NORMALIZED_FIELD_NAMES } from '../events/event.ts';
import { META_FIELDS, ORIGINAL_PREFIX, resolveField } from '../events/fields.ts';
import { ECS_FIELD_TYPES, type FieldType } from '../events/field-types.ts';

/** The catch-all full-text field every string/number value is copied into. */
export const FREE_TEXT_FIELD = 'auditlog.text';

export interface EsField {
  /** Path in the Elasticsearch document. */
  path: string;
  type: FieldType;
}

/** Types of our metadata (index-templates/auditlog-meta.component.json). */
const META_TYPES: Readonly<Record<(typeof META_FIELDS)[number], FieldType>> = {
  'auditlog.id': 'keyword',
  'auditlog.received': 'date',
  'auditlog.format': 'keyword',
  'auditlog.flags': 'keyword',
};

/** The keyword sub-fields of the normalized text fields, as Kibana users type them. */
const KEYWORD_SUBFIELDS: ReadonlySet<string> = new Set(['message.keyword', 'user_agent.original.keyword']);

/** Resolves a concrete (wildcard-free) field; `null` is the free-text default field. */
export function esField(field: string | null): EsField {
  if (field === null) return { path: FREE_TEXT_FIELD, type: 'text' };
  if (KEYWORD_SUBFIELDS.has(field)) return { path: field, type: 'keyword' };
  const r = resolveField(field);
  switch (r.kind) {
    case 'timestamp':
      return { path: '@timestamp', type: 'date' };
    case 'normalized':
      return { path: r.name, type: ECS_FIELD_TYPES.get(r.name) ?? 'keyword' };
    case 'meta':
      return { path: r.name, type: META_TYPES[r.name] };
    case 'original':
      // Every original leaf is indexed as a keyword of its string form.
      return { path: ORIGINAL_PREFIX + r.path, type: 'keyword' };
  }
}

/** Names a pattern can expand to besides original paths. */
const RESERVED_FIELDS: readonly string[] = ['@timestamp', ...NORMALIZED_FIELD_NAMES, ...META_FIELDS, ...KEYWORD_SUBFIELDS];

export function isFieldPattern(field: string): boolean {
  return field.includes('*');
}

/**
 * Expands a field pattern (`*` matches any run of characters, dots included, as in
 * Elasticsearch) into the reserved fields it names and the pattern it means under
 * `original.` (resolved by Elasticsearch against the mapping at search time).
 */
export function expandFieldPattern(pattern: string): { fields: EsField[]; originalPattern: string } {
  const re = fieldPatternRegex(pattern);
  const fields: EsField[] = [];
  for (const name of RESERVED_FIELDS) if (re.test(name)) fields.push(esField(name));
  const originalPattern = pattern.startsWith(ORIGINAL_PREFIX) ? pattern : ORIGINAL_PREFIX + pattern;
  return { fields, originalPattern };
}

const patternCache = new Map<string, RegExp>();

function fieldPatternRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}
