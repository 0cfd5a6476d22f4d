/**
 * Lucene's regular expression syntax (org.apache.lucene.util.automaton.RegExp with all
 * optional syntax on, as Elasticsearch's `regexp` and `query_string` use it), parsed into a
 * small tree. The grammar, loosest binding first:
 *
 *   union  := inter ('|' union)?            inter  := concat ('&' inter)?
 *   concat := repeat+                       repeat := compl ('?' | '*' | '+' | '{n}' | '{n,}' | '{n,m}')*
 *   compl  := '~' compl | class             class  := '[' '^'? items ']' | simple
 *   simple := '.' | '#' | '@' | '"' chars '"' | '(' ')' | '(' union ')' | '<' n '-' m '>' | char
 *
 * `.` is any character, `#` the empty language, `@` any string, `~` the complement, `&` the
 * intersection, `<n-m>` a decimal interval (fixed width when n and m have the same number of
 * digits). `\d \D \s \S \w \W` are classes; a backslash before any other letter is an error
 * and before anything else makes it literal. There are no anchors (`^` and `$` are ordinary
 * characters: the whole value must match) and no backreferences, so every pattern is a
 * regular language. Errors carry Lucene's message and its position (a UTF-16 offset).
 */

export type RegexNode =
  | { kind: 'union'; left: RegexNode; right: RegexNode }
  | { kind: 'intersection'; left: RegexNode; right: RegexNode }
  | { kind: 'concat'; parts: RegexNode[] }
  | { kind: 'optional'; node: RegexNode }
  | { kind: 'repeat'; node: RegexNode }
  | { kind: 'repeatMin'; node: RegexNode; min: number }
  | { kind: 'repeatMinMax'; node: RegexNode; min: number; max: number }
  | { kind: 'complement'; node: RegexNode }
  /** One character from these inclusive code point ranges (a char, a class, `.`, `\d`…). */
  | { kind: 'chars'; ranges: Array<[number, number]> }
  | { kind: 'string'; codePoints: number[] }
  | { kind: 'empty' }
  | { kind: 'anyString' }
  | { kind: 'interval'; min: number; max: number; digits: number };

export class RegexSyntaxError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

const ANY: Array<[number, number]> = [[0, 0x10ffff]];
const DIGIT: Array<[number, number]> = [[48, 57]];
const SPACE: Array<[number, number]> = [
  [9, 10],
  [13, 13],
  [32, 32],
];
const WORD: Array<[number, number]> = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];
/** Letters a backslash may not precede (Java's rule: reserved for escapes Lucene lacks). */
const BAD_ESCAPES = new Set('abcefghijklmnopqrtuvxyzABCEFGHIJKLMNOPQRTUVXYZ');
const MAX_INT = 2_147_483_647;

