/**
 * Bad input never crashes: whatever the text, parseQuery returns an AST or throws a
 * QuerySyntaxError with a position inside the text, and does so quickly.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { UnsupportedQueryError } from '../../src/errors.ts';
import { compileToElasticsearch } from '../../src/store/elasticsearch/compile-es.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { QuerySyntaxError } from '../../src/query/syntax-error.ts';
import { queryishString } from './arbitraries.ts';

function outcome(text: string): 'ast' | 'syntax' {
  try {
    const ast = parseQuery(text);
    expect(typeof ast.type).toBe('string');
    return 'ast';
  } catch (err) {
    if (!(err instanceof QuerySyntaxError)) throw err;
    expect(err.offset).toBeGreaterThanOrEqual(0);
    expect(err.offset).toBeLessThanOrEqual(Math.max(text.length, 16_384));
    expect(err.column).toBeGreaterThanOrEqual(1);
    expect(err.message).toMatch(/(column \d+)/);
    return 'syntax';
  }
}

describe('parseQuery fuzz', () => {
  test('arbitrary strings give an AST or a QuerySyntaxError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'binary' }), (text) => void outcome(text)), { numRuns: 5000 });
  });

  test('strings of query-syntax fragments give an AST or a QuerySyntaxError', () => {
    let asts = 0;
    fc.assert(
      fc.property(queryishString, (text) => {
        if (outcome(text) === 'ast') asts++;
      }),
      { numRuns: 10_000 },
    );
    // The generator must reach the parser's happy paths too, or this test proves little.
    expect(asts).toBeGreaterThan(1000);
  });

  test('compiling any parsed query gives DSL or an UnsupportedQueryError', () => {
    fc.assert(
      fc.property(queryishString, (text) => {
        let ast;
        try {
          ast = parseQuery(text);
        } catch {
          return;
        }
        try {
          const dsl = compileToElasticsearch(ast);
          expect(typeof dsl).toBe('object');
          JSON.stringify(dsl);
        } catch (err) {
          if (!(err instanceof UnsupportedQueryError)) throw err;
        }
      }),
      { numRuns: 5000 },
    );
  });

  test('huge hostile inputs finish fast', () => {
    const inputs = [
      '('.repeat(16_384),
      ')'.repeat(16_384),
      '"'.repeat(16_383),
      'a '.repeat(8_000),
      'a AND '.repeat(2_700),
      '/'.repeat(16_384),
      '\\/'.repeat(8_000),
      '['.repeat(16_384),
      'NOT '.repeat(4_000),
      'x'.repeat(16_384),
      `/${'\\/'.repeat(8_000)}`,
    ];
    const started = performance.now();
    for (const input of inputs) outcome(input);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
