/**
 * Every route, with no key, malformed keys, a revoked key, the wrong kind of key, a too-weak
 * role and another team's key. The answer is 401/403 as appropriate, and never another
 * team's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/teams/model.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

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
  { method: 'GET', path: () => '/api/v1/events/export?format=csv', need: 'read' },
  { method: 'GET', path: () => '/api/v1/fields?q=user.email:x', need: 'read' },
  { method: 'GET', path: () => '/api/v1/events/tail?q=*', need: 'read' },
  { method: 'POST', path: () => '/api/v1/teams', need: 'operator', body: { id: 'new-team-x' } },
  { method: 'GET', path: () => '/api/v1/teams', need: 'operator' },
  { method: 'POST', path: (h) => `/api/v1/teams/${h.teams.a.team}/keys`, need: 'operator', body: { role: 'read' } },
  { method: 'GET', path: (h) => `/api/v1/teams/${h.teams.a.team}`, need: 'operator' },
  { method: 'PATCH', path: (h) => `/api/v1/teams/${h.teams.a.team}`, need: 'operator', body: { name: 'renamed by the operator' } },
  { method: 'GET', path: () => '/api/v1/system/events', need: 'operator' },
  { method: 'GET', path: () => '/api/v1/team', need: 'any-team-key' },
  { method: 'PATCH', path: () => '/api/v1/team', need: 'admin', body: { name: 'renamed by the admin' } },
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
  { method: 'GET', path: () => '/api/v1/alert-states', need: 'admin' },
  { method: 'POST', path: () => '/api/v1/alerts/preview', need: 'admin', body: { name: 'x', query: 'a', condition: { type: 'any' } } },
  { method: 'GET', path: () => '/api/v1/streams', need: 'admin' },
  { method: 'POST', path: () => '/api/v1/streams', need: 'admin', body: { name: 'x', url: 'https://siem.example.com/x' } },
  { method: 'GET', path: () => '/api/v1/streams/nope', need: 'admin' },
  { method: 'PATCH', path: () => '/api/v1/streams/nope', need: 'admin', body: { name: 'y' } },
  { method: 'POST', path: () => '/api/v1/streams/nope/pause', need: 'admin' },
  { method: 'POST', path: () => '/api/v1/streams/nope/resume', need: 'admin' },
  { method: 'DELETE', path: () => '/api/v1/streams/nope', need: 'admin' },
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

/**
 * The web page's routes: the session cookie's flags, session fixation, CSRF on every
 * state-changing call, login CSRF, the Content-Security-Policy and the other headers.
 */
