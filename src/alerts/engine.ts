/**
 * Runs a rule: take its lease, evaluate every window between its watermark and
 * `now - ingestDelay`, decide per group what to notify (state, throttle, recovery), and
 * commit all of it (watermark, group states, outbox, history) in one compare-and-set. A crash
 * before the commit repeats the evaluation; a commit never happens twice for one window.
 * The clock is explicit so windows, catch-up and throttling are testable without waiting.
 */
import { newId } from './ids.ts';
import type { QueryNode } from '../query/ast.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore } from '../store/interface.ts';
import { durationMs, formatDuration } from './duration.ts';
import { evaluateWindow, type GroupResult } from './evaluate.ts';
import { type AlertRule, isEventCondition } from './model.ts';
import { buildNotification, type GroupNotification, summarizeEvent } from './notification.ts';
import type { AlertStateStore, GroupState, HistoryEntry, OutboxEntry } from './state-store.ts';

export interface EngineOptions {
  store: AuditStore;
  state: AlertStateStore;
  /** Who this instance is, for leases (unique per process). */
  owner?: string;
  now?: () => number;
  /** Evaluate only up to `now - ingestDelayMs`, so events indexed late are still seen. Default 30 s. */
  ingestDelayMs?: number;
  /** After downtime, evaluate at most this far back; older windows are skipped (and recorded). Default 24 h. */
  maxCatchUpMs?: number;
  /** Windows evaluated per commit during catch-up (then the lease is renewed). Default 20. */
  windowsPerCommit?: number;
  /** Lease length; a run that outlives it cannot commit. Default 5 min. */
  leaseMs?: number;
  /** Base of the event links in notifications. */
  baseUrl?: string;
  /** Matching events attached per group. Default 5. */
  topEvents?: number;
  /** Most matching events per window grouped in memory before falling back to facets. Default 5,000. */
  fetchLimit?: number;
  onError?: (rule: AlertRule, err: unknown) => void;
}

export type RunResult =
  | { status: 'done'; windows: number; notifications: number; watermark: number }
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'conflict' }
  | { status: 'disabled' };

interface Decision {
  state: GroupState;
  notify?: GroupNotification;
  history?: HistoryEntry;
}

export class AlertEngine {
  readonly owner: string;
  readonly #store: AuditStore;
  readonly #state: AlertStateStore;
  readonly #now: () => number;
  readonly #delay: number;
  readonly #maxCatchUp: number;
  readonly #perCommit: number;
  readonly #leaseMs: number;
  readonly #baseUrl: string;
  readonly #topEvents: number;
  readonly #fetchLimit: number | undefined;
  readonly #onError: ((rule: AlertRule, err: unknown) => void) | undefined;
  readonly #queries = new Map<string, { text: string; ast: QueryNode }>();

  constructor(o: EngineOptions) {
    this.owner = o.owner ?? `engine-${newId()}`;
    this.#store = o.store;
    this.#state = o.state;
    this.#now = o.now ?? Date.now;
    this.#delay = o.ingestDelayMs ?? 30_000;
    this.#maxCatchUp = o.maxCatchUpMs ?? 86_400_000;
    this.#perCommit = o.windowsPerCommit ?? 20;
    this.#leaseMs = o.leaseMs ?? 300_000;
    this.#baseUrl = o.baseUrl ?? 'http://localhost:8080';
    this.#topEvents = o.topEvents ?? 5;
    this.#fetchLimit = o.fetchLimit;
    this.#onError = o.onError;
  }

  get now(): number {
    return this.#now();
  }

