/** `cardinality`: distinct values of a field in the window (per group) above the threshold. */
import { valuesOf } from '../field-values.ts';
import type { Condition } from '../model.ts';
import { groupEvents, groupsIn, MAX_TERMS, topGroups } from './reader.ts';
import { type ConditionModule, type GroupResult, missingGroups } from './types.ts';

export const cardinalityCondition: ConditionModule<Extract<Condition, { type: 'cardinality' }>> = {
  ranges: ({ end, windowMs }) => [{ from: end - windowMs, to: end }],
  async evaluate(reader, { condition, groupBy, end, windowMs, firingGroups, topEvents }) {
    const from = end - windowMs;
    const out: GroupResult[] = [];
    const fetched = await reader.fetch(from, end);
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
          from,
          to: end,
          events: matched ? events.slice(0, topEvents) : [],
          ...(matched ? { terms: distinct.sort().slice(0, MAX_TERMS) } : {}),
        });
      }
      return [...out, ...missingGroups(firingGroups, new Set(groups.map(([g]) => g)), from, end)];
    }
    const groups = await groupsIn(reader, groupBy, from, end);
    for (const [group, n] of groups) {
      if (n === 0) continue;
      const distinct = await reader.facets({ group }, condition.field, condition.threshold + 1, from, end);
      const value = distinct.length;
      const matched = value > condition.threshold;
      out.push({
        group,
        matched,
        value,
        matches: n,
        from,
        to: end,
        events: matched ? await reader.top({ group }, from, end) : [],
        ...(matched ? { terms: distinct.map((b) => b.value).sort() } : {}),
      });
    }
    return [...out, ...missingGroups(firingGroups, groups, from, end)];
  },
};
