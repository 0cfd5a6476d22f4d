/**
 * The column renderer shared by the page and the export walks originals exactly as
 * flattenOriginal (which the stores index by) does, checked on every real event of the corpus.
 */
import { describe, expect, it } from 'vitest';
import { columnText, columnValues, type EventRecord, NORMALIZED_FIELDS, originalLeaves, RESERVED_FIELDS } from '../../src/events/columns.ts';
import { NORMALIZED_FIELD_NAMES } from '../../src/events/event.ts';
import { META_FIELDS } from '../../src/events/fields.ts';
import { flattenOriginal } from '../../src/events/fields.ts';
import { corpusFiles, corpusLines } from '../support/corpus.ts';

const record = (original: Record<string, unknown>, normalized: Record<string, unknown> = {}): EventRecord => ({
  id: 'e1',
  '@timestamp': '2026-01-01T00:00:00.000Z',
  received: '2026-01-01T00:00:01.000Z',
  format: 'generic',
  flags: [],
  normalized,
  original,
});

describe('columns', () => {
  it('walks every corpus event as flattenOriginal does', () => {
    let checked = 0;
    for (const file of corpusFiles()) {
      for (const line of corpusLines(file)) {
        const original = JSON.parse(line) as Record<string, unknown>;
        expect(originalLeaves(original), file).toEqual(flattenOriginal(original).leaves);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('knows the same normalized and reserved names as the event model', () => {
    expect([...NORMALIZED_FIELDS].sort()).toEqual([...NORMALIZED_FIELD_NAMES].sort());
    for (const m of META_FIELDS) expect(RESERVED_FIELDS.has(m)).toBe(true);
  });

  it('reads normalized fields, metadata, original paths and the actor', () => {
    const e = record(
      { message: 'original text', actor: { user: { email: 'x@example.com' } }, tags: ['a', 'b', 'a'], 'dotted.key': 1, n: null },
      { message: 'normalized text', 'user.name': 'Alice', 'event.category': ['iam', 'authentication'], 'http.response.status_code': 403 },
    );
    expect(columnText(e, 'message')).toBe('normalized text');
    expect(columnText(e, 'original.message')).toBe('original text');
    expect(columnText(e, 'actor.user.email')).toBe('x@example.com');
    expect(columnValues(e, 'tags')).toEqual(['a', 'b']);
    expect(columnText(e, 'dotted.key')).toBe('1');
    expect(columnValues(e, 'n')).toEqual([]);
    expect(columnText(e, 'event.category')).toBe('iam, authentication');
    expect(columnText(e, 'http.response.status_code')).toBe('403');
    expect(columnText(e, 'actor')).toBe('Alice');
    expect(columnText(record({}, { 'user.email': 'e@x', 'user.name': 'N' }), 'actor')).toBe('e@x');
    expect(columnText(record({}, { 'user.id': '42' }), 'actor')).toBe('42');
    expect(columnText(e, '@timestamp')).toBe('2026-01-01T00:00:00.000Z');
    expect(columnText(e, 'auditlog.id')).toBe('e1');
    expect(columnText(e, 'auditlog.format')).toBe('generic');
    expect(columnText(e, 'nope')).toBe('');
  });
});
