/**
 * AST → Elasticsearch Query DSL, with the meaning Elasticsearch's own `query_string` gives
 * the same query on our document layout (normalized ECS fields at top level, `auditlog.*`,
 * the original under `original.*`, free text in `auditlog.text`). A pure function: no client,
 * no clock (date math goes to Elasticsearch as written).
 *
 * Per field type, each leaf becomes the query QueryStringQueryParser would build:
 * - keyword (normalized keywords, metadata, every original leaf): term, wildcard, regexp,
 *   fuzzy, range, exact and case-sensitive; a phrase is a term (the keyword analyzer keeps
 *   the whole value as one token).
 * - text (`message`, `user_agent.original`, and free text in `auditlog.text`): match (OR
 *   between the analysed tokens), match_phrase with slop; wildcard, fuzzy and range values
 *   lowercased, as query_string normalizes them with the standard analyzer (the plain
 *   `wildcard` / `fuzzy` / `range` queries would not). A term with no token at all (`-`,
 *   `"..."`) is dropped from its bool, as Lucene drops a clause the analyzer empties.
 * - long, ip, date: term and range only; values are checked here (src/query/typed-values.ts,
 *   the rule every compiler shares) so that a mistake is an error naming the field rather
 *   than a 400 from the cluster. A term on a date is the range of that value
 *   (`@timestamp:2026-01-01` is the whole day: Elasticsearch rounds the upper bound up).
 * - `_exists_:f`, `f:*`, `f:[* TO *]`: exists.
 * - Field names resolve through the catalogue (src/query/fields.ts). A field pattern
 *   (`actor.\*`, `user.*`) expands over the normalized and metadata fields it matches
 *   (compiled per type; fields whose type rejects the value are skipped, as Elasticsearch
 *   does for `*`) plus `original.<pattern>`, which only Elasticsearch can expand:
 *   that part is a `query_string` with an explicit `fields` pattern and the leaf re-printed by
 *   our own printer, never user text.
 * - A bool of only MUST_NOT clauses gets a match_all, as query_string adds one.
 * Boosts are accepted and ignored: results are sorted by time.
 */
import type { estypes } from '@elastic/elasticsearch';
import { UnsupportedQueryError } from '../../errors.ts';
import type { FieldNode, QueryNode, RangeNode } from '../../query/ast.ts';
import { expandFieldPattern, fieldTypeError, geoPointQueryError, isFieldPattern, type QueryField, resolveQueryField, wrongQueryType } from '../../query/fields.ts';
import { printLeafValue } from '../../query/print.ts';
import { dateValue, ipBound, ipTermRange, numericBound, numericTerm } from '../../query/typed-values.ts';

type Q = estypes.QueryDslQueryContainer;

export interface CompileEsOptions {
  /**
   * What to return when nothing is left to match (every clause analysed away, e.g. the
   * query `-`). Default `match_none`, as Elasticsearch does for an emptied query_string.
   */
  emptyQuery?: Q;
}

/** Compiles a query AST to an Elasticsearch query. Throws UnsupportedQueryError for values a field's type cannot take. */
export function compileToElasticsearch(ast: QueryNode, options: CompileEsOptions = {}): Q {
  return compileNode(ast) ?? options.emptyQuery ?? { match_none: {} };
}

/** A request's query: no query (or match-all) needs no compiling. */
export function compileQuery(node: QueryNode | null): Q {
  if (node === null || node.type === 'matchAll') return { match_all: {} };
  return compileToElasticsearch(node);
}

/** Where a catalogue field lives in the Elasticsearch document. */
export function esPath(f: QueryField): string {
  switch (f.kind) {
    case 'original':
      return `original.${f.path}`;
    case 'keywordOf':
    case 'freeText':
    case 'timestamp':
    case 'received':
    case 'id':
    case 'meta':
    case 'normalized':
      return f.name;
  }
}

function compileNode(node: QueryNode): Q | null {
  switch (node.type) {
    case 'matchAll':
      return { match_all: {} };
    case 'bool': {
      const must: Q[] = [];
      const should: Q[] = [];
      const mustNot: Q[] = [];
      for (const clause of node.clauses) {
        const q = compileNode(clause.query);
        if (q === null) continue;
        (clause.occur === 'must' ? must : clause.occur === 'should' ? should : mustNot).push(q);
      }
      if (must.length + should.length + mustNot.length === 0) return null;
      // Elasticsearch's fixNegativeQueryIfNeeded: a purely negative bool matches "all but".
      if (must.length === 0 && should.length === 0) must.push({ match_all: {} });
      const bool: estypes.QueryDslBoolQuery = {};
      if (must.length > 0) bool.must = must;
      if (should.length > 0) bool.should = should;
      if (mustNot.length > 0) bool.must_not = mustNot;
      return { bool };
    }
    default:
      return compileLeaf(node);
  }
}

function compileLeaf(node: FieldNode): Q | null {
  const field = node.field;
  if (field !== null && isFieldPattern(field)) return compilePattern(node, field);
  return compileTyped(node, resolveQueryField(field), field ?? 'free text');
}

function compilePattern(node: FieldNode, pattern: string): Q | null {
  const expanded = expandFieldPattern(pattern);
  const originalPattern = `original.${expanded.original}`;
  const parts: Q[] = [];
  for (const f of expanded.fields) {
    try {
      const q = compileTyped(node, f, esPath(f));
      if (q !== null) parts.push(q);
    } catch (err) {
      if (!(err instanceof UnsupportedQueryError)) throw err;
    }
  }
  if (node.type === 'exists' || (node.type === 'range' && node.lower === null && node.upper === null)) {
    parts.push({ exists: { field: originalPattern } });
  } else {
    parts.push({
      query_string: {
        query: printLeafValue(node),
        fields: [originalPattern],
        default_operator: 'or',
        allow_leading_wildcard: true,
        analyze_wildcard: false,
      },
    });
  }
  return parts.length === 1 ? parts[0]! : { bool: { should: parts } };
}

