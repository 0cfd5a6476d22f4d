/**
 * Runs rules: take each rule's lease, then plan (which windows, from the watermark to
 * `now - ingestDelay`), evaluate each window through the rule's condition module, decide per
 * group what to notify (state, throttle, recovery), and commit all of it (watermark, group
 * states, outbox, history) in one compare-and-set. A crash before the commit repeats the
 * evaluation; a commit never happens twice for one window. The clock is explicit so windows,
 * catch-up and throttling are testable without waiting.
 *
 * Two ways to read events, with the same answers (test/alerts/paths.test.ts compares their
 * notifications): the rules of a team that are due for one window (the steady state of the
 * scheduler's tick) share one read of the time range their windows need (window-cache.ts)
 * and are matched in memory; a rule in catch-up, or whose range holds more events than
 * `windowMaxEvents`, asks the store itself, query by query. A rule whose evaluation fails
 * (a query the store refuses, a store error or timeout) is recorded as failing in its
 * history and the other rules of the cycle go on.
 */
import { newId } from './ids.ts';
import type { QueryNode } from '../query/ast.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore } from '../store/interface.ts';
import { buildCommit } from './commit.ts';
import { evaluateWindow, type RuleReader, storeReader, windowRanges } from './conditions/index.ts';
import type { RuleQuery } from './conditions/reader.ts';
import { type DecideContext, type Decisions, decideWindow, firingGroups, historyEntry, startDecisions } from './decide.ts';
import { durationMs, formatDuration } from './duration.ts';
import type { AlertRule } from './model.ts';
import { planWindows, type WindowPlan } from './plan.ts';
import type { AlertStateStore, EvaluationCommit, GroupState, HistoryEntry, RuleCursor } from './state-store.ts';
import { memoryReader, WindowCache } from './window-cache.ts';

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
  /**
   * Most events a team's shared read may hold (the time range the due rules' windows need);
   * above it those rules ask the store one by one. 0 turns the shared read off. Default 50,000.
   */
  windowMaxEvents?: number;
  /** Rules of one team evaluated at once (their store reads of a step travel together on Elasticsearch). Default 32. */
  ruleConcurrency?: number;
  onError?: (rule: AlertRule, err: unknown) => void;
  /** Called after each rule's evaluation with how long it took (the shared read, state and commits aside): benchmarks. */
  onEvaluated?: (rule: AlertRule, ms: number) => void;
}

export type RunResult =
  /** `read`: the team's shared read matched in memory, or the rule's own store queries. */
  | { status: 'done'; windows: number; notifications: number; watermark: number; read: 'shared' | 'store' }
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'conflict' }
  | { status: 'disabled' }
  /** The evaluation failed; its history has an `error` entry. */
  | { status: 'failed'; error: string };

