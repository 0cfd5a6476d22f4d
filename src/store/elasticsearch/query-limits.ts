/**
 * The query complexity limits on the Elasticsearch store (src/query/limits.ts): the clause
 * count is checked here before the query is sent, counted as the SQLite store counts it (one
 * per leaf query, every field a pattern reaches being one); the regex and wildcard limits are
 * Elasticsearch's own, and its refusals become the same QueryLimitError the SQLite store throws.
 */
import type { estypes } from '@elastic/elasticsearch';
import { QueryLimitError } from '../../errors.ts';
import { MAX_CLAUSE_COUNT, tooManyClauses } from '../../query/limits.ts';
import { MAX_DETERMINIZED_STATES, MAX_REGEX_LENGTH } from '../../query/regex/index.ts';

/** Leaf queries of a compiled query (a `query_string` over a field pattern counts once, like the SQLite store's path pattern). */
export function countClauses(query: estypes.QueryDslQueryContainer): number {
  let n = 0;
  const stack: unknown[] = [query];
  while (stack.length > 0) {
    const q = stack.pop() as Record<string, unknown>;
    for (const [kind, body] of Object.entries(q)) {
      if (kind === 'bool') {
        const b = body as estypes.QueryDslBoolQuery;
        for (const clauses of [b.must, b.should, b.must_not, b.filter]) {
          if (clauses === undefined) continue;
          for (const c of Array.isArray(clauses) ? clauses : [clauses]) stack.push(c);
        }
      } else if (kind !== 'match_all' && kind !== 'match_none') {
        n++;
      }
    }
  }
  return n;
}

export function checkClauseCount(query: estypes.QueryDslQueryContainer): void {
  const n = countClauses(query);
  if (n > MAX_CLAUSE_COUNT) throw tooManyClauses(n);
}

/** Elasticsearch's refusal of a query over one of its limits, as our QueryLimitError; null for any other reason. */
export function limitErrorOf(reason: string): QueryLimitError | null {
  if (reason.includes('Determinizing automaton')) {
    return new QueryLimitError(
      'max_determinized_states',
      MAX_DETERMINIZED_STATES,
      `a regular expression or wildcard of the query is too complex: Elasticsearch says ${reason} (max_determinized_states is ${MAX_DETERMINIZED_STATES})`,
    );
  }
  const clauses = /maxClauseCount is set to (\d+)|field expansion matches too many fields, limit: (\d+)/.exec(reason);
  if (clauses) {
    const max = Number(clauses[1] ?? clauses[2]);
    return new QueryLimitError(
      'indices.query.bool.max_clause_count',
      max,
      `the query expands to more clauses than Elasticsearch allows (indices.query.bool.max_clause_count is ${max}): ${reason}`,
    );
  }
  if (reason.includes('index.max_regex_length')) {
    return new QueryLimitError('index.max_regex_length', MAX_REGEX_LENGTH, `a regular expression of the query is too long: ${reason}`);
  }
  return null;
}
