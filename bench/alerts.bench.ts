/**
 * Alert scheduler benchmark: `node bench/alerts.bench.ts`
 * (BENCH_EVENTS=100000 BENCH_RULES=200 for a quick run).
 *
 * BENCH_EVENTS (default 1,000,000) events of one team (bench/fixtures.ts alertEvent: a week
 * before "now", so a 5-minute window holds ~500 events at 1M) and BENCH_RULES (default 1,000)
 * enabled rules of every condition type with realistic queries (ruleFor), per store
 * (BENCH_STORES, default `sqlite` and, with ES_URL set, `elasticsearch`), timed on an explicit
 * clock, each path on its own alert state in the store's backend:
 *   baseline      one `count` of each rule's query over its window: the least any evaluation does;
 *   per rule      every rule asks the store itself (windowMaxEvents 0), rule after rule, as before;
 *   single pass   the engine's cycle: one read of the team's window, every rule matched in memory.
 * Cycle 1 is every rule's first evaluation (one full window each), cycle 2 the steady state one
 * minute later; the single pass also runs cycle 3 through AlertScheduler.runRules (the cron tick
 * path). Per-rule times: for the per-rule path each runRule; for the single pass each rule's
 * evaluation after the shared read (whose time is reported on its own). After cycle 2 the two
 * paths' notifications (outbox payloads, ids aside) are compared.
 *
 * Knobs: BENCH_PATHS (`baseline,per-rule,single-pass`), BENCH_DATA_DIR (keep the SQLite events
 * there and reuse them when they hold exactly BENCH_EVENTS), BENCH_KEEP=1 (keep the
 * Elasticsearch index `alertbench-bench.*` and reuse it likewise).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deliverer } from '../src/alerts/deliverer.ts';
import { durationMs } from '../src/alerts/duration.ts';
import { ElasticsearchAlertStateStore } from '../src/alerts/elasticsearch-state-store.ts';
import { AlertEngine, type RunResult } from '../src/alerts/engine.ts';
import type { AlertRule, RuleInput } from '../src/alerts/model.ts';
import { AlertScheduler } from '../src/alerts/scheduler.ts';
import { AlertService } from '../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../src/alerts/sqlite-state-store.ts';
import type { AlertStateStore } from '../src/alerts/state-store.ts';
import { parseQuery } from '../src/query/parse.ts';
import { ElasticsearchStore } from '../src/store/elasticsearch/store.ts';
import { teamPattern } from '../src/store/elasticsearch/naming.ts';
import type { AuditStore } from '../src/store/interface.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { ALERT_ACTIONS, ALERT_NOW, ALERT_USERS, alertEvent, percentile } from './fixtures.ts';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RULES = Number(process.env.BENCH_RULES ?? 1_000);
const STORES = (process.env.BENCH_STORES ?? (process.env.ES_URL ? 'sqlite,elasticsearch' : 'sqlite')).split(',').map((s) => s.trim());
const PATHS = new Set((process.env.BENCH_PATHS ?? 'baseline,per-rule,single-pass').split(',').map((s) => s.trim()));
const DATA_DIR = process.env.BENCH_DATA_DIR;
const KEEP = process.env.BENCH_KEEP === '1';
const TEAM = 'bench';
const ES_PREFIX = 'alertbench';
const DELAY = 30_000;
const MIN = 60_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)} ms`;
const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
const load = () => loadavg()[0]!.toFixed(1);
const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);

const webhook = [{ type: 'webhook' as const, url: 'https://hooks.example.com/bench' }];

/** Rule templates of every condition type; `i` varies the query so rules are not identical. */
function ruleFor(i: number): RuleInput {
  const action = ALERT_ACTIONS[i % ALERT_ACTIONS.length]!;
  const user = ALERT_USERS[(i * 37) % 200]!;
  const base = { channels: webhook };
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
      return { ...base, name: `any ${i}`, query: `event.action:"${action}"`, window: '5m', condition: { type: 'any' } };
    case 3:
    case 4:
      return { ...base, name: `burst ${i}`, query: `event.outcome:failure AND event.action:*login*`, window: '10m', groupBy: 'user.email', condition: { type: 'count_above', threshold: 3 + (i % 5) } };
    case 5:
      return { ...base, name: `user ${i}`, query: `user.email:"${user}"`, window: '15m', condition: { type: 'count_above', threshold: 5 } };
    case 6:
      return { ...base, name: `flatline ${i}`, query: `event.action:"${action}"`, window: '1h', condition: { type: 'count_below', threshold: 1 } };
    case 7:
    case 8:
      return { ...base, name: `cardinality ${i}`, query: `event.action:*login*`, window: '10m', groupBy: 'user.email', condition: { type: 'cardinality', field: 'source.ip', threshold: 3 } };
    default:
      return { ...base, name: `new ip ${i}`, query: `event.action:"${action}" AND user.email:"${user}"`, window: '5m', groupBy: 'user.email', condition: { type: 'new_term', field: 'source.ip', lookback: '1d' } };
  }
}

