/**
 * toDocument's indexed copy of the original walks the event itself (for speed) instead of
 * flattenOriginal's leaf list; it must still hold exactly flattenOriginal's leaves: same
 * paths, same order, repeated paths as arrays, nulls and unnameable paths left out, and
 * the same truncation at the same bounds. No Elasticsearch needed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject, StoredEvent } from '../../src/events/event.ts';
import { flattenOriginal } from '../../src/events/fields.ts';
import { toDocument } from '../../src/store/elasticsearch/document.ts';

/** What the indexed copy must be, from the shared flattening. */
function expected(original: JsonObject): { flat: Record<string, unknown>; text: string[]; truncated: boolean; unnamable: boolean } {
  const { leaves, truncated } = flattenOriginal(original);
  const flat: Record<string, unknown> = {};
  const text: string[] = [];
  let unnamable = false;
  for (const [path, value] of leaves) {
    if (typeof value === 'string' || typeof value === 'number') text.push(String(value));
    if (value === null) continue;
    if (!path.split('.').every((segment) => segment.trim() !== '')) {
      unnamable = true;
      continue;
    }
    const existing = flat[path];
    if (existing === undefined) flat[path] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else flat[path] = [existing, value];
  }
  return { flat, text, truncated, unnamable };
}

function event(original: JsonObject): StoredEvent {
  return { id: 'e1', team: 't1', timestamp: 0, received: 0, format: 'generic', flags: [], ecs: {}, original, raw: '{}' };
}

const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('a', 'a.b', 'a..b', '.', ' ', 'x.\u3000', '\u00a0', 'b', 'c.d'));
const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 0 }),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
})).node;

describe('toDocument: indexed copy of the original', () => {
  it('holds exactly the leaves flattenOriginal gives', () => {
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 6 }), (original) => {
        const doc = toDocument(event(original));
        const want = expected(original);
        expect(JSON.stringify(doc.original)).toBe(JSON.stringify(want.flat));
        const meta = doc.auditlog as { text?: string[]; flags: string[] };
        expect(meta.text ?? []).toEqual(want.text);
        expect(meta.flags.includes('mapping_conflict')).toBe(want.unnamable);
        expect(meta.flags.includes('fields_truncated')).toBe(want.truncated);
      }),
      { numRuns: 3_000 },
    );
  });

  it('truncates at the same depth and leaf count', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const wide = Object.fromEntries(Array.from({ length: 10_005 }, (_, i) => [`k${i}`, i % 3 === 0 ? null : i]));
    for (const original of [{ deep } as JsonObject, wide, { 'x.y': [[1, [2]], { z: true }], x: { y: 'q' } }]) {
      const doc = toDocument(event(original));
      const want = expected(original);
      expect(doc.original).toEqual(want.flat);
      expect((doc.auditlog as { flags: string[] }).flags.includes('fields_truncated')).toBe(want.truncated);
    }
  });

  it('writes @timestamp and received exactly as Date.toISOString does', () => {
    const extremes = [0, -1, 999, 86_399_999, 86_400_000, -86_400_001, Date.UTC(10_000, 0, 1) - 1, Date.UTC(10_000, 0, 1), Date.parse('0000-01-01T00:00:00.000Z') - 1, 8.64e15, -8.64e15];
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 4e12 }), fc.constantFrom(...extremes)), (ms) => {
        const doc = toDocument({ ...event({}), timestamp: ms, received: ms });
        expect(doc['@timestamp']).toBe(new Date(ms).toISOString());
        expect((doc.auditlog as { received: string }).received).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps flags once each, in order', () => {
    const doc = toDocument({ ...event({ 'a..b': 1 }), flags: ['timestamp_missing', 'timestamp_missing'] });
    expect((doc.auditlog as { flags: string[] }).flags).toEqual(['timestamp_missing', 'mapping_conflict']);
  });
});
