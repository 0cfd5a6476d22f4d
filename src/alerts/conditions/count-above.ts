/** `count_above`: matches in the window (per group) above the threshold. */
import type { Condition } from '../model.ts';
import { countsIn } from './reader.ts';
import { type ConditionModule, type GroupResult, missingGroups } from './types.ts';

export const countAboveCondition: ConditionModule<Extract<Condition, { type: 'count_above' }>> = {
  ranges: ({ end, windowMs }) => [{ from: end - windowMs, to: end }],
  async evaluate(reader, { condition, groupBy, end, windowMs, firingGroups, topEvents }) {
    const from = end - windowMs;
    const groups = await countsIn(reader, groupBy, from, end);
    const out: GroupResult[] = [];
    for (const [group, { n, events }] of groups) {
      const matched = n > condition.threshold;
      const top = matched ? (events ? events.slice(0, topEvents) : await reader.top({ group }, from, end)) : [];
      out.push({ group, matched, value: n, matches: n, from, to: end, events: top });
    }
    return [...out, ...missingGroups(firingGroups, groups, from, end)];
  },
};
