/**
 * Finite automata over Unicode code points, built the way Lucene builds them for regexp and
 * wildcard queries (epsilon-free Thompson-style operations, then subset construction with a
 * work limit), so that matching a value is one pass over its code points: time linear in the
 * value whatever the pattern, never backtracking.
 *
 * The work limit is Lucene's (Operations.determinize): every state of the deterministic
 * automaton costs the number of states of the nondeterministic one it stands for, and the sum
 * may not reach 10 × the limit. Elasticsearch calls the limit `max_determinized_states`
 * (default 10,000) and refuses a query that needs more; so do we, with the same name.
 */

export const MAX_CODE_POINT = 0x10ffff;

/** Thrown when an automaton would cost more than the work limit; `limit` is that limit. */
export class TooComplexError extends Error {
  readonly limit: number;
  constructor(limit: number, detail: string) {
    super(detail);
    this.limit = limit;
  }
}

/**
 * An automaton without epsilon transitions; state 0 is the initial state. `edges[s]` is flat:
 * `lo, hi, to` triples (inclusive code point ranges). A deterministic automaton has sorted,
 * disjoint ranges per state.
 */
export class Automaton {
  readonly edges: number[][] = [];
  readonly accept: boolean[] = [];
  deterministic = false;

  get size(): number {
    return this.accept.length;
  }

  addState(accepting: boolean): number {
    this.edges.push([]);
    this.accept.push(accepting);
    return this.accept.length - 1;
  }

  addEdge(from: number, lo: number, hi: number, to: number): void {
    this.edges[from]!.push(lo, hi, to);
  }

  transitions(): number {
    let n = 0;
    for (const e of this.edges) n += e.length / 3;
    return n;
  }
}

/** Appends `a`'s states to `out`; returns the offset of `a`'s state 0 in `out`. */
function copyInto(out: Automaton, a: Automaton): number {
  const offset = out.size;
  for (let s = 0; s < a.size; s++) {
    const e = a.edges[s]!;
    const moved = new Array<number>(e.length);
    for (let i = 0; i < e.length; i += 3) {
      moved[i] = e[i]!;
      moved[i + 1] = e[i + 1]!;
      moved[i + 2] = e[i + 2]! + offset;
    }
    out.edges.push(moved);
    out.accept.push(a.accept[s]!);
  }
  return offset;
}

/** The edges of state `s` of `out`, copied (so that adding them to another state is safe). */
function edgesOf(out: Automaton, s: number): number[] {
  return out.edges[s]!.slice();
}

/** `#`: matches nothing. */
export function makeEmpty(): Automaton {
  const a = new Automaton();
  a.addState(false);
  a.deterministic = true;
  return a;
}

/** `()`: matches only the empty string. */
export function makeEmptyString(): Automaton {
  const a = new Automaton();
  a.addState(true);
  a.deterministic = true;
  return a;
}

/** One code point from a set of inclusive ranges (sorted or not, overlapping or not). */
export function makeCharSet(ranges: ReadonlyArray<readonly [number, number]>): Automaton {
  const a = new Automaton();
  a.addState(false);
  a.addState(true);
  for (const [lo, hi] of normalizeRanges(ranges)) a.addEdge(0, lo, hi, 1);
  a.deterministic = true;
  return a;
}

/** A literal string (as code points). */
export function makeString(codePoints: readonly number[]): Automaton {
  const a = new Automaton();
  let s = a.addState(codePoints.length === 0);
  for (let i = 0; i < codePoints.length; i++) {
    const next = a.addState(i === codePoints.length - 1);
    a.addEdge(s, codePoints[i]!, codePoints[i]!, next);
    s = next;
  }
  a.deterministic = true;
  return a;
}

/** `@` / `*`: any string. */
export function makeAnyString(): Automaton {
  const a = new Automaton();
  a.addState(true);
  a.addEdge(0, 0, MAX_CODE_POINT, 0);
  a.deterministic = true;
  return a;
}

