/**
 * Recursive-descent parser for Elasticsearch `query_string` syntax (Lucene's classic
 * QueryParser with `default_operator: OR`), producing the AST of ast.ts.
 *
 * The tree is the BooleanQuery Lucene builds, not the surface syntax. One `Query` rule reads
 * a flat run of clauses and assigns each an occurrence exactly as Lucene's `addClause` does:
 * - a clause is SHOULD, or MUST with `+`, or MUST_NOT with `-` / `!` / `NOT`;
 * - `AND` makes the clause after it MUST (unless it is negated) and turns the clause before
 *   it into MUST too (unless that one is negated);
 * - `OR` changes nothing (it is the default operator).
 * So `a OR b AND c` is `a +b +c` and `a AND b OR c` is `+a +b c`: there is no precedence,
 * only these pairwise rules. A run of one unmodified clause is that clause itself (Lucene
 * returns `firstQuery`), so `(a)` is `a` but `+a` stays a one-clause bool.
 *
 * Values that only the field type can interpret (numbers, IPs, dates) stay strings. What the
 * parser does decide is what Elasticsearch's QueryStringQueryParser decides before looking at
 * the mapping: `field:*` is an exists query, `field:>=x` / `<x` are ranges, `_exists_:f` is
 * an exists query, `*:*` matches all.
 */
import type { Clause, Location, Occur, QueryNode, RangeNode } from './ast.ts';
import {
  AND,
  BAREOPER,
  CARAT,
  COLON,
  EOF,
  FUZZY,
  HAS_ESCAPE,
  HAS_WILDCARD,
  IS_PREFIX,
  LPAREN,
  Lexer,
  MINUS,
  NOT,
  OR,
  PLUS,
  QUOTED,
  RANGE_END,
  RANGE_GOOP,
  RANGE_QUOTED,
  RANGE_START,
  RANGE_TO,
  REGEX,
  RPAREN,
  STAR,
  TERM,
  isQueryWhitespace,
} from './lexer.ts';
import { syntaxError } from './syntax-error.ts';

export interface ParseOptions {
  /** Longest accepted query, in characters (UTF-16 code units). Default 16,384. */
  maxLength?: number;
  /** Deepest accepted nesting of parenthesised groups. Default 32. */
  maxDepth?: number;
  /** Most AST nodes (terms, phrases, ranges… and groups) in one query. Default 1,024. */
  maxClauses?: number;
}

export const QUERY_LIMITS = { maxLength: 16_384, maxDepth: 32, maxClauses: 1024 } as const;

/** The field name Elasticsearch reads as "this field has a value". */
export const EXISTS_FIELD = '_exists_';

const CONJ_NONE = 0;
const CONJ_AND = 1;
const CONJ_OR = 2;
const MOD_NONE = 0;
const MOD_REQ = 1;
const MOD_NOT = 2;

const TERM_EXPECTED = ['term', 'phrase', 'range', 'group'] as const;

/**
 * Parses a query string into the AST. An empty or blank query matches everything.
 * Throws QuerySyntaxError (code QUERY_SYNTAX) with the offset, line and column of the
 * problem; never anything else, whatever the input.
 */
export function parseQuery(text: string, options: ParseOptions = {}): QueryNode {
  const { maxLength = QUERY_LIMITS.maxLength, maxDepth = QUERY_LIMITS.maxDepth, maxClauses = QUERY_LIMITS.maxClauses } = options;
  if (typeof text !== 'string') {
    throw syntaxError('', 0, 'the query must be a string');
  }
  if (text.length > maxLength) {
    throw syntaxError(text, maxLength, `the query is ${text.length} characters long, more than the limit of ${maxLength}`, undefined, [], {
      limit: maxLength,
    });
  }
  let blank = true;
  for (let i = 0; i < text.length; i++) {
    if (!isQueryWhitespace(text.charCodeAt(i))) {
      blank = false;
      break;
    }
  }
  if (blank) return { type: 'matchAll', loc: { start: 0, end: text.length } };
  return new Parser(text, maxDepth, maxClauses).parseTop();
}