/** A rule due for exactly one window, which the team's shared read can serve. */
interface Due {
  rule: AlertRule;
  cursor: RuleCursor;
  plan: WindowPlan;
  /** The time range its window reads. */
  range: { from: number; to: number };
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
  readonly #windowMax: number;
  readonly #ruleConcurrency: number;
  readonly #onError: ((rule: AlertRule, err: unknown) => void) | undefined;
  readonly #onEvaluated: EngineOptions['onEvaluated'];
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
    this.#windowMax = o.windowMaxEvents ?? 50_000;
    this.#ruleConcurrency = o.ruleConcurrency ?? 32;
    this.#onError = o.onError;
    this.#onEvaluated = o.onEvaluated;
  }

  get now(): number {
    return this.#now();
  }

  /**
   * Evaluates one rule up to now; safe to call from several instances at once. A failed
   * evaluation is recorded in the rule's history and thrown.
   */
  async runRule(ruleOrId: AlertRule | string): Promise<RunResult> {
    const rule = typeof ruleOrId === 'string' ? await this.#state.getRuleById(ruleOrId) : ruleOrId;
    if (!rule || !rule.enabled) return { status: 'disabled' };
    const errors = new Map<string, unknown>();
    const result = (await this.#runTeam(rule.team, [rule], errors)).get(rule.id)!;
    if (errors.has(rule.id)) throw errors.get(rule.id);
    return result;
  }

  /**
   * Evaluates rules up to now (the scheduler's tick): per team, the rules due for one window
   * share one read of their events. Never throws for a rule: a failed one is recorded in its
   * history and reported as `failed`, and the others go on.
   */
  async runCycle(rules: readonly AlertRule[]): Promise<Map<string, RunResult>> {
    const byTeam = new Map<string, AlertRule[]>();
    for (const rule of rules) {
      const list = byTeam.get(rule.team);
      if (list) list.push(rule);
      else byTeam.set(rule.team, [rule]);
    }
    const results = new Map<string, RunResult>();
    for (const [team, teamRules] of byTeam) for (const [id, r] of await this.#runTeam(team, teamRules)) results.set(id, r);
    return results;
  }

  /**
   * The rules of one team: leases, plans, one shared read for those due for one window, the
   * rest one by one. State is read and written for all of them at once (one round trip or
   * transaction per step). What a failed rule threw goes to `errors`.
   */
  async #runTeam(team: string, rules: readonly AlertRule[], errors = new Map<string, unknown>()): Promise<Map<string, RunResult>> {
    const results = new Map<string, RunResult>();
    const fail = async (rule: AlertRule, err: unknown) => {
      errors.set(rule.id, err);
      results.set(rule.id, await this.#failed(rule, err));
    };
    const enabled = rules.filter((r) => r.enabled);
    for (const r of rules) if (!r.enabled) results.set(r.id, { status: 'disabled' });
    // The team's rules are evaluated together: their store reads of one step travel together.
    const store = this.#store.batched?.() ?? this.#store;
    const held = await this.#state.acquireLeases(enabled.map((r) => r.id), this.owner, this.#now(), this.#leaseMs);
    const mine = enabled.filter((r) => held.has(r.id));
    for (const r of enabled) if (!held.has(r.id)) results.set(r.id, { status: 'busy' });
    try {
      const due: Due[] = [];
      const alone: AlertRule[] = [];
      const cursors = await this.#state.getCursors(mine.map((r) => r.id));
      for (const rule of mine) {
        try {
          const d = this.#due(rule, cursors.get(rule.id)!);
          if (d === null) results.set(rule.id, { status: 'idle' });
          else if (d === undefined) alone.push(rule);
          else due.push(d);
        } catch (err) {
          await fail(rule, err);
        }
      }
      const cache = due.length > 0 && this.#windowMax > 0 ? await this.#sharedRead(store, team, due) : null;
      const shared = cache ? due.filter((d) => d.range.from >= cache.from) : [];
      for (const d of due) if (!shared.includes(d)) alone.push(d.rule);
      if (cache && shared.length > 0) await this.#evaluateShared(store, shared, cache, results, fail);
      await runLimited(
        alone.map((rule) => async () => {
          const started = performance.now();
          try {
            results.set(rule.id, await this.#evaluate(rule, store));
          } catch (err) {
            await fail(rule, err);
          }
          this.#onEvaluated?.(rule, performance.now() - started);
        }),
        this.#ruleConcurrency,
      );
    } catch (err) {
      // The state store failed for the whole team: every rule not yet settled failed with it.
      for (const rule of mine) if (!results.has(rule.id)) await fail(rule, err);
    } finally {
      await this.#state.releaseLeases(mine.map((r) => r.id), this.owner).catch((err: unknown) => this.#onError?.(mine[0]!, err));
    }
    return results;
  }

  /**
   * The rules served by the shared read: each one's windows decided from its matches in
   * memory (rules at once, so their look-back reads overlap), then every commit in one go.
   */
  async #evaluateShared(
    store: AuditStore,
    due: Due[],
    cache: WindowCache,
    results: Map<string, RunResult>,
    fail: (rule: AlertRule, err: unknown) => Promise<void>,
  ): Promise<void> {
    const states = await this.#state.getGroupStatesOf(due.map((d) => d.rule.id));
    const commits: Array<{ d: Due; commit: EvaluationCommit; notified: boolean }> = [];
    const now = Date.now();
    await runLimited(
      due.map((d) => async () => {
        const started = performance.now();
        try {
          const reader = memoryReader(cache, d.range, this.#ruleQuery(d.rule), this.#reader(d.rule, store), now);
          const decisions = await this.#decidePlan(d.rule, d.plan, states.get(d.rule.id) ?? [], reader);
          commits.push({ d, commit: buildCommit(d.rule, this.owner, d.cursor, d.plan.ends.at(-1)!, decisions, this.#now()), notified: decisions.groups.length > 0 });
        } catch (err) {
          await fail(d.rule, err);
        }
        this.#onEvaluated?.(d.rule, performance.now() - started);
      }),
      this.#ruleConcurrency,
    );
    const applied = await this.#state.commitEvaluations(
      commits.map((c) => c.commit),
      this.#now(),
    );
    commits.forEach((c, i) => {
      results.set(
        c.d.rule.id,
        applied[i] ? { status: 'done', windows: c.d.plan.ends.length, notifications: c.notified ? 1 : 0, watermark: c.commit.watermark, read: 'shared' } : { status: 'conflict' },
      );
    });
  }

  /** The rule's one window when it is due for exactly one (the steady state); null when it is up to date; undefined for catch-up. */
  #due(rule: AlertRule, cursor: RuleCursor): Due | null | undefined {
    const windowMs = durationMs(rule.window);
    const plan = this.#plan(cursor, windowMs);
    if (plan === null) return null;
    if (plan.ends.length !== 1 || !plan.complete || plan.skipped) return undefined;
    const ranges = windowRanges({ ...this.#input(rule, windowMs, plan.start, plan.ends[0]!), firingGroups: [] });
    const range = { from: Math.min(...ranges.map((r) => r.from)), to: Math.max(...ranges.map((r) => r.to)) };
    return { rule, cursor, plan, range };
  }

  /**
   * One read of the team's events for the due rules: the widest range whose events stay
   * within windowMaxEvents (counted first, cheaply); rules that need more ask the store. Null
   * when no range fits or the read fails (then every rule asks the store, and fails alone).
   */
  async #sharedRead(store: AuditStore, team: string, due: Due[]): Promise<WindowCache | null> {
    const to = Math.max(...due.map((d) => d.range.to));
    const starts = [...new Set(due.map((d) => d.range.from))].sort((a, b) => a - b);
    try {
      for (const from of starts) {
        if ((await store.count(team, { query: null, from, to })) > this.#windowMax) continue;
        return await WindowCache.read(store, team, from, to, this.#windowMax);
      }
    } catch {
      // The store failed: each rule then reads for itself, and a rule that fails is recorded.
    }
    return null;
  }

  /** A failed evaluation is recorded in the rule's history (the API shows it); nothing else of it is committed. */
  async #failed(rule: AlertRule, err: unknown): Promise<RunResult> {
    this.#onError?.(rule, err);
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown }).code;
    const entry = historyEntry(this.#ctx(rule), 'error', '', `evaluation failed: ${message}`, typeof code === 'string' ? { code } : undefined);
    await this.#state.appendHistory([entry]).catch(() => undefined);
    return { status: 'failed', error: message };
  }

  #ctx(rule: AlertRule): DecideContext {
    return { rule, baseUrl: this.#baseUrl, now: this.#now };
  }

  #ruleQuery(rule: AlertRule): RuleQuery {
    return { team: rule.team, query: this.#query(rule), groupBy: rule.groupBy, topEvents: this.#topEvents };
  }

  #reader(rule: AlertRule, store: AuditStore): RuleReader {
    return storeReader(store, this.#ruleQuery(rule), this.#fetchLimit);
  }

  #plan(cursor: RuleCursor, windowMs: number): WindowPlan | null {
    return planWindows({
      watermark: cursor.watermark,
      now: this.#now(),
      ingestDelayMs: this.#delay,
      windowMs,
      maxCatchUpMs: this.#maxCatchUp,
      perCommit: this.#perCommit,
    });
  }

  #input(rule: AlertRule, windowMs: number, start: number, end: number) {
    return { condition: rule.condition, groupBy: rule.groupBy, windowMs, start, end, topEvents: this.#topEvents };
  }

  /** Evaluates and decides the plan's windows in order: each sees the states the previous one left. */
  async #decidePlan(rule: AlertRule, plan: WindowPlan, states: GroupState[], reader: RuleReader): Promise<Decisions> {
    const windowMs = durationMs(rule.window);
    const ctx = this.#ctx(rule);
    const d = startDecisions(states, plan.skipped ? [this.#skipped(rule, plan.skipped)] : []);
    let pieceStart = plan.start;
    for (const pieceEnd of plan.ends) {
      const results = await evaluateWindow(reader, { ...this.#input(rule, windowMs, pieceStart, pieceEnd), firingGroups: firingGroups(d) });
      decideWindow(ctx, d, results, pieceStart, pieceEnd);
      pieceStart = pieceEnd;
    }
    return d;
  }

  /** Decides the plan's windows, then commits them. */
  async #commitPlan(
    rule: AlertRule,
    cursor: RuleCursor,
    plan: WindowPlan,
    reader: RuleReader,
  ): Promise<{ status: 'conflict' } | { status: 'done'; windows: number; notifications: number; watermark: number }> {
    const d = await this.#decidePlan(rule, plan, await this.#state.getGroupStates(rule.id), reader);
    const watermark = plan.ends.at(-1)!;
    if (!(await this.#state.commitEvaluation(buildCommit(rule, this.owner, cursor, watermark, d, this.#now()), this.#now()))) {
      return { status: 'conflict' };
    }
    return { status: 'done', windows: plan.ends.length, notifications: d.groups.length > 0 ? 1 : 0, watermark };
  }

  /** The rule on its own: its windows from the watermark, each commit of at most windowsPerCommit windows, reading the store. */
  async #evaluate(rule: AlertRule, store: AuditStore): Promise<RunResult> {
    const windowMs = durationMs(rule.window);
    const reader = this.#reader(rule, store);
    let windows = 0;
    let notifications = 0;
    for (;;) {
      const cursor = await this.#state.getCursor(rule.id);
      const plan = this.#plan(cursor, windowMs);
      if (plan === null) return windows === 0 ? { status: 'idle' } : { status: 'done', windows, notifications, watermark: cursor.watermark!, read: 'store' };
      const r = await this.#commitPlan(rule, cursor, plan, reader);
      if (r.status === 'conflict') return r;
      windows += r.windows;
      notifications += r.notifications;
      if (plan.complete) return { status: 'done', windows, notifications, watermark: r.watermark, read: 'store' };
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

/** Runs jobs with at most `limit` at once. */
async function runLimited(jobs: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