function compileTyped(node: FieldNode, f: QueryField, name: string): Q | null {
  const p = esPath(f);
  if (node.type === 'exists') return { exists: { field: p } };
  if (node.type === 'range' && node.lower === null && node.upper === null) return { exists: { field: p } };
  switch (f.type) {
    case 'text':
      return compileText(node, p);
    case 'keyword':
      return compileKeyword(node, p);
    case 'long':
    case 'double':
      return compileNumber(node, p, name, f.type);
    case 'ip':
      return compileIp(node, p, name);
    case 'date':
      return compileDate(node, p, name);
    case 'boolean':
      return compileBoolean(node, p, name);
    case 'geo_point':
      throw geoPointQueryError(node, name);
  }
}

function compileKeyword(node: Exclude<FieldNode, { type: 'exists' }>, p: string): Q {
  switch (node.type) {
    case 'term':
    case 'phrase':
      return { term: { [p]: { value: node.value } } };
    case 'wildcard':
      return { wildcard: { [p]: { value: node.pattern } } };
    case 'regex':
      return { regexp: { [p]: { value: node.pattern } } };
    case 'fuzzy':
      return { fuzzy: { [p]: { value: node.value, fuzziness: fuzziness(node.distance) } } };
    case 'range':
      return { range: { [p]: bounds(node, (v) => v) } };
  }
}

function compileText(node: Exclude<FieldNode, { type: 'exists' }>, p: string): Q | null {
  switch (node.type) {
    case 'term':
      return hasTokens(node.value) ? { match: { [p]: { query: node.value } } } : null;
    case 'phrase': {
      if (!hasTokens(node.value)) return null;
      const phrase: estypes.QueryDslMatchPhraseQuery = { query: node.value };
      if (node.slop) phrase.slop = node.slop;
      return { match_phrase: { [p]: phrase } };
    }
    case 'wildcard':
      return { wildcard: { [p]: { value: normalize(node.pattern) } } };
    case 'regex':
      return { regexp: { [p]: { value: node.pattern } } };
    case 'fuzzy':
      return { fuzzy: { [p]: { value: normalize(node.value), fuzziness: fuzziness(node.distance) } } };
    case 'range':
      return { range: { [p]: bounds(node, normalize) } };
  }
}

function compileNumber(node: Exclude<FieldNode, { type: 'exists' }>, p: string, name: string, type: 'long' | 'double'): Q {
  switch (node.type) {
    case 'term':
    case 'phrase': {
      const n = numericTerm(node, name, type, node.value);
      if (n === null) return { match_none: {} };
      // Beyond 2^53 the text keeps the digits a double would lose.
      return { term: { [p]: { value: Number.isSafeInteger(n) || type === 'double' ? n : node.value } } };
    }
    case 'range':
      return {
        range: {
          [p]: bounds(node, (v) => {
            numericBound(node, name, type, v);
            return v;
          }),
        },
      };
    default:
      throw wrongQueryType(node, name, type);
  }
}

function compileIp(node: Exclude<FieldNode, { type: 'exists' }>, p: string, name: string): Q {
  switch (node.type) {
    case 'term':
    case 'phrase':
      ipTermRange(node, name, node.value);
      return { term: { [p]: { value: node.value } } };
    case 'range':
      return {
        range: {
          [p]: bounds(node, (v) => {
            ipBound(node, name, v);
            return v;
          }),
        },
      };
    default:
      throw wrongQueryType(node, name, 'ip');
  }
}

function compileDate(node: Exclude<FieldNode, { type: 'exists' }>, p: string, name: string): Q {
  // Date math goes to Elasticsearch as written (its clock is `now`); here it is only checked.
  const check = (v: string) => {
    dateValue(node, name, v, 0, false);
    return v;
  };
  switch (node.type) {
    case 'term':
    case 'phrase':
      // Elasticsearch's DateFieldType.termQuery: the range [v, v] with the upper bound rounded up.
      check(node.value);
      return { range: { [p]: { gte: node.value, lte: node.value } } };
    case 'range':
      return { range: { [p]: bounds(node, check) } };
    default:
      throw wrongQueryType(node, name, 'date');
  }
}

function compileBoolean(node: Exclude<FieldNode, { type: 'exists' }>, p: string, name: string): Q {
  if (node.type === 'term' || node.type === 'phrase') {
    if (node.value !== 'true' && node.value !== 'false') throw fieldTypeError(node, name, 'boolean', `${JSON.stringify(node.value)} is not true or false`);
    return { term: { [p]: { value: node.value === 'true' } } };
  }
  throw wrongQueryType(node, name, 'boolean');
}

function bounds(node: RangeNode, map: (v: string) => string): estypes.QueryDslUntypedRangeQuery {
  const r: estypes.QueryDslUntypedRangeQuery = {};
  if (node.lower !== null) r[node.includeLower ? 'gte' : 'gt'] = map(node.lower);
  if (node.upper !== null) r[node.includeUpper ? 'lte' : 'lt'] = map(node.upper);
  return r;
}

function fuzziness(distance: number | 'auto'): estypes.Fuzziness {
  return distance === 'auto' ? 'AUTO' : distance;
}

/** The standard analyzer's normalization of multi-term values (query_string applies it). */
function normalize(value: string): string {
  return value.toLowerCase();
}

// Letters, digits and emoji: the standard tokenizer makes a token of each (emoji included).
const TOKEN_CHAR = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

/** Whether the standard analyzer would emit at least one token for `value`. */
function hasTokens(value: string): boolean {
  return TOKEN_CHAR.test(value);
}