interface Backend {
  store: AuditStore;
  openState(name: string): Promise<AlertStateStore>;
  close(): Promise<void>;
}

async function fill(store: AuditStore, batch: number, inFlight: number): Promise<void> {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const i = next;
      next += batch;
      if (i >= N) return;
      const events = Array.from({ length: Math.min(batch, N - i) }, (_, k) => alertEvent(i + k, TEAM, N));
      const results = await store.append(TEAM, events);
      if (results.some((r) => r.status !== 'created')) throw new Error('bench: an event was not created');
      done += events.length;
      if (done % 100_000 < batch) process.stdout.write(`\r  building: ${fmt(done)} events (load ${load()})`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  console.log(`\r  built ${fmt(N)} events in ${s(performance.now() - t0)} (${fmt((N / (performance.now() - t0)) * 1000)} events/s, load ${load()})`);
}

async function sqliteBackend(): Promise<Backend> {
  const keep = DATA_DIR !== undefined;
  const dir = DATA_DIR ?? mkdtempSync(join(tmpdir(), 'auditlog-alert-bench-'));
  mkdirSync(dir, { recursive: true });
  const stateDir = mkdtempSync(join(tmpdir(), 'auditlog-alert-bench-state-'));
  const store = new SqliteStore({ dataDir: join(dir, 'events'), synchronous: 'NORMAL' });
  const have = existsSync(join(dir, 'events', `${TEAM}.db`)) ? await store.count(TEAM, { query: null }) : 0;
  if (have === N) console.log(`  reusing the ${fmt(N)} events in ${dir}`);
  else {
    if (have > 0) await store.dropTeam(TEAM);
    await fill(store, 5_000, 1);
  }
  return {
    store,
    openState: async (name) => new SqliteAlertStateStore(join(stateDir, `${name}.db`)),
    async close() {
      await store.close();
      rmSync(stateDir, { recursive: true, force: true });
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function elasticsearchBackend(): Promise<Backend> {
  const store = await ElasticsearchStore.connect({
    node: process.env.ES_URL!,
    ...(process.env.ES_USERNAME ? { username: process.env.ES_USERNAME, password: process.env.ES_PASSWORD ?? '' } : {}),
    prefix: ES_PREFIX,
    requestTimeoutMs: 120_000,
  });
  const index = teamPattern(ES_PREFIX, TEAM);
  await store.client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const have = await store.count(TEAM, { query: null });
  if (have === N) console.log(`  reusing the ${fmt(N)} events of ${index}`);
  else {
    if (have > 0) await store.dropTeam(TEAM);
    await fill(store, 5_000, 2);
    await store.client.indices.refresh({ index });
  }
  const run = Date.now().toString(36);
  const states: string[] = [];
  return {
    store,
    async openState(name) {
      const prefix = `${ES_PREFIX}_state-${run}-${name}-`;
      states.push(prefix);
      return ElasticsearchAlertStateStore.open(store.client, { prefix });
    },
    async close() {
      for (const prefix of states) {
        const resolved = await store.client.indices.resolveIndex({ name: `${prefix}*` });
        for (const i of resolved.indices) await store.client.indices.delete({ index: i.name });
      }
      if (!KEEP) await store.dropTeam(TEAM);
      await store.close();
    },
  };
}

interface Cycle {
  label: string;
  total: number;
  perRule: number[];
  byType: Map<string, number[]>;
  /** Single pass: what is not the rules' own evaluation (leases, state, the window read, the commits). */
  sharedWork?: number;
  note?: string;
}

function report(c: Cycle): void {
  const mean = c.perRule.reduce((a, b) => a + b, 0) / Math.max(1, c.perRule.length);
  console.log(`\n${c.label}: ${c.perRule.length} rules in ${s(c.total)}${c.sharedWork !== undefined ? ` (shared work: leases, state, the window read, the commits: ${ms(c.sharedWork)})` : ''}`);
  if (c.note) console.log(`  ${c.note}`);
  console.log(`  per rule: mean ${ms(mean)}, p50 ${ms(p(c.perRule, 50))}, p95 ${ms(p(c.perRule, 95))}, max ${ms(Math.max(...c.perRule))}; load ${load()}`);
  for (const [type, xs] of c.byType) {
    console.log(`  ${type.padEnd(12)} ${String(xs.length).padStart(4)} rules  mean ${ms(xs.reduce((a, b) => a + b, 0) / xs.length)}  p95 ${ms(p(xs, 95))}`);
  }
}

function byType(rules: AlertRule[], times: Map<string, number>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of rules) {
    const list = out.get(r.condition.type) ?? [];
    list.push(times.get(r.id) ?? 0);
    out.set(r.condition.type, list);
  }
  return out;
}

/** Each rule's notifications (outbox payloads without the ids each engine makes), by rule name. */
async function notifications(state: AlertStateStore, rules: AlertRule[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of rules) {
    const payloads = (await state.listOutbox(r.id)).map((o) => {
      const { id: _id, rule, ...rest } = o.payload as { id: string; rule: { id: string } };
      const { id: _ruleId, ...ruleRest } = rule;
      return { ...rest, rule: ruleRest };
    });
    out.set(r.name, JSON.stringify(payloads));
  }
  return out;
}

async function benchStore(kind: string): Promise<void> {
  console.log(`\n## ${kind}: ${fmt(N)} events, ${fmt(RULES)} rules (load ${load()})\n`);
  const backend = kind === 'sqlite' ? await sqliteBackend() : await elasticsearchBackend();
  const { store } = backend;
  const summary: string[] = [];
  try {
    const side = async (name: string, options: { windowMaxEvents: number; ruleConcurrency?: number }) => {
      const state = await backend.openState(name);
      const clock = { now: ALERT_NOW };
      const service = new AlertService({ state, now: () => clock.now });
      for (let i = 0; i < RULES; i++) await service.createRule(TEAM, ruleFor(i));
      const rules = await state.listRules(TEAM);
      const times = new Map<string, number>();
      /** When the first rule's evaluation began and the last one ended. */
      const span = { start: Infinity, end: -Infinity };
      const engine = new AlertEngine({
        store,
        state,
        now: () => clock.now,
        ingestDelayMs: DELAY,
        ...options,
        onEvaluated: (rule, took) => {
          const end = performance.now();
          times.set(rule.id, took);
          span.start = Math.min(span.start, end - took);
          span.end = Math.max(span.end, end);
        },
      });
      return { state, clock, rules, times, span, engine };
    };

    if (PATHS.has('baseline')) {
      const state = await backend.openState('baseline');
      const service = new AlertService({ state, now: () => ALERT_NOW });
      const rules: AlertRule[] = [];
      for (let i = 0; i < RULES; i++) rules.push((await service.createRule(TEAM, ruleFor(i))) as unknown as AlertRule);
      const t0 = performance.now();
      for (const rule of rules) {
        await store.count(TEAM, { query: parseQuery(rule.query), from: ALERT_NOW - DELAY - durationMs(rule.window), to: ALERT_NOW - DELAY });
      }
      const baseline = performance.now() - t0;
      console.log(`baseline (one count per rule over its window): ${s(baseline)}, ${ms(baseline / RULES)} per rule; load ${load()}`);
      summary.push(`baseline=${s(baseline)}`);
      await state.close();
    }

    let perRuleNotes: Map<string, string> | null = null;
    if (PATHS.has('per-rule')) {
      const a = await side('per-rule', { windowMaxEvents: 0 });
      const cycle = async (label: string): Promise<Cycle> => {
        const perRule: number[] = [];
        const t0 = performance.now();
        for (const rule of a.rules) {
          const t = performance.now();
          await a.engine.runRule(rule.id);
          a.times.set(rule.id, performance.now() - t);
          perRule.push(performance.now() - t);
        }
        return { label, total: performance.now() - t0, perRule, byType: byType(a.rules, a.times) };
      };
      report(await cycle('per rule, cycle 1 (first evaluation, one full window per rule)'));
      a.clock.now += MIN;
      const steady = await cycle('per rule, cycle 2 (one minute later: steady state)');
      report(steady);
      summary.push(`per-rule cycle2=${s(steady.total)} p95=${ms(p(steady.perRule, 95))}`);
      perRuleNotes = await notifications(a.state, a.rules);
      await a.state.close();
    }

    if (PATHS.has('single-pass')) {
      // On SQLite every read is synchronous: rules one at a time cost the same and give each rule's own time.
      const concurrency = kind === 'sqlite' ? 1 : 32;
      const b = await side('single-pass', { windowMaxEvents: 50_000, ruleConcurrency: concurrency });
      const cycle = async (label: string): Promise<Cycle> => {
        b.times.clear();
        b.span.start = Infinity;
        b.span.end = -Infinity;
        const t0 = performance.now();
        const results = await b.engine.runCycle(b.rules);
        const total = performance.now() - t0;
        const failed = [...results.values()].filter((r: RunResult) => r.status !== 'done');
        if (failed.length > 0) throw new Error(`bench: ${failed.length} rules did not run: ${JSON.stringify(failed.slice(0, 3))}`);
        const shared = [...results.values()].filter((r) => r.status === 'done' && r.read === 'shared').length;
        const evaluated = concurrency === 1 ? [...b.times.values()].reduce((x, y) => x + y, 0) : b.span.end - b.span.start;
        const perRule = b.rules.map((r) => b.times.get(r.id) ?? 0);
        const note = `${shared} of ${b.rules.length} rules from the shared read; ${concurrency === 1 ? 'rules evaluated one at a time' : `rules evaluated ${concurrency} at once (each rule's time overlaps the others')`}`;
        return { label, total, perRule, byType: byType(b.rules, b.times), sharedWork: total - evaluated, note };
      };
      report(await cycle('single pass, cycle 1 (first evaluation, one full window per rule)'));
      b.clock.now += MIN;
      const steady = await cycle('single pass, cycle 2 (one minute later: steady state)');
      report(steady);
      summary.push(`single-pass cycle2=${s(steady.total)} p95=${ms(p(steady.perRule, 95))}`);
      if (perRuleNotes) {
        const mine = await notifications(b.state, b.rules);
        const differing = [...perRuleNotes].filter(([name, n]) => mine.get(name) !== n).map(([name]) => name);
        const count = [...mine.values()].reduce((n, x) => n + (JSON.parse(x) as unknown[]).length, 0);
        console.log(`\nnotifications after cycle 2: ${fmt(count)} in all; ${differing.length === 0 ? 'the same on both paths' : `${differing.length} rules differ: ${differing.slice(0, 5).join(', ')}`}`);
        summary.push(`same-notifications=${differing.length === 0}`);
      }
      b.clock.now += MIN;
      const scheduler = new AlertScheduler({ engine: b.engine, deliverer: new Deliverer({ state: b.state }), state: b.state, concurrency: 4 });
      await scheduler.reload();
      const t0 = performance.now();
      await scheduler.runRules(b.rules);
      const tick = performance.now() - t0;
      console.log(`single pass, cycle 3 through the scheduler's tick: ${s(tick)}; load ${load()}`);
      summary.push(`tick=${s(tick)}`);
      await b.state.close();
    }
    console.log(`\nsummary ${kind}: events=${N} rules=${RULES} ${summary.join(' ')}`);
  } finally {
    await backend.close();
  }
}

console.log(`# Alert benchmark — node ${process.version}, load avg ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const kind of STORES) await benchStore(kind);
