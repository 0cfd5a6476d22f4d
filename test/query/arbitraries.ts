/**
 * fast-check generators: canonical ASTs (trees the parser can produce) and query-ish strings.
 */
import fc from 'fast-check';
import type { Clause, Field, QueryNode } from '../../src/query/ast.ts';

const loc = { start: 0, end: 0 };

/** Characters that exercise every escaping rule, plus ordinary ones. */
const nastyChar = fc.constantFrom(
  ...'aZ09._-+@/:\\"\'*?~^!(){}[]<>=&| \t\n\u3000éß中'.split(''),
  'AND',
  'OR',
  'NOT',
  'TO',
);
const nastyString = (minLength: number) => fc.array(nastyChar, { minLength, maxLength: 8 }).map((a) => a.join(''));

const fieldName = fc.oneof(
  fc.constantFrom('user.name', 'source.ip', '@timestamp', 'message', 'action_details.operation.action', 'actor.*', 'first name', 'crud', '*'),
  nastyString(1),
).filter((f) => f !== '_exists_' && f !== '');

const field: fc.Arbitrary<Field> = fc.option(fieldName, { nil: null, freq: 3 });

const boost = fc.option(fc.constantFrom(2, 0.5, 10, 1.25), { nil: undefined, freq: 4 });

function withBoost<T extends QueryNode>(node: T, b: number | undefined): T {
  if (b !== undefined) node.boost = b;
  return node;
}

const term = fc
  .tuple(field, nastyString(1), boost)
  // A fielded term starting with > or < is a range in Elasticsearch's reading: not a term.
  .filter(([f, v]) => f === null || v.length < 2 || (v[0] !== '>' && v[0] !== '<'))
  .map(([f, value, b]) => withBoost<QueryNode>({ type: 'term', field: f, value, loc }, b));

const phrase = fc
  .tuple(field, nastyString(0), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }), boost)
  .map(([f, value, slop, b]) => {
    const node: QueryNode = { type: 'phrase', field: f, value, loc };
    if (slop !== undefined) node.slop = slop;
    return withBoost(node, b);
  });

const wildcardPattern = fc
  .array(fc.oneof(nastyChar.filter((c) => c !== '\\' && c !== '*' && c !== '?'), fc.constantFrom('*', '?', '\\*', '\\?', '\\\\')), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''))
  .filter((p) => /(^|[^\\])(\\\\)*[*?]/.test(p) && p !== '*');

const wildcard = fc.tuple(field, wildcardPattern, boost).map(([f, pattern, b]) => withBoost<QueryNode>({ type: 'wildcard', field: f, pattern, loc }, b));

const regexPattern = fc
  .array(fc.oneof(fc.constantFrom(...'ab.*+?|()[]{}/ é'.split('')), fc.constantFrom('\\\\', '\\.', '\\d', '\\"')), { maxLength: 8 })
  .map((parts) => parts.join(''))
  // A pattern ending in a backslash cannot be delimited unambiguously (nor can Lucene).
  .filter((p) => !p.endsWith('\\'));

const regex = fc.tuple(field, regexPattern, boost).map(([f, pattern, b]) => withBoost<QueryNode>({ type: 'regex', field: f, pattern, loc }, b));

const fuzzy = fc
  .tuple(field, nastyString(1), fc.constantFrom<'auto' | 0 | 1 | 2>('auto', 0, 1, 2), boost)
  .map(([f, value, distance, b]) => withBoost<QueryNode>({ type: 'fuzzy', field: f, value, distance, loc }, b));

const bound = fc.option(
  fc.oneof(fc.constantFrom('now-15m', '2026-01-01T00:00:00Z', '10', 'a b', 'TO', 'x]y', 'q"uote', 'back\\', '"lead'), nastyString(1)),
  { nil: null },
).filter((b) => b !== '*');

const range = fc
  .tuple(field, bound, bound, fc.boolean(), fc.boolean(), boost)
  .map(([f, lower, upper, includeLower, includeUpper, b]) =>
    withBoost<QueryNode>({ type: 'range', field: f, lower, upper, includeLower, includeUpper, loc }, b),
  );

const exists = fc
  .tuple(fieldName.filter((f) => f !== '*'), boost)
  .map(([f, b]) => withBoost<QueryNode>({ type: 'exists', field: f, loc }, b));

const matchAll = boost.map((b) => withBoost<QueryNode>({ type: 'matchAll', loc }, b));

const leaf: fc.Arbitrary<QueryNode> = fc.oneof(term, term, phrase, wildcard, regex, fuzzy, range, exists, matchAll);

const occur = fc.constantFrom<Clause['occur']>('must', 'should', 'mustNot');

/** Canonical trees: a one-clause bool is never a plain SHOULD (the parser collapses it). */
export const canonicalAst: fc.Arbitrary<QueryNode> = fc.letrec<{ node: QueryNode; bool: QueryNode }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, leaf, tie('bool')),
  bool: fc
    .tuple(fc.array(fc.tuple(occur, tie('node')), { minLength: 1, maxLength: 4 }), boost)
    .filter(([clauses]) => clauses.length > 1 || clauses[0]![0] !== 'should')
    .map(([clauses, b]) =>
      withBoost<QueryNode>({ type: 'bool', clauses: clauses.map(([o, q]) => ({ occur: o, query: q })), loc }, b),
    ),
})).node;

/** Strings made of query syntax fragments: mostly near-valid queries. */
export const queryishString = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'a', 'b', 'user.name', ':', '"', '"x y"', '(', ')', '[', ']', '{', '}', ' TO ', ' AND ', ' OR ', ' NOT ', '&&', '||',
        '!', '+', '-', '~', '~2', '^', '^2', '*', '?', '\\', '/', '/re/', '_exists_:', '>=', '<', ' ', '\t', '\n', 'now-1h',
        '10.0.0.1', '\\u00', '\\u0041', '*:*', 'f:(', 'AND', '@timestamp:[', 'x*', 'é',
      ),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));