function negate(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

const PREDEFINED: Record<string, Array<[number, number]>> = {
  d: DIGIT,
  D: negate(DIGIT),
  s: SPACE,
  S: negate(SPACE),
  w: WORD,
  W: negate(WORD),
};

export function parseLuceneRegexp(pattern: string): RegexNode {
  return new Parser(pattern).parse();
}

class Parser {
  readonly s: string;
  pos = 0;
  constructor(s: string) {
    this.s = s;
  }

  parse(): RegexNode {
    if (this.s.length === 0) return { kind: 'string', codePoints: [] };
    const e = this.union();
    if (this.pos < this.s.length) throw new RegexSyntaxError(`end-of-string expected at position ${this.pos}`, this.pos);
    return e;
  }

  more(): boolean {
    return this.pos < this.s.length;
  }

  peek(chars: string): boolean {
    return this.more() && chars.includes(String.fromCodePoint(this.s.codePointAt(this.pos)!));
  }

  match(c: string): boolean {
    if (this.more() && this.s.codePointAt(this.pos) === c.codePointAt(0)) {
      this.pos += c.length;
      return true;
    }
    return false;
  }

  next(): number {
    if (!this.more()) throw new RegexSyntaxError('unexpected end-of-string', this.pos);
    const c = this.s.codePointAt(this.pos)!;
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  union(): RegexNode {
    // Iterative on the right-recursive rule, so a long chain of alternatives cannot exhaust the stack.
    const alternatives = [this.inter()];
    while (this.match('|')) alternatives.push(this.inter());
    return alternatives.reduceRight((right, left) => ({ kind: 'union', left, right }));
  }

  inter(): RegexNode {
    const operands = [this.concat()];
    while (this.match('&')) operands.push(this.concat());
    return operands.reduceRight((right, left) => ({ kind: 'intersection', left, right }));
  }

  concat(): RegexNode {
    const parts = [this.repeat()];
    while (this.more() && !this.peek(')|&')) parts.push(this.repeat());
    return parts.length === 1 ? parts[0]! : { kind: 'concat', parts };
  }

  repeat(): RegexNode {
    let e = this.complement();
    while (this.peek('?*+{')) {
      if (this.match('?')) e = { kind: 'optional', node: e };
      else if (this.match('*')) e = { kind: 'repeat', node: e };
      else if (this.match('+')) e = { kind: 'repeatMin', node: e, min: 1 };
      else if (this.match('{')) {
        const n = this.integer();
        let m = n;
        if (this.match(',')) m = this.peek('0123456789') ? this.integer() : -1;
        if (!this.match('}')) throw new RegexSyntaxError(`expected '}' at position ${this.pos}`, this.pos);
        if (m === -1) e = { kind: 'repeatMin', node: e, min: n };
        else {
          if (m < n) throw new RegexSyntaxError(`invalid repetition range(out of order): ${n}..${m}`, this.pos);
          e = { kind: 'repeatMinMax', node: e, min: n, max: m };
        }
      }
    }
    return e;
  }

  integer(): number {
    const start = this.pos;
    while (this.peek('0123456789')) this.pos++;
    if (start === this.pos) throw new RegexSyntaxError(`integer expected at position ${this.pos}`, this.pos);
    const n = Number(this.s.slice(start, this.pos));
    if (n > MAX_INT) throw new RegexSyntaxError(`number out of range at position ${start}`, start);
    return n;
  }

  complement(): RegexNode {
    // `~~~~x` nests; the loop keeps a long run from exhausting the stack.
    let count = 0;
    while (this.match('~')) count++;
    let e = this.charClassExp();
    for (; count > 0; count--) e = { kind: 'complement', node: e };
    return e;
  }

  charClassExp(): RegexNode {
    if (!this.match('[')) return this.simple();
    const negated = this.match('^');
    const ranges = this.charClasses();
    if (!this.match(']')) throw new RegexSyntaxError(`expected ']' at position ${this.pos}`, this.pos);
    return { kind: 'chars', ranges: negated ? negate(ranges) : ranges };
  }

  charClasses(): Array<[number, number]> {
    const ranges = this.charClass();
    while (this.more() && !this.peek(']')) ranges.push(...this.charClass());
    return ranges;
  }

  charClass(): Array<[number, number]> {
    const predefined = this.predefined();
    if (predefined) return [...predefined];
    const c = this.charExp();
    if (this.match('-')) {
      const to = this.charExp();
      if (c > to) throw new RegexSyntaxError(`invalid range: from (${c}) cannot be > to (${to})`, this.pos);
      return [[c, to]];
    }
    return [[c, c]];
  }

  /** `\d` and friends; `\\` is a backslash. Consumes a lone backslash (the caller reads what it escapes). */
  predefined(): Array<[number, number]> | null {
    if (!this.match('\\')) return null;
    if (this.peek('dDwWsS')) return PREDEFINED[String.fromCodePoint(this.next())]!;
    if (this.peek('\\')) {
      const c = this.next();
      return [[c, c]];
    }
    if (this.more() && BAD_ESCAPES.has(this.s[this.pos]!)) {
      const at = this.pos;
      throw new RegexSyntaxError(`invalid character class \\${String.fromCodePoint(this.next())}`, at);
    }
    return null;
  }

  charExp(): number {
    this.match('\\');
    return this.next();
  }

  simple(): RegexNode {
    if (this.match('.')) return { kind: 'chars', ranges: ANY };
    if (this.match('#')) return { kind: 'empty' };
    if (this.match('@')) return { kind: 'anyString' };
    if (this.match('"')) {
      const codePoints: number[] = [];
      while (this.more() && !this.peek('"')) codePoints.push(this.next());
      if (!this.match('"')) throw new RegexSyntaxError(`expected '"' at position ${this.pos}`, this.pos);
      return { kind: 'string', codePoints };
    }
    if (this.match('(')) {
      if (this.match(')')) return { kind: 'string', codePoints: [] };
      const e = this.union();
      if (!this.match(')')) throw new RegexSyntaxError(`expected ')' at position ${this.pos}`, this.pos);
      return e;
    }
    if (this.match('<')) return this.interval();
    const predefined = this.predefined();
    if (predefined) return { kind: 'chars', ranges: predefined };
    const c = this.charExp();
    return { kind: 'chars', ranges: [[c, c]] };
  }

  interval(): RegexNode {
    const start = this.pos;
    while (this.more() && !this.peek('>')) this.next();
    if (!this.match('>')) throw new RegexSyntaxError(`expected '>' at position ${this.pos}`, this.pos);
    const body = this.s.slice(start, this.pos - 1);
    const dash = body.indexOf('-');
    // Elasticsearch has no named automata, so `<name>` can only fail, as it does there.
    if (dash === -1) throw new RegexSyntaxError(`'${body}' not found`, start);
    const lo = body.slice(0, dash);
    const hi = body.slice(dash + 1);
    if (!/^\d+$/.test(lo) || !/^\d+$/.test(hi) || Number(lo) > MAX_INT || Number(hi) > MAX_INT) {
      throw new RegexSyntaxError(`interval syntax error at position ${this.pos - 1}`, this.pos - 1);
    }
    const a = Number(lo);
    const b = Number(hi);
    return { kind: 'interval', min: Math.min(a, b), max: Math.max(a, b), digits: lo.length === hi.length ? lo.length : 0 };
  }
}
