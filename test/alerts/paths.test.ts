/**
 * The two engine paths give the same notifications: on the same events, the same rules of
 * every condition type are evaluated minute after minute by an engine whose rules each ask
 * the store (the per-rule path) and by one whose team shares one read matched in memory (the
 * single pass), each on its own alert state. Every notification (outbox payload) and every
 * history entry must be the same, apart from the ids each engine makes. On both stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElasticsearchAlertStateStore } from '../../src/alerts/elasticsearch-state-store.ts';
import { AlertEngine, type RunResult } from '../../src/alerts/engine.ts';
import type { AlertRule, RuleInput } from '../../src/alerts/model.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import type { AlertStateStore } from '../../src/alerts/state-store.ts';
import { rng } from '../../src/demo/generate.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import type { AuditStore } from '../../src/store/interface.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { storeKinds } from '../http/harness.ts';
import { cleanPrefix, uniquePrefix } from '../store-es/harness.ts';
import { connectionOptions } from '../support/elasticsearch.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2, 8, 0, 0);
const TEAM = `paths-${process.pid}`;
/** Minutes evaluated, from START: a burst at 119-121, a provider silent from 120, exports now and then. */
const CYCLES = 16;
const START = T0 + 117 * MIN;

const USERS = Array.from({ length: 12 }, (_, i) => `user${i}@example.com`);
const IPS = Array.from({ length: 24 }, (_, i) => `10.0.${i % 5}.${i + 1}`);
const ACTIONS = ['login', 'logout', 'user-login', 'delete', 'export', 'role-granted', 'POST:/api/v1/user/login'];

/**
 * Three hours of events, some minutes busy and some silent, so every condition both fires and
 * clears: bursts of failed logins by one user from many addresses, a provider that goes quiet.
 */
