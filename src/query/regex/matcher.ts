/**
 * Runs a deterministic automaton over a string: one table step per code point, so the cost
 * is linear in the value's length whatever the pattern was.
 */
import type { Automaton } from './automaton.ts';

/** A compiled pattern. `test` is whole-value matching (Lucene patterns are implicitly anchored). */
export interface Matcher {
  test(value: string): boolean;
}

/** Up to this many states get a direct table for ASCII (128 entries each, 4 bytes per entry). */
const ASCII_TABLE_MAX_STATES = 4096;

export class DfaMatcher implements Matcher {
  readonly #accept: Uint8Array;
  /** `state * 128 + code` → next state, -1 for none; null when the automaton is too large for it. */
  readonly #ascii: Int32Array | null;
  /** Per state, flat `lo, hi, to` triples in ascending order. */
  readonly #ranges: Int32Array[];

  constructor(dfa: Automaton) {
    if (!dfa.deterministic) throw new Error('DfaMatcher needs a deterministic automaton');
    this.#accept = Uint8Array.from(dfa.accept, (a) => (a ? 1 : 0));
    this.#ranges = dfa.edges.map((e) => Int32Array.from(e));
    if (dfa.size <= ASCII_TABLE_MAX_STATES) {
      const table = new Int32Array(dfa.size * 128).fill(-1);
      for (let s = 0; s < dfa.size; s++) {
        const e = dfa.edges[s]!;
        for (let i = 0; i < e.length && e[i]! < 128; i += 3) {
          for (let c = e[i]!; c <= Math.min(e[i + 1]!, 127); c++) table[s * 128 + c] = e[i + 2]!;
        }
      }
      this.#ascii = table;
    } else {
      this.#ascii = null;
    }
  }

  test(value: string): boolean {
    const ascii = this.#ascii;
    let s = 0;
    const n = value.length;
    for (let i = 0; i < n; i++) {
      let c = value.charCodeAt(i);
      if (c < 128 && ascii !== null) {
        s = ascii[s * 128 + c]!;
      } else {
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
          const low = value.charCodeAt(i + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            c = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
            i++;
          }
        }
        s = this.#step(s, c);
      }
      if (s < 0) return false;
    }
    return this.#accept[s] === 1;
  }

  #step(s: number, c: number): number {
    const r = this.#ranges[s]!;
    let lo = 0;
    let hi = r.length / 3 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (c < r[mid * 3]!) hi = mid - 1;
      else if (c > r[mid * 3 + 1]!) lo = mid + 1;
      else return r[mid * 3 + 2]!;
    }
    return -1;
  }
}
