/**
 * Query AST → SQL WHERE clause over one team's database (schema.ts), with Elasticsearch's
 * meaning for every node (docs/query-language.md; the differences that remain are listed
 * there, under "Known differences from Elasticsearch"). User values only ever travel as
 * bound parameters; FTS5 expressions built from them quote every token (ftsQuote).
 *
 * The clause is written against `events e`. Leaves on values are sets of event seqs that an
 * index answers (`fields (path, value, event)` for keyword/ip/long values of any path, `fts`
 * for text); leaves on time and id are conditions on the `events` row.
 */
import type { FacetField } from '../rules.ts';
import { UnsupportedQueryError, ValidationError } from '../../errors.ts';
import type { BoolNode, FieldNode, FuzzyNode, QueryNode, RangeNode } from '../../query/ast.ts';
import { expandFieldPattern, geoPointQueryError, isFieldPattern, type QueryField, resolveQueryField, wrongQueryType } from '../../query/fields.ts';
import { FUZZY_MAX_EXPANSIONS, MAX_CLAUSE_COUNT, tooManyClauses } from '../../query/limits.ts';
import { compileRegex, compileWildcard } from '../../query/regex/index.ts';
import { dateValue, ipBound, ipTermRange, numericBound, numericTerm } from '../../query/typed-values.ts';
import { autoDistance } from '../../query/fuzzy.ts';
import { and, EVERYTHING, filter, forPlan, NOTHING, or, type Part, type Plan, set, toFilter } from './sql-sets.ts';
import { tokenize, VALUE_GAP } from '../../query/analysis.ts';
import { FTS_COLUMNS, type FtsColumn, ftsQuote, NO_TOKEN } from './text.ts';

export interface CompiledWhere {
  /** A boolean SQL expression over `events e`. */
  sql: string;
  params: unknown[];
  /** True when the query filters nothing (null or match-all). */
  matchesAll: boolean;
  /**
   * Leaves the probe plan makes cheap on a short range (exact values it probes, full-text terms
   * it cuts to the range), each as the SELECT of its whole set, so the store can size them.
   */
  probeable: Array<{ sql: string; params: unknown[] }>;
  /** True when some leaf reads the full-text index. */
  usesFts: boolean;
}

export interface CompileOptions {
  /** Epoch ms that `now` means in date math. */
  now: number;
  /** How leaves combine (sql-sets.ts Plan); both plans select the same events. */
  plan?: Plan;
  /**
   * Probe plan: the least and greatest seq of the events in the request's time range (null
   * bounds: the range is empty). Full-text sets are cut to these rowids, which FTS5 seeks to;
   * sound because the WHERE also keeps the time range, whose events all lie within them.
   */
  ftsRowids?: { lo: number | null; hi: number | null };
}

/** Where a catalogue field's values live in the SQLite schema (src/query/fields.ts says which field a name is). */
export type Target =
  | { kind: 'timestamp'; field: string; column: 'e.ts' | 'e.received' }
  | { kind: 'id'; field: string }
  /** `maxLength`: the field's ignore_above (longer values are not values of it). */
  | { kind: 'keyword'; field: string; path: string; maxLength?: number }
  | { kind: 'originalGlob'; field: string; glob: string }
  | { kind: 'long'; field: string; path: string }
  | { kind: 'ip'; field: string; path: string }
  /** Only `_exists_` works on a point (src/query/fields.ts geoPointQueryError). */
  | { kind: 'geoPoint'; field: string; path: string }
  | { kind: 'text'; field: string; column: FtsColumn; path: string | null };

/** A target that holds values a query can compare (every kind but a point). */
type ValueTarget = Exclude<Target, { kind: 'geoPoint' }>;

/** Key of an original path in the `fields` table (a leading dot keeps them apart from ECS names). */
export function originalKey(path: string): string {
  return `.${path}`;
}

