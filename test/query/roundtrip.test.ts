/**
 * Printer properties: canonical ASTs survive print → parse unchanged (saved queries are
 * stored printed), and printing any parsed query is a fixed point.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { QueryNode } from '../../src/query/ast.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { printQuery } from '../../src/query/print.ts';
import { QuerySyntaxError } from '../../src/query/syntax-error.ts';
import { canonicalAst, queryishString } from './arbitraries.ts';
import { stripLoc } from './helpers.ts';

describe('printQuery', () => {
  test('parseQuery(printQuery(ast)) equals ast (without loc) for arbitrary canonical ASTs', () => {
    fc.assert(
      fc.property(canonicalAst, (ast) => {
        const printed = printQuery(ast);
        expect(stripLoc(parseQuery(printed, { maxClauses: 100_000 })), printed).toEqual(stripLoc(ast));
      }),
      { numRuns: 3000 },
    );
  });

  test('trees whose leaves share one field (printed as field groups) round-trip too', () => {
    const oneField = (node: QueryNode): QueryNode => {
      if (node.type === 'bool') return { ...node, clauses: node.clauses.map((c) => ({ ...c, query: oneField(c.query) })) };
      if (node.type === 'matchAll' || node.type === 'exists') return node;
      if (node.type === 'term' && node.value.length > 1 && (node.value[0] === '>' || node.value[0] === '<')) return node;
      return { ...node, field: 'user.name' };
    };
    fc.assert(
      fc.property(canonicalAst.map(oneField), (ast) => {
        const printed = printQuery(ast);
        expect(stripLoc(parseQuery(printed, { maxClauses: 100_000 })), printed).toEqual(stripLoc(ast));
      }),
      { numRuns: 3000 },
    );
  });

  test('re-printing a parsed query changes nothing (print ∘ parse is idempotent on parser output)', () => {
    fc.assert(
      fc.property(queryishString, (text) => {
        let ast;
        try {
          ast = parseQuery(text);
        } catch (err) {
          if (err instanceof QuerySyntaxError) return;
          throw err;
        }
        const printed = printQuery(ast);
        expect(stripLoc(parseQuery(printed)), `${text} → ${printed}`).toEqual(stripLoc(ast));
      }),
      { numRuns: 5000 },
    );
  });

  const examples: Array<[string, string]> = [
    ['a OR b AND c', 'a +b +c'],
    ['a AND b OR c', '+a +b OR c'],
    ['crud:c AND result:fail', 'crud:c AND result:fail'],
    ['a:1 AND NOT b:2', 'a:1 AND NOT b:2'],
    ['NOT a', 'NOT a'],
    ['-a', 'NOT a'],
    ['+a', '+a'],
    ['a OR NOT b', 'a -b'],
    ['f:(a OR "b c")', 'f:(a OR "b c")'],
    ['f:a OR g:b', 'f:a OR g:b'],
    ['f:(a OR b) AND NOT f:(c OR d)', 'f:(a OR b) AND NOT f:(c OR d)'],
    ['f:((a OR b) AND c)', 'f:(a OR b) AND f:c'],
    ['f:(a OR b)^2 x', 'f:(a OR b)^2 OR x'],
    ['f:(a OR b c)', 'f:(a OR b OR c)'],
    ['f:(x OR (b c))', 'f:(x OR (b c))'],
    ['actor.*:(x OR y)', 'actor.\\*:(x OR y)'],
    ['age:>=10', 'age:[10 TO *]'],
    ['age:<10', 'age:[* TO 10}'],
    ['actor.*:x', 'actor.\\*:x'],
    ['user.name:*', '_exists_:user.name'],
    ['*', '*:*'],
    ['', '*:*'],
    ['(a OR b)^2 c', '(a OR b)^2 OR c'],
    ['failed login', 'failed login'],
    ['crud:(c u d) -x', 'crud:(c u d) -x'],
    ['a b -c +d', '(a b) -c +d'],
    ['a +b c', 'a +b OR c'],
    ['a - b', 'a OR \\- OR b'],
    ['foo\\ bar AND \\AND', '(foo bar) AND \\AND'],
    ['foo\\:bar\\ baz', 'foo\\:bar\\ baz'],
    ['f:["a b" TO c}', 'f:["a b" TO c}'],
    ['/a\\/b/', '/a\\/b/'],
    ['x:a\\:b*c', 'x:a\\:b*c'],
    ['"a \\"b\\""~2', '"a \\"b\\""~2'],
    ['foo~ bar~1', 'foo~ OR bar~1'],
    ['action_details.operation.action:"POST:/api/v1/user/login"', 'action_details.operation.action:"POST:/api/v1/user/login"'],
  ];
  for (const [query, canonical] of examples) {
    test(`${query} prints as ${canonical}`, () => {
      expect(printQuery(parseQuery(query))).toBe(canonical);
    });
  }
});
