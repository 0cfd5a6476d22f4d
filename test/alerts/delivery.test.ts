/**
 * Channels and the outbox against real receivers: an HTTP server on loopback for webhooks
 * and Slack, smtp-server for email. Retries run on an explicit clock.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/deliverer.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { Channel } from '../../src/alerts/model.ts';
import type { Notification } from '../../src/alerts/notification.ts';
import { AlertScheduler } from '../../src/alerts/scheduler.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { ev, historyOf, SEC, T0 } from './common.ts';
import { loopbackEgress, startSmtpServer, startWebhookReceiver, type WebhookReceiver } from './receivers.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-alert-delivery-'));
let store: SqliteStore;
let n = 0;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(() => {
  store = new SqliteStore({ dataDir: join(dir, 'events') });
});
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(channels: Channel[], { smtp = false } = {}) {
  const team = `delivery-${n++}`;
  const file = join(dir, `${team}.db`);
  const state = new SqliteAlertStateStore(file);
  cleanup.push(() => state.close().catch(() => undefined));
  const clock = { now: T0 };
  const service = new AlertService({ egress: loopbackEgress, state, now: () => clock.now, smtpConfigured: smtp });
  const rule = await service.createRule(team, {
    name: 'Deletes by user',
    query: 'event.action:delete',
    window: '1m',
    groupBy: 'user.name',
    condition: { type: 'any' },
    severity: 'high',
    channels,
  });
  await store.append(team, [
    ev(team, T0 - 30 * SEC, { 'event.action': 'delete', 'user.name': 'mallory', 'source.ip': '203.0.113.5' }),
    ev(team, T0 - 20 * SEC, { 'event.action': 'delete', 'user.name': 'mallory', 'source.ip': '203.0.113.5' }),
    ev(team, T0 - 10 * SEC, { 'event.action': 'delete', 'user.name': 'trent' }),
  ]);
  const engine = new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 0, baseUrl: 'https://audit.example.com/' });
  await engine.runRule(rule.id);
  return { team, file, state, clock, rule, service };
}

async function receiver(respond?: (n: number) => number): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(respond);
  cleanup.push(() => r.close());
  return r;
}

describe('webhook channel', () => {
  it('posts one signed JSON notification for all groups of an evaluation', async () => {
    const r = await receiver();
    const secret = 'a-secret-of-at-least-16-chars';
    const { team, state, clock, rule } = await setup([{ type: 'webhook', url: `${r.url}/hook`, secret }]);
    const d = new Deliverer({ egress: loopbackEgress, state, now: () => clock.now });
    expect(await d.runOnce()).toBe(1);
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req.path).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    const expected = `sha256=${createHmac('sha256', secret).update(`${req.headers['x-auditlog-timestamp']}.${req.body}`).digest('hex')}`;
    expect(req.headers['x-auditlog-signature']).toBe(expected);
    const body = JSON.parse(req.body) as Notification;
    expect(body).toMatchObject({ version: 1, team, status: 'firing', rule: { id: rule.id, name: 'Deletes by user', severity: 'high', groupBy: 'user.name' } });
    expect(body.groups.map((g) => [g.group, g.matches])).toEqual([
      ['mallory', 2],
      ['trent', 1],
    ]);
    expect(body.groups[0]!.events[0]).toMatchObject({ user: 'mallory', sourceIp: '203.0.113.5', action: 'delete' });
    expect(body.groups[0]!.events[0]!.url).toMatch(/^https:\/\/audit\.example\.com\/events\/ev\d+$/);
    expect(req.body).not.toContain(secret);
    expect((await historyOf(state, team, rule.id, ['delivered'])).length).toBe(1);
    expect(await d.runOnce()).toBe(0);
  });

  it('retries a failing webhook with backoff until it recovers, recording every attempt', async () => {
    const r = await receiver((i) => (i <= 2 ? 503 : 200));
    const { team, state, clock, rule } = await setup([{ type: 'webhook', url: r.url }]);
    const d = new Deliverer({ egress: loopbackEgress, state, now: () => clock.now, backoffMs: 1_000 });
    await d.runOnce();
    expect(await d.runOnce()).toBe(0); // not due yet
    clock.now += 1_000;
    await d.runOnce();
    clock.now += 1_999;
    expect(await d.runOnce()).toBe(0); // second backoff is 2 s
    clock.now += 1;
    await d.runOnce();
    expect(r.requests).toHaveLength(3);
    expect(new Set(r.requests.map((q) => q.headers['x-auditlog-delivery'])).size).toBe(1);
    const h = await historyOf(state, team, rule.id, ['delivery_failed', 'delivered', 'gave_up']);
    expect(h.map((x) => x.kind)).toEqual(['delivery_failed', 'delivery_failed', 'delivered']);
    expect(h[0]!.message).toContain('HTTP 503');
    expect((await state.listOutbox(rule.id)).map((o) => [o.status, o.attempts])).toEqual([['delivered', 3]]);
  });

  it('gives up at once on a 4xx, and after the last attempt on 5xx', async () => {
    const gone = await receiver(() => 404);
    const down = await receiver(() => 500);
    const { team, state, clock, rule } = await setup([
      { type: 'webhook', url: gone.url },
      { type: 'webhook', url: down.url },
    ]);
    const d = new Deliverer({ egress: loopbackEgress, state, now: () => clock.now, backoffMs: 10, maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await d.runOnce();
      clock.now += 1_000;
    }
    expect(gone.requests).toHaveLength(1);
    expect(down.requests).toHaveLength(3);
    expect((await state.listOutbox(rule.id)).map((o) => o.status)).toEqual(['failed', 'failed']);
    expect(await historyOf(state, team, rule.id, ['gave_up'])).toHaveLength(2);
  });

  it('does not follow redirects', async () => {
    const r = await receiver(() => 302);
    const { state, clock, rule } = await setup([{ type: 'webhook', url: r.url }]);
    await new Deliverer({ egress: loopbackEgress, state, now: () => clock.now }).runOnce();
    expect((await state.listOutbox(rule.id))[0]).toMatchObject({ status: 'failed', lastError: expect.stringContaining('HTTP 302') });
  });

  it('pending deliveries survive a restart (persisted outbox)', async () => {
    const r = await receiver();
    const { file, state, rule, clock } = await setup([{ type: 'webhook', url: r.url }]);
    expect((await state.listOutbox(rule.id))[0]!.status).toBe('pending');
    await state.close();
    const reopened = new SqliteAlertStateStore(file);
    cleanup.push(() => reopened.close());
    await new Deliverer({ egress: loopbackEgress, state: reopened, now: () => clock.now }).runOnce();
    expect(r.requests).toHaveLength(1);
    expect((await reopened.listOutbox(rule.id))[0]!.status).toBe('delivered');
  });

  it('a claim of a crashed instance expires and another instance delivers', async () => {
    const r = await receiver();
    const { state, rule, clock } = await setup([{ type: 'webhook', url: r.url }]);
    expect(await state.claimDeliveries('crashed', clock.now, 30_000, 10)).toHaveLength(1);
    const d = new Deliverer({ egress: loopbackEgress, state, now: () => clock.now });
    expect(await d.runOnce()).toBe(0);
    clock.now += 30_000;
    expect(await d.runOnce()).toBe(1);
    expect(r.requests).toHaveLength(1);
    expect((await state.listOutbox(rule.id))[0]!.status).toBe('delivered');
  });
});

describe('slack channel', () => {
  it('posts readable text with the groups and event links', async () => {
    const r = await receiver();
    const { state, clock } = await setup([{ type: 'slack', url: `${r.url}/services/T000/B000/XXXX` }]);
    await new Deliverer({ egress: loopbackEgress, state, now: () => clock.now }).runOnce();
    const body = JSON.parse(r.requests[0]!.body) as { text: string };
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toContain('*[HIGH] Deletes by user: new matching events*');
    expect(body.text).toContain('user.name=mallory: value 2, 2 matching events');
    expect(body.text).toContain('203.0.113.5');
    expect(body.text).toMatch(/https:\/\/audit\.example\.com\/events\/ev\d+/);
  });
});

describe('email channel', () => {
  it('sends the notification over SMTP', async () => {
    const smtp = await startSmtpServer();
    cleanup.push(() => smtp.close());
    const { state, clock } = await setup([{ type: 'email', to: ['secops@example.com', 'oncall@example.com'] }], { smtp: true });
    await new Deliverer({ egress: loopbackEgress, state, now: () => clock.now, smtp: { host: '127.0.0.1', port: smtp.port, from: 'auditlog@example.com' } }).runOnce();
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('auditlog@example.com');
    expect(mail.to.sort()).toEqual(['oncall@example.com', 'secops@example.com']);
    expect(mail.data).toContain('Subject: [HIGH] Deletes by user: new matching events');
    const text = Buffer.from(mail.data.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => `%${h}`), 'latin1').toString();
    expect(decodeURIComponent(text)).toContain('• user.name=mallory: value 2, 2 matching events');
  });

  it('refuses email channels when no SMTP server is configured', async () => {
    const state = new SqliteAlertStateStore(':memory:');
    cleanup.push(() => state.close());
    const service = new AlertService({ egress: loopbackEgress, state });
    await expect(
      service.createRule('t', { name: 'x', query: '', condition: { type: 'any' }, channels: [{ type: 'email', to: ['a@example.com'] }] }),
    ).rejects.toThrow('SMTP');
  });
});

describe('scheduler with real cron ticks', () => {
  it('evaluates an every-second rule and delivers its notification', async () => {
    const r = await receiver();
    const team = `cron-${n++}`;
    const state = new SqliteAlertStateStore(join(dir, `${team}.db`));
    cleanup.push(() => state.close());
    const service = new AlertService({ egress: loopbackEgress, state });
    const rule = await service.createRule(team, {
      name: 'cron',
      query: 'event.action:delete',
      schedule: '* * * * * *',
      window: '30s',
      condition: { type: 'any' },
      channels: [{ type: 'webhook', url: r.url }],
    });
    const at = Date.now() - 5_000;
    await store.append(team, [ev(team, at, { 'event.action': 'delete' })]);
    const engine = new AlertEngine({ store, state, ingestDelayMs: 0 });
    const scheduler = new AlertScheduler({ engine, deliverer: new Deliverer({ egress: loopbackEgress, state }), state, deliverySchedule: '* * * * * *' });
    await scheduler.start();
    cleanup.push(() => scheduler.stop());
    const deadline = Date.now() + 6_000;
    while (r.requests.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    expect(r.requests).toHaveLength(1);
    // The evaluated window reached past the event (not a time: a loaded machine skips cron ticks).
    expect((await state.getCursor(rule.id)).watermark).toBeGreaterThan(at);
    // Later ticks keep evaluating but find nothing new: still one notification.
    await new Promise((res) => setTimeout(res, 1_500));
    expect(r.requests).toHaveLength(1);
  }, 15_000);
});
