/**
 * Histogram planning, the same for every store: the range (the request's, or the extent of the
 * matching events), the interval (the request's, or the smallest "nice" width that gives at
 * most TARGET_BUCKETS buckets), epoch-aligned buckets, a cap on their number, and the empty
 * buckets filled in. A store only finds the extent and counts the events of each bucket:
 *
 *   const plan = planBuckets(request, needsExtent(request) ? <extent> : null);
 *   return 'buckets' in plan ? plan : fillBuckets(plan, <counts per bucket of plan>);
 */
import { LimitExceededError, ValidationError } from '../errors.ts';
import type { Histogram, HistogramRequest } from './interface.ts';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

export const NICE_INTERVALS = [S, 5 * S, 10 * S, 30 * S, M, 5 * M, 10 * M, 30 * M, H, 3 * H, 12 * H, D, 7 * D, 30 * D];

export const TARGET_BUCKETS = 60;
/** Above this a request with an explicit interval is refused (it would be megabytes of zeros). */
export const MAX_BUCKETS = 10_000;
/** The interval an empty histogram reports when the request named none: no events (1 min), an empty range (1 s). */
const EMPTY_INTERVAL_MS = M;
const EMPTY_RANGE_INTERVAL_MS = S;

export function chooseInterval(spanMs: number): number {
  for (const interval of NICE_INTERVALS) {
    if (Math.ceil(spanMs / interval) + 1 <= TARGET_BUCKETS) return interval;
  }
  // Spans beyond 60 × 30 days: multiples of 30 days keep the count near the target.
  return Math.ceil(spanMs / (TARGET_BUCKETS - 1) / (30 * D)) * 30 * D;
}

/** Least and greatest `@timestamp` of the matching events. */
export interface Extent {
  min: number;
  max: number;
}

/** A bucket that holds events, `start` being `first + k × intervalMs`; a store may leave out empty ones. */
export interface Bucket {
  start: number;
  count: number;
}

/** The buckets to count: `count` of `intervalMs` from `first`, covering `[from, to)`. */
export interface BucketPlan {
  from: number;
  to: number;
  first: number;
  intervalMs: number;
  count: number;
}

/** Whether the request's range is open at either end, so the extent of the matches must close it. */
export function needsExtent(range: { from?: number; to?: number }): boolean {
  return range.from === undefined || range.to === undefined;
}

/**
 * The buckets of a request, or an empty histogram: when nothing matches (`extent` null on an
 * open range) or the range is empty. Refuses an interval that is not a positive whole number
 * of ms, and more than MAX_BUCKETS buckets.
 */
export function planBuckets(request: HistogramRequest, extent: Extent | null): BucketPlan | Histogram {
  const { intervalMs } = request;
  if (intervalMs !== undefined && (!Number.isInteger(intervalMs) || intervalMs < 1)) {
    throw new ValidationError('intervalMs must be a positive integer', { field: 'intervalMs' });
  }
  let { from, to } = request;
  if (from === undefined || to === undefined) {
    if (extent === null) return { intervalMs: intervalMs ?? EMPTY_INTERVAL_MS, buckets: [] };
    from ??= extent.min;
    to ??= extent.max + 1;
  }
  if (to <= from) return { intervalMs: intervalMs ?? EMPTY_RANGE_INTERVAL_MS, buckets: [] };
  const interval = intervalMs ?? chooseInterval(to - from);
  const first = Math.floor(from / interval) * interval;
  const count = Math.ceil((to - first) / interval);
  if (count > MAX_BUCKETS) throw new LimitExceededError('histogram bucket count', MAX_BUCKETS, 'BAD_REQUEST');
  return { from, to, first, intervalMs: interval, count };
}

/** Every bucket of the plan in time order, the ones the store did not return at zero. */
export function fillBuckets(plan: BucketPlan, counted: Bucket[]): Histogram {
  const buckets = Array.from({ length: plan.count }, (_, i) => ({ start: plan.first + i * plan.intervalMs, count: 0 }));
  for (const b of counted) {
    const bucket = buckets[Math.round((b.start - plan.first) / plan.intervalMs)];
    if (bucket) bucket.count = b.count;
  }
  return { intervalMs: plan.intervalMs, buckets };
}
