/**
 * What a condition module is: how one condition type (src/alerts/model.ts Condition) judges
 * one window of one rule, group by group. Conditions read events only through a RuleReader
 * (reader.ts), never the store, so the same module runs on the per-rule store path and on
 * the single-pass window the engine read once for a whole team.
 */
import type { StoredEvent } from '../../events/event.ts';
import type { Condition } from '../model.ts';
import type { RuleReader } from './reader.ts';

/** One window of one rule, as the engine asks for it. */
export interface WindowInput<C extends Condition = Condition> {
  condition: C;
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
  /** Distinct values (cardinality) or new values (new_term). */
  terms?: string[];
}

export interface ConditionModule<C extends Condition> {
  /** The time ranges whose matching events the condition reads (so one read can cover them). */
  ranges(input: WindowInput<C>): Array<{ from: number; to: number }>;
  evaluate(reader: RuleReader, input: WindowInput<C>): Promise<GroupResult[]>;
}

/** Result rows for firing groups absent from what was measured: they are measured at 0. */
export function missingGroups(firing: readonly string[], seen: { has(g: string): boolean }, from: number, to: number): GroupResult[] {
  return firing.filter((g) => !seen.has(g)).map((group) => ({ group, matched: false, value: 0, matches: 0, from, to, events: [] }));
}
