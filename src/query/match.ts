/**
 * The third compiler of the query language: AST → a JavaScript predicate over one stored
 * event, with the meaning the stores give the query (Elasticsearch's `query_string`, checked
 * by test/differential/ against Elasticsearch itself). The alert engine tests every rule of a
 * team against a window of events it read once; the live tail tests new events as they come.
 *
 * Fields resolve through the catalogue (fields.ts); values are read from an EventView as the
 * stores index them; numbers, dates and addresses follow typed-values.ts; text is analysed by
 * analysis.ts. Per field type, as compile-es and compile-sql:
 * - keyword: exact, case-sensitive; wildcard (terms.ts, no backtracking), regex, fuzzy
 *   (Damerau-Levenshtein), string ranges in term order;
 * - text and free text: any token of the value (OR); phrases by position with slop;
 *   wildcard, regex, fuzzy and ranges on single tokens, lowercased like query_string;
 * - long, ip, date: values and ranges; a wildcard, regex or fuzzy term is an error;
 * - a term the analyzer empties is dropped from its bool; a bool of only MUST_NOT clauses
 *   matches everything else; a field pattern expands over the fields it names, skipping
 *   those whose type rejects the value.
 * Compiling throws the same errors the stores do (UNSUPPORTED_QUERY naming the field).
 */
import { AppError, ValidationError } from '../errors.ts';
import type { StoredEvent } from '../events/event.ts';
// The linear-time engine both stores use: a Lucene pattern compiled into { test(value) }, refused
// past Elasticsearch's limits (max_determinized_states, index.max_regex_length) as the stores refuse it.
import { compileRegex as compileLuceneRegex, compileWildcard as checkWildcardLimits } from './regex/index.ts';
import { sloppyPhraseMatches, tokenize } from './analysis.ts';
import type { BoolNode, FieldNode, FuzzyNode, QueryNode, RangeNode } from './ast.ts';
import { EventView, type TextColumn } from './event-view.ts';
import { expandFieldPattern, geoPointQueryError, isFieldPattern, type QueryField, resolveQueryField, wrongQueryType } from './fields.ts';
import { autoDistance, withinDistance } from './fuzzy.ts';
import { compareTerms, compileWildcard } from './terms.ts';
import { dateValue, ipBound, ipTermRange, numericBound, numericTerm } from './typed-values.ts';

/** Tests one event. */
export type Predicate = (event: EventView) => boolean;

export interface MatcherOptions {
  /** Epoch ms that `now` means in date math. Default: the time of compiling. */
  now?: number;
}

export interface Matcher {
  /** Whether the event matches; a view may be shared by many matchers. */
  test(event: EventView): boolean;
  /** The same for a bare event (makes a view each call). */
  matches(event: StoredEvent): boolean;
}

const NEVER: Predicate = () => false;
const ALWAYS: Predicate = () => true;

/** Compiles a query (null = every event). Throws the stores' errors for values a field's type cannot take. */
export function compileMatcher(ast: QueryNode | null, options: MatcherOptions = {}): Matcher {
  const now = options.now ?? Date.now();
  const test = ast === null ? ALWAYS : (compileNode(ast, now) ?? NEVER);
  return { test, matches: (event) => test(new EventView(event)) };
}

/** `null`: the analyzer left nothing of the node, so its bool drops it (as Lucene does). */
function compileNode(node: QueryNode, now: number): Predicate | null {
  switch (node.type) {
    case 'matchAll':
      return ALWAYS;
    case 'bool':
      return compileBool(node, now);
    default:
      return compileLeaf(node, now);
  }
}

function compileBool(node: BoolNode, now: number): Predicate | null {
  const must: Predicate[] = [];
  const should: Predicate[] = [];
  const mustNot: Predicate[] = [];
  for (const c of node.clauses) {
    const p = compileNode(c.query, now);
    if (p === null) continue;
    (c.occur === 'must' ? must : c.occur === 'should' ? should : mustNot).push(p);
  }
  if (must.length + should.length + mustNot.length === 0) return node.clauses.length === 0 ? NEVER : null;
  const none = (v: EventView) => {
    for (const p of mustNot) if (p(v)) return false;
    return true;
  };
  // Lucene: with a required clause, optional clauses only score; without one, at least one
  // optional clause must match; only prohibited clauses → everything except them.
  if (must.length > 0) {
    return (v) => {
      for (const p of must) if (!p(v)) return false;
      return none(v);
    };
  }
  if (should.length > 0) {
    return (v) => {
      for (const p of should) if (p(v)) return none(v);
      return false;
    };
  }
  return none;
}

