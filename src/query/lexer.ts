/**
 * The tokenizer of Lucene's classic query syntax (QueryParser.jj, as Elasticsearch's
 * `query_string` uses it), written as a char scanner: one `charCodeAt` per character and a
 * lookup table, no regular expressions and no token objects. The parser reads the current
 * token from the lexer's fields (`kind`, `start`, `end`, `flags`) and slices the text only
 * when it builds a node.
 *
 * Token rules that matter and are easy to get wrong (each mirrors the JavaCC grammar):
 * - A term starts with any character except whitespace and `+ - ! ( ) : ^ [ ] " { } ~ * ? \ /`
 *   (a backslash escape is allowed), and continues with the same set plus `-` and `+`. So
 *   `foo-bar` and `a+b` are one term, while `a!b` is `a`, NOT, `b` and `a/b/c` holds a regex.
 * - `*` and `?` inside a term make it a wildcard term; `*` alone is the STAR token.
 * - `AND`, `OR`, `NOT`, `&&`, `||` are operators only as a whole unescaped term (`ANDROID`,
 *   `a&&b` are terms); `!` is NOT anywhere.
 * - `+`, `-` or `!` followed by whitespace is a "bare operator": the parser reads it as the
 *   term `+`, `-`, `!` (JavaCC's longest match makes `a - b` three terms, not `a NOT b`).
 * - Between tokens whitespace is skipped, so `a ~2`, `a : b` and `"x" ~3` still bind.
 * - `~` takes the term characters after it (`foo~2`, `foo~AUTO`, `foo~x`).
 * - `/regex/` runs to the first `/` not preceded by a backslash.
 * - After `^` a number must follow at once (no whitespace), as in Lucene's Boost state.
 * - Range bounds have their own rules (`rangeNext`): anything up to a space, `]` or `}`.
 */
import { syntaxError } from './syntax-error.ts';

export const EOF = 0;
export const AND = 1;
export const OR = 2;
export const NOT = 3;
export const PLUS = 4;
export const MINUS = 5;
export const BAREOPER = 6;
export const LPAREN = 7;
export const RPAREN = 8;
export const COLON = 9;
export const STAR = 10;
export const CARAT = 11;
export const QUOTED = 12;
export const TERM = 13;
export const FUZZY = 14;
export const REGEX = 15;
export const RANGE_START = 16;
// Range-mode tokens.
export const RANGE_TO = 20;
export const RANGE_END = 21;
export const RANGE_QUOTED = 22;
export const RANGE_GOOP = 23;

/** TERM flags. */
export const HAS_ESCAPE = 1;
export const HAS_WILDCARD = 2;
/** Exactly one unescaped wildcard, a trailing `*` after a non-wildcard start: Lucene's PREFIXTERM. */
export const IS_PREFIX = 4;

const F_WS = 1;
/** Cannot start a term (whitespace and the reserved characters). */
const F_NOSTART = 2;
/** May continue a term although it cannot start one (`-`, `+`). */
const F_CONT = 4;

const CLASS = new Uint8Array(128);
for (const c of [32, 9, 10, 13]) CLASS[c] = F_WS | F_NOSTART;
for (const ch of '+-!():^[]"{}~*?\\/') CLASS[ch.charCodeAt(0)] = F_NOSTART;
CLASS[45] = F_NOSTART | F_CONT; // -
CLASS[43] = F_NOSTART | F_CONT; // +

const IDEOGRAPHIC_SPACE = 0x3000;
const BACKSLASH = 92;
const STAR_CODE = 42;
const QUESTION = 63;
const QUOTE = 34;
const SLASH = 47;

export function isQueryWhitespace(c: number): boolean {
  return c < 128 ? (CLASS[c]! & F_WS) !== 0 : c === IDEOGRAPHIC_SPACE;
}

/** Can `c` continue an unescaped term (wildcards excluded)? */
function isTermChar(c: number): boolean {
  if (c < 128) {
    const k = CLASS[c]!;
    return (k & F_NOSTART) === 0 || (k & F_CONT) !== 0;
  }
  return c !== IDEOGRAPHIC_SPACE;
}

/** A reserved character that must be escaped inside a term (or `-`/`+`, at its start). */
export function needsEscape(c: number, atStart: boolean): boolean {
  if (c < 128) {
    const k = CLASS[c]!;
    if ((k & F_NOSTART) === 0) return false;
    return atStart || (k & F_CONT) === 0;
  }
  return c === IDEOGRAPHIC_SPACE;
}

export class Lexer {
  readonly text: string;
  readonly length: number;
  /** Scan position: the first character not yet consumed. */
  pos = 0;
  kind = EOF;
  start = 0;
  end = 0;
  flags = 0;
  /** TERM flags of the token `peek()` saw. */
  peekFlags = 0;

  constructor(text: string) {
    this.text = text;
    this.length = text.length;
  }

