/** The query language: parse a query string, print it canonically, compile it for Elasticsearch. */
export type * from './ast.ts';
export { parseQuery, QUERY_LIMITS, type ParseOptions } from './parse.ts';
export { printQuery } from './print.ts';
export { compileToElasticsearch, type CompileEsOptions } from './compile-es.ts';
export { QuerySyntaxError } from './syntax-error.ts';
