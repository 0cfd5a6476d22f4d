/**
 * `new_term`: a value of a field (per group) in the new interval that the look-back before it
 * does not hold. The interval's terms come from its fetched events (else from facets); the
 * look-back is asked of the reader per group (one facets call, counts only past its size).
 */
import type { StoredEvent } from '../../events/event.ts';
import { durationMs } from '../duration.ts';
import { valuesOf } from '../field-values.ts';
import type { Condition } from '../model.ts';
import { groupEvents, groupsIn, MAX_TERMS, topGroups } from './reader.ts';
import type { ConditionModule, GroupResult } from './types.ts';

export const newTermCondition: ConditionModule<Extract<Condition, { type: 'new_term' }>> = {
  ranges: ({ start, end }) => [{ from: start, to: end }],
  async evaluate(reader, { condition, groupBy, start, end, topEvents }) {
    const lookbackMs = durationMs(condition.lookback);
    // Terms per group in the new interval: from the fetched events, else from facets.
    const termsByGroup = new Map<string, Map<string, StoredEvent[]> | string[]>();
    const fetched = await reader.fetch(start, end);
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
      for (const [group, n] of await groupsIn(reader, groupBy, start, end)) {
        if (n === 0) continue;
        const f = await reader.facets({ group }, condition.field, MAX_TERMS, start, end);
        termsByGroup.set(group, f.map((b) => b.value));
      }
    }
    const out: GroupResult[] = [];
    for (const [group, terms] of termsByGroup) {
      const candidates = Array.isArray(terms) ? terms : [...terms.keys()].slice(0, MAX_TERMS);
      // One facets call tells which terms the look-back holds, unless it has more distinct
      // values than facets return; then the remaining candidates are counted one by one.
      const before = await reader.facets({ group }, condition.field, MAX_TERMS, start - lookbackMs, start);
      const seen = new Set(before.map((b) => b.value));
      const complete = before.length < MAX_TERMS;
      const fresh: string[] = [];
      for (const t of candidates) {
        if (seen.has(t)) continue;
        if (complete || (await reader.count({ group, terms: { field: condition.field, values: [t] } }, start - lookbackMs, start)) === 0) {
          fresh.push(t);
        }
      }
      if (fresh.length === 0) continue;
      fresh.sort();
      let events: StoredEvent[];
      let matches: number;
      if (Array.isArray(terms)) {
        const scope = { group, terms: { field: condition.field, values: fresh } };
        matches = await reader.count(scope, start, end);
        events = await reader.top(scope, start, end);
      } else {
        const ids = new Set<string>();
        const list: StoredEvent[] = [];
        for (const t of fresh) for (const e of terms.get(t) ?? []) if (!ids.has(e.id) && ids.add(e.id)) list.push(e);
        list.sort((a, b) => b.timestamp - a.timestamp || (a.id < b.id ? 1 : -1));
        matches = list.length;
        events = list.slice(0, topEvents);
      }
      out.push({ group, matched: true, value: fresh.length, matches, from: start, to: end, events, terms: fresh });
    }
    return out;
  },
};
