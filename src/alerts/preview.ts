/**
 * What an alert rule would have fired on over the last 24 hours, before it is saved: the
 * range cut into tumbling windows of the rule's size (one histogram call), each window's
 * matches, and whether the condition holds in it. Group-by, cardinality and new-term
 * conditions look closer at the windows that can fire (facets and counts), within a budget of
 * store calls. Built on the AuditStore alone, so it answers the same on both stores.
 *
 * Windows here are aligned to multiples of the window size, while the scheduler's windows end
 * at each evaluation time; a burst that straddles two windows may fire in one and not in the
 * other. The answer says `exact: false` where it is an estimate.
 */
import { durationMs } from './duration.ts';
import type { RuleSpec } from './model.ts';
import type { TeamId } from '../events/event.ts';
import type { QueryNode } from '../query/ast.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore } from '../store/interface.ts';

export const PREVIEW_SPAN_MS = 24 * 3_600_000;
/** Most facets/count calls one preview makes beyond its histogram. */
export const PREVIEW_MAX_CALLS = 200;
/** Most groups a fired window lists. */
const GROUPS_SHOWN = 10;

export interface PreviewWindow {
  start: string;
  end: string;
  count: number;
  fired: boolean;
  /** Groups (or new terms) that fired, with their measured value, most first. */
  groups: Array<{ group: string; value: number }>;
}

export interface RulePreview {
  from: string;
  to: string;
  windowMs: number;
  /** Matching events over the whole span. */
  matches: number;
  /** Windows in which the rule would have fired. */
  firings: number;
  exact: boolean;
  note?: string;
  windows: PreviewWindow[];
}

const loc = { start: 0, end: 0 };
const and = (a: QueryNode, b: QueryNode): QueryNode =>
  a.type === 'matchAll' ? b : { type: 'bool', clauses: [{ occur: 'must', query: a }, { occur: 'must', query: b }], loc };
const exact = (field: string, value: string): QueryNode => ({ type: 'phrase', field, value, loc });

export async function previewRule(store: AuditStore, team: TeamId, rule: RuleSpec, now: number): Promise<RulePreview> {
  const query = parseQuery(rule.query);
  const windowMs = durationMs(rule.window);
  const to = Math.ceil(now / windowMs) * windowMs;
  const from = to - Math.max(windowMs, Math.ceil(PREVIEW_SPAN_MS / windowMs) * windowMs);
  const histogram = await store.histogram(team, { query, from, to, intervalMs: windowMs });
  let calls = 0;
  let exactAnswer = true;
  let note: string | undefined;
  const budget = () => {
    if (calls >= PREVIEW_MAX_CALLS) {
      exactAnswer = false;
      note = `looked closer at windows until ${PREVIEW_MAX_CALLS} store calls; later windows are judged by their counts alone`;
      return false;
    }
    calls++;
    return true;
  };
  const c = rule.condition;
  const group = rule.groupBy;

  /** Groups of a window with their counts (facets on the group-by field). */
  const groupsOf = async (start: number, end: number, q: QueryNode, field: string) => (await store.facets(team, { query: q, from: start, to: end, field, size: 100 })).buckets;

  const windows: PreviewWindow[] = [];
  for (const b of histogram.buckets) {
    const start = b.start;
    const end = start + windowMs;
    const w: PreviewWindow = { start: new Date(start).toISOString(), end: new Date(end).toISOString(), count: b.count, fired: false, groups: [] };
    windows.push(w);
    switch (c.type) {
      case 'any': {
        w.fired = b.count > 0;
        if (w.fired && group && budget()) w.groups = (await groupsOf(start, end, query, group)).map((g) => ({ group: g.value, value: g.count }));
        break;
      }
      case 'count_above': {
        if (b.count <= c.threshold) break;
        if (!group) {
          w.fired = true;
        } else if (budget()) {
          w.groups = (await groupsOf(start, end, query, group)).filter((g) => g.count > c.threshold).map((g) => ({ group: g.value, value: g.count }));
          w.fired = w.groups.length > 0;
        } else {
          w.fired = true;
        }
        break;
      }
      case 'count_below': {
        if (!group) {
          w.fired = b.count < c.threshold;
        } else {
          // A group absent from a window counts 0, but which groups were expected is the
          // scheduler's state; the preview sees only groups present in the window.
          exactAnswer = false;
          note ??= 'per-group flatlines are previewed only for groups that appear in a window';
          if (b.count > 0 && budget()) {
            w.groups = (await groupsOf(start, end, query, group)).filter((g) => g.count < c.threshold).map((g) => ({ group: g.value, value: g.count }));
            w.fired = w.groups.length > 0;
          }
        }
        break;
      }
      case 'cardinality': {
        // Above the threshold takes at least threshold + 1 events.
        if (b.count <= c.threshold) break;
        if (!group) {
          if (!budget()) break;
          const values = await groupsOf(start, end, query, c.field);
          if (values.length > c.threshold) {
            w.fired = true;
            w.groups = [{ group: '', value: values.length }];
          }
        } else if (budget()) {
          for (const g of await groupsOf(start, end, query, group)) {
            if (g.count <= c.threshold || !budget()) continue;
            const distinct = (await groupsOf(start, end, and(query, exact(group, g.value)), c.field)).length;
            if (distinct > c.threshold) w.groups.push({ group: g.value, value: distinct });
          }
          w.fired = w.groups.length > 0;
        }
        break;
      }
      case 'new_term': {
        if (b.count === 0 || !budget()) break;
        if (group) {
          exactAnswer = false;
          note ??= 'new terms are previewed over the whole rule, not per group';
        }
        const lookback = durationMs(c.lookback);
        for (const v of await groupsOf(start, end, query, c.field)) {
          if (!budget()) break;
          const before = await store.count(team, { query: and(query, exact(c.field, v.value)), from: start - lookback, to: start });
          if (before === 0) w.groups.push({ group: v.value, value: v.count });
        }
        w.fired = w.groups.length > 0;
        break;
      }
    }
    w.groups = w.groups.sort((x, y) => y.value - x.value).slice(0, GROUPS_SHOWN);
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    windowMs,
    matches: histogram.buckets.reduce((n, b) => n + b.count, 0),
    firings: windows.filter((w) => w.fired).length,
    exact: exactAnswer,
    ...(note ? { note } : {}),
    windows,
  };
}