describe.each(storeKinds('UI security'))('web page security on %s', (kind) => {
  let ui: Harness;
  beforeAll(async () => {
    ui = await startHarness(kind);
  });
  afterAll(async () => {
    await ui?.close();
  });

  const COOKIE = /^(?:__Host-)?auditlog_session=([^;]*)/;

  async function signIn(key: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${ui.url}/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ key }),
    });
    const setCookie = res.headers.getSetCookie().find((c) => COOKIE.test(c)) ?? '';
    const body = res.status === 200 ? ((await res.json()) as { csrfToken: string; team: string; role: string }) : null;
    return { res, setCookie, token: COOKIE.exec(setCookie)?.[1] ?? '', body };
  }

  const withSession = (token: string, init: RequestInit & { csrf?: string } = {}) => {
    const { csrf, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('cookie', `auditlog_session=${token}`);
    if (csrf !== undefined) headers.set('x-csrf-token', csrf);
    return { ...rest, headers };
  };

  it('sets an HttpOnly, SameSite=Strict, expiring session cookie; Secure with the __Host- prefix over TLS', async () => {
    const plain = await signIn(ui.teams.a.keys.read);
    expect(plain.res.status).toBe(200);
    expect(plain.res.headers.get('cache-control')).toBe('no-store');
    const attrs = plain.setCookie.split(';').map((s) => s.trim().toLowerCase());
    expect(plain.setCookie).toMatch(/^auditlog_session=[A-Za-z0-9_-]{43};/);
    expect(attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/', `max-age=${12 * 3600}`]));
    expect(attrs).not.toContain('secure');
    // The token is in the cookie only, never in a body a script could read.
    expect(JSON.stringify(plain.body)).not.toContain(plain.token);

    const tls = await signIn(ui.teams.a.keys.read, { 'x-forwarded-proto': 'https' });
    expect(tls.setCookie).toMatch(/^__Host-auditlog_session=[A-Za-z0-9_-]{43};/);
    expect(tls.setCookie.toLowerCase()).toMatch(/; secure(;|$)/);
    expect(tls.setCookie.toLowerCase()).not.toMatch(/domain=/);
  });

  it('never continues a session the browser brought along (session fixation)', async () => {
    const planted = 'A'.repeat(43);
    const first = await signIn(ui.teams.a.keys.read, { cookie: `auditlog_session=${planted}` });
    expect(first.token).not.toBe(planted);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(planted))).status).toBe(401);
    // An attacker's own live session planted in the victim's browser is ended by the victim's sign-in.
    const attacker = await signIn(ui.teams.b.keys.read);
    const victim = await signIn(ui.teams.a.keys.read, { cookie: `auditlog_session=${attacker.token}` });
    expect(victim.token).not.toBe(attacker.token);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(attacker.token))).status).toBe(401);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(victim.token))).status).toBe(200);
  });

  it('refuses every state-changing call without the session CSRF token', async () => {
    const s = await signIn(ui.teams.a.keys.admin);
    const csrf = s.body!.csrfToken;
    const body = JSON.stringify({ name: 'csrf check', query: 'event.outcome:failure' });
    const post = (extra: RequestInit & { csrf?: string }) =>
      fetch(`${ui.url}/api/v1/saved-searches`, withSession(s.token, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...extra }));
    const missing = await post({});
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/CSRF/);
    expect((await post({ csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await post({ csrf: '' })).status).toBe(403);
    const created = await post({ csrf });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    for (const [method, path] of [
      ['DELETE', `/api/v1/saved-searches/${id}`],
      ['PUT', `/api/v1/saved-searches/${id}`],
      ['POST', '/api/v1/alerts'],
      ['PATCH', '/api/v1/alerts/nope'],
      ['POST', '/api/v1/alerts/preview'],
      ['POST', '/api/v1/keys'],
    ] as const) {
      const res = await fetch(`${ui.url}${path}`, withSession(s.token, { method, headers: { 'content-type': 'application/json' }, body: '{}' }));
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // Safe reads need no token; the saved search is still there.
    const list = await fetch(`${ui.url}/api/v1/saved-searches`, withSession(s.token));
    expect(((await list.json()) as { savedSearches: Array<{ id: string }> }).savedSearches.map((x) => x.id)).toContain(id);
    // Sign-out is state-changing too.
    expect((await fetch(`${ui.url}/ui/session`, withSession(s.token, { method: 'DELETE' }))).status).toBe(403);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(s.token))).status).toBe(200);
  });

  it('refuses a sign-in from another origin or as a form post (login CSRF)', async () => {
    expect((await signIn(ui.teams.a.keys.read, { origin: 'https://evil.example' })).res.status).toBe(403);
    expect((await signIn(ui.teams.a.keys.read, { origin: ui.url })).res.status).toBe(200);
    const form = await fetch(`${ui.url}/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `key=${encodeURIComponent(ui.teams.a.keys.read)}`,
    });
    expect(form.status).toBe(415);
    expect(form.headers.getSetCookie()).toEqual([]);
  });

  it('signs in only with a read or admin key of a team', async () => {
    expect((await signIn(ui.teams.a.keys.ingest)).res.status).toBe(403);
    expect((await signIn(OPERATOR_KEY)).res.status).toBe(403);
    expect((await signIn('alk_0123456789abcdef_' + 'A'.repeat(43))).res.status).toBe(401);
    const bad = await fetch(`${ui.url}/ui/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key": 1}' });
    expect(bad.status).toBe(400);
    const huge = await fetch(`${ui.url}/ui/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'x'.repeat(10_000) }) });
    expect(huge.status).toBe(413);
  });

  it('a signed-out session is dead everywhere, and the cookie is cleared', async () => {
    const s = await signIn(ui.teams.a.keys.read);
    const out = await fetch(`${ui.url}/ui/session`, withSession(s.token, { method: 'DELETE', csrf: s.body!.csrfToken }));
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().join(';')).toMatch(/auditlog_session=;.*Max-Age=0/i);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(s.token))).status).toBe(401);
    const who = await fetch(`${ui.url}/ui/session`, withSession(s.token));
    expect(await who.json()).toEqual({ session: null });
  });

  it("a session acts with its key's role and team only", async () => {
    const read = await signIn(ui.teams.a.keys.read);
    const res = await fetch(`${ui.url}/api/v1/alerts`, withSession(read.token));
    expect(res.status).toBe(403);
    const write = await fetch(`${ui.url}/api/v1/saved-searches`, withSession(read.token, { method: 'POST', csrf: read.body!.csrfToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', query: 'a' }) }));
    expect(write.status).toBe(403);
    const ingest = await fetch(`${ui.url}/api/v1/events`, withSession(read.token, { method: 'POST', csrf: read.body!.csrfToken, headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect(ingest.status).toBe(403);
    // A revoked key ends its sessions.
    const { key, secret } = await ui.rt.teams.createKey(ui.teams.a.team, 'read');
    const doomed = await signIn(secret);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(doomed.token))).status).toBe(200);
    await ui.rt.teams.revokeKey(ui.teams.a.team, key.id);
    expect((await fetch(`${ui.url}/api/v1/events`, withSession(doomed.token))).status).toBe(401);
  });

  const PAGES = ['/', '/signin', '/search?q=a', '/events/01JZZZZZZZZZZZZZZZZZZZZZZZ', '/history?field=user.email&value=x', '/saved', '/alerts', '/alerts/new'];

  it.each(PAGES)('%s answers the page with a strict Content-Security-Policy and no asset from another origin', async (path) => {
    const res = await fetch(`${ui.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v] as [string, string[]]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    // Every src/href is a path of this server; nothing inline.
    const refs = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r).toMatch(/^\/[^/]/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style="/);
    for (const r of refs.filter((x) => x.startsWith('/assets/'))) {
      const asset = await fetch(`${ui.url}${r}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-security-policy')).toBe(csp);
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('the assets load nothing from another origin', async () => {
    const html = await (await fetch(`${ui.url}/search`)).text();
    for (const r of [...html.matchAll(/(?:src|href)="(\/assets\/[^"]*)"/g)].map((m) => m[1]!)) {
      const text = await (await fetch(`${ui.url}${r}`)).text();
      // No URL of another origin in code or styles (XML namespaces are names, not requests).
      const urls = [...text.matchAll(/https?:\/\/[a-z0-9][a-z0-9.-]*/gi)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org');
      expect(urls, r).toEqual([]);
      expect(text).not.toMatch(/@import|url\(\s*["']?(?!data:)/);
    }
  });

  it('records sign-ins and sign-outs in the audit trail', async () => {
    const s = await signIn(ui.teams.a.keys.read);
    await fetch(`${ui.url}/ui/session`, withSession(s.token, { method: 'DELETE', csrf: s.body!.csrfToken }));
    await eventually(async () => {
      const res = await ui.call(`/api/v1/system/events?${new URLSearchParams({ q: `url.path:"/ui/session" AND user.id:${ui.teams.a.keyIds.read}` })}`, {
        key: OPERATOR_KEY,
      });
      const page = (await res.json()) as { hits: Array<{ normalized: Record<string, unknown> }> };
      const methods = page.hits.map((h) => h.normalized['http.request.method']);
      expect(methods).toContain('POST');
      expect(methods).toContain('DELETE');
    });
  });
});
