/**
 * Alert scheduler benchmark: `node bench/alerts.bench.ts`
 * (BENCH_EVENTS=100000 BENCH_RULES=200 for a quick run).
 *
 * Builds BENCH_EVENTS (default 1,000,000) events in one team of an SqliteStore, spread over
 * the 7 days before "now" (so a 5-minute window holds ~500 events at 1M), then creates
 * BENCH_RULES (default 1,000) enabled rules of every condition type with realistic queries,
 * and times scheduler cycles on an explicit clock:
 *   cycle 1: every rule's first evaluation (one full window each);
 *   cycle 2: one minute later, the steady state (a one-minute step; windows slide).
 * Reports the cycle time, the time per rule (mean, p50, p95, max) and per condition type.
 * The baseline is the store itself: one `count` of each rule's query over its window, the
 * least any evaluation must do, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEngine } from '../src/alerts/engine.ts';
import { Deliverer } from '../src/alerts/deliverer.ts';
import type { RuleInput } from '../src/alerts/model.ts';
import { AlertScheduler } from '../src/alerts/scheduler.ts';
import { AlertService } from '../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../src/alerts/sqlite-state-store.ts';
import { durationMs } from '../src/alerts/duration.ts';
import type { StoredEvent } from '../src/events/event.ts';
import { parseQuery } from '../src/query/parse.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { rng } from '../src/demo/generate.ts';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RULES = Number(process.env.BENCH_RULES ?? 1_000);
const TEAM = 'bench';
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const SPAN = 7 * 86_400_000;

const USERS = Array.from({ length: 2000 }, (_, i) => `user${i}@example${i % 7}.com`);
const IPS = Array.from({ length: 5000 }, (_, i) => `${10 + (i % 200)}.${(i * 7) % 256}.${(i * 13) % 256}.${((i * 31) % 254) + 1}`);
const ACTIONS = [
  'login', 'logout', 'user-login', 'POST:/api/v1/user/login', 'password-reset', 'role-granted', 'user-promote', 'api-key-created',
  'POST:/api/v1/company/saml/metadata', 'export', 'read', 'POST:/api/v1/logquery', 'update', 'create', 'delete', 'rule-update',
];
const CATEGORY: Record<string, string> = { login: 'authentication', 'user-login': 'authentication', 'role-granted': 'iam', export: 'file' };

function generate(i: number, r: () => number): StoredEvent {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const user = USERS[Math.floor(Math.pow(r(), 1.3) * USERS.length)]!;
  const action = pick(ACTIONS);
  const ts = NOW - SPAN + Math.floor((i / N) * SPAN);
  const id = `a${i.toString(36).padStart(8, '0')}`;
  const original = { user, action, ip: pick(IPS), ok: r() > 0.1 };
  return {
    id,
    team: TEAM,
    timestamp: ts,
    received: ts,
    format: 'generic',
    flags: [],
    ecs: {
      'event.action': action,
      'event.outcome': original.ok ? 'success' : 'failure',
      ...(CATEGORY[action] ? { 'event.category': [CATEGORY[action]!] } : {}),
      'user.email': user,
      'source.ip': original.ip,
    },
    original,
    raw: JSON.stringify(original),
  };
}

/** Rule templates of every condition type; `i` varies the query so rules are not identical. */
function ruleFor(i: number): RuleInput {
  const action = ACTIONS[i % ACTIONS.length]!;
  const user = USERS[(i * 37) % 200]!;
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
      return { name: `any ${i}`, query: `event.action:"${action}"`, window: '5m', condition: { type: 'any' } };
    case 3:
    case 4:
      return { name: `burst ${i}`, query: `event.outcome:failure AND event.action:*login*`, window: '10m', groupBy: 'user.email', condition: { type: 'count_above', threshold: 3 + (i % 5) } };
    case 5:
      return { name: `user ${i}`, query: `user.email:"${user}"`, window: '15m', condition: { type: 'count_above', threshold: 5 } };
    case 6:
      return { name: `flatline ${i}`, query: `event.action:"${action}"`, window: '1h', condition: { type: 'count_below', threshold: 1 } };
    case 7:
    case 8:
      return { name: `cardinality ${i}`, query: `event.action:*login*`, window: '10m', groupBy: 'user.email', condition: { type: 'cardinality', field: 'source.ip', threshold: 3 } };
    default:
      return { name: `new ip ${i}`, query: `event.action:"${action}" AND user.email:"${user}"`, window: '5m', groupBy: 'user.email', condition: { type: 'new_term', field: 'source.ip', lookback: '1d' } };
  }
}

