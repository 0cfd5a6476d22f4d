/**
 * Where a field path that a user types lives in a stored event. One rule for both stores,
 * so `source:API` (Threat Stack's original field) and `source.ip:1.2.3.4` (normalized) never
 * collide: normalized ECS names and our metadata are reserved; every other path is a path
 * into the original event, and `original.<path>` always is.
 */
import { NORMALIZED_FIELD_NAMES, type NormalizedFieldName } from './event.ts';

export const META_FIELDS = ['auditlog.id', 'auditlog.received', 'auditlog.format', 'auditlog.flags'] as const;
export type MetaField = (typeof META_FIELDS)[number];

export const ORIGINAL_PREFIX = 'original.';

export type ResolvedField =
  | { kind: 'timestamp' }
  | { kind: 'normalized'; name: NormalizedFieldName }
  | { kind: 'meta'; name: MetaField }
  | { kind: 'original'; path: string };

const normalized = new Set<string>(NORMALIZED_FIELD_NAMES);
const meta = new Set<string>(META_FIELDS);

/** Resolve a concrete (wildcard-free) field path. */
export function resolveField(path: string): ResolvedField {
  if (path === '@timestamp') return { kind: 'timestamp' };
  if (normalized.has(path)) return { kind: 'normalized', name: path as NormalizedFieldName };
  if (meta.has(path)) return { kind: 'meta', name: path as MetaField };
  if (path.startsWith(ORIGINAL_PREFIX)) return { kind: 'original', path: path.slice(ORIGINAL_PREFIX.length) };
  return { kind: 'original', path };
}

export type Leaf = string | number | boolean | null;

/**
 * Every leaf of an original event with its dotted path, the way Elasticsearch flattens a
 * document: array indexes vanish (`a: [{b: 1}, {b: 2}]` gives `a.b` twice) and a key that
 * itself contains dots addresses the same path as nested objects (`{"a.b": 1}` is `a.b`).
 * `maxDepth` and `maxLeaves` bound the work on hostile input; `truncated` tells if they bit.
 */
export function flattenOriginal(
  value: unknown,
  { maxDepth = 32, maxLeaves = 10_000 }: { maxDepth?: number; maxLeaves?: number } = {},
): { leaves: Array<[path: string, value: Leaf]>; truncated: boolean } {
  const leaves: Array<[string, Leaf]> = [];
  let truncated = false;
  const walk = (v: unknown, path: string, depth: number): void => {
    if (leaves.length >= maxLeaves) {
      truncated = true;
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) walk(item, path, depth);
      return;
    }
    if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) {
        truncated = true;
        return;
      }
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    if (path === '') return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) leaves.push([path, v]);
  };
  walk(value, '', 0);
  return { leaves, truncated };
}
