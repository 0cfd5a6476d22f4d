/**
 * Term-level operations of the in-memory matcher, with Lucene's meaning: wildcard patterns
 * matched without backtracking, and term order as Lucene and SQLite compare terms (UTF-8
 * bytes, which is code point order; JavaScript's `<` compares UTF-16 units, which differs for
 * characters above U+FFFF).
 */

/** a < b → negative, as UTF-8 bytes (code points) compare. */
export function compareTerms(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeOrder(x) - codeOrder(y);
  }
  return a.length - b.length;
}

/** UTF-16 units remapped so surrogates (astral code points) sort after U+E000..U+FFFF. */
function codeOrder(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c;
}

const ANY = -1;
const ONE = -2;

/**
 * A Lucene wildcard (`*` any run, `?` one character, `\` escapes the next) as a test of a
 * whole value. Characters are code points. The match is the classic two-pointer glob walk,
 * which never backtracks further than the last `*`: O(pattern × value) at worst, whatever the
 * pattern (a regex translation of `*a*a*a*b` would backtrack polynomially).
 */
export function compileWildcard(pattern: string): (value: string) => boolean {
  const p: number[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    let c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) {
      p.push(chars[++i]!.codePointAt(0)!);
      continue;
    }
    if (c === '*') {
      if (p.at(-1) !== ANY) p.push(ANY);
      continue;
    }
    p.push(c === '?' ? ONE : c.codePointAt(0)!);
  }
  // Fast paths for the common shapes: literal, prefix*, *suffix, *infix*.
  const inner = (from: number, to: number) => (p.slice(from, to).every((x) => x >= 0) ? String.fromCodePoint(...p.slice(from, to)) : null);
  const last = p.length - 1;
  if (p.every((x) => x >= 0)) {
    const literal = String.fromCodePoint(...p);
    return (v) => v === literal;
  }
  if (p.length >= 2 && p[0] === ANY && p[last] === ANY) {
    const infix = inner(1, last);
    if (infix !== null) return (v) => v.includes(infix);
  }
  if (p[last] === ANY) {
    const prefix = inner(0, last);
    if (prefix !== null) return (v) => v.startsWith(prefix);
  }
  if (p[0] === ANY) {
    const suffix = inner(1, p.length);
    if (suffix !== null) return (v) => v.endsWith(suffix);
  }
  return (v) => globMatch(p, codePoints(v));
}

function codePoints(v: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v.codePointAt(i)!;
    out.push(c);
    if (c > 0xffff) i++;
  }
  return out;
}

function globMatch(p: number[], s: number[]): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === ONE || p[i] === s[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === ANY) {
      star = i++;
      mark = j;
    } else if (star !== -1) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === ANY) i++;
  return i === p.length;
}
