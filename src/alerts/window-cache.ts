/**
 * One read of a team's events for a whole scheduler cycle: every rule of the team that is due
 * for one window is matched in memory (src/query/match.ts) against the events of the time
 * range its windows need, instead of asking the store once per rule. The read is bounded: a
 * range that holds more than `maxEvents` is not read (the rules it would serve go to the store).
 *
 * A rule's reader (memoryReader) answers the fetch-or-facets questions of its condition
 * (conditions/reader.ts) from these events where the asked range lies inside what was read,
 * in the order the stores use (newest first by @timestamp, then id), and asks the store for
 * the rest (a new-term look-back, facets).
 */
import type { StoredEvent } from '../events/event.ts';
import { EventView } from '../query/event-view.ts';
import { compileMatcher, type Matcher } from '../query/match.ts';
import type { QueryNode } from '../query/ast.ts';
import { compareTerms } from '../query/terms.ts';
import type { AuditStore } from '../store/interface.ts';
import { exact, type RuleQuery, type RuleReader, type Scope } from './conditions/reader.ts';

const PAGE = 1000;

export class WindowCache {
  readonly from: number;
  readonly to: number;
  /** Events of [from, to), oldest first (by @timestamp, then id). */
  readonly views: EventView[];
  readonly #times: number[];

  constructor(from: number, to: number, events: StoredEvent[]) {
    this.from = from;
    this.to = to;
    const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp || compareTerms(a.id, b.id));
    this.views = sorted.map((e) => new EventView(e));
    this.#times = sorted.map((e) => e.timestamp);
  }

  /**
   * Reads the team's events of [from, to), page by page, unless the range holds more than
   * `maxEvents`: then null (the first page's exact total says so before anything else is read).
   */
  static async read(store: AuditStore, team: string, from: number, to: number, maxEvents: number): Promise<WindowCache | null> {
    const first = await store.search(team, { query: null, from, to, size: PAGE, sort: 'asc' });
    if (first.total > maxEvents) return null;
    const events = [...first.hits];
    let cursor = first.cursor;
    while (cursor) {
      const page = await store.search(team, { query: null, from, to, size: PAGE, sort: 'asc', cursor });
      events.push(...page.hits);
      cursor = page.cursor;
    }
    return new WindowCache(from, to, events);
  }

  /** Index of the first event at or after `t`. */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.#times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The reader of one rule over a window cache: its matches are found once, over the part of
 * the cache its windows need (`range`, within the cache), and every question inside that
 * range is a slice of them; anything else goes to `store`.
 */
export function memoryReader(cache: WindowCache, range: { from: number; to: number }, rule: RuleQuery, store: RuleReader, now: number): RuleReader {
  const matcher = compileMatcher(rule.query, { now });
  const covers = (from: number, to: number) => from >= range.from && to <= range.to;
  // The rule's matches over its range, oldest first, found on first use.
  let matched: EventView[] | null = null;
  let times: number[] = [];
  const matches = (): EventView[] => {
    if (matched === null) {
      matched = [];
      const views = cache.views;
      for (let i = cache.indexAt(range.from), end = cache.indexAt(range.to); i < end; i++) if (matcher.test(views[i]!)) matched.push(views[i]!);
      times = matched.map((v) => v.event.timestamp);
    }
    return matched;
  };
  const slice = (from: number, to: number): EventView[] => {
    const all = matches();
    return all.slice(lowerBound(times, from), lowerBound(times, to));
  };
  const scopes = new Map<string, Matcher>();
  const scopeTest = (field: string, values: string[]): Matcher => {
    const key = JSON.stringify([field, values]);
    let m = scopes.get(key);
    if (!m) {
      const node: QueryNode =
        values.length === 1
          ? exact(field, values[0]!)
          : { type: 'bool', clauses: values.map((v) => ({ occur: 'should' as const, query: exact(field, v) })), loc: { start: 0, end: 0 } };
      m = compileMatcher(node, { now });
      scopes.set(key, m);
    }
    return m;
  };
  const inScope = (scope: Scope): ((v: EventView) => boolean) => {
    const tests: Matcher[] = [];
    if (scope.group !== undefined && rule.groupBy) tests.push(scopeTest(rule.groupBy, [scope.group]));
    if (scope.terms) tests.push(scopeTest(scope.terms.field, scope.terms.values));
    return (v) => tests.every((t) => t.test(v));
  };
  /** Newest first, as the stores sort a search. */
  const newest = (views: EventView[]): EventView[] => views.slice().reverse();

  return {
    async fetch(from, to) {
      if (!covers(from, to)) return store.fetch(from, to);
      return newest(slice(from, to)).map((v) => v.event);
    },
    async count(scope, from, to) {
      if (!covers(from, to)) return store.count(scope, from, to);
      const test = inScope(scope);
      let n = 0;
      for (const v of slice(from, to)) if (test(v)) n++;
      return n;
    },
    async top(scope, from, to) {
      if (!covers(from, to)) return store.top(scope, from, to);
      const test = inScope(scope);
      const out: StoredEvent[] = [];
      const views = slice(from, to);
      for (let i = views.length - 1; i >= 0 && out.length < rule.topEvents; i--) if (test(views[i]!)) out.push(views[i]!.event);
      return out;
    },
    // Facets render values as each store does (an address in its canonical form…): asked of the store.
    facets: (scope, field, size, from, to) => store.facets(scope, field, size, from, to),
  };
}

function lowerBound(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
