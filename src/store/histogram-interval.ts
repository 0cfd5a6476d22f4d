/** Automatic histogram intervals: the smallest "nice" width that gives at most ~60 buckets. */

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

export const NICE_INTERVALS = [S, 5 * S, 10 * S, 30 * S, M, 5 * M, 10 * M, 30 * M, H, 3 * H, 12 * H, D, 7 * D, 30 * D];

export const TARGET_BUCKETS = 60;
/** Above this a request with an explicit interval is refused (it would be megabytes of zeros). */
export const MAX_BUCKETS = 10_000;

export function chooseInterval(spanMs: number): number {
  for (const interval of NICE_INTERVALS) {
    if (Math.ceil(spanMs / interval) + 1 <= TARGET_BUCKETS) return interval;
  }
  // Spans beyond 60 × 30 days: multiples of 30 days keep the count near the target.
  return Math.ceil(spanMs / (TARGET_BUCKETS - 1) / (30 * D)) * 30 * D;
}
