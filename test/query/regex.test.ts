/**
 * The linear-time Lucene regex and wildcard engine (src/query/regex/): meaning, errors,
 * limits, and that matching time does not depend on the pattern. The same patterns against
 * Elasticsearch itself are in regex-es.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, QueryLimitError, ValidationError } from '../../src/errors.ts';
import { compileRegex, compileWildcard, MAX_DETERMINIZED_STATES } from '../../src/query/regex/index.ts';

const m = (pattern: string, value: string) => compileRegex(pattern).test(value);

describe('Lucene regular expressions', () => {
  it('match the whole value; dot matches newlines; ^ and $ are ordinary characters', () => {
    expect(m('al.*', 'alice')).toBe(true);
    expect(m('lic', 'alice')).toBe(false);
    expect(m('a.c', 'a\nc')).toBe(true);
    expect(m('^a$', '^a$')).toBe(true);
    expect(m('^a$', 'a')).toBe(false);
  });

  it('classes, repetitions, alternation, quoted strings, any-string, empty language and escapes', () => {
    expect(m('[a-c]{2,3}x', 'abx')).toBe(true);
    expect(m('[a-c]{2,3}x', 'abcax')).toBe(false);
    expect(m('[^a-c]+', 'xyz')).toBe(true);
    expect(m('[^a-c]+', 'xaz')).toBe(false);
    expect(m('(foo|bar)baz', 'barbaz')).toBe(true);
    expect(m('"a.b"@', 'a.bcd')).toBe(true);
    expect(m('"a.b"', 'axb')).toBe(false);
    expect(m('a\\.b', 'a.b')).toBe(true);
    expect(m('a\\.b', 'axb')).toBe(false);
    expect(m('#', '')).toBe(false);
    expect(m('v#|v1', 'v1')).toBe(true);
    expect(m('\\d+', '123')).toBe(true);
    expect(m('\\w\\W\\s\\S', 'a- x')).toBe(true);
    expect(m('[\\w]1', 'v1')).toBe(true);
    expect(m('a{0}', '')).toBe(true);
    expect(m('v1{0}', 'v1')).toBe(false);
    expect(m('a{2,}', 'aaaa')).toBe(true);
    expect(m('a{2,}', 'a')).toBe(false);
    expect(m('a+?', '')).toBe(true);
    expect(m('v1()', 'v1')).toBe(true);
    // Lucene's quirk: a repeated empty language stays empty, an optional one is the empty string.
    expect(m('(#)*', '')).toBe(false);
    expect(m('(a&b)*', '')).toBe(false);
    expect(m('(a&b)?', '')).toBe(true);
    expect(m('(a&b){0}', '')).toBe(true);
    expect(m('', '')).toBe(true);
  });

  it('characters Lucene reads literally where other syntaxes would not', () => {
    expect(m('*v1', '*v1')).toBe(true);
    expect(m('|v1', '|v1')).toBe(true);
    expect(m(')', ')')).toBe(true);
    expect(m(']', ']')).toBe(true);
    expect(m('&a', '&a')).toBe(true);
    expect(m('\\\\', '\\')).toBe(true);
  });

  it('intersection, complement and decimal intervals', () => {
    expect(m('.*1&v.*', 'v1')).toBe(true);
    expect(m('.*1&v.*', 'x1')).toBe(false);
    expect(m('~(zz)', 'v1')).toBe(true);
    expect(m('~(zz)', 'zz')).toBe(false);
    expect(m('v~2', 'v1')).toBe(true);
    expect(m('v~2', 'v2')).toBe(false);
    expect(m('~a*', 'b')).toBe(true);
    expect(m('<1-05>', '1')).toBe(true);
    expect(m('<1-05>', '0005')).toBe(true);
    expect(m('<1-05>', '6')).toBe(false);
    expect(m('<01-05>', '1')).toBe(false);
    expect(m('<01-05>', '03')).toBe(true);
    expect(m('<100-300>', '250')).toBe(true);
    expect(m('<100-300>', '301')).toBe(false);
    expect(m('<100-300>', '99')).toBe(false);
    expect(m('<300-100>', '200')).toBe(true);
    expect(m('<0-0>', '0')).toBe(true);
    expect(m('<0-10>', '000')).toBe(true);
  });

  it('code points outside the BMP are one character', () => {
    expect(m('.', '🙂')).toBe(true);
    expect(m('..', '🙂')).toBe(false);
    expect(m('[🙂-🙃]x', '🙃x')).toBe(true);
  });

  it('decimal intervals agree with the numbers they stand for', () => {
    fc.assert(
      fc.property(fc.nat(2000), fc.nat(2000), fc.nat(3000), fc.nat(3), (a, b, n, zeros) => {
        const value = '0'.repeat(zeros) + String(n);
        const inRange = n >= Math.min(a, b) && n <= Math.max(a, b);
        // Same number of digits in the bounds: the value must have exactly that many, zero-padded.
        const width = String(a).length === String(b).length ? String(a).length : 0;
        const expected = inRange && (width === 0 || value.length === width);
        expect(compileRegex(`<${a}-${b}>`).test(value), `<${a}-${b}> on ${value}`).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['(a', "expected ')' at position 2"],
    ['a)', 'end-of-string expected at position 1'],
    ['[a-', 'unexpected end-of-string'],
    ['a{2', "expected '}' at position 3"],
    ['v{,2}1', 'integer expected at position 2'],
    ['v1{2,1}', 'invalid repetition range(out of order): 2..1'],
    ['v1|', 'unexpected end-of-string'],
    ['v[]1', "expected ']' at position 4"],
    ['[a-]1', 'invalid range: from (97) cannot be > to (93)'],
    ['a\\', 'unexpected end-of-string'],
    ['\\n', 'invalid character class \\n'],
    ['"abc', `expected '"' at position 4`],
    ['<1-', "expected '>' at position 3"],
    ['<a-b>', 'interval syntax error'],
    ['<name>', "'name' not found"],
  ])('%s is a ValidationError with Lucene\'s message (%s)', (pattern, message) => {
    let error: unknown;
    try {
      compileRegex(pattern);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(message);
  });

  it.each([
    // Each family: the last size Elasticsearch 9 accepts, then the first it refuses (measured on the node).
    ['(a|b)*a(a|b){12}', true],
    ['(a|b)*a(a|b){13}', false],
    ['a{10001}', true],
    ['(a|b){5000}', true],
    ['*a????????????', true, 'wildcard'],
    ['*a?????????????', false, 'wildcard'],
    // Elasticsearch accepts this one until its request circuit breaker trips; we stop at 100,000 states.
    ['a{100000}', false],
  ])('max_determinized_states: %s is %s', (pattern, accepted, kind?: string) => {
    const compile = (p: string) => (kind === 'wildcard' ? compileWildcard(p) : compileRegex(p));
    if (accepted) expect(() => compile(pattern)).not.toThrow();
    else {
      const err = (() => {
        try {
          compile(pattern);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(QueryLimitError);
      expect((err as QueryLimitError).details).toMatchObject({ limit: 'max_determinized_states', max: MAX_DETERMINIZED_STATES });
      expect((err as Error).message).toContain('max_determinized_states');
    }
  });

  it('a pattern over 1,000 characters is refused as index.max_regex_length', () => {
    expect(() => compileRegex('a'.repeat(1001))).toThrow(QueryLimitError);
    expect(() => compileRegex('a'.repeat(1000))).not.toThrow();
  });

  it('agrees with JavaScript RegExp on the syntax both share (random patterns and values)', () => {
    const atom = fc.oneof(
      fc.constantFrom('a', 'b', 'c', '.', '[ab]', '[^a]', '\\d', '1'),
      fc.constantFrom('a', 'b').map((c) => c),
    );
    const pattern: fc.Arbitrary<{ lucene: string; js: string }> = fc.letrec<{ p: { lucene: string; js: string } }>((tie) => ({
      p: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom.map((a) => ({ lucene: a, js: a })),
        fc.tuple(tie('p'), tie('p')).map(([x, y]) => ({ lucene: x.lucene + y.lucene, js: x.js + y.js })),
        fc.tuple(tie('p'), tie('p')).map(([x, y]) => ({ lucene: `(${x.lucene}|${y.lucene})`, js: `(?:${x.js}|${y.js})` })),
        fc.tuple(tie('p'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{2,}')).map(([x, q]) => ({ lucene: `(${x.lucene})${q}`, js: `(?:${x.js})${q}` })),
      ),
    })).p;
    fc.assert(
      fc.property(pattern, fc.array(fc.stringMatching(/^[abc1x]{0,8}$/), { maxLength: 10 }), (p, values) => {
        const ours = compileRegex(p.lucene);
        const js = new RegExp(`^(?:${p.js})$`, 'su');
        for (const v of values) expect(ours.test(v), `${p.lucene} on ${JSON.stringify(v)}`).toBe(js.test(v));
      }),
      { numRuns: 400 },
    );
  });

  it('matching time is linear in the value, whatever the pattern (the patterns that froze the server)', () => {
    const value = `${'a'.repeat(100_000)}y`;
    for (const pattern of ['.*.*.*.*.*x', '.*.*.*.*.*.*.*.*.*.*x', '(a|aa)*b', '(a+)+b', '(x*y)*z', '(.*a){20}x']) {
      const matcher = compileRegex(pattern);
      const t0 = performance.now();
      expect(matcher.test(value)).toBe(false);
      // A backtracking engine takes minutes to hours on these; one pass over 100,000 characters takes about a millisecond.
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('errors are AppErrors, so the HTTP layer answers 400, never 500', () => {
    for (const p of ['(', '[', '{', 'a{99999999999}', '~', '&', 'a&', '"']) {
      expect(() => compileRegex(p), p).toSatisfy(() => {
        try {
          compileRegex(p);
          return true;
        } catch (err) {
          return err instanceof AppError;
        }
      });
    }
  });
});

describe('Lucene wildcards', () => {
  const w = (pattern: string, value: string) => compileWildcard(pattern).test(value);
  it('* is any string, ? one character, \\ escapes', () => {
    expect(w('*abc*', 'xxabcxx')).toBe(true);
    expect(w('*abc*', 'xxabxx')).toBe(false);
    expect(w('a?c', 'abc')).toBe(true);
    expect(w('a?c', 'ac')).toBe(false);
    expect(w('a\\*c', 'a*c')).toBe(true);
    expect(w('a\\*c', 'abc')).toBe(false);
    expect(w('?', '🙂')).toBe(true);
    expect(w('a\\', 'a\\')).toBe(true);
  });

});
