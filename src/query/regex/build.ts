/**
 * Regex tree (lucene-regexp.ts) and wildcard patterns → nondeterministic automata.
 */
import {
  type Automaton,
  complement,
  concatenate,
  intersection,
  makeAnyString,
  makeCharSet,
  makeEmpty,
  makeString,
  optional,
  repeat,
  repeatMin,
  repeatMinMax,
  StateBound,
  union,
} from './automaton.ts';
import type { RegexNode } from './lucene-regexp.ts';

export function regexAutomaton(node: RegexNode, workLimit: number): Automaton {
  return new Builder(workLimit).build(node);
}

class Builder {
  readonly bound: StateBound;
  readonly workLimit: number;
  constructor(workLimit: number) {
    this.workLimit = workLimit;
    this.bound = new StateBound(workLimit);
  }

  build(node: RegexNode): Automaton {
    switch (node.kind) {
      case 'union': {
        // Alternatives that are single characters become one character set (one state, as
        // Lucene's minimized unions are), the rest stay alternatives.
        const alternatives = flatten(node, 'union');
        const ranges: Array<[number, number]> = [];
        const others: Automaton[] = [];
        for (const a of alternatives) {
          if (a.kind === 'chars') ranges.push(...a.ranges);
          else others.push(this.build(a));
        }
        if (ranges.length > 0) others.unshift(makeCharSet(ranges));
        return union(others, this.bound);
      }
      case 'intersection':
        return flatten(node, 'intersection')
          .map((n) => this.build(n))
          .reduce((a, b) => intersection(a, b, this.bound));
      case 'concat':
        return concatenate(
          node.parts.map((p) => this.build(p)),
          this.bound,
        );
      case 'optional':
        return optional(this.build(node.node));
      case 'repeat':
        return repeat(this.build(node.node), this.bound);
      case 'repeatMin':
        return repeatMin(this.build(node.node), node.min, this.bound);
      case 'repeatMinMax':
        return repeatMinMax(this.build(node.node), node.min, node.max, this.bound);
      case 'complement':
        return complement(this.build(node.node), this.workLimit, this.bound);
      case 'chars':
        return makeCharSet(node.ranges);
      case 'string':
        return makeString(node.codePoints);
      case 'empty':
        return makeEmpty();
      case 'anyString':
        return makeAnyString();
      case 'interval':
        return decimalInterval(node.min, node.max, node.digits, this.bound);
    }
  }
}

function flatten(node: RegexNode, kind: 'union' | 'intersection'): RegexNode[] {
  const out: RegexNode[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === kind) stack.push(n.right, n.left);
    else out.push(n);
  }
  return out;
}

const ZERO = '0'.codePointAt(0)!;
const digit = (d: number) => makeCharSet([[ZERO + d, ZERO + d]]);
const digits = (lo: number, hi: number) => makeCharSet([[ZERO + lo, ZERO + hi]]);

/** Equal-length digit strings from `lo` to `hi` (both inclusive, `lo <= hi`). */
function fixedWidthRange(lo: string, hi: string, bound: StateBound): Automaton {
  if (lo.length === 0) return makeString([]);
  const a = Number(lo[0]);
  const b = Number(hi[0]);
  const restLo = lo.slice(1);
  const restHi = hi.slice(1);
  if (a === b) return concatenate([digit(a), fixedWidthRange(restLo, restHi, bound)], bound);
  const nines = '9'.repeat(restLo.length);
  const zeros = '0'.repeat(restLo.length);
  const anyDigits = Array.from({ length: restLo.length }, () => digits(0, 9));
  const parts = [concatenate([digit(a), fixedWidthRange(restLo, nines, bound)], bound)];
  if (b - a > 1) parts.push(concatenate([digits(a + 1, b - 1), ...anyDigits], bound));
  parts.push(concatenate([digit(b), fixedWidthRange(zeros, restHi, bound)], bound));
  return union(parts, bound);
}

/**
 * `<min-max>`: decimal numbers from min to max. With `digits > 0` exactly that many digits
 * (zero-padded); otherwise any number of leading zeros.
 */
function decimalInterval(min: number, max: number, width: number, bound: StateBound): Automaton {
  if (width > 0) return fixedWidthRange(String(min).padStart(width, '0'), String(max).padStart(width, '0'), bound);
  const byLength: Automaton[] = [];
  const longest = String(max).length;
  for (let len = String(min).length; len <= longest; len++) {
    const first = len === 1 ? 0 : 10 ** (len - 1);
    const last = 10 ** len - 1;
    const lo = Math.max(min, first);
    const hi = Math.min(max, last);
    if (lo <= hi) byLength.push(fixedWidthRange(String(lo), String(hi), bound));
  }
  return concatenate([repeat(digit(0), bound), union(byLength, bound)], bound);
}

/**
 * Lucene's WildcardQuery: `*` any string, `?` any one character, `\` makes the next
 * character literal (a trailing backslash is itself).
 */
export function wildcardAutomaton(pattern: string, workLimit: number): Automaton {
  const bound = new StateBound(workLimit);
  const parts: Automaton[] = [];
  const chars = Array.from(pattern);
  let literal: number[] = [];
  const flush = () => {
    if (literal.length > 0) parts.push(makeString(literal));
    literal = [];
  };
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      flush();
      parts.push(makeAnyString());
    } else if (c === '?') {
      flush();
      parts.push(makeCharSet([[0, 0x10ffff]]));
    } else if (c === '\\' && i + 1 < chars.length) {
      literal.push(chars[++i]!.codePointAt(0)!);
    } else {
      literal.push(c.codePointAt(0)!);
    }
  }
  flush();
  return concatenate(parts, bound);
}
