/**
 * One evaluation of one rule at one point in time: what the condition says about each group.
 * Composed from the AuditStore's search / count / facets only, so it runs the same on SQLite
 * and Elasticsearch. No state, no clock: the caller says which window to look at.
 */
import type { StoredEvent } from '../events/event.ts';
import type { QueryNode } from '../query/ast.ts';
import type { AuditStore } from '../store/interface.ts';
import { durationMs } from './duration.ts';
import type { Condition } from './model.ts';

/** Most groups looked at per evaluation (facets return at most 100 values). */
export const MAX_GROUPS = 100;
/** Most distinct new terms looked at per group and evaluation. */
export const MAX_TERMS = 100;

export interface EvaluationInput {
  team: string;
  query: QueryNode;
  condition: Condition;
  groupBy?: string | undefined;
  windowMs: number;
  /** Start of the new interval since the previous evaluation (inclusive). */
  start: number;
  /** End of the interval and of the window (exclusive). */
  end: number;
  /** Groups currently firing: evaluated even when absent from this window (recovery, flatline). */
  firingGroups: readonly string[];
  /** How many matching events to attach per group. */
  topEvents: number;
}

export interface GroupResult {
  /** Group value; '' when the rule has no group-by. */
  group: string;
  matched: boolean;
  /** The measured value: matches, count, distinct values or new terms. */
  value: number;
  /** Matching events in the evaluated interval (for event conditions, the news). */
  matches: number;
  /** The evaluated interval. */
  from: number;
  to: number;
  events: StoredEvent[];
  /** New values (new_term only). */
  terms?: string[];
}

const loc = { start: 0, end: 0 };

function and(...nodes: QueryNode[]): QueryNode {
  const real = nodes.filter((n) => n.type !== 'matchAll');
  if (real.length === 0) return { type: 'matchAll', loc };
  if (real.length === 1) return real[0]!;
  return { type: 'bool', clauses: real.map((query) => ({ occur: 'must' as const, query })), loc };
}

/** `field:"value"` as an exact match (a phrase on a keyword field is a term query). */
function exact(field: string, value: string): QueryNode {
  return { type: 'phrase', field, value, loc };
}

function anyOf(field: string, values: string[]): QueryNode {
  if (values.length === 1) return exact(field, values[0]!);
  return { type: 'bool', clauses: values.map((v) => ({ occur: 'should' as const, query: exact(field, v) })), loc };
}

export async function evaluateWindow(store: AuditStore, input: EvaluationInput): Promise<GroupResult[]> {
  const { team, query, condition, groupBy, start, end, windowMs } = input;
  const windowFrom = end - windowMs;

  const top = async (q: QueryNode, from: number, to: number) =>
    input.topEvents > 0 ? (await store.search(team, { query: q, from, to, size: input.topEvents, sort: 'desc' })).hits : [];

  /** Group values present in a range, most frequent first, with their counts. */
  const groupsIn = async (from: number, to: number): Promise<Map<string, number>> => {
    if (!groupBy) {
      return new Map([['', await store.count(team, { query, from, to })]]);
    }
    const facet = await store.facets(team, { query, from, to, field: groupBy, size: MAX_GROUPS });
    return new Map(facet.buckets.map((b) => [b.value, b.count]));
  };
  const scoped = (group: string) => (groupBy ? and(query, exact(groupBy, group)) : query);

  switch (condition.type) {
    case 'any': {
      const groups = await groupsIn(start, end);
      const out: GroupResult[] = [];
      for (const [group, n] of groups) {
        if (n === 0) continue;
        out.push({ group, matched: true, value: n, matches: n, from: start, to: end, events: await top(scoped(group), start, end) });
      }
      return out;
    }
    case 'count_above': {
      const groups = await groupsIn(windowFrom, end);
      const out: GroupResult[] = [];
      for (const [group, n] of groups) {
        const matched = n > condition.threshold;
        out.push({ group, matched, value: n, matches: n, from: windowFrom, to: end, events: matched ? await top(scoped(group), windowFrom, end) : [] });
      }
      for (const group of input.firingGroups) {
        if (!groups.has(group)) out.push({ group, matched: false, value: 0, matches: 0, from: windowFrom, to: end, events: [] });
      }
      return out;
    }
    case 'count_below': {
      const current = await groupsIn(windowFrom, end);
      // Without a group-by the one group always exists; with one, a group that was active in
      // the window before (or is already firing) and falls below the threshold now is silent.
      const candidates = new Set<string>(groupBy ? [...(await groupsIn(windowFrom - windowMs, windowFrom)).keys()] : ['']);
      for (const g of input.firingGroups) candidates.add(g);
      for (const g of current.keys()) candidates.add(g);
      const out: GroupResult[] = [];
      for (const group of candidates) {
        const n = current.get(group) ?? (groupBy ? await store.count(team, { query: scoped(group), from: windowFrom, to: end }) : 0);
        out.push({ group, matched: n < condition.threshold, value: n, matches: n, from: windowFrom, to: end, events: [] });
      }
      return out;
    }
    case 'cardinality': {
      const groups = await groupsIn(windowFrom, end);
      const out: GroupResult[] = [];
      for (const [group, n] of groups) {
        if (n === 0) continue;
        const distinct = await store.facets(team, {
          query: scoped(group),
          from: windowFrom,
          to: end,
          field: condition.field,
          size: condition.threshold + 1,
        });
        const value = distinct.buckets.length;
        const matched = value > condition.threshold;
        out.push({
          group,
          matched,
          value,
          matches: n,
          from: windowFrom,
          to: end,
          events: matched ? await top(scoped(group), windowFrom, end) : [],
          ...(matched ? { terms: distinct.buckets.map((b) => b.value) } : {}),
        });
      }
      for (const group of input.firingGroups) {
        if (!groups.has(group)) out.push({ group, matched: false, value: 0, matches: 0, from: windowFrom, to: end, events: [] });
      }
      return out;
    }
    case 'new_term': {
      const lookbackMs = durationMs(condition.lookback);
      const groups = await groupsIn(start, end);
      const out: GroupResult[] = [];
      for (const [group, n] of groups) {
        if (n === 0) continue;
        const seen = await store.facets(team, { query: scoped(group), from: start, to: end, field: condition.field, size: MAX_TERMS });
        const fresh: string[] = [];
        for (const b of seen.buckets) {
          const before = await store.count(team, {
            query: and(scoped(group), exact(condition.field, b.value)),
            from: start - lookbackMs,
            to: start,
          });
          if (before === 0) fresh.push(b.value);
        }
        if (fresh.length === 0) continue;
        const q = and(scoped(group), anyOf(condition.field, fresh));
        const matches = await store.count(team, { query: q, from: start, to: end });
        out.push({ group, matched: true, value: fresh.length, matches, from: start, to: end, events: await top(q, start, end), terms: fresh });
      }
      return out;
    }
  }
}