class Parser {
  private readonly text: string;
  private readonly lx: Lexer;
  private readonly maxDepth: number;
  private readonly maxClauses: number;
  private depth = 0;
  private nodes = 0;
  /** End offset of the last token consumed (what a node's `loc.end` is). */
  private lastEnd = 0;
  /** The last operator or field prefix, for "expected a term after 'AND'" messages. */
  private lastOperator: { text: string; start: number } | null = null;

  constructor(text: string, maxDepth: number, maxClauses: number) {
    this.text = text;
    this.lx = new Lexer(text);
    this.maxDepth = maxDepth;
    this.maxClauses = maxClauses;
  }

  parseTop(): QueryNode {
    this.lx.next();
    const q = this.query(null);
    const lx = this.lx;
    if (lx.current() !== EOF) {
      if (lx.current() === RPAREN) throw this.error(lx.start, "unexpected ')'", 'a group was not opened', ['end of query']);
      throw this.unexpected(['end of query', 'operator', ...TERM_EXPECTED]);
    }
    return q;
  }

  private advance(): void {
    this.lastEnd = this.lx.end;
    this.lx.next();
  }

  /** Query(field): Modifiers Clause ( Conjunction Modifiers Clause )* */
  private query(field: string | null): QueryNode {
    const lx = this.lx;
    const clauses: Clause[] = [];
    let first: QueryNode | null = null;
    const start = lx.start;

    let q = this.multiTerm(field);
    let mods = MOD_NONE;
    if (q !== null) {
      clauses.push({ occur: 'should', query: q });
      first = q;
    } else {
      mods = this.modifiers();
      q = this.clause(field);
      this.addClause(clauses, CONJ_NONE, mods, q);
      if (mods === MOD_NONE) first = q;
    }

    for (;;) {
      const k = lx.current();
      if (k === EOF || k === RPAREN || k === COLON || k === CARAT || k === FUZZY) break;
      q = this.multiTerm(field);
      if (q !== null) {
        clauses.push({ occur: 'should', query: q });
        continue;
      }
      let conj = CONJ_NONE;
      if (k === AND || k === OR) {
        conj = k === AND ? CONJ_AND : CONJ_OR;
        this.lastOperator = { text: this.text.slice(lx.start, lx.end), start: lx.start };
        this.advance();
      }
      mods = this.modifiers();
      q = this.clause(field);
      this.addClause(clauses, conj, mods, q);
    }

    if (clauses.length === 1 && first !== null) return first;
    this.count(start);
    return { type: 'bool', clauses, loc: { start, end: this.lastEnd } };
  }

  /**
   * Lucene's MultiTerm: bare terms in a row, with no operator, prefix or field between them
   * and the last not followed by `:`, `*`, `~`, `^`, AND or OR, are analysed as one text
   * (split_on_whitespace is false in Elasticsearch). Returns null when the current tokens do
   * not start such a run (at least two terms).
   */
  private multiTerm(field: string | null): QueryNode | null {
    const lx = this.lx;
    if (lx.current() !== TERM || lx.flags & HAS_WILDCARD) return null;
    if (lx.peek() !== TERM || lx.peekFlags & HAS_WILDCARD || !allowedAfterMultiTerm(lx.peek2())) return null;
    const start = lx.start;
    let value = this.unescape(lx.start, lx.end, lx.flags);
    this.advance();
    while (lx.current() === TERM && (lx.flags & HAS_WILDCARD) === 0 && allowedAfterMultiTerm(lx.peek())) {
      value += ' ' + this.unescape(lx.start, lx.end, lx.flags);
      this.advance();
    }
    this.count(start);
    return this.plainTerm(field, value, { start, end: this.lastEnd });
  }

  private modifiers(): number {
    const lx = this.lx;
    const k = lx.current();
    if (k !== PLUS && k !== MINUS && k !== NOT) return MOD_NONE;
    this.lastOperator = { text: this.text.slice(lx.start, lx.end), start: lx.start };
    this.advance();
    return k === PLUS ? MOD_REQ : MOD_NOT;
  }

  /** Lucene's addClause with default operator OR. */
  private addClause(clauses: Clause[], conj: number, mods: number, query: QueryNode): void {
    if (conj === CONJ_AND && clauses.length > 0) {
      const previous = clauses[clauses.length - 1]!;
      if (previous.occur !== 'mustNot') previous.occur = 'must';
    }
    const occur: Occur = mods === MOD_NOT ? 'mustNot' : mods === MOD_REQ || conj === CONJ_AND ? 'must' : 'should';
    clauses.push({ occur, query });
  }