  /** The current token kind (a method, so that TypeScript does not narrow it across `next()`). */
  current(): number {
    return this.kind;
  }

  /** Advances to the next token of the default lexical state. */
  next(): void {
    const text = this.text;
    const n = this.length;
    let i = this.pos;
    while (i < n && isQueryWhitespace(text.charCodeAt(i))) i++;
    this.start = i;
    this.flags = 0;
    if (i >= n) {
      this.kind = EOF;
      this.end = this.pos = n;
      return;
    }
    const c = text.charCodeAt(i);
    switch (c) {
      case 40: // (
        return this.single(LPAREN, i);
      case 41: // )
        return this.single(RPAREN, i);
      case 58: // :
        return this.single(COLON, i);
      case 94: // ^
        return this.single(CARAT, i);
      case 91: // [
      case 123: // {
        return this.single(RANGE_START, i);
      case 93: // ]
        throw syntaxError(text, i, "unexpected ']'", 'a range was not opened; escape it as \\] to search for it');
      case 125: // }
        throw syntaxError(text, i, "unexpected '}'", 'a range was not opened; escape it as \\} to search for it');
      case 43: // +
      case 45: // -
      case 33: // !
        if (i + 1 < n && isQueryWhitespace(text.charCodeAt(i + 1))) {
          this.kind = BAREOPER;
          this.end = this.pos = i + 2;
          return;
        }
        return this.single(c === 43 ? PLUS : c === 45 ? MINUS : NOT, i);
      case QUOTE:
        return this.quoted(i);
      case SLASH:
        return this.regex(i);
      case 126: // ~
        return this.fuzzySlop(i);
      default:
        return this.term(i);
    }
  }

  private single(kind: number, i: number): void {
    this.kind = kind;
    this.end = this.pos = i + 1;
  }