function events(): StoredEvent[] {
  const r = rng(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: StoredEvent[] = [];
  for (let m = 0; m < 180; m++) {
    const busy = m % 17 < 3;
    const n = busy ? 25 : m % 11 === 5 ? 0 : 4 + Math.floor(r() * 6);
    for (let k = 0; k < n; k++) {
      const user = busy && r() < 0.7 ? USERS[m % USERS.length]! : pick(USERS);
      const action = busy && r() < 0.6 ? 'login' : pick(ACTIONS);
      const fail = busy ? r() < 0.8 : r() < 0.1;
      const ts = T0 + m * MIN + Math.floor(r() * MIN);
      const original = {
        actor: { user: { email: user } },
        crud: pick(['c', 'r', 'u', 'd']),
        result: fail ? 'fail' : 'pass',
        provider: m > 120 && m < 150 ? 'github' : pick(['okta', 'github']),
        note: `${action} by ${user.split('@')[0]}${fail ? ' failed' : ''}`,
      };
      const id = `p${String(out.length).padStart(5, '0')}`;
      out.push({
        id,
        team: TEAM,
        timestamp: ts,
        received: ts,
        format: 'generic',
        flags: [],
        ecs: {
          'event.action': action,
          'event.outcome': fail ? 'failure' : 'success',
          'user.email': user,
          'source.ip': pick(IPS),
          'event.provider': original.provider,
          message: original.note,
          ...(action.includes('login') ? { 'event.category': ['authentication'] } : {}),
        },
        original,
        raw: JSON.stringify(original),
      });
    }
  }
  return out;
}

const webhook = [{ type: 'webhook' as const, url: 'https://hooks.example.com/paths' }];
const RULES: RuleInput[] = [
  { name: 'any login', query: 'event.action:login', window: '1m', condition: { type: 'any' }, channels: webhook },
  { name: 'any delete per user, throttled', query: 'crud:d', window: '2m', groupBy: 'user.email', throttle: '5m', condition: { type: 'any' }, channels: webhook },
  { name: 'any free text', query: 'failed AND NOT logout', window: '1m', condition: { type: 'any' }, channels: webhook },
  { name: 'burst per user', query: 'event.outcome:failure AND event.action:*login*', window: '5m', groupBy: 'user.email', notifyRecovery: true, condition: { type: 'count_above', threshold: 6 }, channels: webhook },
  { name: 'burst overall, reminders', query: 'result:fail', window: '3m', throttle: '4m', condition: { type: 'count_above', threshold: 15 }, channels: webhook },
  { name: 'burst per original path', query: 'event.outcome:failure', window: '4m', groupBy: 'actor.user.email', condition: { type: 'count_above', threshold: 8 }, channels: webhook },
  { name: 'flatline', query: 'event.action:export', window: '3m', notifyRecovery: true, condition: { type: 'count_below', threshold: 1 }, channels: webhook },
  { name: 'flatline per provider', query: '', window: '5m', groupBy: 'event.provider', notifyRecovery: true, condition: { type: 'count_below', threshold: 2 }, channels: webhook },
  { name: 'addresses per user', query: 'event.category:authentication', window: '5m', groupBy: 'user.email', condition: { type: 'cardinality', field: 'source.ip', threshold: 4 }, channels: webhook },
  { name: 'addresses overall', query: 'login~1', window: '3m', condition: { type: 'cardinality', field: 'source.ip', threshold: 10 }, channels: webhook },
  { name: 'new address per user', query: 'event.action:(login OR user-login)', window: '2m', groupBy: 'user.email', condition: { type: 'new_term', field: 'source.ip', lookback: '30m' }, channels: webhook },
  { name: 'new action', query: 'message:by', window: '1m', condition: { type: 'new_term', field: 'event.action', lookback: '1h' }, channels: webhook },
];

interface Side {
  engine: AlertEngine;
  state: AlertStateStore;
  rules: AlertRule[];
  results: RunResult[];
}

/** What must be equal: notifications and history, without the ids each engine makes. */
async function record(side: Side) {
  const out: Record<string, unknown> = {};
  for (const rule of side.rules) {
    const outbox = (await side.state.listOutbox(rule.id)).map((o) => {
      const { id: _id, rule: r, ...payload } = o.payload as { id: string; rule: Record<string, unknown> };
      const { id: _ruleId, ...ruleView } = r;
      return { channel: o.channelId, createdAt: o.createdAt, payload: { ...payload, rule: ruleView } };
    });
    const history = (await side.state.listHistory(rule.team, rule.id, { limit: 1000 })).map(({ id: _id, ruleId: _r, ...h }) => h);
    out[rule.name] = { outbox, history, groups: await side.state.getGroupStates(rule.id) };
  }
  return out;
}

describe.each(storeKinds('alert paths comparison'))('the two engine paths on %s', (kind) => {
  let store: AuditStore;
  let perRule: Side;
  let singlePass: Side;
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditlog-paths-'));
    // Run in reverse order of registration: the state stores, then the event store, then the files.
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    let openState: (name: string) => Promise<AlertStateStore>;
    if (kind === 'sqlite') {
      store = new SqliteStore({ dataDir: join(dir, 'events') });
      cleanup.unshift(() => store.close());
      openState = async (name) => new SqliteAlertStateStore(join(dir, `${name}.db`));
    } else {
      const prefix = uniquePrefix();
      const es = await ElasticsearchStore.connect({ ...connectionOptions(), prefix, refresh: 'wait_for' });
      store = es;
      cleanup.unshift(async () => {
        await cleanPrefix(es, prefix);
        await es.close();
      });
      openState = (name) => ElasticsearchAlertStateStore.open(es.client, { prefix: `${prefix}-${name}-` });
    }
    const all = events();
    for (let i = 0; i < all.length; i += 1000) await store.append(TEAM, all.slice(i, i + 1000), { waitForSearch: true });

    const clock = { now: START };
    const side = async (name: string, windowMaxEvents: number): Promise<Side> => {
      const state = await openState(name);
      cleanup.unshift(() => state.close());
      const service = new AlertService({ state, now: () => clock.now });
      for (const r of RULES) await service.createRule(TEAM, r);
      const rules = await state.listRules(TEAM);
      const engine = new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 0, topEvents: 3, baseUrl: 'https://audit.example', windowMaxEvents });
      return { engine, state, rules, results: [] };
    };
    perRule = await side('per-rule', 0);
    singlePass = await side('single-pass', 50_000);
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Both engines at once: they share the events and nothing else.
      await Promise.all([perRule, singlePass].map(async (s) => s.results.push(...(await s.engine.runCycle(s.rules)).values())));
      clock.now += MIN;
    }
  }, 600_000);

  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('every rule ran every cycle on both paths, the single pass from its shared read', () => {
    for (const s of [perRule, singlePass]) {
      expect(s.results).toHaveLength(CYCLES * RULES.length);
      expect(s.results.filter((r) => r.status !== 'done')).toEqual([]);
    }
    expect(new Set(perRule.results.map((r) => (r as { read: string }).read))).toEqual(new Set(['store']));
    expect(new Set(singlePass.results.map((r) => (r as { read: string }).read))).toEqual(new Set(['shared']));
  });

  it('every condition type notified something', async () => {
    const fired = new Set<string>();
    for (const rule of perRule.rules) if ((await perRule.state.listOutbox(rule.id)).length > 0) fired.add(rule.condition.type);
    expect([...fired].sort()).toEqual(['any', 'cardinality', 'count_above', 'count_below', 'new_term']);
  });

  it('the notifications, history and group states are the same', async () => {
    const a = await record(perRule);
    const b = await record(singlePass);
    for (const name of RULES.map((r) => r.name)) expect(b[name], name).toEqual(a[name]);
  });
});