  /** Clause(field): [ field ':' ] ( Term | '(' Query ')' [ '^' boost ] ) */
  private clause(field: string | null): QueryNode {
    const lx = this.lx;
    let fieldStart = -1;
    if ((lx.current() === TERM || lx.current() === STAR) && lx.colonFollows()) {
      fieldStart = lx.start;
      field = lx.current() === STAR ? '*' : this.unescape(lx.start, lx.end, lx.flags);
      this.advance(); // field
      this.lastOperator = { text: this.text.slice(fieldStart, lx.end), start: fieldStart };
      this.advance(); // ':'
    }
    if (lx.current() === LPAREN) {
      const open = lx.start;
      if (this.depth >= this.maxDepth) {
        throw this.error(open, `groups are nested more than ${this.maxDepth} levels deep`, undefined, [], { limit: this.maxDepth });
      }
      this.depth++;
      this.lastOperator = { text: '(', start: open };
      this.advance();
      let q = this.query(field);
      if (lx.current() !== RPAREN) {
        if (lx.current() === EOF) {
          throw this.error(lx.start, "missing ')' at the end of the query", `the group opened at column ${this.columnOf(open)} is not closed`, [')']);
        }
        throw this.unexpected([')', 'operator', ...TERM_EXPECTED]);
      }
      this.depth--;
      this.advance();
      const boost = this.optionalBoost();
      if (q.type === 'bool' || boost !== undefined) q = withSpanAndBoost(q, fieldStart >= 0 ? fieldStart : open, this.lastEnd, boost);
      return q;
    }
    return this.term(field, fieldStart);
  }

  private optionalBoost(): number | undefined {
    const lx = this.lx;
    if (lx.current() !== CARAT) return undefined;
    const caret = lx.start;
    const end = lx.readNumber();
    if (end === -1) throw this.error(caret + 1, "expected a number right after '^'", 'a boost is written like term^2 or (a b)^1.5', ['number']);
    const boost = Number(this.text.slice(caret + 1, end));
    this.lastEnd = end;
    lx.next();
    return boost;
  }

  /** Term(field): a term, phrase, wildcard, regex or range, with optional `~` and `^`. */
  private term(field: string | null, fieldStart: number): QueryNode {
    const lx = this.lx;
    const kind = lx.current();
    const tokStart = lx.start;
    const tokEnd = lx.end;
    const flags = lx.flags;

    if (kind === RANGE_START) return this.range(field, fieldStart >= 0 ? fieldStart : tokStart);
    if (kind !== TERM && kind !== STAR && kind !== QUOTED && kind !== REGEX && kind !== BAREOPER) {
      throw this.unexpected(TERM_EXPECTED);
    }
    this.advance();

    let boost: number | undefined;
    let fuzzyStart = -1;
    let fuzzyEnd = -1;
    if (lx.current() === CARAT) {
      boost = this.optionalBoost();
      if (lx.current() === FUZZY) {
        fuzzyStart = lx.start;
        fuzzyEnd = lx.end;
        this.advance();
      }
    } else if (lx.current() === FUZZY) {
      fuzzyStart = lx.start;
      fuzzyEnd = lx.end;
      this.advance();
      if (lx.current() === CARAT) boost = this.optionalBoost();
    }

    this.count(tokStart);
    const loc: Location = { start: fieldStart >= 0 ? fieldStart : tokStart, end: this.lastEnd };
    const node = this.leaf(kind, field, tokStart, tokEnd, flags, fuzzyStart, fuzzyEnd, loc);
    if (boost !== undefined) node.boost = node.boost === undefined ? boost : node.boost * boost;
    return node;
  }

