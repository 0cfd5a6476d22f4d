/**
 * The typed AST of a Lucene / Elasticsearch `query_string` query.
 *
 * The tree mirrors what Lucene's classic query parser builds (and what Elasticsearch
 * executes), not the surface syntax: `a AND NOT b`, `+a -b` and `a && !b` all become one
 * `bool` node with occurrences. That is deliberate: Lucene's treatment of `AND`/`OR` chains
 * without parentheses (`a OR b AND c` means `a +b +c`) is then visible in the tree, and each
 * store compiler only has to translate MUST / SHOULD / MUST_NOT, which both Elasticsearch
 * (bool query) and SQL (AND / OR / NOT) express directly.
 *
 * Values stay strings: whether `200` is a number, `10.0.0.0/8` a CIDR or `now-1h` a date is
 * decided by each compiler from the field-type catalogue, exactly as Elasticsearch decides
 * from the mapping.
 */

/** Half-open span of source offsets (UTF-16 code units) that produced a node. */
export interface Location {
  start: number;
  end: number;
}

/**
 * A field as written by the user, dots kept (`action_details.operation.action`).
 * May contain `*` / `?` wildcards (`actor.*`). `null` means "the default field(s)".
 */
export type Field = string | null;

interface NodeBase {
  loc: Location;
  /** `^N`: accepted for compatibility; results are ordered by time, so it has no effect. */
  boost?: number;
}

/** Matches every event: `*:*`, `*`, or an empty query. */
export interface MatchAllNode extends NodeBase {
  type: 'matchAll';
}

/**
 * A single unquoted term, escapes removed: `alice`, `user.name:alice`, `status:200`.
 * Adjacent bare terms with no operator between them are one term whose value holds them
 * joined by a space (`f:(a b)` → value `a b`): Lucene (split_on_whitespace false, as in
 * Elasticsearch since 6.0) hands them to the field's analyzer as one text, so on a text
 * field they are OR-ed tokens and on a keyword field one exact value `a b`.
 */
export interface TermNode extends NodeBase {
  type: 'term';
  field: Field;
  value: string;
}

/** A quoted phrase, escapes removed: `"failed login"`, `"a b"~3` (slop = proximity). */
export interface PhraseNode extends NodeBase {
  type: 'phrase';
  field: Field;
  value: string;
  slop?: number;
}

/**
 * A term with `*` or `?`: `adm*`, `us?r`. `pattern` uses Lucene wildcard syntax: `*` and
 * `?` are wildcards, `\` escapes the next character (so a literal star is `\*`).
 */
export interface WildcardNode extends NodeBase {
  type: 'wildcard';
  field: Field;
  pattern: string;
}

/** `/pattern/`: a Lucene regular expression, slashes removed, `\/` unescaped to `/`. */
export interface RegexNode extends NodeBase {
  type: 'regex';
  field: Field;
  pattern: string;
}

/** `term~` (distance `auto`) or `term~N`. */
export interface FuzzyNode extends NodeBase {
  type: 'fuzzy';
  field: Field;
  value: string;
  distance: number | 'auto';
}

/**
 * `[a TO b]`, `{a TO b}`, mixed `[a TO b}`, open bounds (`*` → null), and the comparison
 * forms `>a`, `>=a`, `<a`, `<=a`. Bounds are raw strings, including date math (`now-15m`).
 */
export interface RangeNode extends NodeBase {
  type: 'range';
  field: Field;
  lower: string | null;
  upper: string | null;
  includeLower: boolean;
  includeUpper: boolean;
}

/** `_exists_:field`, field may hold wildcards. */
export interface ExistsNode extends NodeBase {
  type: 'exists';
  field: string;
}

export type Occur = 'must' | 'should' | 'mustNot';

export interface Clause {
  occur: Occur;
  query: QueryNode;
}

/**
 * A Lucene BooleanQuery. With at least one `must` clause, `should` clauses only affect
 * scoring (they do not filter); with no `must`, at least one `should` must match. A bool of
 * only `mustNot` clauses matches everything except them (Elasticsearch adds `match_all`).
 */
export interface BoolNode extends NodeBase {
  type: 'bool';
  clauses: Clause[];
}

export type QueryNode =
  | MatchAllNode
  | TermNode
  | PhraseNode
  | WildcardNode
  | RegexNode
  | FuzzyNode
  | RangeNode
  | ExistsNode
  | BoolNode;

/** Leaf nodes carry a field; `exists` always names one. */
export type FieldNode = Exclude<QueryNode, BoolNode | MatchAllNode>;
