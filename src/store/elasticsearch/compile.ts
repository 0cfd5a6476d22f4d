/**
 * The query compiler the store uses (src/query/compile-es.ts: AST → Query DSL); tests may
 * inject another. Null and match-all need no compiler.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { QueryNode } from '../../query/ast.ts';
import { compileToElasticsearch } from '../../query/compile-es.ts';

export type CompileQuery = (node: QueryNode) => estypes.QueryDslQueryContainer;

export const defaultCompiler: CompileQuery = (node) => compileToElasticsearch(node);

export function compileOrMatchAll(compile: CompileQuery, node: QueryNode | null): estypes.QueryDslQueryContainer {
  if (node === null || node.type === 'matchAll') return { match_all: {} };
  return compile(node);
}