  private leaf(
    kind: number,
    field: string | null,
    tokStart: number,
    tokEnd: number,
    flags: number,
    fuzzyStart: number,
    fuzzyEnd: number,
    loc: Location,
  ): QueryNode {
    const text = this.text;
    const isExists = field === EXISTS_FIELD;

    if (kind === QUOTED) {
      const value = this.unescape(tokStart + 1, tokEnd - 1, flags);
      if (isExists) return { type: 'exists', field: this.existsField(value, tokStart), loc };
      const node: QueryNode = { type: 'phrase', field, value, loc };
      if (fuzzyStart >= 0) {
        // Lucene: (int) Float.parseFloat(text), ignored when it does not parse (slop stays 0).
        const raw = text.slice(fuzzyStart + 1, fuzzyEnd);
        const slop = JAVA_FLOAT.test(raw) ? Math.trunc(Number.parseFloat(raw)) : 0;
        if (slop < 0) throw this.error(fuzzyStart, `phrase slop '~${raw}' is negative`, 'write "a b"~2 for words at most 2 positions apart', ['~N']);
        if (slop > 0) node.slop = slop;
      }
      return node;
    }

    if (kind === REGEX) {
      if (isExists) throw this.existsMisuse(tokStart);
      return { type: 'regex', field, pattern: unescapeRegexSlashes(text.slice(tokStart + 1, tokEnd - 1)), loc };
    }

    if (kind === STAR) {
      if (isExists) throw this.existsMisuse(tokStart);
      if (field === null || field === '*') return { type: 'matchAll', loc };
      return { type: 'exists', field, loc };
    }

    if (flags & HAS_WILDCARD) {
      if (isExists) {
        // Elasticsearch wants `_exists_:user.\*`; an unescaped pattern can only mean the same.
        return { type: 'exists', field: this.existsField(this.unescape(tokStart, tokEnd, flags), tokStart), loc };
      }
      let pattern: string;
      if (flags & IS_PREFIX) {
        // Lucene's prefix query unescapes the prefix (so `\u0041*` is `A*`); a wildcard query does not.
        pattern = escapeWildcardLiteral(this.unescape(tokStart, tokEnd - 1, flags)) + '*';
      } else {
        pattern = canonicalWildcard(text, tokStart, tokEnd);
      }
      return { type: 'wildcard', field, pattern, loc };
    }

    // A plain term (or the `+` / `-` / `!` of a bare operator).
    const value = kind === BAREOPER ? text[tokStart]! : this.unescape(tokStart, tokEnd, flags);
    if (fuzzyStart >= 0) {
      if (isExists) throw this.existsMisuse(tokStart);
      return { type: 'fuzzy', field, value, distance: this.fuzzyDistance(fuzzyStart, fuzzyEnd), loc };
    }
    return this.plainTerm(field, value, loc);
  }

  /** Elasticsearch's getFieldQuery for unquoted text: `_exists_`, one-sided ranges, or a term. */
  private plainTerm(field: string | null, value: string, loc: Location): QueryNode {
    if (field === EXISTS_FIELD) return { type: 'exists', field: this.existsField(value, loc.start), loc };
    if (field !== null && value.length > 1) {
      // Elasticsearch's one-sided ranges, detected on the unescaped text of a fielded term.
      const c = value.charCodeAt(0);
      if (c === 62 /* > */) {
        if (value.length > 2 && value.charCodeAt(1) === 61) return makeRange(field, value.slice(2), null, true, true, loc);
        return makeRange(field, value.slice(1), null, false, true, loc);
      }
      if (c === 60 /* < */) {
        if (value.length > 2 && value.charCodeAt(1) === 61) return makeRange(field, null, value.slice(2), true, true, loc);
        return makeRange(field, null, value.slice(1), true, false, loc);
      }
    }
    return { type: 'term', field, value, loc };
  }

  /** Elasticsearch's Fuzziness.fromString: AUTO, or an edit distance of 0, 1 or 2. */
  private fuzzyDistance(start: number, end: number): number | 'auto' {
    if (end - start === 1) return 'auto';
    const raw = this.text.slice(start + 1, end);
    if (raw.toUpperCase() === 'AUTO') return 'auto';
    const n = JAVA_FLOAT.test(raw) ? Number.parseFloat(raw) : Number.NaN;
    if (n !== 0 && n !== 1 && n !== 2) {
      throw this.error(start, `fuzzy edit distance '~${raw}' is not allowed`, 'use ~0, ~1, ~2, or ~ alone for a distance chosen by term length', ['~0', '~1', '~2', '~']);
    }
    return n;
  }

