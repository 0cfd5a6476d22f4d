/**
 * The in-memory matcher (src/query/match.ts) on its own: the shared store suite's query cases
 * over the same fixture (the stores answer them alike, so must the matcher), the errors it
 * shares with the stores, and the term-level pieces that must not backtrack. Its fidelity
 * against Elasticsearch itself is the differential suite's part (c).
 */
import { describe, expect, it, test } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { EventView } from '../../src/query/event-view.ts';
import { compileMatcher } from '../../src/query/match.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { compareTerms, compileWildcard } from '../../src/query/terms.ts';
import { fixture, makeEvent, QUERY_CASES, q } from '../store/common.ts';

const events = fixture('match');
const ids = (query: string) => {
  const m = compileMatcher(parseQuery(query));
  return events.filter((e) => m.matches(e)).map((e) => e.id).sort();
};

describe('the shared store cases, matched in memory', () => {
  for (const [text, expected, note] of QUERY_CASES) {
    test(note ? `${text}  (${note})` : text, () => {
      expect(ids(text)).toEqual([...expected].sort());
    });
  }
});

describe('errors are the stores’ errors', () => {
  it.each([
    ['http.response.status_code:abc', 'UNSUPPORTED_QUERY'],
    ['http.response.status_code:[0 TO 99999999999999999999]', 'UNSUPPORTED_QUERY'],
    ['http.response.status_code:2*', 'UNSUPPORTED_QUERY'],
    ['@timestamp:yesterday', 'UNSUPPORTED_QUERY'],
    ['source.ip:"10.0.0.0/33"', 'UNSUPPORTED_QUERY'],
    ['source.ip:10.1.2.3~1', 'UNSUPPORTED_QUERY'],
    ['x:/(a|b)*a(a|b){13}/', 'QUERY_LIMIT'],
    [`x:*a${'?'.repeat(13)}`, 'QUERY_LIMIT'],
    ['x:/(a/', 'BAD_REQUEST'],
  ])('%s → %s', (query, code) => {
    let caught: unknown;
    try {
      compileMatcher(parseQuery(query));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe(code);
  });

  it('a pattern skips the fields whose type rejects the value', () => {
    expect(ids('http.\\*:abc')).toEqual([]);
    expect(ids('*:alice')).toEqual(['e1']);
  });
});

describe('date math uses the clock it is given', () => {
  it('now is the compile-time clock', () => {
    const now = Date.UTC(2026, 0, 10, 0, 5, 30);
    const m = compileMatcher(q.range('@timestamp', 'now-2m', 'now'), { now });
    expect(events.filter((e) => m.matches(e)).map((e) => e.id)).toEqual(['e4', 'e5']);
  });
});

describe('one view serves many matchers', () => {
  it('derives an event’s values once and answers every query from them', () => {
    const view = new EventView(events[0]!);
    for (const query of ['alice', 'user.name:alice', 'action_details.operation.action:POST*', '"failed login"']) {
      expect(compileMatcher(parseQuery(query)).test(view)).toBe(true);
    }
    expect(compileMatcher(parseQuery('user.name:bob')).test(view)).toBe(false);
  });
});

describe('wildcards without backtracking', () => {
  it.each([
    ['a*b', 'axxb', true],
    ['a*b', 'axxbc', false],
    ['*a?c*', 'xxabcxx', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['?', '🙂', true],
    ['a*', 'a', true],
    ['*x*y*z', 'axbyzc', false],
    ['*x*y*z', 'axbyzcz', true],
  ])('%s on %s: %s', (pattern, value, expected) => {
    expect(compileWildcard(pattern)(value)).toBe(expected);
  });

  it('a pattern of many stars against a long value answers (a backtracking regex would not, in practice)', () => {
    const test = compileWildcard(`${'*a'.repeat(30)}*b`);
    expect(test('a'.repeat(20_000))).toBe(false);
    expect(test(`${'a'.repeat(20_000)}b`)).toBe(true);
  });
});

describe('term order is UTF-8 byte order, as Lucene and SQLite compare terms', () => {
  it('an astral character sorts after the last BMP characters', () => {
    expect(compareTerms('\uffff', '🙂')).toBeLessThan(0);
    expect('\uffff' < '🙂').toBe(false); // JavaScript's own order differs
    expect(compareTerms('abc', 'abd')).toBeLessThan(0);
    expect(compareTerms('ab', 'abc')).toBeLessThan(0);
  });

  it('keyword ranges use it', () => {
    const e = makeEvent('match', 'x', 0, { k: '🙂' });
    expect(compileMatcher(parseQuery('k:[\\uffff TO *]')).matches(e)).toBe(true);
  });
});
