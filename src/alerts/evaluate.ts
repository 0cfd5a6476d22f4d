/**
 * One evaluation of one rule at one point in time: what the condition says about each group.
 * Composed from the AuditStore's search / count / facets only, so it runs the same on SQLite
 * and Elasticsearch. No state, no clock: the caller says which window to look at.
 *
 * Alert windows are short, so most hold few matching events: those are fetched once (search
 * pages) and grouped in memory, which replaces a facets call per group. A window with more
 * matches than `fetchLimit` falls back to the store's aggregations (facets, count).
 */
import type { StoredEvent } from '../events/event.ts';
import type { QueryNode } from '../query/ast.ts';
import type { AuditStore } from '../store/interface.ts';
import { durationMs } from './duration.ts';
import { valuesOf } from './field-values.ts';
import type { Condition } from './model.ts';

/** Most groups looked at per evaluation (facets return at most 100 values). */
export const MAX_GROUPS = 100;
/** Most distinct new terms looked at per group and evaluation. */
export const MAX_TERMS = 100;
const PAGE = 1000;

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
  /** Most matching events fetched to group in memory. Default 5,000. */
  fetchLimit?: number;
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
  /** Distinct values (cardinality) or new values (new_term). */
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

/** Matching events of a range, newest first, or null when there are more than `limit`. */
async function fetchAll(store: AuditStore, team: string, query: QueryNode, from: number, to: number, limit: number): Promise<StoredEvent[] | null> {
  const first = await store.search(team, { query, from, to, size: Math.min(PAGE, Math.max(1, limit)), sort: 'desc' });
  if (first.total > limit) return null;
  const events = [...first.hits];
  let cursor = first.cursor;
  while (cursor && events.length < first.total) {
    const page = await store.search(team, { query, from, to, size: PAGE, sort: 'desc', cursor });
    events.push(...page.hits);
    cursor = page.cursor;
  }
  return events;
}

/** Events by group value ('' for all when there is no group-by), in fetch order. */
function groupEvents(events: StoredEvent[], groupBy: string | undefined): Map<string, StoredEvent[]> {
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
function topGroups<T>(groups: Map<string, T[]>): Array<[string, T[]]> {
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, MAX_GROUPS);
}

