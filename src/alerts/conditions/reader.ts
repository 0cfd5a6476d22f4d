/**
 * The one helper every condition reads a rule's events through: fetch the matching events of
 * a range and group them in memory when they are few, else ask the store's aggregations
 * (facets, count). A rule's reader answers for the rule's own query, optionally narrowed to
 * one group value and to values of one field (a Scope), so a condition never builds queries.
 *
 * storeReader asks the AuditStore; the single-pass engine (window-cache.ts) answers the same
 * questions from a window of events it read once and falls back to this one for the rest.
 */
import type { StoredEvent } from '../../events/event.ts';
import type { QueryNode } from '../../query/ast.ts';
import type { AuditStore } from '../../store/interface.ts';
import { valuesOf } from '../field-values.ts';

/** Most groups looked at per evaluation (facets return at most 100 values). */
export const MAX_GROUPS = 100;
/** Most distinct new terms looked at per group and evaluation. */
export const MAX_TERMS = 100;
/** Default most matching events fetched to group in memory per range. */
export const DEFAULT_FETCH_LIMIT = 5_000;
const PAGE = 1000;

/** The rule's query narrowed to one value of the group-by field and/or to some values of `field`. */
export interface Scope {
  group?: string;
  terms?: { field: string; values: string[] };
}

export interface Bucket {
  value: string;
  count: number;
}

export interface RuleReader {
  /** The rule's matching events in [from, to), newest first; null when there are more than the fetch limit. */
  fetch(from: number, to: number): Promise<StoredEvent[] | null>;
  count(scope: Scope, from: number, to: number): Promise<number>;
  /** The newest matching events (as many as the evaluation attaches per group). */
  top(scope: Scope, from: number, to: number): Promise<StoredEvent[]>;
  /** Top values of `field` among the matching events, count desc then value asc. */
  facets(scope: Scope, field: string, size: number, from: number, to: number): Promise<Bucket[]>;
}

export interface RuleQuery {
  team: string;
  query: QueryNode;
  groupBy?: string | undefined;
  /** Matching events attached per group. */
  topEvents: number;
}

const loc = { start: 0, end: 0 };

function and(...nodes: QueryNode[]): QueryNode {
  const real = nodes.filter((n) => n.type !== 'matchAll');
  if (real.length === 0) return { type: 'matchAll', loc };
  if (real.length === 1) return real[0]!;
  return { type: 'bool', clauses: real.map((query) => ({ occur: 'must' as const, query })), loc };
}

/** `field:"value"` as an exact match (a phrase on a keyword field is a term query). */
export function exact(field: string, value: string): QueryNode {
  return { type: 'phrase', field, value, loc };
}

function anyOf(field: string, values: string[]): QueryNode {
  if (values.length === 1) return exact(field, values[0]!);
  return { type: 'bool', clauses: values.map((v) => ({ occur: 'should' as const, query: exact(field, v) })), loc };
}

/** The rule's query narrowed by a scope, as the stores take it. */
export function scopedQuery(rule: RuleQuery, scope: Scope): QueryNode {
  const parts = [rule.query];
  if (scope.group !== undefined && rule.groupBy) parts.push(exact(rule.groupBy, scope.group));
  if (scope.terms) parts.push(anyOf(scope.terms.field, scope.terms.values));
  return and(...parts);
}

/** A reader on the event store: each question is a store call. */
export function storeReader(store: AuditStore, rule: RuleQuery, fetchLimit: number = DEFAULT_FETCH_LIMIT): RuleReader {
  const { team } = rule;
  return {
    async fetch(from, to) {
      const query = rule.query;
      const first = await store.search(team, { query, from, to, size: Math.min(PAGE, Math.max(1, fetchLimit)), sort: 'desc' });
      if (first.total > fetchLimit) return null;
      const events = [...first.hits];
      let cursor = first.cursor;
      while (cursor && events.length < first.total) {
        const page = await store.search(team, { query, from, to, size: PAGE, sort: 'desc', cursor });
        events.push(...page.hits);
        cursor = page.cursor;
      }
      return events;
    },
    count: (scope, from, to) => store.count(team, { query: scopedQuery(rule, scope), from, to }),
    async top(scope, from, to) {
      if (rule.topEvents <= 0) return [];
      return (await store.search(team, { query: scopedQuery(rule, scope), from, to, size: rule.topEvents, sort: 'desc' })).hits;
    },
    async facets(scope, field, size, from, to) {
      return (await store.facets(team, { query: scopedQuery(rule, scope), from, to, field, size })).buckets;
    },
  };
}

/** Events by group value ('' for all when there is no group-by), in fetch order. */
export function groupEvents(events: StoredEvent[], groupBy: string | undefined): Map<string, StoredEvent[]> {
  const groups = new Map<string, StoredEvent[]>();
  for (const e of events) {
    for (const g of groupBy ? valuesOf(e, groupBy) : ['']) {
      const list = groups.get(g);
      if (list) list.push(e);
      else groups.set(g, [e]);
    }
  }
  return groups;
}

/** The MAX_GROUPS biggest groups, as facets would return them (count desc, value asc). */
export function topGroups<T>(groups: Map<string, T[]>): Array<[string, T[]]> {
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, MAX_GROUPS);
}

/** Group values present in a range with their counts, by the store's aggregations. */
export async function groupsIn(reader: RuleReader, groupBy: string | undefined, from: number, to: number): Promise<Map<string, number>> {
  if (!groupBy) return new Map([['', await reader.count({}, from, to)]]);
  return new Map((await reader.facets({}, groupBy, MAX_GROUPS, from, to)).map((b) => [b.value, b.count]));
}

/**
 * Matches per group in a range: grouped in memory when the range holds few matches (the
 * fetched events then also give each group's top events), else by the store's facets.
 * Without a group-by, a plain count (nothing to group).
 */
export async function countsIn(
  reader: RuleReader,
  groupBy: string | undefined,
  from: number,
  to: number,
): Promise<Map<string, { n: number; events?: StoredEvent[] }>> {
  if (!groupBy) return new Map([['', { n: await reader.count({}, from, to) }]]);
  const fetched = await reader.fetch(from, to);
  if (fetched) return new Map(topGroups(groupEvents(fetched, groupBy)).map(([g, events]) => [g, { n: events.length, events }]));
  return new Map([...(await groupsIn(reader, groupBy, from, to))].map(([g, n]) => [g, { n }]));
}