function compileLeaf(node: FieldNode, now: number): Predicate | null {
  const field = node.field;
  if (field !== null && isFieldPattern(field)) return compilePattern(node, field, now);
  const f = resolveQueryField(field);
  // A term the analyzer empties (`-`, `"..."`) is dropped from its bool, as Lucene drops it.
  if (f.type === 'text' && (node.type === 'term' || node.type === 'phrase') && tokenize(node.value).length === 0) return null;
  return compileField(node, f, field ?? 'free text', now);
}

/**
 * A pattern: each reserved field it names (skipped when its type rejects the value, as
 * Elasticsearch's all-fields mode does), or any original path it matches, as keywords.
 */
function compilePattern(node: FieldNode, pattern: string, now: number): Predicate {
  const expanded = expandFieldPattern(pattern);
  const parts: Predicate[] = [];
  for (const f of expanded.fields) {
    try {
      parts.push(compileField(node, f, f.name, now));
    } catch (err) {
      if (!(err instanceof AppError && (err.code === 'UNSUPPORTED_QUERY' || err.code === 'BAD_REQUEST'))) throw err;
    }
  }
  const cache = new WeakMap<EventView, readonly string[]>();
  const values = (v: EventView): readonly string[] => {
    let out = cache.get(v);
    if (!out) {
      const all: string[] = [];
      for (const [path, list] of v.originalEntries()) if (expanded.matchesOriginal(path)) all.push(...list);
      cache.set(v, (out = all));
    }
    return out;
  };
  parts.push(node.type === 'exists' || isOpenRange(node) ? (v) => values(v).length > 0 : keywordLeaf(node, values));
  return parts.length === 1 ? parts[0]! : (v) => parts.some((p) => p(v));
}

function isOpenRange(node: FieldNode): boolean {
  return node.type === 'range' && node.lower === null && node.upper === null;
}

function compileField(node: FieldNode, f: QueryField, name: string, now: number): Predicate {
  switch (f.kind) {
    case 'freeText':
      return textLeaf(node, 'text');
    case 'timestamp':
      return dateLeaf(node, name, now, (v) => v.event.timestamp);
    case 'received':
      return dateLeaf(node, name, now, (v) => v.event.received);
    case 'id':
      return keywordOrExists(node, (v) => [v.event.id]);
    case 'meta':
      return keywordOrExists(node, f.name === 'auditlog.format' ? (v) => [v.event.format] : (v) => v.event.flags);
    case 'keywordOf': {
      const of = f.of;
      const max = f.ignoreAbove;
      return keywordOrExists(node, (v) => v.ecs(of).filter((s) => s.length <= max));
    }
    case 'original':
      return originalLeaf(node, f.path);
    case 'normalized':
      switch (f.type) {
        case 'text':
          return textLeaf(node, f.name as TextColumn);
        case 'long':
        case 'double':
          return numberLeaf(node, name, f.type, (v) => v.longs(f.name));
        case 'ip':
          return ipLeaf(node, name, (v) => v.ipKeys(f.name));
        case 'date':
          throw wrongQueryType(node, name, 'date');
        case 'geo_point':
          if (node.type === 'exists' || isOpenRange(node)) return (v) => v.ecs(f.name).length > 0;
          throw geoPointQueryError(node, name);
        case 'keyword':
        case 'boolean':
          return keywordOrExists(node, (v) => v.ecs(f.name));
      }
  }
}

// --- keyword ---------------------------------------------------------------------------------

type Values = (v: EventView) => readonly string[];

function keywordOrExists(node: FieldNode, values: Values): Predicate {
  if (node.type === 'exists' || isOpenRange(node)) return (v) => values(v).length > 0;
  return keywordLeaf(node, values);
}

/**
 * An original path. Exists follows Elasticsearch's rule for a name that is no field but has
 * fields under it (an object: `_exists_:actor`): any of those counts. Elasticsearch decides
 * per index and SQLite per team whether the name is a field; here, per event.
 */
