/**
 * Every route, with no key, malformed keys, a revoked key, the wrong kind of key, a too-weak
 * role and another team's key. The answer is 401/403 as appropriate, and never another
 * team's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/teams/model.ts';
import { type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

type Need = Role | 'operator' | 'any-team-key';

interface RouteCase {
  method: string;
  path: (h: Harness) => string;
  need: Need;
  body?: unknown;
}

const ROUTES: RouteCase[] = [
  { method: 'POST', path: () => '/api/v1/events', need: 'ingest', body: { '@timestamp': '2026-11-01T00:00:00Z', event: { action: 'x' } } },
  { method: 'GET', path: () => '/api/v1/events?q=*', need: 'read' },
  { method: 'GET', path: () => '/api/v1/events/01JZZZZZZZZZZZZZZZZZZZZZZZ', need: 'read' },
  { method: 'GET', path: () => '/api/v1/events/histogram', need: 'read' },
  { method: 'GET', path: () => '/api/v1/events/facets?field=user.email', need: 'read' },
  { method: 'GET', path: () => '/api/v1/events/tail?q=*', need: 'read' },
  { method: 'POST', path: () => '/api/v1/teams', need: 'operator', body: { id: 'new-team-x' } },
  { method: 'GET', path: () => '/api/v1/teams', need: 'operator' },
  { method: 'POST', path: (h) => `/api/v1/teams/${h.teams.a.team}/keys`, need: 'operator', body: { role: 'read' } },
  { method: 'GET', path: () => '/api/v1/system/events', need: 'operator' },
  { method: 'GET', path: () => '/api/v1/team', need: 'any-team-key' },
  { method: 'PATCH', path: () => '/api/v1/team', need: 'admin', body: { retentionDays: 30 } },
  { method: 'POST', path: () => '/api/v1/keys', need: 'admin', body: { role: 'read' } },
  { method: 'GET', path: () => '/api/v1/keys', need: 'admin' },
  { method: 'DELETE', path: () => '/api/v1/keys/0000000000000000', need: 'admin' },
  { method: 'GET', path: () => '/api/v1/alerts', need: 'admin' },
  { method: 'POST', path: () => '/api/v1/alerts', need: 'admin', body: { name: 'x', query: 'event.outcome:failure', condition: { type: 'any' } } },
  { method: 'GET', path: () => '/api/v1/alerts/nope', need: 'admin' },
  { method: 'PUT', path: () => '/api/v1/alerts/nope', need: 'admin', body: { name: 'x', query: 'a', condition: { type: 'any' } } },
  { method: 'PATCH', path: () => '/api/v1/alerts/nope', need: 'admin', body: { enabled: false } },
  { method: 'DELETE', path: () => '/api/v1/alerts/nope', need: 'admin' },
  { method: 'GET', path: () => '/api/v1/alerts/nope/history', need: 'admin' },
  { method: 'POST', path: () => '/api/v1/alerts/nope/evaluate', need: 'admin', body: {} },
  { method: 'POST', path: () => '/api/v1/alerts/builtin', need: 'admin', body: {} },
  { method: 'POST', path: () => '/api/v1/alerts/test', need: 'read', body: { rule: { query: 'a', condition: { type: 'any' } }, from: 'now-1h' } },
  { method: 'GET', path: () => '/api/v1/saved-searches', need: 'read' },
  { method: 'GET', path: () => '/api/v1/saved-searches/nope', need: 'read' },
  { method: 'POST', path: () => '/api/v1/saved-searches', need: 'admin', body: { name: 'x', query: 'a' } },
  { method: 'PUT', path: () => '/api/v1/saved-searches/nope', need: 'admin', body: { name: 'x', query: 'a' } },
  { method: 'DELETE', path: () => '/api/v1/saved-searches/nope', need: 'admin' },
];

let h: Harness;

describe.each(storeKinds('HTTP security'))('HTTP security on %s', (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  function request(route: RouteCase, headers: Record<string, string>) {
    return h.call(route.path(h), {
      method: route.method,
      headers: { ...(route.body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(route.body ? { body: JSON.stringify(route.body) } : {}),
    });
  }

  async function expectError(res: Response, status: number) {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
  }

  const weakerRoles = (need: Need): Role[] => {
    if (need === 'ingest') return ['read'];
    if (need === 'read') return ['ingest'];
    if (need === 'admin') return ['ingest', 'read'];
    if (need === 'operator') return ['ingest', 'read', 'admin'];
    return [];
  };

  describe.each(ROUTES)('$method $need route', (route) => {
    const title = () => `${route.method} ${route.path(h)}`;

    it('answers 401 without a key', async () => {
      await expectError(await request(route, {}), 401);
    });

    it.each([
      ['a garbage bearer token', { authorization: 'Bearer not-a-key' }],
      ['a non-bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['a well-formed key that does not exist', { authorization: `Bearer alk_0123456789abcdef_${'A'.repeat(43)}` }],
      ['an empty X-API-Key', { 'x-api-key': '' }],
    ])('answers 401 with %s', async (_name, headers) => {
      await expectError(await request(route, headers), 401);
    });

    it('answers 401 with a revoked key', async () => {
      const role: Role = route.need === 'operator' || route.need === 'any-team-key' ? 'admin' : route.need;
      const { key, secret } = await h.rt.teams.createKey(h.teams.a.team, role, 'to revoke');
      await h.rt.teams.revokeKey(h.teams.a.team, key.id);
      await expectError(await request(route, { authorization: `Bearer ${secret}` }), 401);
    });

    it('answers 401 with a right key id but a wrong secret', async () => {
      const real = h.teams.a.keys.admin;
      const forged = real.slice(0, -4) + (real.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      await expectError(await request(route, { authorization: `Bearer ${forged}` }), 401);
    });

    it('answers 403 to a role that is too weak', async () => {
      for (const role of weakerRoles(route.need)) {
        const res = await request(route, { authorization: `Bearer ${h.teams.a.keys[role]}` });
        expect(res.status, `${title()} with a ${role} key`).toBe(403);
      }
    });

    if (route.need !== 'operator') {
      it('answers 403 to the operator key (it reads no team data)', async () => {
        await expectError(await request(route, { authorization: `Bearer ${OPERATOR_KEY}` }), 403);
      });
    }
  });

  describe('team isolation', () => {
    let eventIdOfA: string;
    const marker = 'isolation-marker-7f3a';

    beforeAll(async () => {
      const res = await h.call('/api/v1/events?refresh=wait_for', {
        method: 'POST',
        key: h.teams.a.keys.ingest,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ '@timestamp': '2026-11-01T10:00:00Z', event: { action: marker }, user: { email: 'a@example.com' } }),
      });
      expect(res.status).toBe(200);
      eventIdOfA = ((await res.json()) as { accepted: Array<{ id: string }> }).accepted[0]!.id;
    });

    it("a read key of team B finds none of team A's events", async () => {
      for (const q of [marker, `event.action:${marker}`, '*', '*:*', '_exists_:event.action', `auditlog.id:${eventIdOfA}`]) {
        const res = await h.call(`/api/v1/events?q=${encodeURIComponent(q)}`, { key: h.teams.b.keys.read });
        expect(res.status, q).toBe(200);
        const body = (await res.json()) as { total: number; hits: unknown[] };
        expect(body.total, q).toBe(0);
      }
      const own = await h.call(`/api/v1/events?q=${encodeURIComponent(`event.action:${marker}`)}`, { key: h.teams.a.keys.read });
      expect(((await own.json()) as { total: number }).total).toBe(1);
    });

    it("team B cannot get team A's event by id", async () => {
      await expectError(await h.call(`/api/v1/events/${eventIdOfA}`, { key: h.teams.b.keys.read }), 404);
      expect((await h.call(`/api/v1/events/${eventIdOfA}`, { key: h.teams.a.keys.read })).status).toBe(200);
    });

    it("team B's histogram and facets count nothing of team A", async () => {
      const hist = (await (await h.call('/api/v1/events/histogram', { key: h.teams.b.keys.read })).json()) as { buckets: Array<{ count: number }> };
      expect(hist.buckets.reduce((n, b) => n + b.count, 0)).toBe(0);
      const facets = (await (await h.call('/api/v1/events/facets?field=event.action', { key: h.teams.b.keys.read })).json()) as {
        buckets: Array<{ value: string }>;
      };
      expect(facets.buckets.map((b) => b.value)).not.toContain(marker);
    });

    it('a body, query parameter or header naming another team does not change where events go', async () => {
      const res = await h.call(`/api/v1/events?refresh=wait_for&team=${h.teams.a.team}`, {
        method: 'POST',
        key: h.teams.b.keys.ingest,
        headers: { 'content-type': 'application/json', 'x-auditlog-team': h.teams.a.team },
        body: JSON.stringify({ '@timestamp': '2026-11-01T11:00:00Z', team: h.teams.a.team, auditlog: { team: h.teams.a.team }, event: { action: 'smuggled' } }),
      });
      expect(res.status).toBe(200);
      const inA = (await (await h.call('/api/v1/events?q=smuggled', { key: h.teams.a.keys.read })).json()) as { total: number };
      const inB = (await (await h.call('/api/v1/events?q=smuggled', { key: h.teams.b.keys.read })).json()) as { total: number };
      expect(inA.total).toBe(0);
      expect(inB.total).toBe(1);
    });

    it("team B's admin cannot revoke or list team A's keys", async () => {
      await expectError(await h.call(`/api/v1/keys/${h.teams.a.keyIds.read}`, { method: 'DELETE', key: h.teams.b.keys.admin }), 404);
      const list = (await (await h.call('/api/v1/keys', { key: h.teams.b.keys.admin })).json()) as { keys: Array<{ team: string }> };
      expect(list.keys.every((k) => k.team === h.teams.b.team)).toBe(true);
      expect((await h.call('/api/v1/events', { key: h.teams.a.keys.read })).status).toBe(200);
    });

    it('key listings never contain secrets or hashes', async () => {
      const text = await (await h.call('/api/v1/keys', { key: h.teams.a.keys.admin })).text();
      expect(text).not.toMatch(/alk_[0-9a-z]{16}_/);
      expect(text).not.toMatch(/"hash"/);
    });
  });
});