  private range(field: string | null, start: number): QueryNode {
    const lx = this.lx;
    const open = lx.start;
    const includeLower = this.text.charCodeAt(open) === 91;
    if (field === EXISTS_FIELD) throw this.existsMisuse(open);
    lx.rangeNext();
    const lower = this.rangeBound('a lower bound (a value, "quoted value" or *)', open);
    lx.rangeNext();
    if (lx.current() !== RANGE_TO) {
      throw this.rangeError("expected 'TO' between the bounds", open, ['TO']);
    }
    lx.rangeNext();
    const upper = this.rangeBound("an upper bound (a value, \"quoted value\" or *) after 'TO'", open);
    lx.rangeNext();
    if (lx.current() !== RANGE_END) {
      throw this.rangeError("expected ']' or '}'", open, [']', '}']);
    }
    const includeUpper = this.text.charCodeAt(lx.start) === 93;
    this.lastEnd = lx.end;
    lx.next();
    const boost = this.optionalBoost();
    this.count(open);
    const node = makeRange(field, lower, upper, includeLower, includeUpper, { start, end: this.lastEnd });
    if (boost !== undefined) node.boost = boost;
    return node;
  }

  private rangeBound(what: string, open: number): string | null {
    const lx = this.lx;
    if (lx.current() === RANGE_QUOTED) return this.unescape(lx.start + 1, lx.end - 1, HAS_ESCAPE);
    if (lx.current() === RANGE_GOOP || lx.current() === RANGE_TO) {
      if (lx.end - lx.start === 1 && this.text.charCodeAt(lx.start) === 42) return null;
      return this.unescape(lx.start, lx.end, HAS_ESCAPE);
    }
    throw this.rangeError(`expected ${what}`, open, ['value']);
  }

  private rangeError(what: string, open: number, expected: string[]) {
    const lx = this.lx;
    const found = lx.current() === EOF ? 'the query ends' : `found '${this.excerpt(lx.start, lx.end)}'`;
    return this.error(lx.start, `${what} in the range opened at column ${this.columnOf(open)}; ${found}`, undefined, expected);
  }

  private existsField(name: string, at: number): string {
    if (name === '' || name === '*') throw this.existsMisuse(at);
    return name;
  }

  private existsMisuse(at: number) {
    return this.error(at, '_exists_ takes a field name', 'write _exists_:user.name (or _exists_:user.\\* for any field under user)', ['field name']);
  }

  /** Lucene's discardEscapeChar: `\x` is `x`, `\uXXXX` is that UTF-16 unit. */
  private unescape(start: number, end: number, flags: number): string {
    const text = this.text;
    if ((flags & HAS_ESCAPE) === 0) return text.slice(start, end);
    let out = '';
    let run = start;
    for (let i = start; i < end; i++) {
      if (text.charCodeAt(i) !== 92) continue;
      out += text.slice(run, i);
      if (i + 1 >= end) throw this.error(i, 'a value cannot end with a backslash', 'write \\\\ to search for a backslash');
      const next = text.charCodeAt(i + 1);
      if (next === 117 /* u */) {
        if (i + 6 > end) throw this.error(i, 'truncated unicode escape', 'write \\u followed by 4 hex digits, e.g. \\u00e9', ['4 hex digits']);
        let code = 0;
        for (let k = i + 2; k < i + 6; k++) {
          const h = hexValue(text.charCodeAt(k));
          if (h < 0) throw this.error(k, `'${text[k]}' is not a hex digit in a unicode escape`, 'write \\u followed by 4 hex digits, e.g. \\u00e9', ['hex digit']);
          code = code * 16 + h;
        }
        out += String.fromCharCode(code);
        i += 5;
        run = i + 1;
      } else {
        out += text[i + 1];
        i++;
        run = i + 1;
      }
    }
    return out + text.slice(run, end);
  }

  private count(at: number): void {
    if (++this.nodes > this.maxClauses) {
      throw this.error(at, `the query has more than ${this.maxClauses} clauses`, 'split it into smaller queries', [], { limit: this.maxClauses });
    }
  }