/** Sorted, disjoint, merged ranges. */
export function normalizeRanges(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = ranges.map(([lo, hi]) => [lo, hi] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

/**
 * Each automaton after the other. Without epsilon transitions: every accepting state of a
 * part also gets the entry edges of the next part (and of the parts after it while they
 * accept the empty string), and stays accepting only if the rest can be empty.
 */
export function concatenate(parts: readonly Automaton[], bound: StateBound): Automaton {
  if (parts.length === 0) return makeEmptyString();
  if (parts.length === 1) return parts[0]!;
  const out = new Automaton();
  const offsets = parts.map((p) => {
    bound.check(out.size + p.size);
    return copyInto(out, p);
  });
  let nextEntry: number[] = [];
  let nextNullable = true;
  for (let k = parts.length - 1; k >= 0; k--) {
    const part = parts[k]!;
    const off = offsets[k]!;
    for (let s = 0; s < part.size; s++) {
      if (!part.accept[s]) continue;
      if (nextEntry.length > 0) out.edges[off + s]!.push(...nextEntry);
      out.accept[off + s] = nextNullable;
    }
    nextEntry = edgesOf(out, off);
    nextNullable = out.accept[off]!;
  }
  return out;
}

/** Any of the automata. */
export function union(parts: readonly Automaton[], bound: StateBound): Automaton {
  if (parts.length === 1) return parts[0]!;
  const out = new Automaton();
  out.addState(false);
  for (const p of parts) {
    bound.check(out.size + p.size);
    const off = copyInto(out, p);
    out.edges[0]!.push(...edgesOf(out, off));
    if (p.accept[0]) out.accept[0] = true;
  }
  return out;
}

/** `e?` */
export function optional(a: Automaton): Automaton {
  const out = new Automaton();
  out.addState(true);
  const off = copyInto(out, a);
  out.edges[0]!.push(...edgesOf(out, off));
  return out;
}

/**
 * `e*`: a new accepting initial state; every accepting state loops back to the entry edges.
 * As in Lucene (Operations.repeat), repeating the empty language gives the empty language,
 * not the empty string: Elasticsearch finds nothing for `(#)*` or `(a&b)*`.
 */
export function repeat(a: Automaton, bound: StateBound): Automaton {
  if (!live(a)[0]) return makeEmpty();
  bound.check(a.size + 1);
  const out = new Automaton();
  out.addState(true);
  const off = copyInto(out, a);
  const entry = edgesOf(out, off);
  out.edges[0]!.push(...entry);
  for (let s = 0; s < a.size; s++) if (a.accept[s]) out.edges[off + s]!.push(...entry);
  return out;
}

/** `e{min,}` */
export function repeatMin(a: Automaton, min: number, bound: StateBound): Automaton {
  bound.check(a.size * (min + 1));
  const parts: Automaton[] = [];
  for (let i = 0; i < min; i++) parts.push(a);
  parts.push(repeat(a, bound));
  return concatenate(parts, bound);
}

/** `e{min,max}` */
export function repeatMinMax(a: Automaton, min: number, max: number, bound: StateBound): Automaton {
  bound.check(a.size * max);
  const parts: Automaton[] = [];
  for (let i = 0; i < min; i++) parts.push(a);
  let tail: Automaton | null = null;
  for (let i = min; i < max; i++) tail = optional(tail ? concatenate([a, tail], bound) : a);
  if (tail) parts.push(tail);
  return concatenate(parts, bound);
}

/** Strings both automata accept (product construction over the reachable pairs). */
export function intersection(a: Automaton, b: Automaton, bound: StateBound): Automaton {
  const out = new Automaton();
  const ids = new Map<number, number>();
  const pairs: Array<[number, number]> = [];
  const id = (p: number, q: number): number => {
    const key = p * b.size + q;
    let n = ids.get(key);
    if (n === undefined) {
      bound.check(out.size + 1);
      n = out.addState(a.accept[p]! && b.accept[q]!);
      ids.set(key, n);
      pairs.push([p, q]);
    }
    return n;
  };
  id(0, 0);
  for (let i = 0; i < pairs.length; i++) {
    const [p, q] = pairs[i]!;
    const ea = a.edges[p]!;
    const eb = b.edges[q]!;
    for (let x = 0; x < ea.length; x += 3) {
      for (let y = 0; y < eb.length; y += 3) {
        const lo = Math.max(ea[x]!, eb[y]!);
        const hi = Math.min(ea[x + 1]!, eb[y + 1]!);
        if (lo <= hi) out.addEdge(i, lo, hi, id(ea[x + 2]!, eb[y + 2]!));
      }
    }
  }
  out.deterministic = a.deterministic && b.deterministic;
  return out;
}

/** Strings `a` does not accept: determinize, make total with a sink state, flip acceptance. */
export function complement(a: Automaton, workLimit: number, bound: StateBound): Automaton {
  const d = determinize(a, workLimit);
  const out = new Automaton();
  copyInto(out, d);
  bound.check(out.size + 1);
  const sink = out.addState(false);
  out.addEdge(sink, 0, MAX_CODE_POINT, sink);
  for (let s = 0; s < sink; s++) {
    const e = out.edges[s]!;
    const gaps: number[] = [];
    let next = 0;
    for (let i = 0; i < e.length; i += 3) {
      if (e[i]! > next) gaps.push(next, e[i]! - 1, sink);
      next = e[i + 1]! + 1;
    }
    if (next <= MAX_CODE_POINT) gaps.push(next, MAX_CODE_POINT, sink);
    e.push(...gaps);
    sortEdges(e);
  }
  for (let s = 0; s < out.size; s++) out.accept[s] = !out.accept[s];
  out.deterministic = true;
  return out;
}

function sortEdges(e: number[]): void {
  const triples: Array<[number, number, number]> = [];
  for (let i = 0; i < e.length; i += 3) triples.push([e[i]!, e[i + 1]!, e[i + 2]!]);
  triples.sort((x, y) => x[0] - y[0]);
  for (let i = 0; i < triples.length; i++) {
    e[i * 3] = triples[i]![0];
    e[i * 3 + 1] = triples[i]![1];
    e[i * 3 + 2] = triples[i]![2];
  }
}

/**
 * Subset construction. The effort is counted as Lucene counts it (the NFA states behind each
 * DFA state, summed), so the same patterns pass and fail as in Elasticsearch, give or take the
 * small differences between our nondeterministic automata and Lucene's.
 */
export function determinize(a: Automaton, workLimit: number): Automaton {
  if (a.deterministic) return a;
  const effortLimit = workLimit * 10;
  let effort = 0;
  const out = new Automaton();
  const sets = new SubsetTable();
  sets.add([0]);
  out.addState(a.accept[0]!);
  // Per subset: its boundary points, then for each elementary interval the targets covering it.
  const points: number[] = [];
  const stamp = new Int32Array(a.size);
  let stampValue = 0;
  const targets: number[] = [];
  for (let i = 0; i < sets.size; i++) {
    const set = sets.get(i);
    effort += set.length;
    if (effort >= effortLimit) {
      throw new TooComplexError(
        workLimit,
        `determinizing an automaton with ${a.size} states and ${a.transitions()} transitions would require more than ${workLimit} effort`,
      );
    }
    points.length = 0;
    for (const s of set) {
      const e = a.edges[s]!;
      for (let j = 0; j < e.length; j += 3) points.push(e[j]!, e[j + 1]! + 1);
    }
    if (points.length === 0) continue;
    points.sort((x, y) => x - y);
    const edges = out.edges[i]!;
    let lastTo = -1;
    for (let k = 0; k < points.length - 1; k++) {
      const lo = points[k]!;
      const next = points[k + 1]!;
      if (lo === next) continue;
      stampValue++;
      targets.length = 0;
      for (const s of set) {
        const e = a.edges[s]!;
        for (let j = 0; j < e.length; j += 3) {
          const t = e[j + 2]!;
          if (e[j]! <= lo && lo <= e[j + 1]! && stamp[t] !== stampValue) {
            stamp[t] = stampValue;
            targets.push(t);
          }
        }
      }
      if (targets.length === 0) {
        lastTo = -1;
        continue;
      }
      targets.sort((x, y) => x - y);
      let to = sets.find(targets);
      if (to < 0) {
        to = sets.add(targets.slice());
        out.addState(targets.some((m) => a.accept[m]!));
      }
      // Adjacent ranges to the same state become one.
      if (to === lastTo) edges[edges.length - 2] = next - 1;
      else edges.push(lo, next - 1, to);
      lastTo = to;
    }
  }
  out.deterministic = true;
  return out;
}

/** Sorted state sets → ids, hashed without building string keys. */
class SubsetTable {
  readonly #sets: number[][] = [];
  readonly #byHash = new Map<number, number[]>();

  get size(): number {
    return this.#sets.length;
  }

  get(id: number): number[] {
    return this.#sets[id]!;
  }

  find(set: readonly number[]): number {
    const bucket = this.#byHash.get(hash(set));
    if (bucket) {
      for (const id of bucket) if (same(this.#sets[id]!, set)) return id;
    }
    return -1;
  }

  add(set: number[]): number {
    const id = this.#sets.length;
    this.#sets.push(set);
    const h = hash(set);
    const bucket = this.#byHash.get(h);
    if (bucket) bucket.push(id);
    else this.#byHash.set(h, [id]);
    return id;
  }
}

function hash(set: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of set) h = Math.imul(h ^ v, 0x01000193);
  return h;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** States reachable from the initial state and from which an accepting state is reachable. */
export function live(a: Automaton): boolean[] {
  const reached = new Array<boolean>(a.size).fill(false);
  const stack = [0];
  reached[0] = true;
  const reverse: number[][] = Array.from({ length: a.size }, () => []);
  while (stack.length > 0) {
    const s = stack.pop()!;
    const e = a.edges[s]!;
    for (let i = 0; i < e.length; i += 3) {
      const t = e[i + 2]!;
      reverse[t]!.push(s);
      if (!reached[t]) {
        reached[t] = true;
        stack.push(t);
      }
    }
  }
  const alive = new Array<boolean>(a.size).fill(false);
  for (let s = 0; s < a.size; s++) {
    if (reached[s] && a.accept[s] && !alive[s]) {
      alive[s] = true;
      stack.push(s);
    }
  }
  while (stack.length > 0) {
    const s = stack.pop()!;
    for (const p of reverse[s]!) {
      if (!alive[p]) {
        alive[p] = true;
        stack.push(p);
      }
    }
  }
  return alive;
}

/** Drops unreachable and dead states (keeping state 0), so a match can stop at the first dead end. */
export function trim(a: Automaton): Automaton {
  const alive = live(a);
  const map = new Int32Array(a.size).fill(-1);
  const out = new Automaton();
  out.deterministic = a.deterministic;
  map[0] = out.addState(a.accept[0]! && alive[0]!);
  for (let s = 1; s < a.size; s++) if (alive[s]) map[s] = out.addState(a.accept[s]!);
  for (let s = 0; s < a.size; s++) {
    if (map[s]! < 0 || (s === 0 && !alive[0])) continue;
    const e = a.edges[s]!;
    for (let i = 0; i < e.length; i += 3) {
      const t = map[e[i + 2]!]!;
      if (t >= 0) out.addEdge(map[s]!, e[i]!, e[i + 1]!, t);
    }
  }
  return out;
}

/**
 * Bounds the size of the nondeterministic automata a pattern builds, before determinizing, so
 * that `a{1000000}` or nested repetitions cannot exhaust the worker's memory (Elasticsearch
 * stops those with its request circuit breaker; we refuse them at 10 × the work limit).
 */
export class StateBound {
  readonly workLimit: number;
  constructor(workLimit: number) {
    this.workLimit = workLimit;
  }

  check(states: number): void {
    if (states > this.workLimit * 10) {
      throw new TooComplexError(this.workLimit, `the automaton would need more than ${this.workLimit * 10} states`);
    }
  }
}

/** True when no state has two overlapping ranges (Lucene skips determinizing such automata). */
export function isDeterministic(a: Automaton): boolean {
  for (const e of a.edges) {
    if (e.length <= 3) continue;
    const ranges: Array<[number, number]> = [];
    for (let i = 0; i < e.length; i += 3) ranges.push([e[i]!, e[i + 1]!]);
    ranges.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < ranges.length; i++) if (ranges[i]![0] <= ranges[i - 1]![1]) return false;
  }
  return true;
}
