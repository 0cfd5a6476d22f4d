/**
 * AST → canonical query string. Saved queries are stored in this form, so it must parse back
 * to the same tree (`parseQuery(printQuery(ast))` equals `ast` apart from `loc`, for every
 * tree the parser can produce) and it should read well:
 * - a bool whose clauses are all SHOULD prints as `a OR b`; all MUST / MUST_NOT as
 *   `a AND NOT b`; a mix uses Lucene's prefixes `a OR +b -c`, which say exactly what each
 *   clause does (no AND/OR precedence to remember);
 * - a term of several words (adjacent bare terms, analysed as one text) prints as
 *   `f:(a b)`, the form that reads back as the same run;
 * - a flat group whose leaves all name one field says it once (`f:(a OR "b c")`);
 *   otherwise each leaf carries its own field;
 * - ranges always use brackets (`>=5` prints as `[5 TO *]`), wildcard fields are escaped
 *   (`actor.\*:x`) and `*:*` is match-all, all of which Elasticsearch reads the same way.
 */
import type { BoolNode, Clause, Field, QueryNode, RangeNode } from './ast.ts';
import { needsEscape } from './lexer.ts';
import { EXISTS_FIELD } from './parse.ts';

/** Prints a query in canonical form. */
export function printQuery(node: QueryNode): string {
  return printNode(node, true);
}

/**
 * Prints one leaf without its field, for Elasticsearch's `query_string` with an explicit
 * `fields` list (how compile-es expands wildcard field names over `original.*`).
 */
export function printLeafValue(node: QueryNode): string {
  if (node.type === 'bool' || node.type === 'matchAll' || node.type === 'exists') return printNode(node, true);
  return printNode({ ...node, field: null, boost: undefined } as QueryNode, true);
}

/**
 * `top`: the whole query (a bool needs no parentheses there). `grouped`: inside a field
 * group that already names the field, so leaves print without it.
 */
function printNode(node: QueryNode, top: boolean, grouped = false): string {
  const boost = node.boost === undefined ? '' : `^${formatNumber(node.boost)}`;
  const field = grouped || node.type === 'matchAll' || node.type === 'exists' || node.type === 'bool' ? '' : fieldPrefix(node.field);
  switch (node.type) {
    case 'matchAll':
      return `*:*${boost}`;
    case 'term': {
      const words = plainWords(node.value);
      if (words === null) return field + escapeTerm(node.value) + boost;
      // Several words are one term only as Lucene's MultiTerm run, which a group delimits.
      return top && field === '' && boost === '' ? words : `${field}(${words})${boost}`;
    }
    case 'phrase':
      return `${field}"${escapeQuoted(node.value)}"${node.slop ? `~${node.slop}` : ''}${boost}`;
    case 'wildcard':
      return field + escapeWildcard(node.pattern) + boost;
    case 'regex':
      return `${field}/${escapeRegex(node.pattern)}/${boost}`;
    case 'fuzzy':
      return `${field}${escapeTerm(node.value)}~${node.distance === 'auto' ? '' : node.distance}${boost}`;
    case 'range':
      return field + printRange(node) + boost;
    case 'exists':
      return `${EXISTS_FIELD}:${escapeField(node.field)}${boost}`;
    case 'bool': {
      if (!grouped && node.clauses.length > 1) {
        const common = commonField(node);
        if (common !== null) return `${fieldPrefix(common)}(${printBool(node, true)})${boost}`;
      }
      const body = printBool(node, grouped);
      return top && boost === '' ? body : `(${body})${boost}`;
    }
  }
}

/**
 * The field all clauses of a flat bool name, if they name the same one (so `f:( … )` says it
 * once). Nested bools are not factored: `f:(a OR b) AND NOT f:(c OR d)` reads better than
 * one group around both.
 */
function commonField(node: BoolNode): string | null {
  let field: string | null = null;
  for (const { query } of node.clauses) {
    if (query.type === 'matchAll' || query.type === 'exists' || query.type === 'bool') return null;
    const f = query.field;
    if (f === null || (field !== null && f !== field)) return null;
    field = f;
  }
  return field;
}