  /** Evaluates one rule up to now; safe to call from several instances at once. */
  async runRule(ruleOrId: AlertRule | string): Promise<RunResult> {
    const rule = typeof ruleOrId === 'string' ? await this.#state.getRuleById(ruleOrId) : ruleOrId;
    if (!rule || !rule.enabled) return { status: 'disabled' };
    if (!(await this.#state.acquireLease(rule.id, this.owner, this.#now(), this.#leaseMs))) return { status: 'busy' };
    try {
      return await this.#evaluate(rule);
    } catch (err) {
      this.#onError?.(rule, err);
      await this.#state
        .appendHistory([this.#history(rule, 'error', '', `evaluation failed: ${(err as Error).message}`)])
        .catch(() => undefined);
      throw err;
    } finally {
      await this.#state.releaseLease(rule.id, this.owner);
    }
  }

  async #evaluate(rule: AlertRule): Promise<RunResult> {
    const windowMs = durationMs(rule.window);
    const query = this.#query(rule);
    let windows = 0;
    let notifications = 0;
    for (;;) {
      const cursor = await this.#state.getCursor(rule.id);
      // Whole seconds, so windows line up across instances and runs.
      const end = Math.floor((this.#now() - this.#delay) / 1000) * 1000;
      let start = cursor.watermark ?? end - windowMs;
      if (start >= end) return windows === 0 ? { status: 'idle' } : { status: 'done', windows, notifications, watermark: start };
      const history: HistoryEntry[] = [];
      if (end - start > this.#maxCatchUp) {
        const skipTo = end - this.#maxCatchUp;
        history.push(
          this.#history(rule, 'skipped', '', `not evaluated: ${new Date(start).toISOString()} to ${new Date(skipTo).toISOString()} (longer ago than the catch-up limit of ${formatDuration(this.#maxCatchUp)})`, {
            from: start,
            to: skipTo,
          }),
        );
        start = skipTo;
      }
      // Catch-up walks in steps of one window, so consecutive windows tile without a gap or overlap.
      const ends: number[] = [];
      for (let t = start; t < end && ends.length < this.#perCommit; ) {
        t = Math.min(t + windowMs, end);
        ends.push(t);
      }
      const states = new Map((await this.#state.getGroupStates(rule.id)).map((s) => [s.group, s]));
      const changed = new Map<string, GroupState>();
      const groups: GroupNotification[] = [];
      let pieceStart = start;
      for (const pieceEnd of ends) {
        const firing = [...states.values()].filter((s) => s.status === 'firing').map((s) => s.group);
        const results = await evaluateWindow(this.#store, {
          team: rule.team,
          query,
          condition: rule.condition,
          groupBy: rule.groupBy,
          windowMs,
          start: pieceStart,
          end: pieceEnd,
          firingGroups: firing,
          topEvents: this.#topEvents,
          ...(this.#fetchLimit !== undefined ? { fetchLimit: this.#fetchLimit } : {}),
        });
        const seen = new Set<string>();
        for (const r of results) {
          seen.add(r.group);
          this.#apply(rule, this.#decide(rule, states.get(r.group), r, pieceEnd), states, changed, groups, history);
        }
        // Throttled matches of groups with no news are reported once the throttle has passed.
        for (const s of [...states.values()]) {
          if (seen.has(s.group) || s.suppressed === 0) continue;
          if (s.lastNotifiedAt !== null && pieceEnd - s.lastNotifiedAt < durationMs(rule.throttle)) continue;
          const next = { ...s, suppressed: 0, lastNotifiedAt: pieceEnd };
          this.#apply(rule, { state: next, notify: this.#group('suppressed_summary', s.group, 0, 0, s.suppressed, pieceStart, pieceEnd, []) }, states, changed, groups, history);
        }
        pieceStart = pieceEnd;
        windows++;
      }
      const watermark = ends.at(-1)!;
      const outbox: OutboxEntry[] = [];
      if (groups.length > 0) {
        const notification = buildNotification(newId(), rule, watermark, groups);
        for (const ch of rule.channels) {
          outbox.push({
            id: newId(),
            team: rule.team,
            ruleId: rule.id,
            channelId: ch.id!,
            payload: notification as unknown as Record<string, unknown>,
            attempts: 0,
            nextAttemptAt: this.#now(),
            status: 'pending',
            lastError: null,
            createdAt: this.#now(),
          });
        }
        notifications++;
      }
      const ok = await this.#state.commitEvaluation(
        { ruleId: rule.id, owner: this.owner, expectedVersion: cursor.version, watermark, states: [...changed.values()], outbox, history },
        this.#now(),
      );
      if (!ok) return { status: 'conflict' };
      if (watermark >= end) return { status: 'done', windows, notifications, watermark };
      if (!(await this.#state.acquireLease(rule.id, this.owner, this.#now(), this.#leaseMs))) return { status: 'busy' };
    }
  }

  #apply(
    rule: AlertRule,
    d: Decision,
    states: Map<string, GroupState>,
    changed: Map<string, GroupState>,
    groups: GroupNotification[],
    history: HistoryEntry[],
  ) {
    states.set(d.state.group, d.state);
    changed.set(d.state.group, d.state);
    if (d.notify) {
      groups.push(d.notify);
      const kind = d.notify.kind === 'resolved' ? 'recovered' : d.notify.kind === 'reminder' ? 'reminder' : 'fired';
      history.push(
        this.#history(rule, kind, d.state.group, `${kind} (value ${d.notify.value}, ${d.notify.matches} matches, ${d.notify.suppressed} suppressed)`, {
          value: d.notify.value,
          matches: d.notify.matches,
          suppressed: d.notify.suppressed,
          window: d.notify.window,
          events: d.notify.events.map((e) => e.id),
          ...(d.notify.terms ? { terms: d.notify.terms } : {}),
        }),
      );
    }
    if (d.history) history.push(d.history);
  }

  /** The state machine of one group: ok ⇄ firing, with throttle and recovery. */
  #decide(rule: AlertRule, prev: GroupState | undefined, r: GroupResult, at: number): Decision {
    const throttle = durationMs(rule.throttle);
    const before: GroupState = prev ?? { group: r.group, status: 'ok', lastNotifiedAt: null, suppressed: 0, since: null, value: 0 };
    const throttled = before.lastNotifiedAt !== null && at - before.lastNotifiedAt < throttle;
    const events = r.events.map((e) => summarizeEvent(e, this.#baseUrl));
    const group = (kind: GroupNotification['kind'], suppressed: number) =>
      this.#group(kind, r.group, r.value, r.matches, suppressed, r.from, r.to, events, r.terms);

    if (isEventCondition(rule.condition)) {
      if (!r.matched) return { state: before };
      if (throttled) {
        return {
          state: { ...before, suppressed: before.suppressed + r.matches, value: r.value },
          history: this.#history(rule, 'suppressed', r.group, `${r.matches} matches held back by the throttle`, { matches: r.matches }),
        };
      }
      return { state: { ...before, suppressed: 0, lastNotifiedAt: at, value: r.value }, notify: group('firing', before.suppressed) };
    }

    if (r.matched) {
      if (before.status === 'ok') {
        const firing: GroupState = { ...before, status: 'firing', since: at, value: r.value };
        if (throttled) {
          return {
            state: { ...firing, suppressed: before.suppressed + r.matches },
            history: this.#history(rule, 'suppressed', r.group, `fired again within the throttle (value ${r.value})`, { value: r.value }),
          };
        }
        return { state: { ...firing, suppressed: 0, lastNotifiedAt: at }, notify: group('firing', before.suppressed) };
      }
      // Still firing: a reminder once the throttle has passed (no throttle = no reminders).
      if (throttle > 0 && !throttled) {
        return { state: { ...before, value: r.value, suppressed: 0, lastNotifiedAt: at }, notify: group('reminder', before.suppressed) };
      }
      return { state: { ...before, value: r.value } };
    }
    if (before.status === 'firing') {
      const ok: GroupState = { ...before, status: 'ok', since: null, value: r.value };
      if (rule.notifyRecovery) return { state: ok, notify: group('resolved', 0) };
      return { state: ok, history: this.#history(rule, 'recovered', r.group, `condition cleared (value ${r.value})`, { value: r.value }) };
    }
    return { state: { ...before, value: r.value } };
  }

  #group(
    kind: GroupNotification['kind'],
    group: string,
    value: number,
    matches: number,
    suppressed: number,
    from: number,
    to: number,
    events: GroupNotification['events'],
    terms?: string[],
  ): GroupNotification {
    return {
      kind,
      group,
      value,
      matches,
      suppressed,
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      ...(terms ? { terms } : {}),
      events,
    };
  }

  #history(rule: AlertRule, kind: HistoryEntry['kind'], group: string, message: string, detail?: Record<string, unknown>): HistoryEntry {
    return { id: newId(), team: rule.team, ruleId: rule.id, at: this.#now(), kind, group, message, ...(detail ? { detail } : {}) };
  }

  #query(rule: AlertRule): QueryNode {
    const cached = this.#queries.get(rule.id);
    if (cached && cached.text === rule.query) return cached.ast;
    const ast = parseQuery(rule.query);
    this.#queries.set(rule.id, { text: rule.query, ast });
    return ast;
  }
}
