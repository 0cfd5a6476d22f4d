/**
 * Screenshots of the web page's main views for the README and docs/, taken from a real server
 * on the embedded store with the demo team, in the same headless Chromium as the browser
 * tests:
 *
 *   node scripts/screenshots.ts                    # writes docs/screenshots/*.png
 *   AUDITLOG_STORE=elasticsearch ES_URL=… node scripts/screenshots.ts --timing-only
 *
 * It also prints the time from navigation to the first page of results on the search view
 * (the `auditlog:first-results` performance mark), measured over several fresh page loads.
 * On Elasticsearch the demo goes to a team of its own name, whose events are dropped after.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadDemo } from '../src/cli/demo.ts';
import { loadConfig } from '../src/config.ts';
import type { TeamId } from '../src/events/event.ts';
import { createRuntime } from '../src/runtime.ts';
import { startServer } from '../src/server.ts';
import { launchBrowser } from '../test/ui/browser.ts';

const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'auditlog-shots-'));
const config = loadConfig({ ...process.env, AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'warn', AUDITLOG_STORE: process.env.AUDITLOG_STORE ?? 'sqlite' });
const timingOnly = process.argv.includes('--timing-only');
const rt = await createRuntime(config);
const team = (rt.store.kind === 'sqlite' ? 'demo' : `demo-${Date.now().toString(36)}`) as TeamId;
const demo = await loadDemo(rt, { team, print: false, adminKey: true });
const server = await startServer(rt, { port: 0, host: '127.0.0.1' });
const browser = await launchBrowser();
mkdirSync(OUT, { recursive: true });

async function page(width = 1440, height = 900): Promise<Page> {
  const context = await browser.browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error('page error:', e.message));
  return p;
}

async function signIn(p: Page, key: string) {
  await p.goto(`${server.url}/signin`);
  await p.fill('#key', key);
  await p.click('button[type=submit]');
  await p.waitForURL(/\/search/);
  await p.waitForSelector('table.events tbody tr.event');
}

const shot = async (p: Page, name: string) => {
  if (timingOnly) return;
  await p.waitForTimeout(300);
  await p.screenshot({ path: join(OUT, `${name}.png`) });
  console.log(`docs/screenshots/${name}.png`);
};

try {
  const p = await page();
  await p.goto(`${server.url}/signin`);
  await shot(p, 'signin');

  await signIn(p, demo.adminKey!);
  // The Done-when path: the demo team's failed logins, one opened.
  await p.goto(`${server.url}/search?${new URLSearchParams({ q: 'event.outcome:failure AND event.category:authentication', from: 'now-7d', to: 'now' })}`);
  await p.waitForSelector('table.events tbody tr.event');
  await p.locator('li.field[data-field="user.email"] .field-name').click();
  await p.waitForSelector('li.field[data-field="user.email"] button.value');
  await p.locator('tr.event').nth(1).click();
  await shot(p, 'search');

  const id = await p.locator('tr.event').first().getAttribute('data-id');
  await p.goto(`${server.url}/events/${id}`);
  await p.waitForSelector('[data-testid=raw]');
  await shot(p, 'event');

  await p.goto(`${server.url}/history?field=user.email&value=eve%40example.com`);
  await p.locator('[data-testid=history-total]', { hasText: /\d/ }).waitFor();
  await p.waitForSelector('table.events tbody tr.event');
  await shot(p, 'history');

  await p.goto(`${server.url}/search?q=${encodeURIComponent('user.emial:eve@example.com')}`);
  await p.waitForSelector('.warning');
  await p.fill('#query', 'event.outcome:failure AND user.email:(eve@example.com OR ');
  await p.press('#query', 'Enter');
  await p.waitForSelector('.syntax-error');
  if (!timingOnly) {
    await p.screenshot({ path: join(OUT, 'syntax-error.png'), clip: { x: 0, y: 0, width: 1440, height: 180 } });
    console.log('docs/screenshots/syntax-error.png');
  }

  await p.goto(`${server.url}/saved`);
  await p.waitForSelector('table[aria-label="Saved searches"]');
  await shot(p, 'saved');

  await p.goto(`${server.url}/alerts`);
  await p.waitForSelector('table[aria-label="Alert rules"]');
  await shot(p, 'alerts');

  await p.goto(`${server.url}/alerts/new`);
  await p.fill('#rule-name', 'Failed logins per user');
  await p.fill('#rule-query', 'event.outcome:failure AND event.category:authentication');
  await p.press('#rule-query', 'Escape');
  await p.fill('input[aria-label=Threshold]', '0');
  await p.fill('input[aria-label=Window]', '1h');
  await p.fill('input[aria-label="Group by"]', 'user.email');
  await p.click('button:has-text("Preview last 24 h")');
  await p.waitForSelector('[data-testid=preview-firings]');
  await shot(p, 'alert-preview');

  // Time to the first page of results: fresh page loads of the search view, signed in.
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    await p.goto('about:blank');
    await p.goto(`${server.url}/search`);
    await p.waitForSelector('table.events tbody tr.event');
    times.push(await p.evaluate(() => performance.getEntriesByName('auditlog:first-results')[0]?.startTime ?? NaN));
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `first results on /search (store ${rt.store.kind}, ${times.length} loads): median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, ` +
      `min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`,
  );
} finally {
  await browser.close();
  await server.close();
  if (rt.store.kind === 'elasticsearch') await rt.store.dropTeam(team);
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
}
