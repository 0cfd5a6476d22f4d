/**
 * node-cron drives the engine: one cron task per distinct schedule expression (not one per
 * rule, so 1,000 rules on "every minute" are one timer), and one task for the outbox. A tick
 * runs each team's due rules as one engine cycle (one shared read of the team's events), the
 * teams as their own promises under a concurrency cap: a slow team delays no other team's
 * start beyond the cap, and a rule still running from the last tick is not started again.
 * Across instances, the engine's lease keeps a rule to one evaluator.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { AlertRule } from './model.ts';
import type { AlertEngine } from './engine.ts';
import type { Deliverer } from './deliverer.ts';
import type { AlertStateStore } from './state-store.ts';

export interface SchedulerOptions {
  engine: AlertEngine;
  deliverer: Deliverer;
  state: AlertStateStore;
  /** Teams evaluated at once. Default 4. */
  concurrency?: number;
  /** Outbox pass schedule. Default every 5 seconds. */
  deliverySchedule?: string;
  /** Re-read the rule list (changes made by other instances). Default every 30 s. */
  reloadSchedule?: string;
  onError?: (err: unknown, rule?: AlertRule) => void;
}

export class AlertScheduler {
  readonly #o: SchedulerOptions;
  readonly #tasks = new Map<string, ScheduledTask>();
  readonly #rulesBySchedule = new Map<string, AlertRule[]>();
  readonly #running = new Set<string>();
  readonly #queue: Array<() => Promise<void>> = [];
  #active = 0;
  #system: ScheduledTask[] = [];
  #started = false;

  constructor(o: SchedulerOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.reload();
    this.#system = [
      cron.schedule(this.#o.deliverySchedule ?? '*/5 * * * * *', () => this.#safe(() => this.#o.deliverer.runOnce()), {
        name: 'alert-outbox',
        noOverlap: true,
      }),
      cron.schedule(this.#o.reloadSchedule ?? '*/30 * * * * *', () => this.#safe(() => this.reload()), { name: 'alert-reload', noOverlap: true }),
    ];
  }

  /** Re-reads the enabled rules and adjusts the cron tasks; call after a rule changes. */
  async reload(): Promise<void> {
    const rules = await this.#o.state.listEnabledRules();
    this.#rulesBySchedule.clear();
    for (const r of rules) {
      const list = this.#rulesBySchedule.get(r.schedule) ?? [];
      list.push(r);
      this.#rulesBySchedule.set(r.schedule, list);
    }
    if (!this.#started) return;
    for (const [expr, task] of this.#tasks) {
      if (!this.#rulesBySchedule.has(expr)) {
        await task.destroy();
        this.#tasks.delete(expr);
      }
    }
    for (const expr of this.#rulesBySchedule.keys()) {
      if (this.#tasks.has(expr)) continue;
      this.#tasks.set(expr, cron.schedule(expr, () => this.tick(expr), { name: `alerts ${expr}` }));
    }
  }

  /** Starts every rule of one schedule (what a cron tick does); resolves when all are done. */
  tick(expr: string): Promise<void> {
    const rules = this.#rulesBySchedule.get(expr) ?? [];
    return this.runRules(rules);
  }

  /**
   * Runs the given rules, team by team under the concurrency cap, skipping rules still
   * running. A rule that fails is recorded by the engine (history, onError); the others go on.
   */
  runRules(rules: readonly AlertRule[]): Promise<void> {
    const byTeam = new Map<string, AlertRule[]>();
    for (const rule of rules) {
      if (this.#running.has(rule.id)) continue;
      this.#running.add(rule.id);
      const list = byTeam.get(rule.team);
      if (list) list.push(rule);
      else byTeam.set(rule.team, [rule]);
    }
    return Promise.all(
      [...byTeam.values()].map((teamRules) =>
        this.#limit(async () => {
          try {
            // The rule as stored now: the list may be up to 30 s old (reload schedule).
            const ids = new Set(teamRules.map((r) => r.id));
            const current = (await this.#o.state.listRules(teamRules[0]!.team)).filter((r) => ids.has(r.id));
            await this.#o.engine.runCycle(current);
          } catch (err) {
            this.#o.onError?.(err);
          } finally {
            for (const rule of teamRules) this.#running.delete(rule.id);
          }
        }),
      ),
    ).then(() => undefined);
  }

  #limit(job: () => Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const run = async () => {
        this.#active++;
        try {
          await job();
        } finally {
          this.#active--;
          resolve();
          this.#queue.shift()?.();
        }
      };
      if (this.#active < (this.#o.concurrency ?? 4)) void run();
      else this.#queue.push(run);
    });
  }

  async #safe(job: () => Promise<unknown>) {
    try {
      await job();
    } catch (err) {
      this.#o.onError?.(err);
    }
  }

  async stop(): Promise<void> {
    this.#started = false;
    for (const t of [...this.#tasks.values(), ...this.#system]) await t.destroy();
    this.#tasks.clear();
    this.#system = [];
  }
}
