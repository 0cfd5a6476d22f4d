/**
 * What an evaluation does with what a condition measured: the state machine of each group
 * (ok ⇄ firing), throttling, reminders, recovery, and the summary of throttled matches. Pure:
 * no store, no clock of its own (the caller passes `at` for history entries), so both engine
 * paths (per rule, single pass) decide the same way on the same results.
 */
import { durationMs } from './duration.ts';
import type { GroupResult } from './conditions/types.ts';
import { newId } from './ids.ts';
import { type AlertRule, isEventCondition } from './model.ts';
import { type GroupNotification, summarizeEvent } from './notification.ts';
import type { GroupState, HistoryEntry } from './state-store.ts';

/** What the windows of one commit decided so far; `states` is the current state of every group. */
export interface Decisions {
  states: Map<string, GroupState>;
  changed: Map<string, GroupState>;
  groups: GroupNotification[];
  history: HistoryEntry[];
}

export interface DecideContext {
  rule: AlertRule;
  /** Base of the event links in notifications. */
  baseUrl: string;
  /** Time written on history entries. */
  now: () => number;
}

export function startDecisions(states: GroupState[], history: HistoryEntry[] = []): Decisions {
  return { states: new Map(states.map((s) => [s.group, s])), changed: new Map(), groups: [], history };
}

/** Groups currently firing, which every window evaluates even when they are absent (recovery, flatline). */
export function firingGroups(d: Decisions): string[] {
  return [...d.states.values()].filter((s) => s.status === 'firing').map((s) => s.group);
}

interface Decision {
  state: GroupState;
  notify?: GroupNotification;
  history?: HistoryEntry;
}

/** Applies one window's results (window [from, at)) to the decisions. */
export function decideWindow(ctx: DecideContext, d: Decisions, results: GroupResult[], from: number, at: number): void {
  const seen = new Set<string>();
  for (const r of results) {
    seen.add(r.group);
    apply(ctx, d, decideGroup(ctx, d.states.get(r.group), r, at));
  }
  // Throttled matches of groups with no news are reported once the throttle has passed.
  for (const s of [...d.states.values()]) {
    if (seen.has(s.group) || s.suppressed === 0) continue;
    if (s.lastNotifiedAt !== null && at - s.lastNotifiedAt < durationMs(ctx.rule.throttle)) continue;
    const next = { ...s, suppressed: 0, lastNotifiedAt: at };
    apply(ctx, d, { state: next, notify: group('suppressed_summary', s.group, 0, 0, s.suppressed, from, at, []) });
  }
}

function apply(ctx: DecideContext, d: Decisions, decision: Decision): void {
  d.states.set(decision.state.group, decision.state);
  d.changed.set(decision.state.group, decision.state);
  const n = decision.notify;
  if (n) {
    d.groups.push(n);
    const kind = n.kind === 'resolved' ? 'recovered' : n.kind === 'reminder' ? 'reminder' : 'fired';
    d.history.push(
      historyEntry(ctx, kind, decision.state.group, `${kind} (value ${n.value}, ${n.matches} matches, ${n.suppressed} suppressed)`, {
        value: n.value,
        matches: n.matches,
        suppressed: n.suppressed,
        window: n.window,
        events: n.events.map((e) => e.id),
        ...(n.terms ? { terms: n.terms } : {}),
      }),
    );
  }
  if (decision.history) d.history.push(decision.history);
}

/** The state machine of one group: ok ⇄ firing, with throttle and recovery. */
function decideGroup(ctx: DecideContext, prev: GroupState | undefined, r: GroupResult, at: number): Decision {
  const { rule } = ctx;
  const throttle = durationMs(rule.throttle);
  const before: GroupState = prev ?? { group: r.group, status: 'ok', lastNotifiedAt: null, suppressed: 0, since: null, value: 0 };
  const throttled = before.lastNotifiedAt !== null && at - before.lastNotifiedAt < throttle;
  const events = r.events.map((e) => summarizeEvent(e, ctx.baseUrl));
  const notify = (kind: GroupNotification['kind'], suppressed: number) =>
    group(kind, r.group, r.value, r.matches, suppressed, r.from, r.to, events, r.terms);

  if (isEventCondition(rule.condition)) {
    if (!r.matched) return { state: before };
    if (throttled) {
      return {
        state: { ...before, suppressed: before.suppressed + r.matches, value: r.value },
        history: historyEntry(ctx, 'suppressed', r.group, `${r.matches} matches held back by the throttle`, { matches: r.matches }),
      };
    }
    return { state: { ...before, suppressed: 0, lastNotifiedAt: at, value: r.value }, notify: notify('firing', before.suppressed) };
  }

  if (r.matched) {
    if (before.status === 'ok') {
      const firing: GroupState = { ...before, status: 'firing', since: at, value: r.value };
      if (throttled) {
        return {
          state: { ...firing, suppressed: before.suppressed + r.matches },
          history: historyEntry(ctx, 'suppressed', r.group, `fired again within the throttle (value ${r.value})`, { value: r.value }),
        };
      }
      return { state: { ...firing, suppressed: 0, lastNotifiedAt: at }, notify: notify('firing', before.suppressed) };
    }
    // Still firing: a reminder once the throttle has passed (no throttle = no reminders).
    if (throttle > 0 && !throttled) {
      return { state: { ...before, value: r.value, suppressed: 0, lastNotifiedAt: at }, notify: notify('reminder', before.suppressed) };
    }
    return { state: { ...before, value: r.value } };
  }
  if (before.status === 'firing') {
    const ok: GroupState = { ...before, status: 'ok', since: null, value: r.value };
    if (rule.notifyRecovery) return { state: ok, notify: notify('resolved', 0) };
    return { state: ok, history: historyEntry(ctx, 'recovered', r.group, `condition cleared (value ${r.value})`, { value: r.value }) };
  }
  return { state: { ...before, value: r.value } };
}

function group(
  kind: GroupNotification['kind'],
  groupValue: string,
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
    group: groupValue,
    value,
    matches,
    suppressed,
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    ...(terms ? { terms } : {}),
    events,
  };
}

/** A history entry of the rule, written at `ctx.now()`. */
export function historyEntry(
  ctx: Pick<DecideContext, 'rule' | 'now'>,
  kind: HistoryEntry['kind'],
  groupValue: string,
  message: string,
  detail?: Record<string, unknown>,
): HistoryEntry {
  const { rule } = ctx;
  return { id: newId(), team: rule.team, ruleId: rule.id, at: ctx.now(), kind, group: groupValue, message, ...(detail ? { detail } : {}) };
}
