/**
 * Compact notation for expected ASTs: `t('alice', 'user.name')`, `bool(must(t('a')), not(t('b')))`.
 * Expected trees carry no `loc`; `stripLoc` removes it from parsed trees before comparing.
 */
import type { Clause, Field, QueryNode } from '../../src/query/ast.ts';

type NoLoc<T> = T extends { loc: unknown } ? Omit<T, 'loc'> : T;
export type Expected = NoLoc<QueryNode> | { type: 'bool'; clauses: Array<{ occur: Clause['occur']; query: Expected }>; boost?: number };

export const all = (): Expected => ({ type: 'matchAll' });
export const t = (value: string, field: Field = null): Expected => ({ type: 'term', field, value });
export const ph = (value: string, field: Field = null, slop?: number): Expected =>
  slop === undefined ? { type: 'phrase', field, value } : { type: 'phrase', field, value, slop };
export const w = (pattern: string, field: Field = null): Expected => ({ type: 'wildcard', field, pattern });
export const re = (pattern: string, field: Field = null): Expected => ({ type: 'regex', field, pattern });
export const fz = (value: string, distance: number | 'auto', field: Field = null): Expected => ({ type: 'fuzzy', field, value, distance });
export const rg = (field: Field, lower: string | null, upper: string | null, includeLower = true, includeUpper = true): Expected => ({
  type: 'range',
  field,
  lower,
  upper,
  includeLower,
  includeUpper,
});
export const ex = (field: string): Expected => ({ type: 'exists', field });
export const bool = (...clauses: Array<{ occur: Clause['occur']; query: Expected }>): Expected => ({ type: 'bool', clauses });
export const must = (query: Expected) => ({ occur: 'must' as const, query });
export const should = (query: Expected) => ({ occur: 'should' as const, query });
export const not = (query: Expected) => ({ occur: 'mustNot' as const, query });
export const boosted = (node: Expected, boost: number): Expected => ({ ...node, boost }) as Expected;

/** A deep copy without `loc` (and without undefined properties). */
export function stripLoc(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLoc);
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'loc' && v !== undefined) out[k] = stripLoc(v);
    return out;
  }
  return node;
}
