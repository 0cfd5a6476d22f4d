/**
 * The alert evaluation suite: conditions, windows, catch-up, throttling, restarts, late
 * events and concurrent instances, with an explicit clock. It takes factories for the event
 * store and the alert state store, so it runs against both: evaluation.sqlite.test.ts, and
 * evaluation.elasticsearch*.test.ts through elasticsearch-suite.ts (one file per engine path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine, type EngineOptions } from '../../src/alerts/engine.ts';
import type { RuleInput } from '../../src/alerts/model.ts';
import { AlertService } from '../../src/alerts/service.ts';
import type { AlertStateStore, HistoryEntry } from '../../src/alerts/state-store.ts';
import type { NormalizedFields, StoredEvent } from '../../src/events/event.ts';
import type { AuditStore } from '../../src/store/interface.ts';
import { loadBuiltIns } from '../../src/alerts/builtin.ts';
import { geoEnricher, openGeoDatabases } from '../../src/geo/index.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';

export interface AlertSuiteOptions {
  createStore(): Promise<AuditStore>;
  /**
   * A state store; called again with the same `key` it must open the same persisted state
   * (a restart), and two opens may be live at once (two instances).
   */
  openState(key: string): Promise<AlertStateStore>;
  /** Makes appended events visible to search (Elasticsearch refresh); no-op for SQLite. */
  refresh?(team: string): Promise<void>;
  /** The engine paths to run the cases on (default all); a slow store splits them over files that run in parallel. */
  paths?: Array<'shared' | 'per-rule'>;
}

export const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
export const SEC = 1_000;
export const MIN = 60_000;

let seq = 0;
let teamCounter = 0;
export function ev(team: string, timestamp: number, ecs: NormalizedFields, original: Record<string, unknown> = {}): StoredEvent {
  const id = `ev${String(++seq).padStart(6, '0')}`;
  const orig = { ...original, id };
  return { id, team, timestamp, received: timestamp, format: 'generic', flags: [], ecs, original: orig, raw: JSON.stringify(orig) };
}

/** Event ids named in the `fired`/`reminder` history entries of a rule, oldest first. */
export async function firedEvents(state: AlertStateStore, team: string, ruleId: string): Promise<string[]> {
  const h = await state.listHistory(team, ruleId, { limit: 1000 });
  return h
    .filter((e) => e.kind === 'fired')
    .reverse()
    .flatMap((e) => (e.detail?.events as string[] | undefined) ?? []);
}

export async function historyOf(state: AlertStateStore, team: string, ruleId: string, kinds?: HistoryEntry['kind'][]): Promise<HistoryEntry[]> {
  const h = (await state.listHistory(team, ruleId, { limit: 1000 })).reverse();
  return kinds ? h.filter((e) => kinds.includes(e.kind)) : h;
}

