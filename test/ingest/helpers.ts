import { expect } from 'vitest';
import { NormalizedFields } from '../../src/events/event.ts';
import type { AdaptedEvent } from '../../src/ingest/adapters/index.ts';

export { seedFixture as fixture } from '../fixtures/seed-events.ts';

/** Adapter output must satisfy the NormalizedFields schema exactly (strict: no stray keys). */
export function expectValidEcs(adapted: AdaptedEvent): void {
  const parsed = NormalizedFields.strict().safeParse(adapted.ecs);
  expect(parsed.success ? 'valid' : parsed.error.issues).toBe('valid');
}

/** The error an adapter throws, for matching its message and details. */
export function thrown(fn: () => unknown): { message: string; code: string; details: unknown } {
  try {
    fn();
  } catch (error) {
    const e = error as { message: string; code: string; details: unknown };
    return { message: e.message, code: e.code, details: e.details };
  }
  throw new Error('expected the call to throw');
}
