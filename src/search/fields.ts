/**
 * The fields a team's events have: the fixed ones (`@timestamp`, normalized ECS fields, our
 * metadata) and every original path the store has indexed, each with its type and how many of
 * the newest matching events carry it. It also finds the fields of a query that no event of
 * the team has, so a typo (`user.emial:x`) is reported instead of silently matching nothing.
 * Knows nothing of HTTP.
 */
import { originalFieldName } from '../events/columns.ts';
import type { TeamId } from '../events/event.ts';
import { NORMALIZED_FIELD_NAMES } from '../events/event.ts';
import { flattenOriginal, META_FIELDS, ORIGINAL_PREFIX, resolveField } from '../events/fields.ts';
import { ECS_FIELD_TYPES, type FieldType } from '../events/field-types.ts';
import type { QueryNode } from '../query/ast.ts';
import type { AuditStore } from '../store/interface.ts';
import type { SearchParams, SearchService } from './service.ts';

export type FieldKind = 'timestamp' | 'normalized' | 'meta' | 'original';

export interface FieldEntry {
  /** The name to type in a query. */
  name: string;
  type: FieldType;
  kind: FieldKind;
  /** Events of the sample that carry the field. */
  count: number;
}

export interface UnknownField {
  field: string;
  /** Span of the query clause that names it (offsets in the query text). */
  start: number;
  end: number;
  message: string;
  suggestions: string[];
}

export interface FieldList {
  fields: FieldEntry[];
  /** The counts are over the newest `events` of the `total` matching events. */
  sample: { events: number; total: number };
  unknown: UnknownField[];
}

const META_TYPES: Record<(typeof META_FIELDS)[number], FieldType> = {
  'auditlog.id': 'keyword',
  'auditlog.received': 'date',
  'auditlog.format': 'keyword',
  'auditlog.flags': 'keyword',
};
/** Typed by Kibana users; known, but not listed (they are the same values as their parent). */
const KEYWORD_SUBFIELDS = ['message.keyword', 'user_agent.original.keyword'];

const FIXED: ReadonlyArray<Omit<FieldEntry, 'count'>> = [
  { name: '@timestamp', type: 'date', kind: 'timestamp' },
  ...NORMALIZED_FIELD_NAMES.map((name) => ({ name, type: ECS_FIELD_TYPES.get(name) ?? 'keyword', kind: 'normalized' as const })),
  ...META_FIELDS.map((name) => ({ name, type: META_TYPES[name], kind: 'meta' as const })),
];
const RESERVED = new Set<string>([...FIXED.map((f) => f.name), ...KEYWORD_SUBFIELDS]);
export { originalFieldName };

export const DEFAULT_SAMPLE = 500;
export const MAX_SAMPLE = 1000;

export class FieldService {
  readonly #store: AuditStore;
  readonly #search: SearchService;

  constructor(store: AuditStore, search: SearchService) {
    this.#store = store;
    this.#search = search;
  }

  /** Every known field of the team, counted over the newest `sample` events matching the query and range. */
  async list(team: TeamId, params: SearchParams & { sample?: number }): Promise<FieldList> {
    const prepared = this.#search.prepare(params);
    const size = Math.min(Math.max(params.sample ?? DEFAULT_SAMPLE, 1), MAX_SAMPLE);
    const [originals, page] = await Promise.all([
      this.#store.originalFields(team),
      this.#store.search(team, { ...prepared, size, sort: 'desc' }),
    ]);
    const counts = new Map<string, number>();
    const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const e of page.hits) {
      add('@timestamp');
      add('auditlog.id');
      add('auditlog.received');
      add('auditlog.format');
      if (e.flags.length > 0) add('auditlog.flags');
      for (const name of Object.keys(e.ecs)) add(name);
      const seen = new Set<string>();
      for (const [path, value] of flattenOriginal(e.original).leaves) {
        if (value === null || seen.has(path)) continue;
        seen.add(path);
        add(originalFieldName(path));
      }
    }
    const fields: FieldEntry[] = [
      ...FIXED.map((f) => ({ ...f, count: counts.get(f.name) ?? 0 })),
      ...originals.map((o) => {
        const name = originalFieldName(o.path);
        return { name, type: o.type, kind: 'original' as const, count: counts.get(name) ?? 0 };
      }),
    ];
    return {
      fields,
      sample: { events: page.hits.length, total: page.total },
      unknown: prepared.query ? unknownFields(prepared.query, new Set(originals.map((o) => o.path))) : [],
    };
  }
}

/** The fields of a query that name no field the team has (`originalPaths`: the store's paths). */
export function unknownFields(query: QueryNode, originalPaths: ReadonlySet<string>): UnknownField[] {
  const known = (field: string): boolean => {
    if (field.includes('*')) return matchesAny(field, originalPaths);
    if (RESERVED.has(field)) return true;
    const r = resolveField(field);
    return r.kind !== 'original' || originalPaths.has(r.path);
  };
  const out = new Map<string, UnknownField>();
  const visit = (node: QueryNode) => {
    if (node.type === 'bool') {
      for (const c of node.clauses) visit(c.query);
      return;
    }
    if (node.type === 'matchAll' || node.field === null || known(node.field) || out.has(node.field)) return;
    const field = node.field;
    const suggestions = suggest(field, originalPaths);
    const what = field.includes('*') ? `no field of this team matches ${JSON.stringify(field)}` : `no event of this team has the field ${JSON.stringify(field)}`;
    out.set(field, {
      field,
      start: node.loc.start,
      end: node.loc.end,
      message: `${what}${suggestions.length ? `; did you mean ${suggestions.join(' or ')}?` : ''}`,
      suggestions,
    });
  };
  visit(query);
  return [...out.values()];
}

/** A field pattern (`*` spans dots, as in Elasticsearch) names a reserved field or an original path. */
function matchesAny(pattern: string, originalPaths: ReadonlySet<string>): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  for (const name of RESERVED) if (re.test(name)) return true;
  const originalPattern = pattern.startsWith(ORIGINAL_PREFIX) ? pattern.slice(ORIGINAL_PREFIX.length) : pattern;
  const reOriginal = new RegExp(`^${originalPattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  for (const path of originalPaths) if (reOriginal.test(path)) return true;
  return false;
}

/** Up to three known names close to `field`: a small edit distance, or the same last segment. */
function suggest(field: string, originalPaths: ReadonlySet<string>): string[] {
  if (field.includes('*')) return [];
  const names = [...RESERVED, ...[...originalPaths].map(originalFieldName)];
  const last = field.slice(field.lastIndexOf('.') + 1).toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(field.length / 4)));
  const scored: Array<[string, number]> = [];
  for (const name of new Set(names)) {
    const d = editDistance(field.toLowerCase(), name.toLowerCase(), limit);
    if (d <= limit) scored.push([name, d]);
    else if (name.slice(name.lastIndexOf('.') + 1).toLowerCase() === last) scored.push([name, limit + 1]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([name]) => name);
}

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}