  private unexpected(expected: readonly string[]) {
    const lx = this.lx;
    const after = this.lastOperator && this.lastOperator.start < lx.start ? ` after '${this.lastOperator.text}'` : '';
    if (lx.current() === EOF) {
      return this.error(lx.start, 'the query ends too early', `expected ${listOf(expected)}${after}`, expected);
    }
    const token = this.excerpt(lx.start, lx.end);
    let hint: string;
    switch (lx.current()) {
      case RPAREN:
        hint = `expected a term, phrase, range or group${after}${this.depth > 0 ? '' : ' (and no group is open)'}`;
        break;
      case COLON:
        hint = 'a value that contains \':\' must be quoted, e.g. action:"POST:/api/v1/user/login"';
        break;
      case FUZZY:
        hint = "'~' must follow a term or a phrase directly, e.g. admin~1 or \"a b\"~2";
        break;
      case CARAT:
        hint = "'^' (boost) must follow a term, phrase or group, e.g. admin^2";
        break;
      case AND:
      case OR:
        hint = `two operators in a row; expected a term, phrase, range or group${after}`;
        break;
      default:
        hint = `expected ${listOf(expected)}${after}`;
    }
    return this.error(lx.start, `unexpected '${token}'`, hint, expected);
  }

  private error(offset: number, what: string, hint?: string, expected: readonly string[] = [], extra?: Record<string, unknown>) {
    return syntaxError(this.text, offset, what, hint, expected, extra);
  }

  private excerpt(start: number, end: number): string {
    const s = this.text.slice(start, Math.min(end, start + 24));
    return end - start > 24 ? `${s}…` : s;
  }

  private columnOf(offset: number): number {
    const nl = this.text.lastIndexOf('\n', offset - 1);
    return offset - (nl + 1) + 1;
  }
}

/** Java's Float.parseFloat syntax (what Lucene and Elasticsearch apply to `~` text), decimal forms only. */
const JAVA_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?$/;

/** Tokens that may follow the last term of a MultiTerm run (Lucene's allowedPostMultiTerm). */
function allowedAfterMultiTerm(kind: number): boolean {
  return kind !== COLON && kind !== STAR && kind !== FUZZY && kind !== CARAT && kind !== AND && kind !== OR;
}

/** `a term, phrase, range or group` */
function listOf(expected: readonly string[]): string {
  const words = expected.map((e) => (/^[a-z]/.test(e) ? e : `'${e}'`));
  if (words.length <= 1) return `a ${words[0] ?? 'value'}`;
  return `a ${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function withSpanAndBoost(q: QueryNode, start: number, end: number, boost: number | undefined): QueryNode {
  if (q.type === 'bool') q.loc = { start, end };
  if (boost !== undefined) q.boost = q.boost === undefined ? boost : q.boost * boost;
  return q;
}

function makeRange(
  field: string | null,
  lower: string | null,
  upper: string | null,
  includeLower: boolean,
  includeUpper: boolean,
  loc: Location,
): RangeNode {
  // Elasticsearch reads a `*` bound as open whether it was written *, "*" or \*.
  return {
    type: 'range',
    field,
    lower: lower === '*' ? null : lower,
    upper: upper === '*' ? null : upper,
    includeLower,
    includeUpper,
    loc,
  };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * A wildcard term's pattern in canonical form: Lucene's WildcardQuery reads `\x` as a
 * literal x, so only the escapes that change meaning (`\*`, `\?`, `\\`) are kept.
 */
function canonicalWildcard(text: string, start: number, end: number): string {
  if (text.indexOf('\\', start) === -1 || text.indexOf('\\', start) >= end) return text.slice(start, end);
  let out = '';
  for (let i = start; i < end; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < end) {
      const next = text[i + 1]!;
      out += next === '*' || next === '?' || next === '\\' ? `\\${next}` : next;
      i++;
    } else out += c;
  }
  return out;
}

/** Escapes the characters that are special in a Lucene wildcard pattern. */
export function escapeWildcardLiteral(value: string): string {
  let out = '';
  for (const c of value) out += c === '*' || c === '?' || c === '\\' ? `\\${c}` : c;
  return out;
}

/** `\/` in a /regex/ only hides the slash from the query syntax; the pattern has a plain `/`. */
function unescapeRegexSlashes(raw: string): string {
  if (raw.indexOf('\\') === -1) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      out += next === '/' ? '/' : `\\${next}`;
      i++;
    } else out += c;
  }
  return out;
}
