/**
 * Lucene regular expressions (the `/.../` of query_string) translated to JavaScript RegExp.
 * Lucene matches the WHOLE value (implicitly anchored), `.` matches any character, and `^`
 * `$` are ordinary characters. Lucene runs an automaton; JavaScript backtracks, so patterns
 * that could backtrack catastrophically (a quantified group that itself contains a
 * quantifier, like `(a+)+`) are refused instead of risking a stalled server. Operators that
 * have no JavaScript equivalent (intersection `&`, complement `~`, numeric ranges `<1-10>`)
 * are refused too: UnsupportedQueryError, never a different meaning.
 */
import { UnsupportedQueryError, ValidationError } from '../../errors.ts';

const MAX_PATTERN = 1_000;
const JS_SYNTAX = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}', '/']);

function literal(ch: string): string {
  return JS_SYNTAX.has(ch) ? `\\${ch}` : ch;
}

function classLiteral(ch: string): string {
  return ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-' ? `\\${ch}` : ch;
}

/** Returns an anchored JavaScript pattern source (use with flags `su`). */
export function luceneRegexToJs(pattern: string): string {
  if (pattern.length > MAX_PATTERN) {
    throw new UnsupportedQueryError(`regular expression longer than ${MAX_PATTERN} characters`);
  }
  const chars = Array.from(pattern);
  let i = 0;
  const unsupported = (what: string) =>
    new UnsupportedQueryError(`regular expression /${pattern}/: ${what} is not supported by the SQLite store`);
  const bad = (what: string) => new ValidationError(`invalid regular expression /${pattern}/: ${what}`);

  // Each group frame records whether it contains a quantifier, to refuse nested quantifiers.
  interface Frame {
    out: string;
    hasQuantifier: boolean;
    lastAtomStart: number;
    lastAtomQuantifiable: boolean;
    lastAtomHasQuantifier: boolean;
    hasAlternation?: boolean;
  }
  const stack: Frame[] = [];
  let f: Frame = { out: '', hasQuantifier: false, lastAtomStart: 0, lastAtomQuantifiable: false, lastAtomHasQuantifier: false };

  const atom = (src: string, innerQuantifier = false) => {
    f.lastAtomStart = f.out.length;
    f.out += src;
    f.lastAtomQuantifiable = true;
    f.lastAtomHasQuantifier = innerQuantifier;
  };
  const quantify = (q: string) => {
    if (!f.lastAtomQuantifiable) throw bad(`nothing to repeat before ${q}`);
    if (f.lastAtomHasQuantifier) throw unsupported('a repeated group that contains a repetition or an alternation (risk of exponential matching)');
    f.out += q;
    f.hasQuantifier = true;
    f.lastAtomHasQuantifier = true;
    f.lastAtomQuantifiable = false;
  };

  while (i < chars.length) {
    const ch = chars[i]!;
    switch (ch) {
      case '\\': {
        const next = chars[i + 1];
        if (next === undefined) throw bad('trailing backslash');
        if (next === 'd' || next === 'D' || next === 'w' || next === 'W') atom(`\\${next}`);
        else if (next === 's') atom('[ \\t\\n\\r]');
        else if (next === 'S') atom('[^ \\t\\n\\r]');
        else atom(literal(next));
        i += 2;
        break;
      }
      case '.':
        atom('.');
        i++;
        break;
      case '@':
        atom('[\\s\\S]*', true);
        f.hasQuantifier = true;
        i++;
        break;
      case '#':
        atom('(?!)');
        i++;
        break;
      case '"': {
        const end = chars.indexOf('"', i + 1);
        if (end === -1) throw bad('unterminated "quoted" string');
        atom(`(?:${chars.slice(i + 1, end).map(literal).join('')})`);
        i = end + 1;
        break;
      }
      case '&':
        throw unsupported('intersection (&)');
      case '~':
        throw unsupported('complement (~)');
      case '<':
        throw unsupported('numeric range <n-m>');
      case '*':
      case '+':
      case '?':
        quantify(ch);
        i++;
        break;
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(i).join(''));
        if (!m) throw bad(`invalid repetition at offset ${i}`);
        if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) throw bad(`invalid repetition ${m[0]}`);
        quantify(m[0]);
        i += m[0].length;
        break;
      }
      case '|':
        f.out += '|';
        f.hasAlternation = true;
        f.lastAtomQuantifiable = false;
        i++;
        break;
      case '(':
        stack.push(f);
        f = { out: '', hasQuantifier: false, lastAtomStart: 0, lastAtomQuantifiable: false, lastAtomHasQuantifier: false };
        i++;
        break;
      case ')': {
        const inner = f;
        const parent = stack.pop();
        if (!parent) throw bad(`unbalanced ) at offset ${i}`);
        f = parent;
        atom(`(?:${inner.out})`, inner.hasQuantifier || inner.hasAlternation === true);
        if (inner.hasQuantifier) f.hasQuantifier = true;
        i++;
        break;
      }
      case '[': {
        let j = i + 1;
        let cls = '[';
        if (chars[j] === '^') {
          cls += '^';
          j++;
        }
        let first = true;
        while (j < chars.length && (chars[j] !== ']' || first)) {
          let c = chars[j]!;
          if (c === '\\') {
            j++;
            c = chars[j] ?? '';
            if (c === '') throw bad('trailing backslash in character class');
          }
          if (chars[j + 1] === '-' && chars[j + 2] !== undefined && chars[j + 2] !== ']') {
            let hi = chars[j + 2]!;
            let skip = 3;
            if (hi === '\\') {
              hi = chars[j + 3] ?? '';
              skip = 4;
            }
            if (hi === '' || hi.codePointAt(0)! < c.codePointAt(0)!) throw bad(`invalid range ${c}-${hi}`);
            cls += `${classLiteral(c)}-${classLiteral(hi)}`;
            j += skip;
          } else {
            cls += classLiteral(c);
            j++;
          }
          first = false;
        }
        if (chars[j] !== ']') throw bad('unterminated character class');
        atom(`${cls}]`);
        i = j + 1;
        break;
      }
      default:
        atom(literal(ch));
        i++;
    }
  }
  if (stack.length > 0) throw bad('unbalanced (');
  return `^(?:${f.out})$`;
}

const cache = new Map<string, RegExp>();

/** Compiled (and cached) anchored RegExp for a Lucene pattern. */
export function luceneRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(luceneRegexToJs(pattern), 'su');
    if (cache.size > 500) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}
