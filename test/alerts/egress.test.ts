/**
 * Webhooks cannot be pointed at the server's own network: loopback, private, link-local,
 * metadata and the other refused ranges are refused at rule creation when the URL is a literal
 * address (400 naming the field) and at every send on the address actually connected to, unless
 * the operator allows a range. Header values and URL query strings are write-only, like the secret.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/deliverer.ts';
import { EgressPolicy, embeddedIPv4 } from '../../src/alerts/egress.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { Channel } from '../../src/alerts/model.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import { CidrList } from '../../src/net/cidr.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { type Harness, startHarness, storeKinds } from '../http/harness.ts';
import { ev, SEC, T0 } from './common.ts';
import { LOOPBACK_TARGETS, loopbackEgress, startWebhookReceiver } from './receivers.ts';

const host = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');

describe('egress policy', () => {
  const policy = new EgressPolicy();

  it.each([
    ['http://127.0.0.1:9200/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0x7f.0.0.1/', /loopback/],
    ['http://0177.0.0.1/', /loopback/],
    ['http://0.0.0.0/', /unspecified/],
    ['http://10.1.2.3/', /private/],
    ['http://172.31.255.255/', /private/],
    ['http://192.168.0.1/', /private/],
    ['http://169.254.169.254/latest/meta-data/', /link-local.*metadata/],
    ['http://100.100.100.200/', /shared/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://[::1]/', /loopback/],
    ['http://[::]/', /unspecified/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[fd00:ec2::254]/', /unique local/],
    ['http://[ff02::1]/', /multicast/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://[::ffff:a9fe:a9fe]/', /link-local/],
    ['http://[64:ff9b::7f00:1]/', /loopback/],
    ['http://[2002:a00:1::1]/', /private/],
  ])('refuses %s', (url, why) => {
    expect(policy.refusal(host(url))).toMatch(why);
    expect(policy.literalRefusal(url)).toMatch(why);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '64:ff9b::808:808', '2002:808:808::1'])('lets %s through', (address) => {
    expect(policy.refusal(address)).toBeNull();
  });

  it('refuses the names that always mean this machine, and leaves other names to the send-time check', () => {
    expect(policy.literalRefusal('http://localhost:8080/')).toMatch(/this machine/);
    expect(policy.literalRefusal('http://api.localhost/')).toMatch(/this machine/);
    expect(policy.literalRefusal('https://hooks.example.com/x')).toBeNull();
  });

  it("lets through exactly the operator's ranges", () => {
    const allowed = new EgressPolicy(CidrList.parse('127.0.0.0/8, 10.20.0.0/16'));
    expect(allowed.refusal('127.0.0.1')).toBeNull();
    expect(allowed.refusal('::ffff:127.0.0.1')).toBeNull();
    expect(allowed.refusal('10.20.3.4')).toBeNull();
    expect(allowed.refusal('10.21.0.1')).toMatch(/private/);
    expect(allowed.refusal('::1')).toMatch(/loopback/);
    // Loopback partly allowed: whether localhost may be reached is decided on what it resolves to, at send time.
    expect(allowed.literalRefusal('http://localhost/')).toBeNull();
  });

  it('finds the IPv4 address inside IPv6 forms', () => {
    expect(embeddedIPv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIPv4('::7f00:1')).toBe('127.0.0.1');
    expect(embeddedIPv4('64:ff9b::a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIPv4('2002:c0a8:101::')).toBe('192.168.1.1');
    expect(embeddedIPv4('::1')).toBeNull();
    expect(embeddedIPv4('2606:4700::1111')).toBeNull();
  });

  it('resolves, checks and hands the socket only what it checked', async () => {
    const lookup = (name: string, all: boolean) =>
      new Promise<unknown>((resolve, reject) => policy.lookup(name, { all }, (err, address) => (err ? reject(err) : resolve(address))));
    await expect(lookup('localhost', false)).rejects.toThrow(/localhost resolves to .*loopback/);
    await expect(lookup('localhost', true)).rejects.toThrow(/loopback/);
    const allowed = new EgressPolicy(CidrList.parse(LOOPBACK_TARGETS));
    expect(await new Promise((resolve) => allowed.lookup('localhost', { all: true }, (_e, a) => resolve(a)))).toEqual(
      expect.arrayContaining([expect.objectContaining({ address: '127.0.0.1' })]),
    );
  });
});

describe('webhook sends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-egress-'));
  let store: SqliteStore;
  let n = 0;
  beforeAll(() => {
    store = new SqliteStore({ dataDir: join(dir, 'events') });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A rule with one due notification, made where loopback is allowed; sent by a deliverer with `egress`. */
  async function deliverTo(channel: Channel, egress: EgressPolicy) {
    const team = `egress-${n++}`;
    const state = new SqliteAlertStateStore(join(dir, `${team}.db`));
    const clock = { now: T0 };
    const rule = await new AlertService({ state, egress: loopbackEgress, now: () => clock.now }).createRule(team, {
      name: 'r',
      query: 'event.action:delete',
      window: '1m',
      condition: { type: 'any' },
      channels: [channel],
    });
    await store.append(team, [ev(team, T0 - 10 * SEC, { 'event.action': 'delete' })]);
    await new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 0 }).runRule(rule.id);
    await new Deliverer({ state, egress, now: () => clock.now }).runOnce();
    const [entry] = await state.listOutbox(rule.id);
    await state.close();
    return entry!;
  }

  it('refuses at send time a loopback address, whether written as an address or as a name, and gives up at once', async () => {
    const r = await startWebhookReceiver();
    try {
      const port = new URL(r.url).port;
      for (const url of [r.url, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/`]) {
        const entry = await deliverTo({ type: 'webhook', url }, new EgressPolicy());
        expect(entry, url).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/refused.*loopback.*AUDITLOG_ALERT_ALLOWED_TARGETS/) });
      }
      expect(r.requests).toHaveLength(0);
      // The same receiver, allowed by the operator: delivered, with the channel's own headers.
      const ok = await deliverTo({ type: 'webhook', url: `http://localhost:${port}/hook?token=t1`, headers: { 'X-Api-Key': 'k1' } }, loopbackEgress);
      expect(ok).toMatchObject({ status: 'delivered' });
      expect(r.requests).toHaveLength(1);
      expect(r.requests[0]).toMatchObject({ path: '/hook?token=t1', headers: expect.objectContaining({ 'x-api-key': 'k1' }) });
    } finally {
      await r.close();
    }
  });

  it('does not follow a redirect, even to an allowed place', async () => {
    const r = await startWebhookReceiver(() => 307);
    try {
      const entry = await deliverTo({ type: 'webhook', url: r.url }, loopbackEgress);
      expect(entry).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/HTTP 307, a redirect \(not followed/) });
    } finally {
      await r.close();
    }
  });
});

