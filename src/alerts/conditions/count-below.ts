/**
 * `count_below` (flatline): matches in the window below the threshold. Without a group-by the
 * one group always exists; with one, a group that was active in the window before (or is
 * already firing) and falls below the threshold now is an audit source gone silent.
 */
import type { Condition } from '../model.ts';
import { countsIn } from './reader.ts';
import type { ConditionModule, GroupResult } from './types.ts';

export const countBelowCondition: ConditionModule<Extract<Condition, { type: 'count_below' }>> = {
  ranges: ({ groupBy, end, windowMs }) => [{ from: groupBy ? end - 2 * windowMs : end - windowMs, to: end }],
  async evaluate(reader, { condition, groupBy, end, windowMs, firingGroups }) {
    const from = end - windowMs;
    const current = await countsIn(reader, groupBy, from, end);
    const candidates = new Set<string>(groupBy ? [...(await countsIn(reader, groupBy, from - windowMs, from)).keys()] : ['']);
    for (const g of firingGroups) candidates.add(g);
    for (const g of current.keys()) candidates.add(g);
    const out: GroupResult[] = [];
    for (const group of candidates) {
      // Facets list the top groups only: a candidate absent from them is counted directly.
      const n = current.get(group)?.n ?? (groupBy ? await reader.count({ group }, from, end) : 0);
      out.push({ group, matched: n < condition.threshold, value: n, matches: n, from, to: end, events: [] });
    }
    return out;
  },
};