function originalLeaf(node: FieldNode, path: string): Predicate {
  const values: Values = (v) => v.original(path);
  if (node.type === 'exists' || isOpenRange(node)) {
    const under = `${path}.`;
    return (v) => {
      if (v.original(path).length > 0) return true;
      if (v.hasLeaf(path)) return false;
      for (const [p, list] of v.originalEntries()) if (list.length > 0 && p.startsWith(under)) return true;
      return false;
    };
  }
  return keywordLeaf(node, values);
}

function keywordLeaf(node: FieldNode, values: Values): Predicate {
  switch (node.type) {
    case 'exists':
      return (v) => values(v).length > 0;
    case 'term':
    case 'phrase': {
      const x = node.value;
      return (v) => values(v).includes(x);
    }
    case 'wildcard': {
      if (onlyStars(node.pattern)) return (v) => values(v).length > 0;
      checkWildcardLimits(node.pattern);
      const test = compileWildcard(node.pattern);
      return (v) => values(v).some(test);
    }
    case 'regex': {
      const re = compileLuceneRegex(node.pattern);
      return (v) => values(v).some((s) => re.test(s));
    }
    case 'fuzzy': {
      const d = fuzzyDistance(node, node.value);
      const x = node.value;
      if (d === 0) return (v) => values(v).includes(x);
      return (v) => values(v).some((s) => withinDistance(s, x, d));
    }
    case 'range': {
      if (isOpenRange(node)) return (v) => values(v).length > 0;
      const inRange = termRange(node, (s) => s);
      return (v) => values(v).some(inRange);
    }
  }
}

function onlyStars(pattern: string): boolean {
  return /^\*+$/.test(pattern);
}

function fuzzyDistance(node: FuzzyNode, value: string): number {
  if (node.distance !== 'auto' && !(Number.isInteger(node.distance) && node.distance >= 0 && node.distance <= 2)) {
    throw new ValidationError(`fuzzy ${node.value}~${node.distance}: valid edit distances are 0, 1 and 2`, { field: node.field ?? 'free text' });
  }
  return node.distance === 'auto' ? autoDistance(value) : node.distance;
}

/** A string range in term order (UTF-8 bytes), bounds mapped by `map`. */
function termRange(node: RangeNode, map: (s: string) => string): (s: string) => boolean {
  const lo = node.lower === null ? null : map(node.lower);
  const hi = node.upper === null ? null : map(node.upper);
  return (s) => {
    if (lo !== null) {
      const c = compareTerms(s, lo);
      if (c < 0 || (c === 0 && !node.includeLower)) return false;
    }
    if (hi !== null) {
      const c = compareTerms(s, hi);
      if (c > 0 || (c === 0 && !node.includeUpper)) return false;
    }
    return true;
  };
}

// --- text ------------------------------------------------------------------------------------

function textLeaf(node: FieldNode, column: TextColumn): Predicate {
  const text = (v: EventView) => v.text(column);
  switch (node.type) {
    case 'exists':
      return column === 'text' ? (v) => text(v).tokens.size > 0 : (v) => text(v).values.length > 0;
    case 'term': {
      // Unquoted, several tokens are alternatives (default operator OR), as Lucene's QueryBuilder.
      const tokens = tokenize(node.value);
      if (tokens.length === 0) return NEVER;
      if (tokens.length === 1) {
        const t = tokens[0]!;
        return (v) => text(v).tokens.has(t);
      }
      return (v) => {
        const set = text(v).tokens;
        return tokens.some((t) => set.has(t));
      };
    }
    case 'phrase': {
      const tokens = tokenize(node.value);
      if (tokens.length === 0) return NEVER;
      if (tokens.length === 1) {
        const t = tokens[0]!;
        return (v) => text(v).tokens.has(t);
      }
      const slop = node.slop ?? 0;
      return (v) => {
        const t = text(v);
        // Every token present is necessary: a cheap test before positions.
        for (const x of tokens) if (!t.tokens.has(x)) return false;
        return sloppyPhraseMatches(t.positions(), tokens, slop);
      };
    }
    case 'wildcard': {
      // query_string normalizes multi-term queries on text fields with the analyzer (lowercase).
      const pattern = node.pattern.toLowerCase();
      if (onlyStars(pattern)) return (v) => text(v).tokens.size > 0;
      checkWildcardLimits(pattern);
      const test = compileWildcard(pattern);
      return (v) => anyToken(text(v).tokens, test);
    }
    case 'regex': {
      const re = compileLuceneRegex(node.pattern);
      return (v) => anyToken(text(v).tokens, (t) => re.test(t));
    }
    case 'fuzzy': {
      const value = node.value.toLowerCase();
      const d = fuzzyDistance(node, value);
      if (d === 0) {
        const tokens = tokenize(value);
        return (v) => tokens.some((t) => text(v).tokens.has(t));
      }
      return (v) => anyToken(text(v).tokens, (t) => withinDistance(t, value, d));
    }
    case 'range': {
      if (isOpenRange(node)) return (v) => text(v).values.length > 0;
      const inRange = termRange(node, (s) => s.toLowerCase());
      return (v) => anyToken(text(v).tokens, inRange);
    }
  }
}