const pct = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-alert-bench-'));
  const store = new SqliteStore({ dataDir: join(dir, 'events'), synchronous: 'NORMAL' });
  const state = new SqliteAlertStateStore(join(dir, 'alerts.db'));
  try {
    let t = performance.now();
    const r = rng(42);
    const BATCH = 5_000;
    for (let i = 0; i < N; i += BATCH) {
      await store.append(TEAM, Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => generate(i + k, r)));
      if ((i / BATCH) % 40 === 0) process.stdout.write(`\r  building: ${i.toLocaleString()} events`);
    }
    console.log(`\rbuilt ${N.toLocaleString()} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const clock = { now: NOW };
    const service = new AlertService({ state, now: () => clock.now });
    for (let i = 0; i < RULES; i++) await service.createRule(TEAM, ruleFor(i));
    const rules = await state.listEnabledRules();
    const engine = new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 30_000 });

    // Baseline: one count per rule over its window (what any evaluation needs at least).
    t = performance.now();
    for (const rule of rules) {
      await store.count(TEAM, { query: parseQuery(rule.query), from: NOW - 30_000 - durationMs(rule.window), to: NOW - 30_000 });
    }
    const baseline = performance.now() - t;

    const cycle = async (label: string) => {
      const perRule: number[] = [];
      const byType = new Map<string, number[]>();
      const start = performance.now();
      for (const rule of rules) {
        const s = performance.now();
        await engine.runRule(rule.id);
        const d = performance.now() - s;
        perRule.push(d);
        const list = byType.get(rule.condition.type) ?? [];
        list.push(d);
        byType.set(rule.condition.type, list);
      }
      const total = performance.now() - start;
      console.log(`\n${label}: ${rules.length} rules in ${(total / 1000).toFixed(2)} s`);
      console.log(`  per rule: mean ${ms(total / rules.length)}, p50 ${ms(pct(perRule, 50))}, p95 ${ms(pct(perRule, 95))}, max ${ms(Math.max(...perRule))}`);
      for (const [type, xs] of byType) {
        console.log(`  ${type.padEnd(12)} ${String(xs.length).padStart(4)} rules  mean ${ms(xs.reduce((a, b) => a + b, 0) / xs.length)}  p95 ${ms(pct(xs, 95))}`);
      }
      return total;
    };

    const first = await cycle('cycle 1 (first evaluation, one full window per rule)');
    clock.now += 60_000;
    const steady = await cycle('cycle 2 (one minute later: steady state)');

    // The same steady-state cycle through the scheduler (cron tick path, concurrency 4).
    clock.now += 60_000;
    const scheduler = new AlertScheduler({ engine, deliverer: new Deliverer({ state }), state, concurrency: 4 });
    await scheduler.reload();
    t = performance.now();
    await scheduler.runRules(rules);
    const viaScheduler = performance.now() - t;

    console.log(`\nbaseline (one count per rule over its window): ${(baseline / 1000).toFixed(2)} s, ${ms(baseline / rules.length)} per rule`);
    console.log(`scheduler tick (cycle 3, concurrency 4): ${(viaScheduler / 1000).toFixed(2)} s, ${ms(viaScheduler / rules.length)} per rule`);
    console.log(`summary: events=${N} rules=${rules.length} cycle1=${(first / 1000).toFixed(2)}s cycle2=${(steady / 1000).toFixed(2)}s tick=${(viaScheduler / 1000).toFixed(2)}s`);
  } finally {
    await state.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
