/**
 * The condition modules by type, and evaluateWindow: one window of one rule, judged by its
 * condition through a reader. Adding a condition: its zod schema in ../model.ts, a module
 * here (ranges + evaluate), and its entry in CONDITIONS.
 */
import type { Condition } from '../model.ts';
import { anyCondition } from './any.ts';
import { cardinalityCondition } from './cardinality.ts';
import { countAboveCondition } from './count-above.ts';
import { countBelowCondition } from './count-below.ts';
import { newTermCondition } from './new-term.ts';
import type { RuleReader } from './reader.ts';
import type { ConditionModule, GroupResult, WindowInput } from './types.ts';

export type { ConditionModule, GroupResult, WindowInput } from './types.ts';
export { DEFAULT_FETCH_LIMIT, MAX_GROUPS, MAX_TERMS, type RuleReader, type Scope, storeReader } from './reader.ts';

const CONDITIONS: { [T in Condition['type']]: ConditionModule<Extract<Condition, { type: T }>> } = {
  any: anyCondition,
  count_above: countAboveCondition,
  count_below: countBelowCondition,
  cardinality: cardinalityCondition,
  new_term: newTermCondition,
};

function moduleOf<C extends Condition>(condition: C): ConditionModule<C> {
  return CONDITIONS[condition.type] as unknown as ConditionModule<C>;
}

/** What the condition says about each group of one window. */
export function evaluateWindow(reader: RuleReader, input: WindowInput): Promise<GroupResult[]> {
  return moduleOf(input.condition).evaluate(reader, input);
}

/** The time ranges whose matching events one window of this condition reads. */
export function windowRanges(input: WindowInput): Array<{ from: number; to: number }> {
  return moduleOf(input.condition).ranges(input);
}
