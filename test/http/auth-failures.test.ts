/**
 * Failed authentication leaves a trace (key prefix, client address, route; never the secret)
 * and is rate-limited per client address: after N failures in the window every request from
 * that address gets 429 with Retry-After, with a valid key or not, until the window ends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

/** The system team outlives a test on Elasticsearch: each test finds its own entries by a user agent of its own. */
const marker = () => `auth-test-${randomBytes(6).toString('hex')}`;

async function systemEvents(h: Harness, q: string): Promise<{ page: Page; text: string }> {
  const res = await h.call(`/api/v1/system/events?${new URLSearchParams({ q, size: '100' })}`, { key: OPERATOR_KEY });
  expect(res.status).toBe(200);
  const text = await res.text();
  return { page: JSON.parse(text) as Page, text };
}

interface Page {
  total: number;
  hits: Array<{ normalized: Record<string, unknown>; original: Record<string, unknown> }>;
}

describe.each(storeKinds('failed authentication'))('failed authentication on %s', (kind) => {
  describe('behind no proxy', () => {
    let h: Harness;
    beforeAll(async () => {
      // Long enough for four refusals and their trail writes on a loaded Elasticsearch; short enough to wait out.
      h = await startHarness(kind, { AUDITLOG_AUTH_MAX_FAILURES: '4', AUDITLOG_AUTH_FAILURE_WINDOW_SECONDS: '10' });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('records each refusal, then answers 429 with Retry-After to the address, then lets it in again', async () => {
      const real = h.teams.a.keys.read;
      const keyId = h.teams.a.keyIds.read;
      const wrongSecret = real.slice(0, -6) + (real.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
      const ua = marker();
      const attempts: Array<[string, Record<string, string>]> = [
        ['wrong_secret', { authorization: `Bearer ${wrongSecret}` }],
        ['missing', {}],
        ['not_a_key', { authorization: 'Bearer hunter2-not-a-key' }],
        // X-Forwarded-For from a peer that is not a trusted proxy is ignored: the attempt still counts against 127.0.0.1.
        ['unknown_key', { authorization: `Bearer alk_0123456789abcdef_${'Q'.repeat(43)}`, 'x-forwarded-for': '198.51.100.9' }],
      ];
      for (const [reason, headers] of attempts) {
        const res = await h.call('/api/v1/events?q=x', { headers: { ...headers, 'user-agent': ua } });
        expect(res.status, reason).toBe(401);
      }
      const limited = await h.call('/api/v1/events?q=x', { key: real, headers: { 'user-agent': ua } });
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(10);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');

      await new Promise((r) => setTimeout(r, retryAfter * 1000 + 200));
      expect((await h.call('/api/v1/events?q=x', { key: real })).status).toBe(200);

      await eventually(async () => {
        const { page, text } = await systemEvents(h, `event.action:authentication_failed AND user_agent.original:"${ua}"`);
        expect(page.hits.map((e) => e.original.reason).sort()).toEqual(['missing', 'not_a_key', 'unknown_key', 'wrong_secret']);
        for (const e of page.hits) {
          expect(e.normalized).toMatchObject({ 'event.outcome': 'failure', 'source.ip': '127.0.0.1', 'url.path': '/api/v1/events', 'http.response.status_code': 401 });
        }
        const wrong = page.hits.find((e) => e.original.reason === 'wrong_secret')!;
        expect(wrong.normalized['user.id']).toBe(`alk_${keyId}`);
        // The secret part of any presented key never reaches the trail.
        expect(text).not.toContain(wrongSecret.slice(`alk_${keyId}_`.length));
        expect(text).not.toContain('hunter2');
        expect(text).not.toContain('Q'.repeat(43));
      });
      await eventually(async () => {
        const { page } = await systemEvents(h, `event.action:authentication_rate_limited AND user_agent.original:"${ua}"`);
        expect(page.total).toBe(1);
        expect(page.hits[0]!.normalized).toMatchObject({ 'source.ip': '127.0.0.1', 'http.response.status_code': 429 });
      });
    });
  });

  describe('signing in to the web page', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind, { AUDITLOG_AUTH_MAX_FAILURES: '3', AUDITLOG_AUTH_FAILURE_WINDOW_SECONDS: '60' });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('counts a sign-in with a wrong key as a failed authentication: recorded, then the address is refused on the API too', async () => {
      const ua = marker();
      const real = h.teams.a.keys.read;
      const wrongSecret = real.slice(0, -6) + (real.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
      const signIn = (key: string) => h.call('/ui/session', { method: 'POST', json: { key }, headers: { 'user-agent': ua } });
      expect((await signIn(wrongSecret)).status).toBe(401);
      expect((await signIn('hunter2-not-a-key')).status).toBe(401);
      expect((await signIn(wrongSecret)).status).toBe(401);
      // The third failure filled the window: the right key is refused too, on the page and on the API.
      const page = await signIn(real);
      expect(page.status).toBe(429);
      expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await h.call('/api/v1/team', { key: real })).status).toBe(429);
      // The operator shares this address, so it is refused too: read the trail from the runtime.
      await eventually(async () => {
        const trail = await h.rt.search.search('system', { q: `event.action:authentication_failed AND user_agent.original:"${ua}"`, size: 100 });
        expect(trail.hits.map((e) => e.original.reason).sort()).toEqual(['not_a_key', 'wrong_secret', 'wrong_secret']);
        expect(trail.hits.every((e) => e.ecs['url.path'] === '/ui/session' && e.ecs['source.ip'] === '127.0.0.1')).toBe(true);
        const text = JSON.stringify(trail.hits);
        expect(text).not.toContain(wrongSecret.slice(-20));
        expect(text).not.toContain('hunter2');
      });
    });
  });

  describe('the /metrics token', () => {
    const TOKEN = 'metrics-token-for-auth-failure-tests';
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind, { AUDITLOG_METRICS_TOKEN: TOKEN, AUDITLOG_AUTH_MAX_FAILURES: '3', AUDITLOG_AUTH_FAILURE_WINDOW_SECONDS: '60' });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('counts a wrong or missing token as a failed authentication: recorded, then the address is refused everywhere', async () => {
      const ua = marker();
      const scrape = (token: string | null) => h.call('/metrics', { key: token, headers: { 'user-agent': ua } });
      expect((await scrape('guessed-metrics-token-1')).status).toBe(401);
      expect((await scrape(null)).status).toBe(401);
      expect((await scrape('guessed-metrics-token-2')).status).toBe(401);
      // The third failure filled the window: the right token is refused too, and so are keys on the API.
      const limited = await scrape(TOKEN);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await h.call('/api/v1/team', { key: h.teams.a.keys.read })).status).toBe(429);
      await eventually(async () => {
        const trail = await h.rt.search.search('system', { q: `event.action:authentication_failed AND user_agent.original:"${ua}"`, size: 100 });
        expect(trail.hits.map((e) => e.original.reason).sort()).toEqual(['missing', 'wrong_secret', 'wrong_secret']);
        expect(trail.hits.every((e) => e.ecs['url.path'] === '/metrics' && e.ecs['source.ip'] === '127.0.0.1')).toBe(true);
        expect(JSON.stringify(trail.hits)).not.toContain('guessed-metrics-token');
      });
    });
  });

  describe('behind a trusted proxy', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind, { AUDITLOG_AUTH_MAX_FAILURES: '3', AUDITLOG_TRUSTED_PROXIES: '127.0.0.1/32, ::1' });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('counts failures per forwarded client, so one client cannot lock out the others', async () => {
      const ua = marker();
      const from = (ip: string) => ({ 'x-forwarded-for': `203.0.113.50, ${ip}`, 'user-agent': ua });
      for (let i = 0; i < 3; i++) expect((await h.call('/api/v1/team', { headers: { ...from('198.51.100.7'), authorization: 'Bearer nope' } })).status).toBe(401);
      const blocked = await h.call('/api/v1/team', { key: h.teams.a.keys.read, headers: from('198.51.100.7') });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await h.call('/api/v1/team', { key: h.teams.a.keys.read, headers: from('198.51.100.8') })).status).toBe(200);
      // The proxy itself (no forwarded address) is a client of its own.
      expect((await h.call('/api/v1/team', { key: h.teams.a.keys.read })).status).toBe(200);
      await eventually(async () => {
        const { page } = await systemEvents(h, `event.action:authentication_failed AND user_agent.original:"${ua}"`);
        expect(page.total).toBe(3);
        expect(page.hits.every((e) => e.normalized['source.ip'] === '198.51.100.7')).toBe(true);
      });
    });
  });
});
