/**
 * Persisted alert state: rules, saved searches, per-rule watermarks and leases, per-group
 * state, the delivery outbox and the history. Lives beside the control state, so several
 * instances share it; every write that matters for "fire once" is a compare-and-set.
 */
import type { SavedSearchStore } from '../saved-searches/model.ts';
import type { AlertRule } from './model.ts';

export type GroupStatus = 'ok' | 'firing';

/** State of one rule for one group value (`''` when the rule has no group-by). */
export interface GroupState {
  group: string;
  status: GroupStatus;
  /** Window end of the last notification sent for this group (evaluation time, epoch ms). */
  lastNotifiedAt: number | null;
  /** Matches seen while throttled; reported (and reset) with the next notification. */
  suppressed: number;
  /** When the group started firing (evaluation time). */
  since: number | null;
  /** Last measured value (count, cardinality…), for the history and recovery message. */
  value: number;
}

export interface RuleCursor {
  /** End of the last evaluated window (exclusive), epoch ms; null before the first run. */
  watermark: number | null;
  /** Bumped by every commit; commits carry the version they read. */
  version: number;
}

export type HistoryKind = 'fired' | 'reminder' | 'recovered' | 'suppressed' | 'delivered' | 'delivery_failed' | 'gave_up' | 'skipped' | 'error';

export interface HistoryEntry {
  id: string;
  team: string;
  ruleId: string;
  at: number;
  kind: HistoryKind;
  /** Group value, or '' for ungrouped rules and rule-level entries. */
  group: string;
  message: string;
  detail?: Record<string, unknown>;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

export interface OutboxEntry {
  id: string;
  team: string;
  ruleId: string;
  /** Channel id within the rule; the channel itself is read from the rule at send time. */
  channelId: string;
  /** The notification, as sent (JSON). */
  payload: Record<string, unknown>;
  attempts: number;
  nextAttemptAt: number;
  status: OutboxStatus;
  lastError: string | null;
  createdAt: number;
}

/** Everything one evaluation changes, applied atomically (or not at all). */
export interface EvaluationCommit {
  ruleId: string;
  owner: string;
  /** The cursor version read before evaluating: the commit fails if someone else moved it. */
  expectedVersion: number;
  watermark: number;
  /** Groups whose state changed (upserted); groups set to ok with nothing pending may be deleted. */
  states: GroupState[];
  outbox: OutboxEntry[];
  history: HistoryEntry[];
}

/** Saved searches persist in the same backend (SavedSearchStore), so one store serves both. */
export interface AlertStateStore extends SavedSearchStore {
  // rules
  insertRule(rule: AlertRule): Promise<void>;
  /** Replaces a rule; false when it does not exist in that team. */
  updateRule(rule: AlertRule): Promise<boolean>;
  getRule(team: string, id: string): Promise<AlertRule | null>;
  /** Any team: the scheduler's view. */
  getRuleById(id: string): Promise<AlertRule | null>;
  listRules(team: string): Promise<AlertRule[]>;
  /** Every enabled rule of every team (the scheduler's view). */
  listEnabledRules(): Promise<AlertRule[]>;
  deleteRule(team: string, id: string): Promise<boolean>;

  // evaluation
  /**
   * Takes (or renews) the lease of a rule for `owner` until `now + ttlMs`; false when another
   * owner holds an unexpired lease.
   */
  acquireLease(ruleId: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(ruleId: string, owner: string): Promise<void>;
  getCursor(ruleId: string): Promise<RuleCursor>;
  getGroupStates(ruleId: string): Promise<GroupState[]>;
  /**
   * Applies an evaluation if `owner` still holds the lease and the cursor is still at
   * `expectedVersion`; false (and nothing written) otherwise.
   */
  commitEvaluation(commit: EvaluationCommit, now: number): Promise<boolean>;

  // evaluation of many rules at once (the engine's cycle): the same, in one round trip each
  /** acquireLease for each rule; the ids whose lease `owner` now holds. */
  acquireLeases(ruleIds: string[], owner: string, now: number, ttlMs: number): Promise<Set<string>>;
  releaseLeases(ruleIds: string[], owner: string): Promise<void>;
  getCursors(ruleIds: string[]): Promise<Map<string, RuleCursor>>;
  getGroupStatesOf(ruleIds: string[]): Promise<Map<string, GroupState[]>>;
  /** commitEvaluation for each commit, each on its own condition; whether each was applied, in order. */
  commitEvaluations(commits: EvaluationCommit[], now: number): Promise<boolean[]>;

  // delivery
  /**
   * Claims up to `limit` pending outbox entries due at `now` for `owner` until `now + ttlMs`
   * (an instance that dies mid-send releases them by expiry).
   */
  claimDeliveries(owner: string, now: number, ttlMs: number, limit: number): Promise<OutboxEntry[]>;
  /** Records the result of one attempt; entries claimed by another owner are left alone. */
  finishDelivery(
    id: string,
    owner: string,
    result: { status: OutboxStatus; attempts: number; nextAttemptAt: number; lastError: string | null },
    history: HistoryEntry,
  ): Promise<boolean>;
  listOutbox(ruleId: string): Promise<OutboxEntry[]>;

  // history
  appendHistory(entries: HistoryEntry[]): Promise<void>;
  listHistory(team: string, ruleId: string, options?: { limit?: number; before?: number }): Promise<HistoryEntry[]>;

  close(): Promise<void>;
}
