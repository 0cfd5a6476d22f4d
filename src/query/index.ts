/**
 * The query language: parse a query string, print it canonically, resolve its fields, match
 * it against events in memory. The stores compile it for themselves
 * (src/store/elasticsearch/compile-es.ts, src/store/sqlite/compile-sql.ts).
 */
export type * from './ast.ts';
export { parseQuery, QUERY_LIMITS, type ParseOptions } from './parse.ts';
export { printQuery } from './print.ts';
export { expandFieldPattern, isFieldPattern, resolveQueryField, type QueryField } from './fields.ts';
export { QuerySyntaxError } from './syntax-error.ts';
export { compileMatcher, type Matcher, type MatcherOptions } from './match.ts';
