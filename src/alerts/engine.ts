/**
 * Runs a rule: take its lease, then plan (which windows, from the watermark to
 * `now - ingestDelay`), evaluate each window through the rule's condition module, decide per
 * group what to notify (state, throttle, recovery), and commit all of it (watermark, group
 * states, outbox, history) in one compare-and-set. A crash before the commit repeats the
 * evaluation; a commit never happens twice for one window. The clock is explicit so windows,
 * catch-up and throttling are testable without waiting.
 */
import { newId } from './ids.ts';
import type { QueryNode } from '../query/ast.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore } from '../store/interface.ts';
import { buildCommit } from './commit.ts';
import { evaluateWindow, type RuleReader, storeReader } from './conditions/index.ts';
import { type DecideContext, decideWindow, firingGroups, historyEntry, startDecisions } from './decide.ts';
import { durationMs, formatDuration } from './duration.ts';
import type { AlertRule } from './model.ts';
import { planWindows } from './plan.ts';
import type { AlertStateStore, HistoryEntry } from './state-store.ts';

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
      await this.#failed(rule, err);
      throw err;
    } finally {
      await this.#state.releaseLease(rule.id, this.owner);
    }
  }

  /** A failed evaluation is recorded in the rule's history (the API shows it); nothing else of it is committed. */
  async #failed(rule: AlertRule, err: unknown): Promise<void> {
    this.#onError?.(rule, err);
    const entry = historyEntry(this.#ctx(rule), 'error', '', `evaluation failed: ${(err as Error).message}`);
    await this.#state.appendHistory([entry]).catch(() => undefined);
  }

  #ctx(rule: AlertRule): DecideContext {
    return { rule, baseUrl: this.#baseUrl, now: this.#now };
  }

  #reader(rule: AlertRule): RuleReader {
    return storeReader(this.#store, { team: rule.team, query: this.#query(rule), groupBy: rule.groupBy, topEvents: this.#topEvents }, this.#fetchLimit);
  }

  async #evaluate(rule: AlertRule): Promise<RunResult> {
    const windowMs = durationMs(rule.window);
    const reader = this.#reader(rule);
    const ctx = this.#ctx(rule);
    let windows = 0;
    let notifications = 0;
    for (;;) {
      // plan
      const cursor = await this.#state.getCursor(rule.id);
      const plan = planWindows({
        watermark: cursor.watermark,
        now: this.#now(),
        ingestDelayMs: this.#delay,
        windowMs,
        maxCatchUpMs: this.#maxCatchUp,
        perCommit: this.#perCommit,
      });
      if (plan === null) return windows === 0 ? { status: 'idle' } : { status: 'done', windows, notifications, watermark: cursor.watermark! };
      const history: HistoryEntry[] = [];
      if (plan.skipped) history.push(this.#skipped(rule, plan.skipped));
      // evaluate and decide, window by window (each window sees the states the previous one left)
      const d = startDecisions(await this.#state.getGroupStates(rule.id), history);
      let pieceStart = plan.start;
      for (const pieceEnd of plan.ends) {
        const results = await evaluateWindow(reader, {
          condition: rule.condition,
          groupBy: rule.groupBy,
          windowMs,
          start: pieceStart,
          end: pieceEnd,
          firingGroups: firingGroups(d),
          topEvents: this.#topEvents,
        });
        decideWindow(ctx, d, results, pieceStart, pieceEnd);
        pieceStart = pieceEnd;
        windows++;
      }
      // commit
      const watermark = plan.ends.at(-1)!;
      if (d.groups.length > 0) notifications++;
      if (!(await this.#state.commitEvaluation(buildCommit(rule, this.owner, cursor, watermark, d, this.#now()), this.#now()))) {
        return { status: 'conflict' };
      }
      if (plan.complete) return { status: 'done', windows, notifications, watermark };
      if (!(await this.#state.acquireLease(rule.id, this.owner, this.#now(), this.#leaseMs))) return { status: 'busy' };
    }
  }

  #skipped(rule: AlertRule, { from, to }: { from: number; to: number }): HistoryEntry {
    return historyEntry(
      this.#ctx(rule),
      'skipped',
      '',
      `not evaluated: ${new Date(from).toISOString()} to ${new Date(to).toISOString()} (longer ago than the catch-up limit of ${formatDuration(this.#maxCatchUp)})`,
      { from, to },
    );
  }

  #query(rule: AlertRule): QueryNode {
    const cached = this.#queries.get(rule.id);
    if (cached && cached.text === rule.query) return cached.ast;
    const ast = parseQuery(rule.query);
    this.#queries.set(rule.id, { text: rule.query, ast });
    return ast;
  }
}
