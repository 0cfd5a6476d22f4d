/**
 * The Audit Log page in a real headless Chromium against a real server, on both stores, over
 * the demo data plus a few events made for the checks: sign-in, search, syntax errors, field
 * completion, facets, histogram zoom, event detail, permalinks and notification links, saved
 * searches, alert preview, export, sign-out, roles, team isolation. Every page is also checked
 * for script errors and Content-Security-Policy violations.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS } from '../../src/events/columns.ts';
import { generateDemo } from '../../src/demo/generate.ts';
import { csvCell } from '../../src/search/export.ts';
import { type Harness, startHarness, storeKinds } from '../http/harness.ts';
import { LOOPBACK_TARGETS, startWebhookReceiver, type WebhookReceiver } from '../alerts/receivers.ts';
import { parseCsv } from '../support/csv.ts';
import { chromiumAvailable, type LaunchedBrowser, launchBrowser } from './browser.ts';

interface ApiEvent {
  id: string;
  '@timestamp': string;
  format: string;
  normalized: Record<string, unknown>;
  original: Record<string, unknown>;
  raw?: string;
}

const FORMULA = '=HYPERLINK("http://evil.example/?x","open me")';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

if (!chromiumAvailable() && process.env.CI === 'true') {
  it('the browser suite needs Chromium (/usr/bin/chromium): .ci/run and ./dev.sh test install it', () => {
    throw new Error('chromium is not installed');
  });
}

describe.skipIf(!chromiumAvailable()).each(storeKinds('web page'))('the Audit Log page on %s', (kind) => {
  let h: Harness;
  let b: LaunchedBrowser;
  let receiver: WebhookReceiver;
  const contexts: BrowserContext[] = [];
  /** Script errors and CSP violations seen by any page of the current test. */
  let problems: string[] = [];

  const api = async <T,>(path: string, key = h.teams.a.keys.read): Promise<T> => {
    const res = await h.call(path, { key });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  /** Every matching event through the search API, as the page's export should write them. */
  const searchAll = async (params: Record<string, string>): Promise<ApiEvent[]> => {
    const out: ApiEvent[] = [];
    let cursor: string | null = null;
    do {
      const page: { hits: ApiEvent[]; cursor: string | null } = await api(`/api/v1/events?${new URLSearchParams({ ...params, size: '1000', ...(cursor ? { cursor } : {}) })}`);
      out.push(...page.hits);
      cursor = page.cursor;
    } while (cursor);
    return out;
  };

  async function ingest(team: 'a' | 'b', events: unknown[], format?: string) {
    const res = await h.call(`/api/v1/events?refresh=wait_for${format ? `&format=${format}` : ''}`, { method: 'POST', key: h.teams[team].keys.ingest, json: events });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: Array<{ id: string }>; rejected: unknown[] };
    expect(body.rejected).toEqual([]);
    return body.accepted.map((a) => a.id);
  }

  let markerId: string;
  let formulaId: string;
  let otherTeamId: string;

  beforeAll(async () => {
    const port = await freePort();
    // The notification test's webhook receiver is on loopback, which only an operator may allow.
    h = await startHarness(kind, { AUDITLOG_BASE_URL: `http://127.0.0.1:${port}`, AUDITLOG_ALERTS: 'off', AUDITLOG_ALERT_ALLOWED_TARGETS: LOOPBACK_TARGETS }, { port });
    // Six days: the whole demo stays inside the page's default "last 7 days" for the whole run.
    for (const batch of generateDemo({ days: 6 })) await ingest('a', batch.events, batch.format);
    const now = Date.now();
    markerId = (await ingest('a', [
      { '@timestamp': new Date(now - 3_600_000).toISOString(), event: { action: 'notify-marker', outcome: 'success' }, user: { email: 'marker@example.com' } },
    ]))[0]!;
    formulaId = (await ingest('a', [
      {
        '@timestamp': new Date(now - 2 * 3_600_000).toISOString(),
        event: { action: 'login', outcome: 'failure' },
        user: { email: 'mallory@example.com' },
        source: { ip: '198.51.100.66' },
        message: FORMULA,
      },
    ]))[0]!;
    // A burst of failed logins two hours ago, so an alert preview over 24 h has something to fire on.
    const burst = Math.floor((now - 2 * 3_600_000) / 600_000) * 600_000 + 60_000;
    await ingest(
      'a',
      Array.from({ length: 6 }, (_, i) => ({
        '@timestamp': new Date(burst + i * 5_000).toISOString(),
        event: { action: 'login', outcome: 'failure', category: ['authentication'] },
        user: { email: 'eve@example.com' },
        source: { ip: '45.33.32.156' },
        message: 'Eve Mallory login failed',
      })),
    );
    otherTeamId = (await ingest('b', [{ '@timestamp': new Date(now - 60_000).toISOString(), event: { action: 'team-b-only' } }]))[0]!;
    b = await launchBrowser();
    receiver = await startWebhookReceiver();
  }, 180_000);

  afterEach(() => {
    const seen = problems;
    problems = [];
    expect(seen, 'script errors or CSP violations in the page').toEqual([]);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await b?.close();
    await receiver?.close();
    await h?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await b.browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    });
    return page;
  }

  async function signedIn(key = h.teams.a.keys.read, path = '/search'): Promise<Page> {
    const page = await newPage();
    await page.goto(`${h.url}${path}`);
    await page.waitForURL(/\/signin/);
    await page.fill('#key', key);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    return page;
  }

  const totalShown = async (page: Page) => {
    const text = await page.locator('[data-testid=total]').textContent();
    return Number(/^([\d,]+) events/.exec(text ?? '')?.[1]?.replaceAll(',', '') ?? NaN);
  };
  const waitForResults = (page: Page) => page.waitForSelector('table.events tbody tr.event');
  const query = async (page: Page, q: string) => {
    await page.fill('#query', q);
    await page.press('#query', 'Escape');
    await page.press('#query', 'Enter');
  };

  it("a new user's path: failed logins found by clicks alone, one opened, all exported", async () => {
    const page = await signedIn();
    await waitForResults(page);
    // No query typed: the field sidebar leads there.
    await page.locator('li.field[data-field="event.outcome"] .field-name').click();
    await page.locator('li.field[data-field="event.outcome"] button.value', { hasText: 'failure' }).click();
    await page.waitForURL(/q=event\.outcome%3Afailure/);
    await page.locator('li.field[data-field="event.category"] .field-name').click();
    await page.locator('li.field[data-field="event.category"] button.value', { hasText: 'authentication' }).click();
    await page.waitForURL(/event\.category%3Aauthentication/);
    await waitForResults(page);
    const q = 'event.outcome:failure AND event.category:authentication';
    const expected = await searchAll({ q, from: 'now-7d', to: 'now' });
    expect(expected.length).toBeGreaterThan(10);
    expect(await totalShown(page)).toBe(expected.length);
    // Drill into one.
    await page.locator('tr.event').first().locator('a[aria-label="Open event"]').click();
    await page.waitForURL(new RegExp(`/events/${expected[0]!.id}$`));
    await page.locator('[data-testid=raw]').waitFor();
    expect(await page.locator('.event-head .outcome').textContent()).toBe('failure');
    // Back to the list, and export it.
    await page.goBack();
    await waitForResults(page);
    await page.click('button:has-text("Export")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("CSV")')]);
    const rows = parseCsv(readFileSync((await download.path())!, 'utf8')).slice(1);
    expect(rows.map((r) => r[0])).toEqual(expected.map((e) => e['@timestamp']));
    expect(new Set(rows.map((r) => r[3]))).toEqual(new Set(['failure']));
  });

  it('signs in with a read key and shows the newest events of the last 7 days', async () => {
    const page = await signedIn();
    await waitForResults(page);
    const expected = await api<{ total: number; hits: ApiEvent[] }>('/api/v1/events?from=now-7d&to=now&size=50');
    expect(await totalShown(page)).toBe(expected.total);
    const ids = await page.locator('tr.event').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(ids).toEqual(expected.hits.map((e) => e.id));
    await expect(page.locator('.role').textContent()).resolves.toBe('read');
    // The session cookie as the browser holds it.
    const cookie = (await page.context().cookies()).find((c) => c.name === 'auditlog_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000 + 11 * 3600);
  });

  it('searches with the query bar, completes field names, and keeps the view in the URL', async () => {
    const page = await signedIn();
    await waitForResults(page);
    await page.fill('#query', '');
    await page.type('#query', 'user.em');
    await page.waitForSelector('.completions li');
    expect(await page.locator('.completions li .name').allTextContents()).toContain('user.email');
    // Down the list to user.email (bounded, and never waiting on a selection that is not there).
    const names = await page.locator('.completions li .name').allTextContents();
    for (let i = 0; i < names.indexOf('user.email'); i++) await page.press('#query', 'ArrowDown');
    expect(await page.locator('.completions li.selected .name').textContent({ timeout: 5_000 })).toBe('user.email');
    await page.press('#query', 'Tab');
    expect(await page.inputValue('#query')).toBe('user.email:');
    await page.type('#query', 'eve@example.com AND event.outcome:failure');
    await page.press('#query', 'Enter');
    await page.waitForURL(/q=user\.email/);
    await waitForResults(page);
    const q = 'user.email:eve@example.com AND event.outcome:failure';
    const expected = await searchAll({ q, from: 'now-7d', to: 'now' });
    expect(await totalShown(page)).toBe(expected.length);
    expect(new Set(await page.locator('tr.event td[data-column="event.outcome"]').allTextContents())).toEqual(new Set(['failure']));
    // The URL alone reproduces the view.
    const again = await newPage();
    await again.context().addCookies(await page.context().cookies());
    await again.goto(page.url());
    await waitForResults(again);
    expect(await again.inputValue('#query')).toBe(q);
    expect(await totalShown(again)).toBe(expected.length);
  });

  it('shows a syntax error at its column with the parser message and hint', async () => {
    const page = await signedIn();
    await waitForResults(page);
    const q = 'user.email:(alice OR ';
    await query(page, q);
    const error = page.locator('.syntax-error');
    await error.waitFor();
    // The parser's own error for this text (the API answers the same).
    const res = await h.call(`/api/v1/events?q=${encodeURIComponent(q)}`, { key: h.teams.a.keys.read });
    const body = (await res.json()) as { error: { message: string; details: { column: number } } };
    expect(res.status).toBe(400);
    const column = body.error.details.column;
    expect(await error.getAttribute('data-column')).toBe(String(column));
    expect(await error.locator('.message').textContent()).toBe(`Syntax error: ${body.error.message}`);
    expect(body.error.message).toMatch(new RegExp(`at column ${column}; expected`));
    // The caret sits under that column of the query text.
    const [line, caret] = (await error.locator('pre').textContent())!.split('\n');
    expect(line).toBe(q);
    expect(caret).toBe(`${' '.repeat(column - 1)}^`);
    expect(await page.locator('#query').getAttribute('aria-invalid')).toBe('true');
  });

  it('warns about an unknown field and offers the known one', async () => {
    const page = await signedIn();
    await waitForResults(page);
    await query(page, 'user.emial:eve@example.com');
    const warning = page.locator('.warning');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(/no event of this team has the field "user\.emial"; did you mean user\.email\?/);
    await warning.locator('button', { hasText: 'use user.email' }).click();
    await page.waitForURL(/q=user\.email%3Aeve/);
    await waitForResults(page);
    expect(await totalShown(page)).toBe((await searchAll({ q: 'user.email:eve@example.com', from: 'now-7d', to: 'now' })).length);
  });

  it('adds field:value from a facet click, and excludes it on alt-click', async () => {
    const page = await signedIn();
    await waitForResults(page);
    await page.locator('li.field[data-field="event.outcome"] .field-name').click();
    await page.locator('li.field[data-field="event.outcome"] button.value', { hasText: 'failure' }).click();
    await page.waitForURL(/q=event\.outcome%3Afailure/);
    await waitForResults(page);
    expect(await page.inputValue('#query')).toBe('event.outcome:failure');
    expect(await totalShown(page)).toBe((await searchAll({ q: 'event.outcome:failure', from: 'now-7d', to: 'now' })).length);
    const field = page.locator('li.field[data-field="user.email"]');
    await field.locator('.field-name').click();
    const eve = field.locator('button.value', { hasText: 'eve@example.com' });
    await eve.click({ modifiers: ['Alt'] });
    await page.waitForURL(/NOT/);
    await waitForResults(page);
    const q = 'event.outcome:failure AND NOT user.email:eve@example.com';
    expect(await page.inputValue('#query')).toBe(q);
    expect(await totalShown(page)).toBe((await searchAll({ q, from: 'now-7d', to: 'now' })).length);
    expect(await page.locator('tr.event td[data-column=actor]', { hasText: 'eve@example.com' }).count()).toBe(0);
  });

  it('zooms into the range dragged across the histogram', async () => {
    const page = await signedIn();
    await waitForResults(page);
    const over = page.locator('.histogram .u-over');
    await over.waitFor();
    const box = (await over.boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, y, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d{4}-/);
    await waitForResults(page);
    const url = new URL(page.url());
    const from = Date.parse(url.searchParams.get('from')!);
    const to = Date.parse(url.searchParams.get('to')!);
    expect(to - from).toBeGreaterThan(3_600_000);
    expect(to - from).toBeLessThan(4 * 86_400_000);
    const expected = await searchAll({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
    expect(await totalShown(page)).toBe(expected.length);
    for (const t of await page.locator('tr.event td[data-column="@timestamp"]').allTextContents()) {
      const ms = Date.parse(`${t.replace(' ', 'T')}Z`);
      expect(ms).toBeGreaterThanOrEqual(from);
      expect(ms).toBeLessThan(to);
    }
    expect(await page.locator('.range-button').textContent()).toMatch(/→/);
  });

  it("opens an event's page with its raw text, and the permalink opens it again", async () => {
    const page = await signedIn();
    await waitForResults(page);
    const row = page.locator('tr.event').first();
    const id = (await row.getAttribute('data-id'))!;
    await row.locator('a[aria-label="Open event"]').click();
    await page.waitForURL(new RegExp(`/events/${id}$`));
    const expected = await api<ApiEvent>(`/api/v1/events/${encodeURIComponent(id)}`);
    await page.locator('[data-testid=raw]').waitFor();
    await page.locator('label.toggle input').uncheck();
    expect(await page.locator('[data-testid=raw]').textContent()).toBe(expected.raw);
    expect(await page.locator('table[aria-label="Normalized fields"] tr[data-field="auditlog.id"] .v').textContent()).toBe(id);
    // The permalink in another tab of the same browser.
    const tab = await page.context().newPage();
    await tab.goto(`${h.url}/events/${id}`);
    await tab.locator('[data-testid=raw]').waitFor();
    expect(await tab.locator('.event-head .mono').last().textContent()).toBe(id);
  });

  it('opens the event of a notification link, after sign-in when needed', async () => {
    const created = await h.call('/api/v1/alerts', {
      method: 'POST',
      key: h.teams.a.keys.admin,
      json: { name: 'marker', query: 'event.action:notify-marker', window: '1d', condition: { type: 'any' }, channels: [{ type: 'webhook', url: receiver.url }] },
    });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as { id: string };
    expect((await h.call(`/api/v1/alerts/${rule.id}/evaluate`, { method: 'POST', key: h.teams.a.keys.admin })).status).toBe(200);
    await h.rt.alerting.deliverer.runOnce();
    const notification = JSON.parse(receiver.requests.at(-1)!.body) as { groups: Array<{ events: Array<{ id: string; url: string }> }> };
    const link = notification.groups[0]!.events[0]!;
    expect(link.id).toBe(markerId);
    expect(link.url).toBe(`${h.url}/events/${markerId}`);
    // A browser that is not signed in goes through sign-in and lands on the event.
    const page = await newPage();
    await page.goto(link.url);
    await page.waitForURL(/\/signin\?next=/);
    await page.fill('#key', h.teams.a.keys.read);
    await page.click('button[type=submit]');
    await page.waitForURL(link.url);
    await page.locator('[data-testid=raw]').waitFor();
    expect(await page.locator('.event-head h2').textContent()).toMatch(/^notify-marker/);
    // Signed in, the link opens at once.
    await page.goto(link.url);
    await page.locator('[data-testid=raw]').waitFor();
  });

  it('saves the current view, lists it, opens it and deletes it', async () => {
    const page = await signedIn(h.teams.a.keys.admin);
    await waitForResults(page);
    const q = 'event.outcome:failure AND event.category:authentication';
    const view = `/search?${new URLSearchParams({ q, from: 'now-30d', to: 'now', cols: '@timestamp,actor,source.ip' })}`;
    await page.goto(`${h.url}${view}`);
    await waitForResults(page);
    await page.click('button:has-text("Save")');
    await page.fill('#save-name', 'Failed logins, 30 days');
    await page.fill('#save-description', 'round trip');
    await page.click('button:has-text("Save search")');
    await page.locator('.toast').waitFor();
    await page.click('nav a:has-text("Saved searches")');
    const row = page.locator('tr[data-name="Failed logins, 30 days"]');
    await row.waitFor();
    expect(await row.locator('.query-cell').textContent()).toBe(q);
    expect(await row.textContent()).toMatch(/Last 30 days/);
    await row.locator('a:has-text("Open")').click();
    await page.waitForURL(/\/search\?/);
    await waitForResults(page);
    const url = new URL(page.url());
    expect(url.searchParams.get('q')).toBe(q);
    expect(url.searchParams.get('from')).toBe('now-30d');
    expect(url.searchParams.get('cols')).toBe('@timestamp,actor,source.ip');
    expect(await page.locator('table.events th[data-column]').evaluateAll((ths) => ths.map((t) => t.getAttribute('data-column')))).toEqual([
      '@timestamp',
      'actor',
      'source.ip',
    ]);
    await page.click('nav a:has-text("Saved searches")');
    page.once('dialog', (d) => void d.accept());
    await page.locator('tr[data-name="Failed logins, 30 days"] button:has-text("Delete")').click();
    await page.locator('tr[data-name="Failed logins, 30 days"]').waitFor({ state: 'detached' });
    const left = await api<{ savedSearches: Array<{ name: string }> }>('/api/v1/saved-searches');
    expect(left.savedSearches.map((s) => s.name)).not.toContain('Failed logins, 30 days');
  });

  it('creates an alert rule after previewing what it would have fired on', async () => {
    const page = await signedIn(h.teams.a.keys.admin, '/alerts');
    await page.locator('table[aria-label="Alert rules"], .panel.empty').first().waitFor();
    await page.click('a:has-text("New rule")');
    await page.waitForURL(/\/alerts\/new$/);
    await page.fill('#rule-name', 'Failed login burst (browser test)');
    await page.fill('#rule-query', 'event.outcome:failure AND event.category:authentication');
    await page.press('#rule-query', 'Escape');
    await page.selectOption('#rule-condition', 'count_above');
    await page.fill('input[aria-label=Threshold]', '4');
    await page.fill('input[aria-label=Window]', '10m');
    await page.fill('input[aria-label="Group by"]', 'user.email');
    await page.click('button:has-text("Preview last 24 h")');
    const firings = page.locator('[data-testid=preview-firings]');
    await firings.waitFor();
    const preview = await h.call('/api/v1/alerts/preview', {
      method: 'POST',
      key: h.teams.a.keys.admin,
      json: { name: 'x', query: 'event.outcome:failure AND event.category:authentication', window: '10m', groupBy: 'user.email', condition: { type: 'count_above', threshold: 4 } },
    });
    const expected = (await preview.json()) as { firings: number; windows: Array<{ fired: boolean; groups: Array<{ group: string }> }> };
    expect(expected.firings).toBeGreaterThanOrEqual(1);
    expect(Number(await firings.textContent())).toBe(expected.firings);
    expect(await page.locator('table[aria-label="Windows that fire"] tr.fired').count()).toBe(Math.min(20, expected.firings));
    expect(await page.locator('table[aria-label="Windows that fire"]').textContent()).toMatch(/eve@example\.com: 6/);
    await page.click('button:has-text("Create rule")');
    await page.waitForURL((u) => /^\/alerts\/[0-9A-Za-z]+$/.test(u.pathname) && u.pathname !== '/alerts/new');
    expect(await page.locator('.pagehead h2').textContent()).toBe('Failed login burst (browser test)');
    await page.click('a:has-text("Alert rules")');
    const listed = page.locator('tr[data-rule="Failed login burst (browser test)"]');
    await listed.waitFor();
    expect(await listed.locator('.badge').textContent()).toMatch(/^(ok|firing)$/);
    expect(await listed.textContent()).toMatch(/more than 4 in 10m per user\.email/);
  });

  it('exports every matching row as CSV, the same as the search API, formulas escaped', async () => {
    const page = await signedIn();
    await waitForResults(page);
    const q = 'event.outcome:failure';
    await query(page, q);
    await page.waitForURL(/q=event\.outcome/);
    await waitForResults(page);
    await page.click('button:has-text("Export")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("CSV")')]);
    const text = readFileSync((await download.path())!, 'utf8');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(DEFAULT_COLUMNS.map(csvCell));
    const expected = await searchAll({ q, from: 'now-7d', to: 'now' });
    expect(rows.length).toBe(expected.length);
    const actor = (e: ApiEvent) => String(e.normalized['user.email'] ?? e.normalized['user.name'] ?? e.normalized['user.id'] ?? '');
    rows.forEach((row, i) => {
      const e = expected[i]!;
      const cell = (v: unknown) => (v === undefined ? '' : String(v));
      const plain = [e['@timestamp'], actor(e), cell(e.normalized['event.action']), cell(e.normalized['event.outcome']), cell(e.normalized['source.ip']), cell(e.normalized.message)];
      // csvCell's escaping, undone by the CSV reader except for the formula guard.
      expect(row, `row ${i + 1} (${e.id})`).toEqual(plain.map((v) => (/^(?:[=+\-@\t\r]| +[=+\-@])/.test(v) ? `'${v}` : v)));
    });
    const formulaRow = rows[expected.findIndex((e) => e.id === formulaId)]!;
    expect(formulaRow[5]).toBe(`'${FORMULA}`);
  });

  it('signs out and the session is revoked on the server', async () => {
    const page = await signedIn();
    await waitForResults(page);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'auditlog_session')!;
    const withCookie = () => fetch(`${h.url}/api/v1/events`, { headers: { cookie: `auditlog_session=${cookie.value}` } });
    expect((await withCookie()).status).toBe(200);
    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/signin$/);
    expect((await page.context().cookies()).find((c) => c.name === 'auditlog_session')).toBeUndefined();
    expect((await withCookie()).status).toBe(401);
    await page.goto(`${h.url}/search`);
    await page.waitForURL(/\/signin/);
  });

  it('shows a read key no admin controls', async () => {
    const saved = await h.call('/api/v1/saved-searches', { method: 'POST', key: h.teams.a.keys.admin, json: { name: 'visible to readers', query: 'event.outcome:failure' } });
    expect(saved.status).toBe(201);
    const page = await signedIn(h.teams.a.keys.read);
    await waitForResults(page);
    expect(await page.locator('nav a:has-text("Alerts")').count()).toBe(0);
    expect(await page.locator('[data-admin]').count()).toBe(0);
    expect(await page.locator('button:has-text("Save")').count()).toBe(0);
    await page.click('nav a:has-text("Saved searches")');
    await page.locator('tr[data-name="visible to readers"]').waitFor();
    expect(await page.locator('[data-admin]').count()).toBe(0);
    expect(await page.locator('button:has-text("Delete")').count()).toBe(0);
    await page.goto(`${h.url}/alerts`);
    await page.locator('main .panel.empty').waitFor();
    expect(await page.locator('main').textContent()).toMatch(/admin key/);
    expect(await page.locator('table[aria-label="Alert rules"]').count()).toBe(0);
  });

  it("answers another team's event id with not found", async () => {
    const page = await signedIn(h.teams.b.keys.read, `/events/${markerId}`);
    await page.locator('.event-missing').waitFor();
    expect(await page.locator('.event-missing h2').textContent()).toBe('Event not found');
    expect(await page.locator('.event-missing').textContent()).not.toMatch(/notify-marker/);
    // Its own event opens.
    await page.goto(`${h.url}/events/${otherTeamId}`);
    await page.locator('[data-testid=raw]').waitFor();
  });

  it("shows an actor's audit history from an actor value", async () => {
    const page = await signedIn();
    await waitForResults(page);
    await page.locator('tr.event a.actor', { hasText: 'eve@example.com' }).first().click();
    await page.waitForURL(/\/history\?/);
    const total = page.locator('[data-testid=history-total]');
    await page.locator('[data-testid=history-total]', { hasText: /\d/ }).waitFor();
    const expected = await searchAll({ q: 'user.email:eve@example.com', from: 'now-90d', to: 'now' });
    expect(Number((await total.textContent())!.replaceAll(',', ''))).toBe(expected.length);
    await waitForResults(page);
    expect(new Set(await page.locator('tr.event td[data-column=actor]').allTextContents())).toEqual(new Set(['eve@example.com']));
  });
});
