/**
 * How deep and how wide one event is, walked without recursion (hostile nesting cannot
 * overflow the stack) and stopped at the first excess.
 */
import type { JsonObject } from '../events/event.ts';

/**
 * Why the event exceeds `maxDepth` (objects and arrays, the event itself is depth 1) or
 * `maxFields` (scalar leaves, null included), or undefined when it fits. Arrays count as a
 * level here, so this is at least as strict as flattenOriginal's object depth.
 */
export function exceedsShape(value: JsonObject, { maxDepth, maxFields }: { maxDepth: number; maxFields: number }): string | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  let leaves = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v !== null && typeof v === 'object') {
      if (depth > maxDepth) return `event nests objects and arrays deeper than the limit of ${maxDepth}`;
      for (const child of Array.isArray(v) ? v : Object.values(v)) {
        values.push(child);
        depths.push(depth + 1);
      }
    } else if (++leaves > maxFields) {
      return `event has more than the limit of ${maxFields} fields`;
    }
  }
  return undefined;
}