function anyToken(tokens: ReadonlySet<string>, test: (t: string) => boolean): boolean {
  for (const t of tokens) if (test(t)) return true;
  return false;
}

// --- long, ip, date --------------------------------------------------------------------------

function numberLeaf(node: FieldNode, name: string, type: 'long' | 'double', values: (v: EventView) => number[]): Predicate {
  switch (node.type) {
    case 'exists':
      return (v) => values(v).length > 0;
    case 'term':
    case 'phrase': {
      const n = numericTerm(node, name, type, node.value);
      if (n === null) return NEVER;
      return (v) => values(v).includes(n);
    }
    case 'range': {
      if (isOpenRange(node)) return (v) => values(v).length > 0;
      const lo = node.lower === null ? null : numericBound(node, name, type, node.lower);
      const hi = node.upper === null ? null : numericBound(node, name, type, node.upper);
      return (v) => values(v).some((x) => inBounds(x, lo, hi, node));
    }
    default:
      throw wrongQueryType(node, name, type);
  }
}

function ipLeaf(node: FieldNode, name: string, keys: (v: EventView) => string[]): Predicate {
  switch (node.type) {
    case 'exists':
      return (v) => keys(v).length > 0;
    case 'term':
    case 'phrase': {
      const { lo, hi } = ipTermRange(node, name, node.value);
      return (v) => keys(v).some((k) => k >= lo && k <= hi);
    }
    case 'range': {
      if (isOpenRange(node)) return (v) => keys(v).length > 0;
      // Keys are fixed-length lowercase hex: string order is address order.
      const lo = node.lower === null ? null : ipBound(node, name, node.lower);
      const hi = node.upper === null ? null : ipBound(node, name, node.upper);
      return (v) => keys(v).some((k) => inBounds(k, lo, hi, node));
    }
    default:
      throw wrongQueryType(node, name, 'ip');
  }
}

function dateLeaf(node: FieldNode, name: string, now: number, time: (v: EventView) => number): Predicate {
  switch (node.type) {
    case 'exists':
      return ALWAYS;
    case 'term':
    case 'phrase': {
      // Elasticsearch's DateFieldType.termQuery: the range [v, v] with the upper bound rounded up.
      const lo = dateValue(node, name, node.value, now, false);
      const hi = dateValue(node, name, node.value, now, true);
      return (v) => {
        const t = time(v);
        return t >= lo && t <= hi;
      };
    }
    case 'range': {
      if (isOpenRange(node)) return ALWAYS;
      // Bounds round like Elasticsearch: gte and lt to the start of the unit, gt and lte to its end.
      const lo = node.lower === null ? null : dateValue(node, name, node.lower, now, !node.includeLower);
      const hi = node.upper === null ? null : dateValue(node, name, node.upper, now, node.includeUpper);
      return (v) => inBounds(time(v), lo, hi, node);
    }
    default:
      throw wrongQueryType(node, name, 'date');
  }
}

function inBounds<T extends number | string>(x: T, lo: T | null, hi: T | null, node: RangeNode): boolean {
  if (lo !== null && (x < lo || (x === lo && !node.includeLower))) return false;
  if (hi !== null && (x > hi || (x === hi && !node.includeUpper))) return false;
  return true;
}
