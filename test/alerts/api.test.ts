/**
 * The alert and saved-search API over real HTTP: CRUD, validation messages, secrets never
 * returned, roles, and team isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamId } from '../../src/events/event.ts';
import { storeKinds } from '../http/harness.ts';
import { type AlertHarness, startAlertHarness } from './harness.ts';

let h: AlertHarness;
// biome-ignore lint: response bodies are checked field by field below
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

const rule = (over: Record<string, unknown> = {}) => ({
  name: 'Failed logins per user',
  query: 'event.outcome:failure   AND  event.action:*login*',
  window: '10m',
  groupBy: 'user.email',
  condition: { type: 'count_above', threshold: 5 },
  throttle: '30m',
  channels: [
    { type: 'webhook', url: 'https://hooks.example.com/audit', secret: 'a-very-secret-signing-key' },
    { type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX' },
  ],
  ...over,
});

describe.each(storeKinds('alert API'))('on %s', (kind) => {
  beforeAll(async () => {
    h = await startAlertHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('alert rules API', () => {
    it('creates a rule with defaults, a canonical query, and no secrets in the response', async () => {
      const res = await h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule() });
      expect(res.status).toBe(201);
      const text = await res.text();
      expect(text).not.toContain('a-very-secret-signing-key');
      expect(text).not.toContain('XXXXXXXX');
      const body = JSON.parse(text);
      expect(body).toMatchObject({
        team: h.teams.a.team,
        query: 'event.outcome:failure AND event.action:*login*',
        schedule: '* * * * *',
        severity: 'medium',
        enabled: true,
        notifyRecovery: false,
        channels: [
          { id: 'ch1', type: 'webhook', url: 'https://hooks.example.com/audit', hasSecret: true },
          { id: 'ch2', type: 'slack', url: 'https://hooks.slack.com/…' },
        ],
      });
      const list = await json(h.call('/api/v1/alerts', { key: h.teams.a.keys.admin }));
      expect(list.rules.map((r: { id: string }) => r.id)).toContain(body.id);
      const one = await h.call(`/api/v1/alerts/${body.id}`, { key: h.teams.a.keys.admin });
      expect(await json(one)).toEqual(body);
    });

    it('an update that sends back the redacted channels keeps the stored secrets', async () => {
      const created = await json(h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule() }));
      const { id, team, createdAt, updatedAt, builtin, ...editable } = created;
      const put = await h.call(`/api/v1/alerts/${id}`, {
        method: 'PUT',
        key: h.teams.a.keys.admin,
        json: { ...editable, name: 'renamed', channels: created.channels.map(({ hasSecret, ...c }: Record<string, unknown>) => c) },
      });
      expect(put.status).toBe(200);
      expect((await json(put)).name).toBe('renamed');
      const stored = await h.alerting.state.getRule(h.teams.a.team, id);
      expect(stored!.channels).toEqual([
        { id: 'ch1', type: 'webhook', url: 'https://hooks.example.com/audit', secret: 'a-very-secret-signing-key' },
        { id: 'ch2', type: 'slack', url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX' },
      ]);
    });

    it.each([
      [{ query: 'user.name:(alice' }, 'QUERY_SYNTAX', /column/],
      [{ schedule: 'every minute' }, 'BAD_REQUEST', /schedule.*cron/],
      [{ window: '5 minutes' }, 'BAD_REQUEST', /window.*duration/],
      [{ condition: { type: 'count_above' } }, 'BAD_REQUEST', /condition\.threshold/],
      [{ condition: { type: 'sometimes' } }, 'BAD_REQUEST', /condition/],
      [{ channels: [{ type: 'webhook', url: 'file:///etc/passwd' }] }, 'BAD_REQUEST', /http or https/],
      [{ channels: [{ type: 'webhook', url: 'ftp://example.com/x' }] }, 'BAD_REQUEST', /http or https/],
      [{ channels: [{ type: 'slack', url: 'not a url' }] }, 'BAD_REQUEST', /not a URL/],
      [{ channels: [{ type: 'email', to: ['ops@example.com'] }] }, 'BAD_REQUEST', /SMTP/],
      [{ groupBy: 'user.*' }, 'BAD_REQUEST', /groupBy/],
      [{ groupBy: 'source.ip', condition: { type: 'cardinality', field: 'source.ip', threshold: 3 } }, 'BAD_REQUEST', /differ/],
    ])('rejects %j with %s', async (over, code, message) => {
      const res = await h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule(over) });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
    });

    it('needs the admin role, and no team sees another team’s rules', async () => {
      const created = await json(h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule() }));
      for (const key of [h.teams.a.keys.read, h.teams.a.keys.ingest]) {
        expect((await h.call('/api/v1/alerts', { key })).status).toBe(403);
        expect((await h.call('/api/v1/alerts', { method: 'POST', key, json: rule() })).status).toBe(403);
      }
      expect((await h.call('/api/v1/alerts', { key: h.operatorKey })).status).toBe(403);
      expect((await h.call('/api/v1/alerts', {})).status).toBe(401);
      const other = h.teams.b.keys.admin;
      expect((await h.call(`/api/v1/alerts/${created.id}`, { key: other })).status).toBe(404);
      expect((await h.call(`/api/v1/alerts/${created.id}/history`, { key: other })).status).toBe(404);
      expect((await h.call(`/api/v1/alerts/${created.id}`, { method: 'PUT', key: other, json: rule() })).status).toBe(404);
      expect((await h.call(`/api/v1/alerts/${created.id}`, { method: 'DELETE', key: other })).status).toBe(404);
      expect((await h.call(`/api/v1/alerts/${created.id}/evaluate`, { method: 'POST', key: other })).status).toBe(404);
      expect((await json(h.call('/api/v1/alerts', { key: other }))).rules).toEqual([]);
    });

    it('disables, evaluates, shows history and deletes', async () => {
      const created = await json(
        h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule({ condition: { type: 'any' }, channels: [], groupBy: undefined }) }),
      );
      await h.rt.store.append(h.teams.a.team as TeamId, [
        { id: 'evt-1', team: h.teams.a.team, timestamp: Date.now() - 90_000, received: Date.now(), format: 'ecs', flags: [], ecs: { 'event.action': 'login', 'event.outcome': 'failure' }, original: {}, raw: '{}' },
      ], { waitForSearch: true });
      const disabled = await h.call(`/api/v1/alerts/${created.id}`, { method: 'PATCH', key: h.teams.a.keys.admin, json: { enabled: false } });
      expect((await json(disabled)).enabled).toBe(false);
      expect(await json(h.call(`/api/v1/alerts/${created.id}/evaluate`, { method: 'POST', key: h.teams.a.keys.admin }))).toEqual({ result: { status: 'disabled' } });
      await h.call(`/api/v1/alerts/${created.id}`, { method: 'PATCH', key: h.teams.a.keys.admin, json: { enabled: true } });
      const ran = await json(h.call(`/api/v1/alerts/${created.id}/evaluate`, { method: 'POST', key: h.teams.a.keys.admin }));
      expect(ran.result).toMatchObject({ status: 'done', notifications: 1 });
      const history = await json(h.call(`/api/v1/alerts/${created.id}/history?limit=10`, { key: h.teams.a.keys.admin }));
      expect(history.history[0]).toMatchObject({ kind: 'fired', group: '', detail: { matches: 1, events: ['evt-1'] } });
      expect(history.history[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await h.call(`/api/v1/alerts/${created.id}`, { method: 'DELETE', key: h.teams.a.keys.admin })).status).toBe(204);
      expect((await h.call(`/api/v1/alerts/${created.id}`, { key: h.teams.a.keys.admin })).status).toBe(404);
    });

    it('POST /api/v1/alerts/builtin installs the built-in rules once', async () => {
      const first = await h.call('/api/v1/alerts/builtin', { method: 'POST', key: h.teams.b.keys.admin, json: {} });
      expect(first.status).toBe(200);
      const body = await json(first);
      expect(body.rules.created.length).toBeGreaterThanOrEqual(8);
      const second = await json(h.call('/api/v1/alerts/builtin', { method: 'POST', key: h.teams.b.keys.admin }));
      expect(second.rules.created).toEqual([]);
      expect((await json(h.call('/api/v1/alerts', { key: h.teams.b.keys.admin }))).rules).toHaveLength(body.rules.created.length);
      expect((await h.call('/api/v1/alerts/builtin', { method: 'POST', key: h.teams.b.keys.read })).status).toBe(403);
    });
  });

  describe('saved searches API', () => {
    it('admin writes, read lists and gets; the query is stored canonical', async () => {
      const res = await h.call('/api/v1/saved-searches', {
        method: 'POST',
        key: h.teams.a.keys.admin,
        json: { name: 'Eve', query: 'user.email:eve@example.com  &&  !event.outcome:success', timeRange: { from: 'now-24h' }, columns: ['user.email'] },
      });
      expect(res.status).toBe(201);
      const s = await json(res);
      expect(s.query).toBe('user.email:eve@example.com AND NOT event.outcome:success');
      const list = await json(h.call('/api/v1/saved-searches', { key: h.teams.a.keys.read }));
      expect(list.savedSearches.map((x: { id: string }) => x.id)).toContain(s.id);
      expect(await json(h.call(`/api/v1/saved-searches/${s.id}`, { key: h.teams.a.keys.read }))).toEqual(s);
      const put = await h.call(`/api/v1/saved-searches/${s.id}`, { method: 'PUT', key: h.teams.a.keys.admin, json: { name: 'Eve 2', query: 'user.email:eve@example.com' } });
      expect((await json(put)).name).toBe('Eve 2');
      expect((await h.call(`/api/v1/saved-searches/${s.id}`, { method: 'DELETE', key: h.teams.a.keys.read })).status).toBe(403);
      expect((await h.call(`/api/v1/saved-searches/${s.id}`, { key: h.teams.b.keys.read })).status).toBe(404);
      expect((await h.call(`/api/v1/saved-searches/${s.id}`, { method: 'DELETE', key: h.teams.a.keys.admin })).status).toBe(204);
      expect((await h.call(`/api/v1/saved-searches/${s.id}`, { key: h.teams.a.keys.read })).status).toBe(404);
    });

    it('rejects a bad query with its position, and a read key cannot write', async () => {
      const bad = await h.call('/api/v1/saved-searches', { method: 'POST', key: h.teams.a.keys.admin, json: { name: 'x', query: 'a AND (b' } });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error).toMatchObject({ code: 'QUERY_SYNTAX', details: { column: expect.any(Number) } });
      expect((await h.call('/api/v1/saved-searches', { method: 'POST', key: h.teams.a.keys.read, json: { name: 'x', query: 'a' } })).status).toBe(403);
      expect((await h.call('/api/v1/saved-searches', { method: 'POST', key: h.teams.a.keys.admin, json: { name: '', query: 'a' } })).status).toBe(400);
    });
  });
});
