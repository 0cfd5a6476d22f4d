/**
 * Query complexity limits both stores share with Elasticsearch, so that a query one store
 * refuses the other refuses too (docs/query-language.md, Limits). The regex and wildcard
 * limits (`max_determinized_states`, `index.max_regex_length`) live with the engine in regex/.
 */
import { QueryLimitError } from '../errors.ts';

/**
 * Most leaf queries a query may expand to, counted as Lucene counts them (every field a
 * pattern like `*:x` reaches is a clause): `indices.query.bool.max_clause_count`. Elasticsearch
 * derives its own from the heap and never goes below 1,024, Lucene's classic default; we use
 * that floor, so no query we accept is refused by any Elasticsearch node for its clause count.
 */
export const MAX_CLAUSE_COUNT = 1_024;

/** Elasticsearch's `fuzzy_max_expansions` for query_string: a fuzzy term matches at most this many terms per field. */
export const FUZZY_MAX_EXPANSIONS = 50;

/** `count`: the clauses counted when the limit was passed (at least MAX_CLAUSE_COUNT + 1). */
export function tooManyClauses(count: number): QueryLimitError {
  return new QueryLimitError(
    'indices.query.bool.max_clause_count',
    MAX_CLAUSE_COUNT,
    `the query expands to more than ${MAX_CLAUSE_COUNT} clauses (indices.query.bool.max_clause_count); ` +
      'field patterns such as *:value count once per field they reach: name the fields, or split the query',
    { clauses: count },
  );
}