/** Where a facet's field keeps its values: the events' ids, or the `fields` rows of one path. */
export type FacetTarget = { kind: 'id' } | { kind: 'values'; path: string; ip: boolean };

export function facetTarget(f: FacetField): FacetTarget {
  switch (f.kind) {
    case 'id':
      return { kind: 'id' };
    case 'meta':
    case 'normalized':
      return { kind: 'values', path: f.name, ip: f.kind === 'normalized' && f.type === 'ip' };
    case 'keywordOf':
      return { kind: 'values', path: f.of, ip: false };
    case 'original':
      return { kind: 'values', path: originalKey(f.path), ip: false };
  }
}

function targetOf(f: QueryField): Target {
  switch (f.kind) {
    case 'freeText':
      return { kind: 'text', field: f.name, column: 'text', path: null };
    case 'timestamp':
      return { kind: 'timestamp', field: f.name, column: 'e.ts' };
    case 'received':
      return { kind: 'timestamp', field: f.name, column: 'e.received' };
    case 'id':
      return { kind: 'id', field: f.name };
    case 'meta':
      return { kind: 'keyword', field: f.name, path: f.name };
    case 'keywordOf':
      // The keyword sub-field is the text field's whole value, up to its ignore_above.
      return { kind: 'keyword', field: f.name, path: f.of, maxLength: f.ignoreAbove };
    case 'original':
      return { kind: 'keyword', field: f.name, path: originalKey(f.path) };
    case 'normalized':
      if (f.type === 'long') return { kind: 'long', field: f.name, path: f.name };
      if (f.type === 'ip') return { kind: 'ip', field: f.name, path: f.name };
      if (f.type === 'geo_point') return { kind: 'geoPoint', field: f.name, path: f.name };
      if (f.type === 'text') return { kind: 'text', field: f.name, column: FTS_COLUMNS[f.name as keyof typeof FTS_COLUMNS], path: f.name };
      return { kind: 'keyword', field: f.name, path: f.name };
  }
}

