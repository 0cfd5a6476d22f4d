/** `any`: every new matching event is news; one result per group that has some. */
import type { Condition } from '../model.ts';
import { groupEvents, groupsIn, topGroups } from './reader.ts';
import type { ConditionModule, GroupResult } from './types.ts';

export const anyCondition: ConditionModule<Extract<Condition, { type: 'any' }>> = {
  ranges: ({ start, end }) => [{ from: start, to: end }],
  async evaluate(reader, { groupBy, start, end, topEvents }) {
    const fetched = await reader.fetch(start, end);
    if (fetched) {
      return topGroups(groupEvents(fetched, groupBy)).map(([group, events]) => ({
        group,
        matched: true,
        value: events.length,
        matches: events.length,
        from: start,
        to: end,
        events: events.slice(0, topEvents),
      }));
    }
    const out: GroupResult[] = [];
    for (const [group, n] of await groupsIn(reader, groupBy, start, end)) {
      if (n > 0) out.push({ group, matched: true, value: n, matches: n, from: start, to: end, events: await reader.top({ group }, start, end) });
    }
    return out;
  },
};
