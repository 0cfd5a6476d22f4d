/**
 * The ingest fast path for StoredEvent validation never lets through what the schema would
 * reject, and returns exactly what the schema would (key order included, as the stores
 * serialize in that order). Candidates are mostly near-valid, so the fast path is exercised.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoredEvent } from '../../src/events/event.ts';
import { quickStoredEvent } from '../../src/ingest/stored-event-check.ts';

const NAMES = ['event.action', 'event.outcome', 'event.category', 'event.type', 'http.response.status_code', 'user.name', 'source.ip', 'message', 'bogus'];
const ecsValue = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.constantFrom('success', 'failure', 'unknown', undefined, null, 200, 200.5, -0, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.constant([1]),
);
const candidate = fc.record({
  id: fc.oneof(fc.string({ maxLength: 130 }), fc.constant('01HZX'), fc.constant('x'.repeat(128)), fc.constant('x'.repeat(129)), fc.integer()),
  team: fc.constant('t1'),
  timestamp: fc.oneof(fc.integer(), fc.constantFrom(2 ** 53, 2 ** 53 - 1, -0, 1.5, Number.NaN, '5')),
  received: fc.oneof(fc.integer(), fc.constant(1.5)),
  format: fc.constantFrom('coralogix', 'threatstack', 'bigpanda', 'ecs', 'generic', 'nope', 1),
  flags: fc.oneof(fc.array(fc.constantFrom('timestamp_missing', 'mapping_conflict', 'fields_truncated', 'other'), { maxLength: 3 }), fc.constant('timestamp_missing')),
  ecs: fc.oneof(fc.dictionary(fc.constantFrom(...NAMES), ecsValue, { maxKeys: 5 }), fc.constant(null), fc.constant([])),
  original: fc.oneof(fc.object({ maxDepth: 2 }), fc.constant([]), fc.constant(null), fc.constant(JSON.parse('{"__proto__": {"a": 1}, "b": 2}'))),
  raw: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
});

/** Near-valid: one or two wrong parts at most, so both paths are taken often. */
const nearValid = fc.record({
  id: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constant(''), fc.constant('x'.repeat(129))),
  team: fc.constant('t1'),
  timestamp: fc.oneof(fc.integer(), fc.integer(), fc.constantFrom(2 ** 53, -0, 1.5)),
  received: fc.integer(),
  format: fc.constantFrom('coralogix', 'threatstack', 'bigpanda', 'ecs', 'generic', 'generic', 'nope'),
  flags: fc.array(fc.constantFrom('timestamp_missing', 'mapping_conflict', 'fields_truncated', 'timestamp_missing'), { maxLength: 3 }),
  ecs: fc.dictionary(
    fc.constantFrom(...NAMES),
    fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('success', 'failure', 'unknown', undefined, 200, 200.5), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 })),
    { maxKeys: 3 },
  ),
  original: fc.oneof(fc.object({ maxDepth: 2 }), fc.constant({ a: { b: [1, 'x', null] } })),
  raw: fc.string({ maxLength: 10 }),
});

describe('quickStoredEvent', () => {
  it('accepts only what the schema accepts, and returns what the schema returns', () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.oneof(candidate, nearValid, nearValid), (c) => {
        const quick = quickStoredEvent(c as unknown as StoredEvent);
        if (quick === undefined) return;
        fast++;
        const parsed = StoredEvent.safeParse(c);
        expect(parsed.success).toBe(true);
        if (!parsed.success) return;
        expect(isDeepStrictEqual(quick, parsed.data)).toBe(true);
        expect(Object.keys(quick.ecs)).toEqual(Object.keys(parsed.data.ecs));
        expect(JSON.stringify(quick)).toBe(JSON.stringify(parsed.data));
      }),
      { numRuns: 20_000 },
    );
    // A property that never reaches the fast path would prove nothing.
    expect(fast).toBeGreaterThan(50);
  });

  it('takes an ordinary event', () => {
    const event = {
      id: '01HZX',
      team: 't1',
      timestamp: 1,
      received: 2,
      format: 'generic',
      flags: ['timestamp_missing'],
      ecs: { 'user.name': 'ana', 'event.action': 'login', 'event.category': ['authentication'], 'http.response.status_code': 200 },
      original: { a: { b: [1, 'x', null] } },
      raw: '{"a":{"b":[1,"x",null]}}',
    } as StoredEvent;
    expect(quickStoredEvent(event)).toEqual(StoredEvent.parse(event));
  });
});
