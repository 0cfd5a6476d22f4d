/**
 * The scheduler's promises: a slow rule does not hold back the others, and a rule still
 * running from the previous tick is not started again. The event store is wrapped so that one
 * team's queries wait at a gate until the test opens it: the slow rule stays slow for exactly
 * as long as the test needs, on however loaded a machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/deliverer.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { AlertScheduler } from '../../src/alerts/scheduler.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import type { AuditStore } from '../../src/store/interface.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-alert-scheduler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real store, with every query of `team` held until `gate` resolves. */
function slowFor(store: AuditStore, team: string, gate: Promise<void>, calls: { n: number }): AuditStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (args[0] === team) {
          calls.n++;
          await gate;
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

it('a slow rule neither holds back other rules nor runs twice at once', async () => {
  const store = new SqliteStore({ dataDir: join(dir, 'events') });
  const state = new SqliteAlertStateStore(join(dir, 'alerts.db'));
  try {
    const service = new AlertService({ state });
    const slow = await service.createRule('slow-team', { name: 'slow', query: '', condition: { type: 'any' } });
    const fast = await Promise.all(
      ['fast-1', 'fast-2', 'fast-3'].map((team) => service.createRule(team, { name: team, query: '', condition: { type: 'any' } })),
    );
    const calls = { n: 0 };
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const engine = new AlertEngine({ store: slowFor(store, 'slow-team', gate, calls), state, ingestDelayMs: 0 });
    const scheduler = new AlertScheduler({ engine, deliverer: new Deliverer({ state }), state, concurrency: 2 });
    await scheduler.reload();
    const rules = await state.listEnabledRules();

    const first = scheduler.runRules(rules);
    // The fast rules finish while the slow one waits in its first query (with a concurrency of
    // two, the slow rule holds one slot the whole time).
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const cursors = await Promise.all(fast.map((r) => state.getCursor(r.id)));
      if (cursors.every((c) => c.watermark !== null)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await Promise.all(fast.map((r) => state.getCursor(r.id)))).every((c) => c.watermark !== null)).toBe(true);
    expect((await state.getCursor(slow.id)).watermark).toBeNull();
    expect(calls.n).toBeGreaterThan(0);

    // A second tick while the slow rule still runs: it is skipped, not started in parallel.
    const callsBefore = calls.n;
    await scheduler.runRules(rules.filter((r) => r.id === slow.id));
    expect(calls.n).toBe(callsBefore);
    open();
    await first;
    expect((await state.getCursor(slow.id)).watermark).not.toBeNull();
  } finally {
    await state.close();
    await store.close();
  }
});