export async function evaluateWindow(store: AuditStore, input: EvaluationInput): Promise<GroupResult[]> {
  const { team, query, condition, groupBy, start, end, windowMs } = input;
  const windowFrom = end - windowMs;
  const limit = input.fetchLimit ?? 5_000;

  const top = async (q: QueryNode, from: number, to: number) =>
    input.topEvents > 0 ? (await store.search(team, { query: q, from, to, size: input.topEvents, sort: 'desc' })).hits : [];

  /** Group values present in a range with their counts, by the store's aggregations. */
  const groupsIn = async (q: QueryNode, from: number, to: number): Promise<Map<string, number>> => {
    if (!groupBy) return new Map([['', await store.count(team, { query: q, from, to })]]);
    const facet = await store.facets(team, { query: q, from, to, field: groupBy, size: MAX_GROUPS });
    return new Map(facet.buckets.map((b) => [b.value, b.count]));
  };
  /**
   * Matches per group in a range: grouped in memory when the range holds few matches (the
   * fetched events then also give each group's top events), else by the store's facets.
   * Without a group-by, a plain count (nothing to group).
   */
  const countsIn = async (from: number, to: number): Promise<Map<string, { n: number; events?: StoredEvent[] }>> => {
    if (!groupBy) return new Map([['', { n: await store.count(team, { query, from, to }) }]]);
    const fetched = await fetchAll(store, team, query, from, to, limit);
    if (fetched) return new Map(topGroups(groupEvents(fetched, groupBy)).map(([g, events]) => [g, { n: events.length, events }]));
    return new Map([...(await groupsIn(query, from, to))].map(([g, n]) => [g, { n }]));
  };
  const scoped = (group: string) => (groupBy ? and(query, exact(groupBy, group)) : query);
  const missing = (seen: { has(g: string): boolean }, from: number, to: number): GroupResult[] =>
    input.firingGroups.filter((g) => !seen.has(g)).map((group) => ({ group, matched: false, value: 0, matches: 0, from, to, events: [] }));

  switch (condition.type) {
    case 'any': {
      const fetched = await fetchAll(store, team, query, start, end, limit);
      if (fetched) {
        return topGroups(groupEvents(fetched, groupBy)).map(([group, events]) => ({
          group,
          matched: true,
          value: events.length,
          matches: events.length,
          from: start,
          to: end,
          events: events.slice(0, input.topEvents),
        }));
      }
      const out: GroupResult[] = [];
      for (const [group, n] of await groupsIn(query, start, end)) {
        if (n > 0) out.push({ group, matched: true, value: n, matches: n, from: start, to: end, events: await top(scoped(group), start, end) });
      }
      return out;
    }
    case 'count_above': {
      const groups = await countsIn(windowFrom, end);
      const out: GroupResult[] = [];
      for (const [group, { n, events }] of groups) {
        const matched = n > condition.threshold;
        const top5 = matched ? (events ? events.slice(0, input.topEvents) : await top(scoped(group), windowFrom, end)) : [];
        out.push({ group, matched, value: n, matches: n, from: windowFrom, to: end, events: top5 });
      }
      return [...out, ...missing(groups, windowFrom, end)];
    }
    case 'count_below': {
      const current = await countsIn(windowFrom, end);
      // Without a group-by the one group always exists; with one, a group that was active in
      // the window before (or is already firing) and falls below the threshold now is silent.
      const candidates = new Set<string>(groupBy ? [...(await countsIn(windowFrom - windowMs, windowFrom)).keys()] : ['']);
      for (const g of input.firingGroups) candidates.add(g);
      for (const g of current.keys()) candidates.add(g);
      const out: GroupResult[] = [];
      for (const group of candidates) {
        // Facets list the top groups only: a candidate absent from them is counted directly.
        const n = current.get(group)?.n ?? (groupBy ? await store.count(team, { query: scoped(group), from: windowFrom, to: end }) : 0);
        out.push({ group, matched: n < condition.threshold, value: n, matches: n, from: windowFrom, to: end, events: [] });
      }
      return out;
    }
    case 'cardinality': {
      const out: GroupResult[] = [];
      const fetched = await fetchAll(store, team, query, windowFrom, end, limit);
      if (fetched) {
        const groups = topGroups(groupEvents(fetched, groupBy));
        for (const [group, events] of groups) {
          const distinct = [...new Set(events.flatMap((e) => valuesOf(e, condition.field)))];
          const matched = distinct.length > condition.threshold;
          out.push({
            group,
            matched,
            value: distinct.length,
            matches: events.length,
            from: windowFrom,
            to: end,
            events: matched ? events.slice(0, input.topEvents) : [],
            ...(matched ? { terms: distinct.sort().slice(0, MAX_TERMS) } : {}),
          });
        }
        return [...out, ...missing(new Set(groups.map(([g]) => g)), windowFrom, end)];
      }
      const groups = await groupsIn(query, windowFrom, end);
      for (const [group, n] of groups) {
        if (n === 0) continue;
        const distinct = await store.facets(team, { query: scoped(group), from: windowFrom, to: end, field: condition.field, size: condition.threshold + 1 });
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
          ...(matched ? { terms: distinct.buckets.map((b) => b.value).sort() } : {}),
        });
      }
      return [...out, ...missing(groups, windowFrom, end)];
    }
    case 'new_term': {
      const lookbackMs = durationMs(condition.lookback);
      // Terms per group in the new interval: from the fetched events, else from facets.
      const termsByGroup = new Map<string, Map<string, StoredEvent[]> | string[]>();
      const fetched = await fetchAll(store, team, query, start, end, limit);
      if (fetched) {
        for (const [group, events] of topGroups(groupEvents(fetched, groupBy))) {
          const byTerm = new Map<string, StoredEvent[]>();
          for (const e of events) {
            for (const t of valuesOf(e, condition.field)) {
              const list = byTerm.get(t);
              if (list) list.push(e);
              else byTerm.set(t, [e]);
            }
          }
          if (byTerm.size > 0) termsByGroup.set(group, byTerm);
        }
      } else {
        for (const [group, n] of await groupsIn(query, start, end)) {
          if (n === 0) continue;
          const f = await store.facets(team, { query: scoped(group), from: start, to: end, field: condition.field, size: MAX_TERMS });
          termsByGroup.set(group, f.buckets.map((b) => b.value));
        }
      }
      const out: GroupResult[] = [];
      for (const [group, terms] of termsByGroup) {
        const candidates = Array.isArray(terms) ? terms : [...terms.keys()].slice(0, MAX_TERMS);
        // One facets call tells which terms the look-back holds, unless it has more distinct
        // values than facets return; then the remaining candidates are counted one by one.
        const before = await store.facets(team, { query: scoped(group), from: start - lookbackMs, to: start, field: condition.field, size: MAX_TERMS });
        const seen = new Set(before.buckets.map((b) => b.value));
        const complete = before.buckets.length < MAX_TERMS;
        const fresh: string[] = [];
        for (const t of candidates) {
          if (seen.has(t)) continue;
          if (complete || (await store.count(team, { query: and(scoped(group), exact(condition.field, t)), from: start - lookbackMs, to: start })) === 0) {
            fresh.push(t);
          }
        }
        if (fresh.length === 0) continue;
        fresh.sort();
        let events: StoredEvent[];
        let matches: number;
        if (Array.isArray(terms)) {
          const q = and(scoped(group), anyOf(condition.field, fresh));
          matches = await store.count(team, { query: q, from: start, to: end });
          events = await top(q, start, end);
        } else {
          const ids = new Set<string>();
          const list: StoredEvent[] = [];
          for (const t of fresh) for (const e of terms.get(t) ?? []) if (!ids.has(e.id) && ids.add(e.id)) list.push(e);
          list.sort((a, b) => b.timestamp - a.timestamp || (a.id < b.id ? 1 : -1));
          matches = list.length;
          events = list.slice(0, input.topEvents);
        }
        out.push({ group, matched: true, value: fresh.length, matches, from: start, to: end, events, terms: fresh });
      }
      return out;
    }
  }
}