export function runAlertSuite(name: string, opts: AlertSuiteOptions): void {
  // Each case runs on both engine paths: the team's shared read matched in memory (the
  // default), and each rule asking the store itself, with windows small enough to fetch and
  // group in memory (the usual case) and with fetching disabled, so the store-aggregation
  // path (facets, count) gives the same answers.
  const paths = opts.paths ?? ['shared', 'per-rule'];
  for (const mode of [
    { path: 'shared', label: 'shared read, matched in memory', options: {} },
    { path: 'per-rule', label: 'per rule, fetched windows', options: { windowMaxEvents: 0 } },
    { path: 'per-rule', label: 'per rule, store aggregations', options: { windowMaxEvents: 0, fetchLimit: 0 } },
  ].filter((m) => paths.includes(m.path as 'shared' | 'per-rule'))) {
  describe(`alert evaluation: ${name}, ${mode.label}`, () => {
    let store: AuditStore;
    const opened: AlertStateStore[] = [];
    beforeAll(async () => {
      store = await opts.createStore();
    });
    afterAll(async () => {
      for (const s of opened) await s.close().catch(() => undefined);
      await store.close();
    });

    /** A fresh team, state store, service and clock per test. */
    async function setup() {
      const team = `alerts-${process.pid}-${teamCounter++}`;
      const key = `state-${team}`;
      const state = await opts.openState(key);
      opened.push(state);
      const clock = { now: T0 };
      const service = new AlertService({ state, now: () => clock.now });
      const engine = (o: Partial<EngineOptions> = {}) =>
        new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 0, topEvents: 50, baseUrl: 'https://audit.example', ...mode.options, ...o });
      const add = async (...events: StoredEvent[]) => {
        await store.append(team, events);
        await opts.refresh?.(team);
      };
      const rule = async (input: Partial<RuleInput> & Pick<RuleInput, 'condition'>) =>
        (await service.createRule(team, { name: 'test rule', query: '', window: '1m', ...input })).id;
      const reopen = async () => {
        const s = await opts.openState(key);
        opened.push(s);
        return s;
      };
      return { team, state, clock, service, engine, add, rule, reopen };
    }

    it('any: one batched notification per evaluation, each event reported once, with links', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ query: 'event.action:login', condition: { type: 'any' } });
      const a = ev(team, T0 - 50 * SEC, { 'event.action': 'login', 'user.name': 'alice' });
      const b = ev(team, T0 - 20 * SEC, { 'event.action': 'login', 'user.name': 'bob' });
      const other = ev(team, T0 - 10 * SEC, { 'event.action': 'logout', 'user.name': 'bob' });
      await add(a, b, other);
      const e = engine();
      expect(await e.runRule(id)).toMatchObject({ status: 'done', notifications: 1 });
      expect(await e.runRule(id)).toEqual({ status: 'idle' });
      const c = ev(team, T0 + 30 * SEC, { 'event.action': 'login', 'user.name': 'carol' });
      await add(c);
      clock.now = T0 + MIN;
      expect(await e.runRule(id)).toMatchObject({ status: 'done', notifications: 1 });
      expect((await firedEvents(state, team, id)).sort()).toEqual([a.id, b.id, c.id].sort());
      const fired = await historyOf(state, team, id, ['fired']);
      expect(fired).toHaveLength(2);
      expect(fired[0]!.detail).toMatchObject({ matches: 2 });
    });

    it('count_above per group: fires for the user over the threshold only, once, then resolves', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({
        query: 'event.outcome:failure',
        window: '5m',
        groupBy: 'user.email',
        condition: { type: 'count_above', threshold: 5 },
        notifyRecovery: true,
      });
      const events = [
        ...Array.from({ length: 7 }, (_, i) => ev(team, T0 + i * 10 * SEC, { 'event.outcome': 'failure', 'user.email': 'eve@example.com' })),
        ...Array.from({ length: 3 }, (_, i) => ev(team, T0 + i * 10 * SEC, { 'event.outcome': 'failure', 'user.email': 'alice@example.com' })),
        ev(team, T0, { 'event.outcome': 'success', 'user.email': 'alice@example.com' }),
      ];
      await add(...events);
      const e = engine();
      clock.now = T0 + 2 * MIN;
      await e.runRule(id);
      clock.now = T0 + 3 * MIN;
      await e.runRule(id); // still firing: no second notification without a throttle
      clock.now = T0 + 8 * MIN;
      await e.runRule(id);
      const h = await historyOf(state, team, id, ['fired', 'recovered', 'reminder']);
      expect(h.map((x) => [x.kind, x.group])).toEqual([
        ['fired', 'eve@example.com'],
        ['recovered', 'eve@example.com'],
      ]);
      expect(h[0]!.detail).toMatchObject({ value: 7 });
      expect((await state.getGroupStates(id)).filter((s) => s.status === 'firing')).toEqual([]);
    });

    it('count_below (flatline): a silent source fires, and resolves when events flow again', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ window: '10m', condition: { type: 'count_below', threshold: 1 }, notifyRecovery: true });
      await add(ev(team, T0 + 1 * MIN, { 'event.action': 'x' }), ev(team, T0 + 5 * MIN, { 'event.action': 'x' }));
      const e = engine();
      clock.now = T0 + 10 * MIN;
      await e.runRule(id);
      expect(await historyOf(state, team, id, ['fired'])).toHaveLength(0);
      clock.now = T0 + 16 * MIN;
      await e.runRule(id);
      expect(await historyOf(state, team, id, ['fired'])).toHaveLength(1);
      clock.now = T0 + 20 * MIN;
      await e.runRule(id);
      expect(await historyOf(state, team, id, ['fired'])).toHaveLength(1);
      await add(ev(team, T0 + 21 * MIN, { 'event.action': 'x' }));
      clock.now = T0 + 22 * MIN;
      await e.runRule(id);
      expect((await historyOf(state, team, id, ['fired', 'recovered'])).map((x) => x.kind)).toEqual(['fired', 'recovered']);
    });

    it('count_below per group: the group that goes quiet is reported', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ window: '10m', groupBy: 'event.provider', condition: { type: 'count_below', threshold: 1 } });
      const events = [];
      for (let m = 0; m < 20; m++) {
        events.push(ev(team, T0 + m * MIN, { 'event.provider': 'okta' }));
        if (m < 8) events.push(ev(team, T0 + m * MIN, { 'event.provider': 'github' }));
      }
      await add(...events);
      clock.now = T0 + 20 * MIN;
      await engine().runRule(id);
      const fired = await historyOf(state, team, id, ['fired']);
      expect(fired.map((f) => f.group)).toEqual(['github']);
    });

    it('groups by a path of the original event', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ query: 'crud:d', window: '10m', groupBy: 'actor.user.email', condition: { type: 'count_above', threshold: 1 } });
      const del = (email: string, extra: Record<string, unknown> = {}) =>
        ev(team, T0 + MIN, {}, { crud: 'd', actor: { user: { email } }, ...extra });
      await add(del('a@example.com'), del('a@example.com'), del('b@example.com'), ev(team, T0 + MIN, {}, { crud: 'r', actor: { user: { email: 'a@example.com' } } }));
      clock.now = T0 + 5 * MIN;
      await engine().runRule(id);
      const fired = await historyOf(state, team, id, ['fired']);
      expect(fired.map((f) => [f.group, f.detail?.value])).toEqual([['a@example.com', 2]]);
    });

    it('cardinality: one user from more than 3 addresses', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({
        query: 'event.action:login',
        window: '10m',
        groupBy: 'user.name',
        condition: { type: 'cardinality', field: 'source.ip', threshold: 3 },
      });
      const ips = ['10.0.0.1', '10.0.0.2', '192.0.2.7', '198.51.100.9'];
      await add(
        ...ips.map((ip, i) => ev(team, T0 + i * MIN, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': ip })),
        ...['10.0.0.1', '10.0.0.1', '10.0.0.3'].map((ip, i) => ev(team, T0 + i * MIN, { 'event.action': 'login', 'user.name': 'bob', 'source.ip': ip })),
        // Many logins of carol from one address: a high count is not a high cardinality.
        ...Array.from({ length: 10 }, (_, i) => ev(team, T0 + i * 10 * SEC, { 'event.action': 'login', 'user.name': 'carol', 'source.ip': '10.9.9.9' })),
      );
      clock.now = T0 + 5 * MIN;
      await engine().runRule(id);
      const fired = await historyOf(state, team, id, ['fired']);
      expect(fired.map((f) => [f.group, f.detail?.value])).toEqual([['alice', 4]]);
      expect((fired[0]!.detail?.terms as string[]).sort()).toEqual(ips.slice().sort());
    });

    it('new_term: first login of a user from a new address, not the second', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({
        query: 'event.action:login',
        window: '1m',
        groupBy: 'user.name',
        condition: { type: 'new_term', field: 'source.ip', lookback: '1d' },
      });
      await add(
        ev(team, T0 - 3 * 3600_000, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': '10.0.0.1' }),
        // Seen two days ago only: outside the look-back, so new again.
        ev(team, T0 - 48 * 3600_000, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': '10.0.0.5' }),
      );
      const e = engine();
      await e.runRule(id); // first window: nothing
      await add(
        ev(team, T0 + 10 * SEC, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': '10.0.0.1' }),
        ev(team, T0 + 20 * SEC, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': '10.0.0.2' }),
        ev(team, T0 + 25 * SEC, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': '10.0.0.5' }),
        ev(team, T0 + 30 * SEC, { 'event.action': 'login', 'user.name': 'bob', 'source.ip': '10.0.0.1' }),
        // Same address for another action: not a login, ignored.
        ev(team, T0 + 40 * SEC, { 'event.action': 'export', 'user.name': 'carol', 'source.ip': '10.7.7.7' }),
      );
      clock.now = T0 + MIN;
      await e.runRule(id);
      await add(ev(team, T0 + 70 * SEC, { 'event.action': 'login', 'user.name': 'alice', 'source.ip': '10.0.0.2' }));
      clock.now = T0 + 2 * MIN;
      await e.runRule(id);
      const fired = await historyOf(state, team, id, ['fired']);
      expect(fired.map((f) => [f.group, (f.detail?.terms as string[]).sort()])).toEqual([
        ['alice', ['10.0.0.2', '10.0.0.5']],
        ['bob', ['10.0.0.1']],
      ]);
    });

    it('the built-in "login from a new country": real addresses of two countries, enriched at ingest; fires for the new country only', async () => {
      const { team, state, clock, service, engine, add } = await setup();
      const builtin = loadBuiltIns().find((b) => b.kind === 'rule' && b.file === 'login-new-country');
      if (builtin?.kind !== 'rule') throw new Error('queries/login-new-country.json is missing');
      const id = (await service.createRule(team, { ...builtin.rule, name: builtin.rule.name })).id;
      const enrich = geoEnricher(openGeoDatabases());
      const login = (at: number, email: string, ip: string) => {
        const value = { '@timestamp': new Date(at).toISOString(), event: { action: 'user.login', outcome: 'success' }, user: { email }, source: { ip } };
        const [p] = prepareEvents([{ index: 0, value, raw: JSON.stringify(value) }], { team, format: 'ecs', received: at, enrich });
        if (!p || !('event' in p)) throw new Error('login not prepared');
        return p.event;
      };
      // 81.2.69.142 is in London (GB), 8.8.8.8 and 8.8.4.4 in the US, 1.1.1.1 in Sydney (AU).
      await add(login(T0 - 3 * 86_400_000, 'alice@example.com', '81.2.69.142'), login(T0 - 2 * 86_400_000, 'bob@example.com', '1.1.1.1'));
      const e = engine();
      await e.runRule(id); // first window: nothing
      await add(
        login(T0 + 10 * SEC, 'alice@example.com', '81.2.69.142'),
        login(T0 + 20 * SEC, 'alice@example.com', '8.8.8.8'),
        login(T0 + 30 * SEC, 'bob@example.com', '1.1.1.1'),
        // No country for a private address: no term, never new.
        login(T0 + 40 * SEC, 'bob@example.com', '10.1.2.3'),
      );
      clock.now = T0 + 5 * MIN;
      await e.runRule(id);
      // Seen in the window before: not new any more.
      await add(login(T0 + 6 * MIN, 'alice@example.com', '8.8.4.4'));
      clock.now = T0 + 10 * MIN;
      await e.runRule(id);
      const fired = await historyOf(state, team, id, ['fired']);
      expect(fired.map((f) => [f.group, f.detail?.terms])).toEqual([['alice@example.com', ['US']]]);
    }, 120_000);

    it('throttle: repeats within the period are suppressed and their count carried into the next notification', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ query: 'event.action:delete', groupBy: 'user.name', throttle: '5m', condition: { type: 'any' } });
      const e = engine();
      const del = (t: number, user = 'alice') => ev(team, t, { 'event.action': 'delete', 'user.name': user });
      await add(del(T0 - 30 * SEC));
      await e.runRule(id); // notifies alice
      await add(del(T0 + 10 * SEC), del(T0 + 20 * SEC), del(T0 + 30 * SEC, 'bob'));
      clock.now = T0 + MIN;
      await e.runRule(id); // alice suppressed (2), bob notified
      await add(del(T0 + 70 * SEC));
      clock.now = T0 + 2 * MIN;
      await e.runRule(id); // alice suppressed (3)
      clock.now = T0 + 5 * MIN;
      await e.runRule(id); // nothing new; throttle (from T0) ends at T0+5m: summary of 3
      clock.now = T0 + 6 * MIN;
      await e.runRule(id);
      const h = await historyOf(state, team, id, ['fired', 'suppressed']);
      expect(h.map((x) => [x.kind, x.group, x.detail?.matches, x.detail?.suppressed])).toEqual([
        ['fired', 'alice', 1, 0],
        ['suppressed', 'alice', 2, undefined],
        ['fired', 'bob', 1, 0],
        ['suppressed', 'alice', 1, undefined],
        ['fired', 'alice', 0, 3],
      ]);
    });

    it('catch-up after downtime: windows tile from the watermark, every event reported once', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ query: 'event.action:x', window: '1m', condition: { type: 'any' } });
      const events = Array.from({ length: 30 }, (_, i) => ev(team, T0 + i * 20 * SEC, { 'event.action': 'x' }));
      await add(...events.filter((x) => x.timestamp < T0 + MIN));
      const e = engine({ windowsPerCommit: 4 });
      clock.now = T0 + MIN;
      await e.runRule(id);
      await add(...events.filter((x) => x.timestamp >= T0 + MIN));
      clock.now = T0 + 10 * MIN + 30 * SEC; // down for 9.5 minutes
      const r = await e.runRule(id);
      expect(r).toMatchObject({ status: 'done', windows: 10, watermark: T0 + 10 * MIN + 30 * SEC });
      expect((await firedEvents(state, team, id)).sort()).toEqual(events.map((x) => x.id).sort());
      expect(await state.getCursor(id)).toMatchObject({ watermark: T0 + 10 * MIN + 30 * SEC });
    });

    it('catch-up is bounded: older windows are skipped and the skip is recorded', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const id = await rule({ query: 'event.action:x', window: '1m', condition: { type: 'any' } });
      const e = engine({ maxCatchUpMs: 3 * MIN });
      await e.runRule(id);
      const old = ev(team, T0 + 2 * MIN, { 'event.action': 'x' });
      const recent = ev(team, T0 + 8 * MIN, { 'event.action': 'x' });
      await add(old, recent);
      clock.now = T0 + 10 * MIN;
      await e.runRule(id);
      expect(await firedEvents(state, team, id)).toEqual([recent.id]);
      const skipped = await historyOf(state, team, id, ['skipped']);
      expect(skipped).toHaveLength(1);
      expect(skipped[0]!.detail).toEqual({ from: T0, to: T0 + 7 * MIN });
    });

    it('restart in the middle of an evaluation: no duplicate, no gap', async () => {
      const { team, clock, engine, add, rule, reopen } = await setup();
      const id = await rule({ query: 'event.action:x', window: '1m', condition: { type: 'any' } });
      const events = Array.from({ length: 12 }, (_, i) => ev(team, T0 - MIN + i * 30 * SEC, { 'event.action': 'x' }));
      await add(...events);
      await engine().runRule(id);
      // An instance that dies after its first store query: nothing of its run is committed.
      let calls = 0;
      const dies = (s: AuditStore): AuditStore =>
        new Proxy(s, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== 'function') return value;
            // A batched view of the store dies with it.
            if (prop === 'batched') return () => dies((value as () => AuditStore).apply(target));
            return (...args: unknown[]) => {
              if (++calls > 1) throw new Error('process killed');
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        });
      const dying = dies(store);
      clock.now = T0 + 3 * MIN;
      await expect(engine({ store: dying, owner: 'dying' }).runRule(id)).rejects.toThrow('process killed');
      // "Restart": a new process opens the persisted state.
      const state2 = await reopen();
      clock.now = T0 + 5 * MIN;
      const r = await new AlertEngine({ store, state: state2, now: () => clock.now, ingestDelayMs: 0, topEvents: 50, ...mode.options }).runRule(id);
      expect(r).toMatchObject({ status: 'done' });
      expect((await firedEvents(state2, team, id)).sort()).toEqual(events.map((x) => x.id).sort());
      expect(await historyOf(state2, team, id, ['error'])).toHaveLength(1);
    });

    it('late events: an ingest delay covers events indexed after their window closed; without it they are missed', async () => {
      const { team, state, clock, engine, add, rule } = await setup();
      const withDelay = await rule({ name: 'delayed', query: 'event.action:x', window: '1m', condition: { type: 'any' } });
      const noDelay = await rule({ name: 'eager', query: 'event.action:x', window: '1m', condition: { type: 'any' } });
      const delayed = engine({ ingestDelayMs: 30 * SEC });
      const eager = engine({ ingestDelayMs: 0 });
      clock.now = T0 + MIN;
      await delayed.runRule(withDelay);
      await eager.runRule(noDelay);
      // Happened at T0+50s, indexed 25 s later (a slow shipper).
      const late = ev(team, T0 + 50 * SEC, { 'event.action': 'x' });
      clock.now = T0 + 75 * SEC;
      await add(late);
      clock.now = T0 + 2 * MIN;
      await delayed.runRule(withDelay);
      await eager.runRule(noDelay);
      expect(await firedEvents(state, team, withDelay)).toEqual([late.id]);
      expect(await firedEvents(state, team, noDelay)).toEqual([]);
    });

    it('two instances on one state store, both running every tick: each window fires once', async () => {
      const { team, state, clock, add, rule, reopen } = await setup();
      const id = await rule({ query: 'event.action:x', window: '1m', condition: { type: 'any' } });
      const stateB = await reopen();
      const a = new AlertEngine({ store, state, owner: 'instance-a', now: () => clock.now, ingestDelayMs: 0, topEvents: 50, ...mode.options });
      const b = new AlertEngine({ store, state: stateB, owner: 'instance-b', now: () => clock.now, ingestDelayMs: 0, topEvents: 50, ...mode.options });
      const all: StoredEvent[] = [];
      const statuses: string[] = [];
      for (let tick = 0; tick < 15; tick++) {
        const batch = Array.from({ length: 3 }, (_, i) => ev(team, clock.now - 50 * SEC + i * 15 * SEC, { 'event.action': 'x' }));
        all.push(...batch);
        await add(...batch);
        const results = await Promise.all([a.runRule(id), b.runRule(id)]);
        statuses.push(...results.map((r) => r.status));
        clock.now += MIN;
      }
      expect((await firedEvents(state, team, id)).sort()).toEqual(all.map((x) => x.id).sort());
      expect(statuses.filter((s) => s === 'done')).toHaveLength(15);
      expect(await historyOf(state, team, id, ['fired'])).toHaveLength(15);
      // 15 ticks, each waiting for a refresh on Elasticsearch: more than the default 30 s on a busy machine.
    }, 120_000);

    it('a lease held by a live instance keeps others out until it expires', async () => {
      const { state, clock, engine, rule } = await setup();
      const id = await rule({ condition: { type: 'any' } });
      expect(await state.acquireLease(id, 'other', clock.now, 60_000)).toBe(true);
      expect(await engine().runRule(id)).toEqual({ status: 'busy' });
      clock.now += 61_000;
      expect(await engine().runRule(id)).toMatchObject({ status: 'done', windows: 1 });
    });

    it('a disabled rule is not evaluated; re-enabled, it resumes from its watermark', async () => {
      const { team, state, clock, engine, add, rule, service } = await setup();
      const id = await rule({ query: 'event.action:x', condition: { type: 'any' } });
      const e = engine();
      await e.runRule(id);
      await service.setEnabled(team, id, false);
      const x = ev(team, T0 + 30 * SEC, { 'event.action': 'x' });
      await add(x);
      clock.now = T0 + 2 * MIN;
      expect(await e.runRule(id)).toEqual({ status: 'disabled' });
      await service.setEnabled(team, id, true);
      await e.runRule(id);
      expect(await firedEvents(state, team, id)).toEqual([x.id]);
    });
  });
  }
}