function printBool(node: BoolNode, grouped: boolean): string {
  const clauses = node.clauses;
  // A bool the parser never builds; Lucene's empty BooleanQuery matches nothing, and so does this.
  if (clauses.length === 0) return `-*:*`;
  let should = 0;
  for (const c of clauses) if (c.occur === 'should') should++;
  if (should === clauses.length) {
    if (clauses.length === 1) return printClause(clauses[0]!, false, grouped);
    return clauses.map((c) => printNode(c.query, false, grouped)).join(' OR ');
  }
  if (should === 0) {
    // `+a` alone stays `+a`: a lone `a` would collapse to the leaf.
    if (clauses.length === 1) {
      const only = clauses[0]!;
      return `${only.occur === 'mustNot' ? 'NOT ' : '+'}${printNode(only.query, false, grouped)}`;
    }
    return clauses.map((c) => (c.occur === 'mustNot' ? 'NOT ' : '') + printNode(c.query, false, grouped)).join(' AND ');
  }
  // `OR` before a SHOULD clause keeps two bare terms from reading as one MultiTerm run;
  // it changes nothing else, OR being the default operator.
  let out = printClause(clauses[0]!, true, grouped);
  for (let i = 1; i < clauses.length; i++) {
    const c = clauses[i]!;
    out += (c.occur === 'should' ? ' OR ' : ' ') + printClause(c, true, grouped);
  }
  return out;
}

/**
 * `a b` for a term value of plain words separated by single spaces (what adjacent bare
 * terms parse to), or null when the value needs escapes and prints as `a\ b`.
 */
function plainWords(value: string): string | null {
  if (value.indexOf(' ') === -1) return null;
  const words = value.split(' ');
  for (const word of words) {
    if (word === '' || word === 'AND' || word === 'OR' || word === 'NOT' || word === '&&' || word === '||') return null;
    for (let i = 0; i < word.length; i++) if (needsEscape(word.charCodeAt(i), i === 0)) return null;
  }
  return value;
}

function printClause(c: Clause, prefixes: boolean, grouped: boolean): string {
  const inner = printNode(c.query, false, grouped);
  if (c.occur === 'mustNot') return `-${inner}`;
  if (c.occur === 'must' && prefixes) return `+${inner}`;
  return inner;
}

function printRange(node: RangeNode): string {
  return `${node.includeLower ? '[' : '{'}${printBound(node.lower)} TO ${printBound(node.upper)}${node.includeUpper ? ']' : '}'}`;
}

function printBound(value: string | null): string {
  if (value === null) return '*';
  let plain = value !== 'TO' && value !== '' && value.charCodeAt(0) !== 34;
  let quotable = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 34) quotable = false;
    if (c === 32 || c === 93 || c === 125 || c === 92 || c === 9 || c === 10 || c === 13 || c === 0x3000) plain = false;
  }
  if (plain) return value;
  if (quotable && value !== '') return `"${value}"`;
  // Neither bare nor quoted is safe (a backslash or quote next to spaces or brackets):
  // escape each troublesome character; \uXXXX survives the range lexer, which splits on space.
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92) out += '\\\\';
    else if (c === 34) out += '\\"';
    else if (c === 32 || c === 93 || c === 125 || c === 9 || c === 10 || c === 13 || c === 0x3000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += value[i];
  }
  return out;
}

function fieldPrefix(field: Field): string {
  if (field === null) return '';
  return `${field === '*' ? '*' : escapeField(field)}:`;
}

/** A field name: escaped like a term, so `*` too (Elasticsearch's `actor.\*`). */
function escapeField(field: string): string {
  return escapeTerm(field);
}

/** A term value: reserved characters escaped, and the operator words kept from being operators. */
export function escapeTerm(value: string): string {
  if (value === 'AND' || value === 'OR' || value === 'NOT' || value === '&&' || value === '||') return `\\${value}`;
  return escapeWith(value, (c, atStart) => needsEscape(c, atStart));
}

/** A canonical wildcard pattern keeps `*`, `?` and its own `\*`, `\?`, `\\` escapes. */
function escapeWildcard(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 92 && i + 1 < pattern.length) {
      out += pattern[i] + pattern[i + 1]!;
      i++;
    } else if (c === 42 || c === 63) out += pattern[i];
    else if (needsEscape(c, i === 0)) out += `\\${pattern[i]}`;
    else out += pattern[i];
  }
  return out;
}

function escapeQuoted(value: string): string {
  if (value.indexOf('"') === -1 && value.indexOf('\\') === -1) return value;
  let out = '';
  for (const c of value) out += c === '"' || c === '\\' ? `\\${c}` : c;
  return out;
}

/** Inside /…/ a plain `/` must be written `\/`; other escapes belong to the regex and stay. */
function escapeRegex(pattern: string): string {
  if (pattern.indexOf('/') === -1) return pattern;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      out += c + pattern[i + 1]!;
      i++;
    } else out += c === '/' ? '\\/' : c;
  }
  return out;
}

function escapeWith(value: string, test: (c: number, atStart: boolean) => boolean): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < value.length; i++) {
    if (!test(value.charCodeAt(i), i === 0)) continue;
    out += `${value.slice(run, i)}\\${value[i]}`;
    run = i + 1;
  }
  return run === 0 ? value : out + value.slice(run);
}

/** Boosts print as plain decimals: the boost syntax has no exponent form. */
function formatNumber(n: number): string {
  const s = String(n);
  if (!s.includes('e')) return s;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}
