/**
 * Fuzzy matching as Elasticsearch's `fuzzy` query does it: Damerau-Levenshtein distance
 * (optimal string alignment: a swap of neighbours costs 1) over Unicode code points.
 */

/** `auto` as Elasticsearch's AUTO:3,6 — 0 edits up to 2 characters, 1 up to 5, 2 beyond. */
export function autoDistance(term: string): number {
  const len = Array.from(term).length;
  return len <= 2 ? 0 : len <= 5 ? 1 : 2;
}

/** True when `a` and `b` are at most `max` edits apart. */
export function withinDistance(a: string, b: string, max: number): boolean {
  return editDistance(a, b, max) <= max;
}

/**
 * The edit distance of `a` and `b`, or `max + 1` as soon as it is known to exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (max <= 0) return max + 1;
  const s = Array.from(a);
  const t = Array.from(b);
  if (Math.abs(s.length - t.length) > max) return max + 1;
  const n = t.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[n]!, max + 1);
}

/**
 * How Lucene ranks the terms a fuzzy query expands to (FuzzyTermsEnum's boost): fewer edits
 * relative to the shorter of the two words is better. Elasticsearch keeps the
 * FUZZY_MAX_EXPANSIONS best, ties going to the smaller term in byte order.
 */
export function fuzzyScore(value: string, term: string, max: number): number {
  const d = editDistance(value, term, max);
  if (d > max) return -1;
  const shorter = Math.min(Array.from(value).length, Array.from(term).length);
  return shorter === 0 ? 0 : 1 - d / shorter;
}
