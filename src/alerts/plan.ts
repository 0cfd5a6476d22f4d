/**
 * Which windows one run of a rule evaluates: from its watermark to `now - delay` in whole
 * seconds (so windows line up across instances and runs), in steps of one window (so
 * consecutive windows tile without a gap or overlap), at most `perCommit` per commit, and
 * never further back than the catch-up limit (the rest is recorded as skipped). Pure.
 */
export interface WindowPlan {
  /** Start of the first window (inclusive). */
  start: number;
  /** End of each window, in order; the last one is the new watermark. */
  ends: number[];
  /** An interval too old to evaluate, recorded in the history. */
  skipped?: { from: number; to: number };
  /** Whether the last window reaches `now - delay` (else the run commits and plans again). */
  complete: boolean;
}

export interface PlanInput {
  /** End of the last evaluated window, null before the first run. */
  watermark: number | null;
  now: number;
  ingestDelayMs: number;
  windowMs: number;
  maxCatchUpMs: number;
  perCommit: number;
}

/** The windows to evaluate, or null when the rule is up to date. */
export function planWindows({ watermark, now, ingestDelayMs, windowMs, maxCatchUpMs, perCommit }: PlanInput): WindowPlan | null {
  const end = Math.floor((now - ingestDelayMs) / 1000) * 1000;
  let start = watermark ?? end - windowMs;
  if (start >= end) return null;
  let skipped: WindowPlan['skipped'];
  if (end - start > maxCatchUpMs) {
    skipped = { from: start, to: end - maxCatchUpMs };
    start = end - maxCatchUpMs;
  }
  const ends: number[] = [];
  for (let t = start; t < end && ends.length < perCommit; ) {
    t = Math.min(t + windowMs, end);
    ends.push(t);
  }
  return { start, ends, ...(skipped ? { skipped } : {}), complete: ends.at(-1)! >= end };
}
