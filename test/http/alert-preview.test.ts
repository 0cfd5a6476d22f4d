/**
 * The rule preview (what a rule would have fired on over the last 24 h) and the rule states
 * the alerts page shows, over real HTTP on both stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness, storeKinds } from './harness.ts';

let h: Harness;
const MIN = 60_000;
const WINDOW = 10 * MIN;

interface Preview {
  windowMs: number;
  matches: number;
  firings: number;
  exact: boolean;
  note?: string;
  windows: Array<{ start: string; end: string; count: number; fired: boolean; groups: Array<{ group: string; value: number }> }>;
}

/** Start of the 10-minute window `hoursAgo` back, plus a minute: a burst there stays in one window. */
const burstAt = (now: number, hoursAgo: number) => Math.floor((now - hoursAgo * 3_600_000) / WINDOW) * WINDOW + MIN;

async function preview(rule: Record<string, unknown>, key = h.teams.a.keys.admin) {
  return h.call('/api/v1/alerts/preview', { method: 'POST', key, json: { name: 'preview', window: '10m', ...rule } });
}

describe.each(storeKinds('alert preview API'))('alert preview and states on %s', (kind) => {
  let now: number;
  beforeAll(async () => {
    h = await startHarness(kind);
    now = Date.now();
    const ev = (t: number, user: string, ip: string, outcome = 'failure') => ({
      '@timestamp': new Date(t).toISOString(),
      event: { action: 'login', outcome },
      user: { email: user },
      source: { ip },
    });
    const events = [
      // eve: six failures in one window, from three addresses, five hours ago
      ...Array.from({ length: 6 }, (_, i) => ev(burstAt(now, 5) + i * 10_000, 'eve@example.com', `198.51.100.${i % 3}`)),
      // bob: four failures in one window, two hours ago, from an address eve used 30 hours ago too
      ...Array.from({ length: 4 }, (_, i) => ev(burstAt(now, 2) + i * 10_000, 'bob@example.com', '203.0.113.9')),
      // a lone failure and a success
      ev(burstAt(now, 12), 'carol@example.com', '192.0.2.1'),
      ev(burstAt(now, 11), 'carol@example.com', '192.0.2.1', 'success'),
      // outside the 24 hours
      ...Array.from({ length: 10 }, (_, i) => ev(burstAt(now, 30) + i * 10_000, 'eve@example.com', '203.0.113.9')),
    ];
    const res = await h.call('/api/v1/events?refresh=wait_for', { method: 'POST', key: h.teams.a.keys.ingest, json: events });
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts matches per window and fires where the count is above the threshold', async () => {
    const res = await preview({ query: 'event.outcome:failure', condition: { type: 'count_above', threshold: 3 } });
    expect(res.status, await res.clone().text()).toBe(200);
    const p = (await res.json()) as Preview;
    expect(p.windowMs).toBe(WINDOW);
    expect(p.windows.length).toBeGreaterThanOrEqual(144);
    expect(p.matches).toBe(11);
    expect(p.firings).toBe(2);
    expect(p.exact).toBe(true);
    const fired = p.windows.filter((w) => w.fired);
    expect(fired.map((w) => w.count)).toEqual([6, 4]);
    expect(Date.parse(fired[0]!.start)).toBe(burstAt(now, 5) - MIN);
    expect(Date.parse(fired[0]!.end) - Date.parse(fired[0]!.start)).toBe(WINDOW);
  });

  it('fires per group with group-by', async () => {
    const p = (await (await preview({ query: 'event.outcome:failure', condition: { type: 'count_above', threshold: 4 }, groupBy: 'user.email' })).json()) as Preview;
    expect(p.firings).toBe(1);
    expect(p.windows.find((w) => w.fired)!.groups).toEqual([{ group: 'eve@example.com', value: 6 }]);
  });

  it('previews any-match, flatline, cardinality and new-term conditions', async () => {
    const any = (await (await preview({ query: 'user.email:carol@example.com', condition: { type: 'any' } })).json()) as Preview;
    expect(any.firings).toBe(2);
    const below = (await (await preview({ query: 'event.outcome:failure', condition: { type: 'count_below', threshold: 1 } })).json()) as Preview;
    expect(below.firings).toBe(below.windows.length - 3);
    const distinct = (await (await preview({ query: 'event.outcome:failure', condition: { type: 'cardinality', field: 'source.ip', threshold: 2 } })).json()) as Preview;
    expect(distinct.firings).toBe(1);
    expect(distinct.windows.find((w) => w.fired)!.groups).toEqual([{ group: '', value: 3 }]);
    // bob's address was seen 30 hours ago (eve), so only eve's and carol's addresses are new.
    const fresh = (await (await preview({ query: '*', condition: { type: 'new_term', field: 'source.ip', lookback: '7d' } })).json()) as Preview;
    const terms = fresh.windows.filter((w) => w.fired).flatMap((w) => w.groups.map((g) => g.group));
    expect(terms.sort()).toEqual(['192.0.2.1', '198.51.100.0', '198.51.100.1', '198.51.100.2']);
  });

  it('answers a bad rule or query with a 400 naming it, and needs an admin key', async () => {
    const bad = await preview({ query: 'event.outcome:(failure OR', condition: { type: 'any' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('QUERY_SYNTAX');
    const window = await preview({ query: 'a', window: 'soon', condition: { type: 'any' } });
    expect(window.status).toBe(400);
    expect(((await window.json()) as { error: { message: string } }).error.message).toMatch(/^field window:/);
    expect((await preview({ query: 'a', condition: { type: 'any' } }, h.teams.a.keys.read)).status).toBe(403);
    // Another team's preview sees none of these events.
    const other = (await (await preview({ query: '*', condition: { type: 'any' } }, h.teams.b.keys.admin)).json()) as Preview;
    expect(other.matches).toBe(0);
  });

  it('shows each rule as ok or firing with its last evaluation', async () => {
    const create = await h.call('/api/v1/alerts', {
      method: 'POST',
      key: h.teams.a.keys.admin,
      json: { name: 'states check', query: 'event.outcome:failure', window: '1d', condition: { type: 'count_above', threshold: 3 } },
    });
    expect(create.status).toBe(201);
    const rule = (await create.json()) as { id: string };
    const before = (await (await h.call('/api/v1/alert-states', { key: h.teams.a.keys.admin })).json()) as {
      states: Array<{ ruleId: string; status: string; lastEvaluatedAt: string | null; lastError: unknown }>;
    };
    expect(before.states.find((s) => s.ruleId === rule.id)).toMatchObject({ status: 'ok', lastEvaluatedAt: null, lastError: null });
    expect((await h.call(`/api/v1/alerts/${rule.id}/evaluate`, { method: 'POST', key: h.teams.a.keys.admin })).status).toBe(200);
    const after = (await (await h.call('/api/v1/alert-states', { key: h.teams.a.keys.admin })).json()) as {
      states: Array<{ ruleId: string; status: string; lastEvaluatedAt: string | null; lastFiredAt: string | null; firingGroups: unknown[] }>;
    };
    const state = after.states.find((s) => s.ruleId === rule.id)!;
    expect(state.lastEvaluatedAt).not.toBeNull();
    expect(Date.parse(state.lastEvaluatedAt!)).toBeLessThanOrEqual(Date.now());
    expect(state.status).toBe('firing');
    expect(state.firingGroups).toHaveLength(1);
    expect(state.lastFiredAt).not.toBeNull();
    // Team B sees none of team A's rules.
    const b = (await (await h.call('/api/v1/alert-states', { key: h.teams.b.keys.admin })).json()) as { states: unknown[] };
    expect(b.states).toEqual([]);
  });
});