/** A literal string as an SQLite GLOB that matches only itself. */
function globLiteral(text: string): string {
  return text.replace(/[[*?]/g, '[$&]');
}

/** A field pattern (only `*` is a wildcard in names) as an SQLite GLOB. */
function fieldPatternToGlob(pattern: string): string {
  return pattern.replace(/[[?]/g, '[$&]');
}

/**
 * Targets of a field as written: the free-text column for `null`; for a pattern, every
 * normalized and metadata field it names plus every original path it matches.
 */
export function targetsOf(field: string | null): { targets: Target[]; expanded: boolean } {
  if (field === null || !isFieldPattern(field)) return { targets: [targetOf(resolveQueryField(field))], expanded: false };
  const pattern = expandFieldPattern(field);
  const targets = pattern.fields.map(targetOf);
  targets.push({ kind: 'originalGlob', field, glob: originalKey(fieldPatternToGlob(pattern.original)) });
  return { targets, expanded: true };
}

/** Lucene wildcard (`*`, `?`, `\` escapes) → SQLite GLOB, plus its literal prefix. */
export function wildcardToGlob(pattern: string): { glob: string; prefix: string; onlyStars: boolean; simplePrefix: boolean } {
  let glob = '';
  let prefix = '';
  let inPrefix = true;
  let stars = 0;
  let literals = 0;
  let wildcards = 0;
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    let escaped = false;
    if (c === '\\' && i + 1 < chars.length) {
      c = chars[++i]!;
      escaped = true;
    }
    if (!escaped && (c === '*' || c === '?')) {
      glob += c;
      inPrefix = false;
      wildcards++;
      if (c === '*') stars++;
      continue;
    }
    literals++;
    glob += c === '*' ? '[*]' : c === '?' ? '[?]' : c === '[' ? '[[]' : c;
    if (inPrefix) prefix += c;
  }
  const simplePrefix = wildcards === 1 && stars === 1 && glob.endsWith('*') && prefix.length === literals;
  return { glob, prefix, onlyStars: literals === 0 && stars > 0 && stars === wildcards, simplePrefix };
}

/** Compiles a query (null = match all) to a WHERE expression over `events e`. */
export function compileWhere(node: QueryNode | null, options: CompileOptions): CompiledWhere {
  // A query the analyzer empties entirely (`"..."`) matches nothing, as in compile-es.
  const compiler = new Compiler(options);
  const part = node === null ? EVERYTHING : (compiler.node(node) ?? NOTHING);
  if (part.kind === 'all') return { sql: '1', params: [], matchesAll: true, probeable: [], usesFts: false };
  const f = toFilter(part, options.plan);
  return { sql: f.sql, params: f.params, matchesAll: false, probeable: compiler.probeable, usesFts: compiler.usesFts };
}

class Compiler {
  readonly now: number;
  readonly plan: Plan;
  readonly probeable: Array<{ sql: string; params: unknown[] }> = [];
  readonly ftsRowids: CompileOptions['ftsRowids'];
  usesFts = false;
  /** Leaf queries so far, one per field a leaf reaches (limits.ts MAX_CLAUSE_COUNT). */
  clauses = 0;
  constructor(options: CompileOptions) {
    this.now = options.now;
    this.plan = options.plan ?? 'sets';
    this.ftsRowids = this.plan === 'probe' ? options.ftsRowids : undefined;
  }

  /** The condition that cuts a full-text set to the time range's rowids (probe plan only). */
  ftsCut(rowid: string): { sql: string; params: unknown[] } {
    this.usesFts = true;
    if (!this.ftsRowids) return { sql: '', params: [] };
    return { sql: ` AND ${rowid} BETWEEN ? AND ?`, params: [this.ftsRowids.lo, this.ftsRowids.hi] };
  }

  /** `sizable`: counting its matches is cheap (no phrase positions, no prefix expansion). */
  inFts(match: string, never = false, sizable = false): Part {
    if (never) return NOTHING;
    const cut = this.ftsCut('rowid');
    if (sizable && !cut.sql) this.probeable.push({ sql: 'SELECT rowid FROM fts WHERE fts MATCH ?', params: [match] });
    return set(`SELECT rowid FROM fts WHERE fts MATCH ? AND ${tick('rowid')}${cut.sql}`, [match, ...cut.params]);
  }

  /** `null`: the analyzer left nothing of it, so its bool drops it (Lucene drops such a clause). */
  node(node: QueryNode): Part | null {
    switch (node.type) {
      case 'matchAll':
        return EVERYTHING;
      case 'bool':
        return this.bool(node);
      default:
        return this.leaf(node, node.field);
    }
  }

  bool(node: BoolNode): Part | null {
    const must: Part[] = [];
    const should: Part[] = [];
    const mustNot: Part[] = [];
    for (const c of node.clauses) {
      const compiled = this.node(c.query);
      if (compiled === null) continue;
      (c.occur === 'must' ? must : c.occur === 'should' ? should : mustNot).push(compiled);
    }
    // Lucene: with a required clause, optional clauses only score; without one, at least one
    // optional clause must match; only prohibited clauses → everything except them.
    if (must.length === 0 && should.length === 0 && mustNot.length === 0) return node.clauses.length === 0 ? NOTHING : null;
    const required = [...must];
    if (must.length === 0 && should.length > 0) required.push(or(should, this.plan));
    return and(required, mustNot, this.plan);
  }

  leaf(node: FieldNode, field: string | null): Part | null {
    const { targets, expanded } = targetsOf(field);
    const only = targets[0]!;
    if (!expanded && only.kind === 'text' && (node.type === 'term' || node.type === 'phrase') && tokenize(node.value).length === 0) return null;
    const parts: Part[] = [];
    for (const target of targets) {
      try {
        const part = this.onTarget(node, target);
        if (part.kind === 'set' && part.probe) this.probeable.push({ sql: part.sql, params: part.params });
        parts.push(forPlan(part, this.plan));
      } catch (err) {
        // A pattern like `*` expands over fields of every type; as in Elasticsearch's
        // all-fields mode, fields that cannot hold the value are skipped, not an error.
        if (expanded && (err instanceof ValidationError || err instanceof UnsupportedQueryError) && target.kind !== 'originalGlob') continue;
        throw err;
      }
    }
    this.clauses += parts.length;
    if (this.clauses > MAX_CLAUSE_COUNT) throw tooManyClauses(this.clauses);
    return or(parts, this.plan);
  }

  /** The leaf being compiled: type errors name its field and position. */
  at: FieldNode | null = null;

  onTarget(node: FieldNode, t: Target): Part {
    this.at = node;
    if (t.kind === 'geoPoint') {
      if (node.type === 'exists' || (node.type === 'range' && node.lower === null && node.upper === null)) return inFields('path = ?', [t.path]);
      throw geoPointQueryError(node, t.field);
    }
    switch (node.type) {
      case 'exists':
        return this.exists(t);
      case 'term':
        return this.term(t, node.value, false);
      case 'phrase':
        return this.phrase(t, node.value, node.slop ?? 0);
      case 'wildcard':
        return this.wildcard(t, node.pattern);
      case 'regex':
        return this.regex(t, node.pattern);
      case 'fuzzy':
        return this.fuzzy(t, node);
      case 'range':
        return this.range(t, node);
    }
  }

  exists(t: Target): Part {
    switch (t.kind) {
      case 'timestamp':
      case 'id':
        return EVERYTHING;
      case 'originalGlob':
        return inFields(`path IN (SELECT path FROM paths WHERE path GLOB ?)`, [t.glob]);
      case 'text':
        if (t.path === null) return this.inFts(`${ftsColumnFilter(t.column)}${ftsQuote(NO_TOKEN)}`, true);
        return inFields('path = ?', [t.path]);
      case 'keyword':
        if (t.path.startsWith('.')) {
          // Elasticsearch: a name that is no field of the team's mapping but has fields under it
          // (an object in the original, `_exists_:actor`) means any of those fields.
          return inFields('path IN (SELECT path FROM paths WHERE path = ? OR (path GLOB ? AND NOT EXISTS (SELECT 1 FROM paths WHERE path = ?)))', [
            t.path,
            `${globLiteral(t.path)}.*`,
            t.path,
          ]);
        }
        return inFields(pathSql(t), pathParams(t));
      default:
        return inFields('path = ?', [t.path]);
    }
  }

  /** Exact value on a keyword-like target. */
  keywordEquals(t: Extract<Target, { kind: 'keyword' | 'originalGlob' | 'id' }>, value: string): Part {
    if (t.kind === 'id') return filter('e.id = ?', [value]);
    if (t.kind === 'keyword') return fieldEquals(`${pathSql(t)} AND value = ?`, [...pathParams(t), value]);
    return inFields(`${pathSql(t)} AND value = ?`, [...pathParams(t), value]);
  }

  term(t: ValueTarget, value: string, phrase: boolean): Part {
    switch (t.kind) {
      case 'timestamp': {
        const lo = dateValue(this.at!, t.field, value, this.now, false);
        const hi = dateValue(this.at!, t.field, value, this.now, true);
        return filter(`${t.column} BETWEEN ? AND ?`, [lo, hi]);
      }
      case 'id':
      case 'keyword':
      case 'originalGlob':
        return this.keywordEquals(t, value);
      case 'long': {
        const n = numericTerm(this.at!, t.field, 'long', value);
        if (n === null) return NOTHING;
        return fieldEquals('path = ? AND value = ?', [t.path, n]);
      }
      case 'ip': {
        const { lo, hi } = ipTermRange(this.at!, t.field, value);
        return lo === hi
          ? fieldEquals('path = ? AND value = ?', [t.path, lo])
          : inFields('path = ? AND value BETWEEN ? AND ?', [t.path, lo, hi]);
      }
      case 'text': {
        const tokens = tokenize(value);
        if (tokens.length === 0) return NOTHING;
        // Unquoted, several tokens are alternatives (default operator OR), as Lucene's
        // QueryBuilder does without auto-generated phrases; quoted, they form a phrase.
        const expr = phrase ? ftsQuote(tokens.join(' ')) : `(${tokens.map(ftsQuote).join(' OR ')})`;
        return this.inFts(`${ftsColumnFilter(t.column)}${expr}`, false, !phrase || tokens.length === 1);
      }
    }
  }

  phrase(t: ValueTarget, value: string, slop: number): Part {
    if (t.kind !== 'text') return this.term(t, value, true);
    const tokens = tokenize(value);
    if (tokens.length === 0) return NOTHING;
    if (slop <= 0 || tokens.length === 1) return this.term(t, value, true);
    // NEAR finds candidates (it ignores order, so it is a superset); al_slop applies Lucene's
    // exact sloppy-phrase rule to each candidate.
    const near = `${ftsColumnFilter(t.column)}NEAR(${tokens.map(ftsQuote).join(' ')}, ${Math.min(slop + tokens.length, 100_000)})`;
    const cut = this.ftsCut('fts.rowid');
    return set(`SELECT fts.rowid FROM fts JOIN docs d ON d.seq = fts.rowid WHERE fts MATCH ? AND al_slop(d.original, d.ecs, ?, ?, ?)${cut.sql}`, [
      near,
      t.column,
      JSON.stringify(tokens),
      slop,
      ...cut.params,
    ]);
  }

  wildcard(t: ValueTarget, pattern: string): Part {
    // Elasticsearch builds an automaton for every wildcard and refuses one too complex to
    // determinize; so do we (GLOB then matches it, in time linear in pattern × value).
    compileWildcard(t.kind === 'text' ? pattern.toLowerCase() : pattern);
    switch (t.kind) {
      case 'timestamp':
      case 'long':
      case 'ip':
        throw wrongQueryType(this.at!, t.field, typeOf(t));
      case 'id':
      case 'keyword':
      case 'originalGlob': {
        const w = wildcardToGlob(pattern);
        if (w.onlyStars) return this.exists(t);
        if (t.kind === 'id') return filter('e.id GLOB ?', [w.glob]);
        // GLOB cannot use the index on a column without TEXT affinity: bound the literal
        // prefix explicitly so the (path, value) index narrows the scan.
        const prefix = w.prefix ? ' AND value >= ? AND value < ?' : '';
        const prefixParams = w.prefix ? [w.prefix, `${w.prefix}\u{10FFFF}`] : [];
        return inFields(`${pathSql(t)}${prefix} AND value GLOB ?`, [...pathParams(t), ...prefixParams, w.glob]);
      }
      case 'text': {
        // Elasticsearch normalizes multi-term queries on text fields with the analyzer (lowercase).
        const w = wildcardToGlob(pattern.toLowerCase());
        if (w.onlyStars) return this.exists(t);
        if (w.simplePrefix && tokenize(w.prefix).join('') === w.prefix && w.prefix.length > 0) {
          return this.inFts(`${ftsColumnFilter(t.column)}${ftsQuote(w.prefix)} *`);
        }
        const prefix = w.prefix ? ' AND term >= ? AND term < ?' : '';
        const prefixParams = w.prefix ? [w.prefix, `${w.prefix}\u{10FFFF}`] : [];
        return this.vocab(t.column, `${prefix} AND term GLOB ?`, [...prefixParams, w.glob]);
      }
    }
  }

  regex(t: ValueTarget, pattern: string): Part {
    compileRegex(pattern); // validates, with a clear error and Elasticsearch's limits, before any SQL runs
    switch (t.kind) {
      case 'timestamp':
      case 'long':
      case 'ip':
        throw wrongQueryType(this.at!, t.field, typeOf(t));
      case 'id':
        return filter('al_regexp(?, e.id)', [pattern]);
      case 'keyword':
      case 'originalGlob':
        return inFields(`${pathSql(t)} AND al_regexp(?, value)`, [...pathParams(t), pattern]);
      case 'text':
        return this.vocab(t.column, ' AND al_regexp(?, term)', [pattern]);
    }
  }

  fuzzy(t: ValueTarget, node: FuzzyNode): Part {
    if (node.distance !== 'auto' && !(Number.isInteger(node.distance) && node.distance >= 0 && node.distance <= 2)) {
      throw new ValidationError(`fuzzy ${node.value}~${node.distance}: valid edit distances are 0, 1 and 2`, { field: t.field });
    }
    switch (t.kind) {
      case 'timestamp':
      case 'long':
      case 'ip':
        throw wrongQueryType(this.at!, t.field, typeOf(t));
      case 'id':
      case 'keyword':
      case 'originalGlob': {
        const d = node.distance === 'auto' ? autoDistance(node.value) : node.distance;
        if (d === 0) return this.term(t, node.value, false);
        const len = Array.from(node.value).length;
        // Elasticsearch expands a fuzzy term to its FUZZY_MAX_EXPANSIONS best matches per field
        // (fewest edits for the length, then the smallest): so does each path here.
        const best = `ORDER BY al_fuzzy_score(value, ?, ?) DESC, value LIMIT ${FUZZY_MAX_EXPANSIONS}`;
        if (t.kind === 'id') {
          return filter(`e.id IN (SELECT id AS value FROM events WHERE length(id) BETWEEN ? AND ? AND al_fuzzy(id, ?, ?) ${best})`, [
            len - d,
            len + d,
            node.value,
            d,
            node.value,
            d,
          ]);
        }
        return inFields(
          `(path, value) IN (SELECT path, value FROM (SELECT path, value, row_number() OVER (PARTITION BY path ${best.replace(/ LIMIT \d+$/, '')}) AS rank
             FROM (SELECT DISTINCT path, value FROM fields WHERE ${pathSql(t)} AND length(value) BETWEEN ? AND ? AND al_fuzzy(value, ?, ?)))
           WHERE rank <= ${FUZZY_MAX_EXPANSIONS})`,
          [node.value, d, ...pathParams(t), len - d, len + d, node.value, d],
        );
      }
      case 'text': {
        const value = node.value.toLowerCase();
        const d = node.distance === 'auto' ? autoDistance(value) : node.distance;
        if (d === 0) return this.term(t, value, false);
        return this.vocab(t.column, ' AND al_fuzzy(term, ?, ?)', [value, d], {
          sql: `ORDER BY al_fuzzy_score(term, ?, ?) DESC, term LIMIT ${FUZZY_MAX_EXPANSIONS}`,
          params: [value, d],
        });
      }
    }
  }

  range(t: ValueTarget, node: RangeNode): Part {
    if (node.lower === null && node.upper === null) return this.exists(t);
    const conds: string[] = [];
    const params: unknown[] = [];
    const bound = (value: string | null, lower: boolean, inclusive: boolean, convert: (v: string, roundUp: boolean) => unknown, col: string) => {
      if (value === null) return;
      // Date bounds round like Elasticsearch: gte/lt to the start of the unit, gt/lte to its end.
      const roundUp = lower ? !inclusive : inclusive;
      conds.push(`${col} ${lower ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ?`);
      params.push(convert(value, roundUp));
    };
    const both = (col: string, convert: (v: string, roundUp: boolean) => unknown) => {
      bound(node.lower, true, node.includeLower, convert, col);
      bound(node.upper, false, node.includeUpper, convert, col);
    };
    switch (t.kind) {
      case 'timestamp':
        both(t.column, (v, up) => dateValue(node, t.field, v, this.now, up));
        return filter(`(${conds.join(' AND ')})`, params);
      case 'id':
        both('e.id', (v) => v);
        return filter(`(${conds.join(' AND ')})`, params);
      case 'long':
        both('value', (v) => numericBound(node, t.field, 'long', v));
        return inFields(`path = ? AND ${conds.join(' AND ')}`, [t.path, ...params]);
      case 'ip':
        both('value', (v) => ipBound(node, t.field, v));
        return inFields(`path = ? AND ${conds.join(' AND ')}`, [t.path, ...params]);
      case 'keyword':
      case 'originalGlob':
        // Keyword semantics: values compare as strings (documented limitation for numbers).
        both('value', (v) => v);
        return inFields(`${pathSql(t)} AND typeof(value) = 'text' AND ${conds.join(' AND ')}`, [...pathParams(t), ...params]);
      case 'text':
        // query_string normalizes range bounds on text fields with the analyzer (lowercase).
        both('term', (v) => v.toLowerCase());
        return this.vocab(t.column, ` AND ${conds.join(' AND ')}`, params);
    }
  }

  /**
   * Multi-term query on a text column (Lucene rewrites it into the matching terms): the terms
   * come from the FTS5 vocabulary, the events from one FTS5 MATCH over their disjunction.
   */
  vocab(column: FtsColumn, termCond: string, params: unknown[], best?: { sql: string; params: unknown[] }): Part {
    const terms = `SELECT term FROM fts_vocab WHERE col = ? AND term <> ?${termCond}${best ? ` ${best.sql}` : ''}`;
    const expansion = `(SELECT ? || group_concat('"' || replace(term, '"', '""') || '"', ' OR ') || ')' FROM (${terms}))`;
    const cut = this.ftsCut('rowid');
    return set(`SELECT rowid FROM fts WHERE fts MATCH coalesce(${expansion}, ?) AND ${tick('rowid')}${cut.sql}`, [
      `${ftsColumnFilter(column)}(`,
      column,
      // The token written between two values (VALUE_GAP) is no word of the text.
      VALUE_GAP,
      ...params,
      ...(best?.params ?? []),
      ftsQuote(NO_TOKEN),
      ...cut.params,
    ]);
  }
}

function typeOf(t: Extract<Target, { kind: 'timestamp' | 'long' | 'ip' }>): 'date' | 'long' | 'ip' {
  return t.kind === 'timestamp' ? 'date' : t.kind;
}

function pathSql(t: Extract<Target, { kind: 'keyword' | 'originalGlob' }>): string {
  if (t.kind === 'originalGlob') return 'path IN (SELECT path FROM paths WHERE path GLOB ?)';
  return t.maxLength === undefined ? 'path = ?' : 'path = ? AND length(value) <= ?';
}

function pathParams(t: Extract<Target, { kind: 'keyword' | 'originalGlob' }>): unknown[] {
  if (t.kind === 'originalGlob') return [t.glob];
  return t.maxLength === undefined ? [t.path] : [t.path, t.maxLength];
}

function inFields(cond: string, params: unknown[]): Part {
  return set(`SELECT event FROM fields WHERE ${tick('event')} AND ${cond}`, params);
}

/**
 * A condition that is always true and calls al_tick() once per ~1024 rows (functions.ts), so
 * that a long scan stops when its read is over budget or cancelled. Written first in its
 * WHERE: SQLite evaluates the conditions an index does not answer in the order written.
 */
export function tick(column: string): string {
  return `(${column} & 1023 OR al_tick())`;
}

/**
 * A leaf on one exact (path, value): the `fields` primary key answers it as a set, or for one
 * event (`event = e.seq` completes the key) as a single seek.
 */
function fieldEquals(cond: string, params: unknown[]): Part {
  return set(`SELECT event FROM fields WHERE ${tick('event')} AND ${cond}`, params, {
    sql: `EXISTS (SELECT 1 FROM fields WHERE ${cond} AND event = e.seq)`,
    params,
  });
}

function ftsColumnFilter(column: FtsColumn): string {
  return `{${column}} : `;
}