describe.each(storeKinds('webhook targets and secrets'))('alert API on %s: targets and write-only values', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { AUDITLOG_ALERTS: 'off' });
  });
  afterAll(async () => {
    await h?.close();
  });
  const rule = (channels: unknown[]) => ({ name: 'r', query: 'event.outcome:failure', condition: { type: 'any' }, channels });

  it.each([
    'http://127.0.0.1:9200/',
    'http://[::1]/',
    'http://0.0.0.0:8080/',
    'http://2130706433/',
    'http://127.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://10.0.0.5/hook',
  ])('answers 400 naming the field for a rule whose webhook is %s', async (url) => {
    for (const channel of [{ type: 'webhook', url }, { type: 'slack', url }]) {
      const res = await h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule([channel]) });
      expect(res.status, `${channel.type} ${url}`).toBe(400);
      const body = (await res.json()) as { error: { message: string; details: { field: string } } };
      expect(body.error.details.field).toBe('channels.0.url');
      expect(body.error.message).toMatch(/refused/);
    }
  });

  it('refuses channel headers that would reframe the request or forge the signature', async () => {
    for (const name of ['Host', 'Content-Length', 'Transfer-Encoding', 'X-Auditlog-Signature']) {
      const res = await h.call('/api/v1/alerts', { method: 'POST', key: h.teams.a.keys.admin, json: rule([{ type: 'webhook', url: 'https://hooks.example.com/x', headers: { [name]: 'v' } }]) });
      expect(res.status, name).toBe(400);
    }
  });

  it('never returns header values or the query string, and keeps them when the rule is sent back as shown', async () => {
    const url = 'https://hooks.example.com/in?token=query-token-abc123';
    const created = await h.call('/api/v1/alerts', {
      method: 'POST',
      key: h.teams.a.keys.admin,
      json: rule([{ type: 'webhook', url, secret: 'signing-secret-0123456789', headers: { 'X-Api-Key': 'header-token-xyz789', 'X-Plain': 'p' } }]),
    });
    expect(created.status).toBe(201);
    const view = (await created.json()) as { id: string; channels: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(view.channels[0]).toEqual({
      id: 'ch1',
      type: 'webhook',
      url: 'https://hooks.example.com/in?[redacted]',
      headers: { 'X-Api-Key': '[redacted]', 'X-Plain': '[redacted]' },
      hasSecret: true,
    });
    for (const path of [`/api/v1/alerts/${view.id}`, '/api/v1/alerts']) {
      const text = await (await h.call(path, { key: h.teams.a.keys.admin })).text();
      for (const secret of ['query-token-abc123', 'header-token-xyz789', 'signing-secret-0123456789']) expect(text, path).not.toContain(secret);
    }

    // Sent back as shown, with one header changed: the others and the URL keep their stored values.
    const { id: _id, team: _team, createdAt: _c, updatedAt: _u, builtin: _b, ...input } = view;
    const { hasSecret: _hasSecret, ...shown } = view.channels[0]!;
    const channel = { ...shown, headers: { 'X-Api-Key': '[redacted]', 'X-Plain': 'changed' } };
    const put = await h.call(`/api/v1/alerts/${view.id}`, { method: 'PUT', key: h.teams.a.keys.admin, json: { ...input, channels: [channel] } });
    expect(put.status).toBe(200);
    const stored = (await h.rt.alerting.state.getRule(h.teams.a.team, view.id))!.channels[0];
    expect(stored).toEqual({
      id: 'ch1',
      type: 'webhook',
      url,
      secret: 'signing-secret-0123456789',
      headers: { 'X-Api-Key': 'header-token-xyz789', 'X-Plain': 'changed' },
    });

    // A placeholder with nothing stored behind it is an error, not a literal value.
    const fresh = await h.call('/api/v1/alerts', {
      method: 'POST',
      key: h.teams.a.keys.admin,
      json: rule([{ type: 'webhook', url: 'https://hooks.example.com/in?[redacted]' }]),
    });
    expect(fresh.status).toBe(400);
  });
});
