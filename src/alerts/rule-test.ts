/**
 * Trying a rule before (or without) saving it: does its query match this event, and what
 * would it have sent over a past time range. Nothing is written: no watermark, no state, no
 * outbox, no history.
 *
 * The dry run replays the scheduler: at each time the rule's cron schedule names in the range,
 * one evaluation of the window ending then (the first one a full window, the next ones from
 * the previous end, as the engine does), through the same condition modules and decisions
 * (throttle, reminders, recovery) as the engine, its group states carried from tick to tick.
 * The range's events are read once and matched in memory (window-cache.ts), so the range is
 * bounded by the engine's windowMaxEvents; a new-term look-back is asked of the store.
 */
import cron from 'node-cron';
import { LimitExceededError, ValidationError } from '../errors.ts';
import type { StoredEvent } from '../events/event.ts';
import { compileMatcher } from '../query/match.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore } from '../store/interface.ts';
import { evaluateWindow, storeReader, windowRanges } from './conditions/index.ts';
import { decideWindow, firingGroups, startDecisions } from './decide.ts';
import { durationMs } from './duration.ts';
import { valuesOf } from './field-values.ts';
import type { AlertRule, RuleSpec } from './model.ts';
import type { GroupNotification } from './notification.ts';
import { memoryReader, WindowCache } from './window-cache.ts';

/** Longest range a dry run replays. */
export const MAX_DRY_RUN_MS = 7 * 86_400_000;
/** Most evaluations a dry run replays (one a minute for a week). */
export const MAX_DRY_RUN_EVALUATIONS = 10_080;

export interface RuleTesterOptions {
  store: AuditStore;
  now?: () => number;
  baseUrl?: string;
  topEvents?: number;
  /** Most events the range may hold (they are read at once). Default 50,000. */
  maxEvents?: number;
}

export interface EventTest {
  matches: boolean;
  /** The event's values of the rule's group-by field. */
  groups?: string[];
}

export interface DryRun {
  from: number;
  to: number;
  /** Evaluations replayed (the schedule's times in the range). */
  evaluations: number;
  /** Events of the range read (the windows' reach included). */
  events: number;
  /** What each evaluation that would have notified would have sent. */
  notifications: Array<{ evaluatedAt: number; groups: GroupNotification[] }>;
}

export class RuleTester {
  readonly #o: RuleTesterOptions;
  readonly #now: () => number;

  constructor(o: RuleTesterOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** Whether the rule's query matches the event (its condition needs windows: see dryRun). */
  testEvent(spec: Pick<RuleSpec, 'query' | 'groupBy'>, event: StoredEvent): EventTest {
    const matches = compileMatcher(parseQuery(spec.query), { now: this.#now() }).matches(event);
    return { matches, ...(spec.groupBy ? { groups: valuesOf(event, spec.groupBy) } : {}) };
  }

  /** Replays the rule over [from, to) as the scheduler would have evaluated it, writing nothing. */
  async dryRun(team: string, spec: RuleSpec, from: number, to: number): Promise<DryRun> {
    if (!(to > from)) throw new ValidationError('to must be after from', { field: 'to' });
    if (to - from > MAX_DRY_RUN_MS) throw new LimitExceededError('a dry run range in ms', MAX_DRY_RUN_MS, 'BAD_REQUEST');
    const windowMs = durationMs(spec.window);
    const ticks = scheduleTimes(spec.schedule, from, to);
    const rule: AlertRule = { ...spec, id: 'dry-run', team, createdAt: '', updatedAt: '' };
    const out: DryRun = { from, to, evaluations: ticks.length, events: 0, notifications: [] };
    if (ticks.length === 0) return out;
    const input = (start: number, end: number) => ({ condition: spec.condition, groupBy: spec.groupBy, windowMs, start, end, topEvents: this.#o.topEvents ?? 5, firingGroups: [] });
    // Everything the windows reach: the first window's start (twice its length for a grouped flatline) to the last end.
    const reach = Math.min(...windowRanges(input(ticks[0]! - windowMs, ticks[0]!)).map((r) => r.from), ticks[0]! - windowMs);
    const range = { from: reach, to: ticks.at(-1)! };
    const max = this.#o.maxEvents ?? 50_000;
    const cache = await WindowCache.read(this.#o.store, team, range.from, range.to, max);
    if (cache === null) throw new LimitExceededError(`the events of a dry run range (the windows' reach included)`, max, 'BAD_REQUEST');
    out.events = cache.views.length;
    const query = { team, query: parseQuery(spec.query), groupBy: spec.groupBy, topEvents: this.#o.topEvents ?? 5 };
    const reader = memoryReader(cache, range, query, storeReader(this.#o.store, query), this.#now());
    const ctx = { rule, baseUrl: this.#o.baseUrl ?? 'http://localhost:8080', now: this.#now };
    const d = startDecisions([]);
    let start = ticks[0]! - windowMs;
    for (const end of ticks) {
      const sent = d.groups.length;
      const results = await evaluateWindow(reader, { ...input(start, end), firingGroups: firingGroups(d) });
      decideWindow(ctx, d, results, start, end);
      if (d.groups.length > sent) out.notifications.push({ evaluatedAt: end, groups: d.groups.slice(sent) });
      start = end;
    }
    return out;
  }
}

/**
 * The times in (from, to] the cron expression names, to the second (an evaluation ends at a
 * whole second, as the engine's windows do). Minute by minute for five-field expressions.
 */
export function scheduleTimes(expression: string, from: number, to: number): number[] {
  const task = cron.createTask(expression, () => undefined);
  try {
    const seconds = expression.trim().split(/\s+/).length === 6;
    const step = seconds ? 1000 : 60_000;
    const times: number[] = [];
    for (let t = Math.floor(from / step) * step + step; t <= to; t += step) {
      if (!task.match(new Date(t))) continue;
      if (times.length >= MAX_DRY_RUN_EVALUATIONS) {
        throw new LimitExceededError('evaluations of a dry run (narrow the range or the schedule)', MAX_DRY_RUN_EVALUATIONS, 'BAD_REQUEST');
      }
      times.push(t);
    }
    return times;
  } finally {
    void task.destroy();
  }
}
