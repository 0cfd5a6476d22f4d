/**
 * POST /api/v1/alerts/test over real HTTP on both stores: a rule against one event (as a
 * producer sends it, or a stored one), and a replay over a past range, which must notify
 * exactly what the engine notifies when it evaluates the same rule at the same times; nothing
 * is written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import { AlertService } from '../../src/alerts/service.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import { THREATSTACK_EXAMPLE } from '../fixtures/seed-events.ts';
import { storeKinds } from '../http/harness.ts';
import { type AlertHarness, startAlertHarness } from './harness.ts';

// biome-ignore lint: response bodies are checked field by field below
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
const MIN = 60_000;

describe.each(storeKinds('alert rule test API'))('POST /api/v1/alerts/test on %s', (kind) => {
  let h: AlertHarness;
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-rule-test-'));
  // An hour that ended two minutes ago, whole minutes.
  const end = Math.floor(Date.now() / MIN) * MIN - 2 * MIN;
  const start = end - 60 * MIN;

  beforeAll(async () => {
    h = await startAlertHarness(kind);
    const team = h.teams.a.team;
    const events: StoredEvent[] = [];
    const add = (i: number, t: number, user: string, outcome: 'failure' | 'success', ip: string) =>
      events.push({ id: `rt-${i}`, team, timestamp: t, received: t, format: 'generic', flags: [], ecs: { 'event.action': 'login', 'event.outcome': outcome, 'user.email': user, 'source.ip': ip }, original: { i }, raw: '{}' });
    let i = 0;
    // Background logins, and two bursts of failures by one user from many addresses.
    for (let m = 0; m < 60; m++) add(i++, start + m * MIN + 5_000, `u${m % 5}@example.com`, m % 7 === 0 ? 'failure' : 'success', `10.0.0.${m % 3}`);
    for (const at of [start + 12 * MIN, start + 41 * MIN]) for (let k = 0; k < 6; k++) add(i++, at + k * 7_000, 'eve@example.com', 'failure', `192.0.2.${k}`);
    await h.rt.store.append(team as never, events, { waitForSearch: true });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const test = (key: string, body: unknown) => h.call('/api/v1/alerts/test', { method: 'POST', key, json: body });
  const burst = {
    name: 'burst',
    query: 'event.outcome:failure',
    window: '5m',
    groupBy: 'user.email',
    throttle: '10m',
    notifyRecovery: true,
    condition: { type: 'count_above', threshold: 4 },
  };

  it('tells whether the query matches an event as a producer sends it, normalized as ingest would, and stores nothing', async () => {
    const rule = { name: 'x', query: 'event.outcome:failure AND crud:c', groupBy: 'user.email', condition: { type: 'any' } };
    const failed = await json(test(h.teams.a.keys.read, { rule, event: { ...THREATSTACK_EXAMPLE, crud: 'c', result: 'fail' } }));
    expect(failed.event).toMatchObject({ matches: true, groups: [THREATSTACK_EXAMPLE.user_email], normalized: { format: 'threatstack', normalized: { 'event.outcome': 'failure' } } });
    const passed = await json(test(h.teams.a.keys.read, { rule, event: { ...THREATSTACK_EXAMPLE, crud: 'c', result: 'pass' } }));
    expect(passed.event.matches).toBe(false);
    const total = await json(h.call('/api/v1/events?q=crud:c', { key: h.teams.a.keys.read }));
    expect(total.total).toBe(0);
  });

  it('tests a stored event by id, only within the team', async () => {
    const rule = { query: 'user.email:eve@example.com', condition: { type: 'any' } };
    expect((await json(test(h.teams.a.keys.read, { rule, eventId: 'rt-60' }))).event.matches).toBe(true);
    expect((await json(test(h.teams.a.keys.read, { rule, eventId: 'rt-0' }))).event.matches).toBe(false);
    expect((await test(h.teams.b.keys.read, { rule, eventId: 'rt-60' })).status).toBe(404);
  });

  it('replays a rule over a past range: the notifications the engine sends at the same times, nothing written', async () => {
    const res = await test(h.teams.a.keys.read, { rule: burst, from: String(start), to: String(end) });
    expect(res.status).toBe(200);
    const replay = (await json(res)).range;
    expect(replay).toMatchObject({ from: new Date(start).toISOString(), to: new Date(end).toISOString(), evaluations: 60 });
    const kinds = replay.notifications.flatMap((n: { groups: Array<{ kind: string; group: string }> }) => n.groups.map((g) => `${g.kind} ${g.group}`));
    expect(kinds).toEqual(['firing eve@example.com', 'resolved eve@example.com', 'firing eve@example.com', 'resolved eve@example.com']);

    // The engine, minute by minute over the same hour, on a state of its own.
    const state = new SqliteAlertStateStore(join(dir, `${kind}.db`));
    try {
      const clock = { now: start };
      const service = new AlertService({ state, now: () => clock.now });
      const rule = await service.createRule(h.teams.a.team, {
        ...burst,
        condition: { type: 'count_above', threshold: 4 },
        channels: [{ type: 'webhook', url: 'https://hooks.example.com/replay' }],
      });
      const engine = new AlertEngine({ store: h.rt.store, state, now: () => clock.now, ingestDelayMs: 0, baseUrl: 'http://127.0.0.1' });
      const sent: unknown[] = [];
      for (let t = start + MIN; t <= end; t += MIN) {
        clock.now = t;
        await engine.runRule(rule.id);
      }
      for (const o of await state.listOutbox(rule.id)) {
        const { evaluatedAt, groups } = o.payload as { evaluatedAt: string; groups: unknown[] };
        sent.push({ evaluatedAt, groups });
      }
      expect(replay.notifications).toEqual(sent);
    } finally {
      await state.close();
    }
    // Nothing of the replay was stored.
    expect((await json(h.call('/api/v1/alerts', { key: h.teams.a.keys.admin }))).rules).toEqual([]);
  });

  it('replays a saved rule by id, and only the team’s own', async () => {
    const created = await json(h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: burst }));
    const replay = (await json(test(h.teams.a.keys.read, { ruleId: created.id, from: String(start), to: String(end) }))).range;
    expect(replay.notifications.length).toBe(4);
    expect((await test(h.teams.b.keys.read, { ruleId: created.id, from: 'now-1h' })).status).toBe(404);
    expect((await json(h.call(`/api/v1/alerts/${created.id}/history`, { key: h.teams.a.keys.admin }))).history).toEqual([]);
    await h.call(`/api/v1/alerts/${created.id}`, { method: 'DELETE', key: h.teams.a.keys.admin });
  });

  it.each([
    [{ event: {} }, 'BAD_REQUEST', /rule/],
    [{ rule: burst }, 'BAD_REQUEST', /event, an eventId or a from/],
    [{ rule: burst, event: {}, eventId: 'x' }, 'BAD_REQUEST', /either event or eventId/],
    [{ rule: { ...burst, query: 'a AND (' }, from: 'now-1h' }, 'QUERY_SYNTAX', /column/],
    [{ rule: { ...burst, query: 'http.response.status_code:abc' }, from: 'now-1h' }, 'UNSUPPORTED_QUERY', /long field/],
    [{ rule: burst, from: 'now-8d' }, 'BAD_REQUEST', /limit/],
    [{ rule: burst, from: 'yesterday' }, 'BAD_REQUEST', /from/],
    [{ rule: { ...burst, schedule: '* * * * * *' }, from: 'now-7d' }, 'BAD_REQUEST', /evaluations/],
  ])('refuses %j with %s', async (body, code, message) => {
    const res = await test(h.teams.a.keys.read, body);
    expect(res.status).toBe(400);
    const err = (await json(res)).error;
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
  });
});