  private quoted(i: number): void {
    const text = this.text;
    const n = this.length;
    let j = i + 1;
    let flags = 0;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) {
        this.kind = QUOTED;
        this.flags = flags;
        this.end = this.pos = j + 1;
        return;
      }
      if (c === BACKSLASH) {
        flags = HAS_ESCAPE;
        j += 2;
      } else j++;
    }
    throw syntaxError(text, i, 'unterminated phrase: this \'"\' is never closed', 'add the closing \'"\' or escape it as \\"', ['"']);
  }

  private regex(i: number): void {
    const text = this.text;
    const n = this.length;
    // Longest match of "/" ( [^/] | "\/" )* "/": a slash after a backslash may either end
    // the token or be part of it, so remember the last such slash in case no plain one comes.
    let candidate = -1;
    for (let j = i + 1; j < n; j++) {
      if (text.charCodeAt(j) !== SLASH) continue;
      if (text.charCodeAt(j - 1) === BACKSLASH && j - 1 > i) {
        candidate = j;
        continue;
      }
      candidate = j;
      break;
    }
    if (candidate === -1) {
      throw syntaxError(
        text,
        i,
        "unterminated regular expression: this '/' starts a /regex/ that is never closed",
        'a value that contains "/" (a path, a CIDR like 10.0.0.0/8, a user agent) must be quoted or written with \\/',
        ['/'],
      );
    }
    this.kind = REGEX;
    this.end = this.pos = candidate + 1;
  }

  /**
   * `~` and the run of term characters after it: Lucene's FUZZY_SLOP is
   * `"~" ( digits ( "." digits )? term-chars* | term-chars* )`, which is just that, so
   * `foo~bar` is the term `foo` with slop text `bar` (an error later), not two terms.
   */
  private fuzzySlop(i: number): void {
    const text = this.text;
    const n = this.length;
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === BACKSLASH) {
        if (j + 1 >= n) break;
        j += 2;
      } else if (isTermChar(c)) j++;
      else break;
    }
    this.kind = FUZZY;
    this.end = this.pos = j;
  }

  private term(i: number): void {
    const text = this.text;
    const n = this.length;
    let j = i;
    let flags = 0;
    let wildcards = 0;
    let lastWildcard = -1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === BACKSLASH) {
        if (j + 1 >= n) {
          throw syntaxError(text, j, 'the query ends with a backslash that escapes nothing', 'write \\\\ to search for a backslash');
        }
        flags |= HAS_ESCAPE;
        j += 2;
        continue;
      }
      if (c === STAR_CODE || c === QUESTION) {
        wildcards++;
        lastWildcard = j;
        j++;
        continue;
      }
      if (j === i ? (c < 128 ? (CLASS[c]! & F_NOSTART) === 0 : c !== IDEOGRAPHIC_SPACE) : isTermChar(c)) {
        j++;
        continue;
      }
      break;
    }
    if (j === i) {
      // Only reachable for characters that start no token at all.
      throw syntaxError(text, i, `unexpected '${text[i]}'`);
    }
    this.start = i;
    this.end = this.pos = j;
    if (wildcards > 0) {
      if (j - i === 1 && text.charCodeAt(i) === STAR_CODE) {
        this.kind = STAR;
        return;
      }
      flags |= HAS_WILDCARD;
      const first = text.charCodeAt(i);
      if (wildcards === 1 && lastWildcard === j - 1 && text.charCodeAt(lastWildcard) === STAR_CODE && first !== STAR_CODE && first !== QUESTION) {
        flags |= IS_PREFIX;
      }
      this.kind = TERM;
      this.flags = flags;
      return;
    }
    this.flags = flags;
    this.kind = TERM;
    if (flags === 0) {
      const len = j - i;
      if (len === 2) {
        const a = text.charCodeAt(i);
        const b = text.charCodeAt(i + 1);
        if (a === 38 && b === 38) this.kind = AND; // &&
        else if (a === 124 && b === 124) this.kind = OR; // ||
        else if (a === 79 && b === 82) this.kind = OR; // OR
      } else if (len === 3) {
        const a = text.charCodeAt(i);
        if (a === 65 && text.charCodeAt(i + 1) === 78 && text.charCodeAt(i + 2) === 68) this.kind = AND;
        else if (a === 78 && text.charCodeAt(i + 1) === 79 && text.charCodeAt(i + 2) === 84) this.kind = NOT;
      }
    }
  }

  /** Kind of the token after the current one (and its TERM flags via `peekFlags`), without consuming anything. */
  peek(): number {
    const { pos, kind, start, end, flags } = this;
    this.next();
    const k = this.kind;
    this.peekFlags = this.flags;
    this.pos = pos;
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.flags = flags;
    return k;
  }

  /** Kind of the token two ahead; only call when the next token is a TERM (no lexical state change between). */
  peek2(): number {
    const { pos, kind, start, end, flags } = this;
    this.next();
    this.next();
    const k = this.kind;
    this.pos = pos;
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.flags = flags;
    return k;
  }

  /** True when the next non-whitespace character is `:` (Lucene's LOOKAHEAD(2) for `field:`). */
  colonFollows(): boolean {
    const text = this.text;
    let i = this.pos;
    while (i < this.length && isQueryWhitespace(text.charCodeAt(i))) i++;
    return i < this.length && text.charCodeAt(i) === 58;
  }

  /**
   * Reads the number that must follow `^` immediately. Returns its end offset, or -1.
   * Leaves `pos` after the number.
   */
  readNumber(): number {
    const text = this.text;
    const n = this.length;
    let j = this.pos;
    const start = j;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (j === start) return -1;
    if (j + 1 < n && text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
      j += 2;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    }
    this.pos = j;
    return j;
  }

  /**
   * Advances to the next token inside `[ … ]` / `{ … }`: TO, `]` / `}`, a quoted bound or
   * "goop" (any run without space, `]`, `}`). As in JavaCC, the longer of a quoted bound and
   * a goop run wins, and a whitespace character other than space only separates tokens when
   * a goop could not be longer.
   */
  rangeNext(): void {
    const text = this.text;
    const n = this.length;
    let i = this.pos;
    for (;;) {
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 32) {
        i++;
        continue;
      }
      if (isQueryWhitespace(c) && (i + 1 >= n || isGoopEnd(text.charCodeAt(i + 1)))) {
        i++;
        continue;
      }
      break;
    }
    this.start = i;
    this.flags = 0;
    if (i >= n) {
      this.kind = EOF;
      this.end = this.pos = n;
      return;
    }
    const c = text.charCodeAt(i);
    if (c === 93 || c === 125) {
      this.kind = RANGE_END;
      this.end = this.pos = i + 1;
      return;
    }
    let goopEnd = i;
    while (goopEnd < n && !isGoopEnd(text.charCodeAt(goopEnd))) goopEnd++;
    if (c === QUOTE) {
      // "\"" ( [^"] | "\\\"" )+ "\"": same longest-match rule as a regex.
      let candidate = -1;
      for (let j = i + 1; j < n; j++) {
        if (text.charCodeAt(j) !== QUOTE) continue;
        if (j === i + 1) break; // `""`: at least one character must be inside, so no quoted bound
        if (text.charCodeAt(j - 1) === BACKSLASH) {
          candidate = j;
          continue;
        }
        candidate = j;
        break;
      }
      if (candidate !== -1 && candidate + 1 >= goopEnd) {
        this.kind = RANGE_QUOTED;
        this.end = this.pos = candidate + 1;
        return;
      }
    }
    this.end = this.pos = goopEnd;
    this.kind = goopEnd - i === 2 && c === 84 && text.charCodeAt(i + 1) === 79 ? RANGE_TO : RANGE_GOOP;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isGoopEnd(c: number): boolean {
  return c === 32 || c === 93 || c === 125;
}
