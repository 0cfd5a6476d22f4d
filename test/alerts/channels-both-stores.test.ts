/**
 * Every condition type through every channel at once, on both stores: one rule per condition
 * with a signed webhook, a Slack-compatible webhook and email, all real receivers on loopback.
 * Three windows on an explicit clock: one that qualifies, one that does not, one that
 * qualifies again. Each receiver must see exactly one notification per qualifying window,
 * and a repeated evaluation at the same instant must add nothing.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/alerts/deliverer.ts';
import { ElasticsearchAlertStateStore } from '../../src/alerts/elasticsearch-state-store.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { RuleInput } from '../../src/alerts/model.ts';
import type { Notification } from '../../src/alerts/notification.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import type { AlertStateStore } from '../../src/alerts/state-store.ts';
import type { NormalizedFields, StoredEvent } from '../../src/events/event.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import type { AuditStore } from '../../src/store/interface.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { connectionOptions, requireElasticsearch } from '../support/elasticsearch.ts';
import { cleanPrefix, uniquePrefix } from '../store-es/harness.ts';
import { ev, MIN, SEC, T0 } from './common.ts';
import { loopbackEgress, startSmtpServer, startWebhookReceiver } from './receivers.ts';

const SECRET = 'channels-test-secret-0123456789';
const MAIL_TO = 'secops@example.com';

interface Backend {
  store: AuditStore;
  /**
   * A fresh alert state store per test: the deliverer sends every due entry of its store, and
   * email goes to the deliverer's SMTP server, so entries a failed test left behind would
   * otherwise land in the next test's mailbox.
   */
  openState(): Promise<AlertStateStore>;
  close(): Promise<void>;
}

/** Events of one step; `at(s)` is `s` seconds into the step's window. */
type Step = (team: string, at: (s: number) => number) => StoredEvent[];

interface Case {
  name: string;
  rule: Pick<RuleInput, 'query' | 'condition' | 'groupBy'>;
  /** Events before the first window (look-back, the activity a flatline follows). */
  before?: Step;
  /** Windows 1 and 3 qualify, window 2 does not. */
  windows: [Step, Step, Step];
  /** [group, value, terms] of the notifications of windows 1 and 3. */
  expected: [Array<[string, number, string[]?]>, Array<[string, number, string[]?]>];
}

const login = (team: string, t: number, user: string, ip: string) => ev(team, t, { 'event.action': 'login', 'user.name': user, 'source.ip': ip });
const act = (team: string, t: number, ecs: NormalizedFields) => ev(team, t, ecs);

const CASES: Case[] = [
  {
    name: 'any',
    rule: { query: 'event.action:delete', condition: { type: 'any' } },
    windows: [
      (team, at) => [act(team, at(20), { 'event.action': 'delete', 'user.name': 'mallory' }), act(team, at(30), { 'event.action': 'read' })],
      (team, at) => [act(team, at(10), { 'event.action': 'read' })],
      (team, at) => [act(team, at(5), { 'event.action': 'delete' }), act(team, at(50), { 'event.action': 'delete' })],
    ],
    expected: [[['', 1]], [['', 2]]],
  },
  {
    name: 'count_above',
    rule: { query: 'event.outcome:failure', condition: { type: 'count_above', threshold: 2 } },
    windows: [
      (team, at) => [10, 20, 30].map((s) => act(team, at(s), { 'event.outcome': 'failure' })),
      // Exactly the threshold: not above it.
      (team, at) => [10, 20].map((s) => act(team, at(s), { 'event.outcome': 'failure' })).concat(act(team, at(30), { 'event.outcome': 'success' })),
      (team, at) => [1, 2, 3, 4].map((s) => act(team, at(s), { 'event.outcome': 'failure' })),
    ],
    expected: [[['', 3]], [['', 4]]],
  },
  {
    name: 'count_below',
    rule: { query: 'event.provider:okta', condition: { type: 'count_below', threshold: 1 } },
    // Okta was sending until shortly before the first window, then went silent.
    before: (team, at) => [act(team, at(-90), { 'event.provider': 'okta' }), act(team, at(-30), { 'event.provider': 'okta' })],
    windows: [
      // Another source keeps sending: the rule's query must not count it.
      (team, at) => [act(team, at(10), { 'event.provider': 'github' })],
      (team, at) => [act(team, at(20), { 'event.provider': 'okta' })],
      () => [],
    ],
    expected: [[['', 0]], [['', 0]]],
  },
  {
    name: 'cardinality',
    rule: { query: 'event.action:login', groupBy: 'user.name', condition: { type: 'cardinality', field: 'source.ip', threshold: 2 } },
    windows: [
      (team, at) => [
        login(team, at(5), 'alice', '10.0.0.1'),
        login(team, at(15), 'alice', '10.0.0.2'),
        login(team, at(25), 'alice', '192.0.2.7'),
        login(team, at(35), 'bob', '10.0.0.9'),
        login(team, at(45), 'bob', '10.0.0.9'),
      ],
      (team, at) => [login(team, at(5), 'alice', '10.0.0.1'), login(team, at(15), 'alice', '10.0.0.2')],
      (team, at) => ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip, i) => login(team, at(i * 10), 'alice', ip)),
    ],
    expected: [
      [['alice', 3, ['10.0.0.1', '10.0.0.2', '192.0.2.7']]],
      [['alice', 4, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']]],
    ],
  },
  {
    name: 'new_term',
    rule: { query: 'event.action:login', groupBy: 'user.name', condition: { type: 'new_term', field: 'source.ip', lookback: '1d' } },
    before: (team, at) => [login(team, at(-3600), 'alice', '10.0.0.1')],
    windows: [
      (team, at) => [login(team, at(10), 'alice', '10.0.0.1'), login(team, at(20), 'alice', '10.0.0.2')],
      // Both addresses are now in the look-back: nothing new.
      (team, at) => [login(team, at(10), 'alice', '10.0.0.2'), login(team, at(20), 'alice', '10.0.0.1')],
      (team, at) => [login(team, at(30), 'alice', '10.0.0.3')],
    ],
    expected: [[['alice', 1, ['10.0.0.2']]], [['alice', 1, ['10.0.0.3']]]],
  },
];

function channelSuite(kind: string, open: () => Promise<Backend>): void {
  describe(`every condition through every channel: ${kind}`, () => {
    let backend: Backend;
    let teams = 0;
    const cleanup: Array<() => Promise<void>> = [];
    beforeAll(async () => {
      backend = await open();
    });
    afterEach(async () => {
      for (const c of cleanup.splice(0)) await c();
    });
    afterAll(async () => {
      await backend?.close();
    });

    for (const c of CASES) {
      it(`${c.name}: one webhook, one Slack message and one email per qualifying window`, async () => {
        const { store } = backend;
        const state = await backend.openState();
        cleanup.push(() => state.close());
        const hook = await startWebhookReceiver();
        cleanup.push(() => hook.close());
        const slack = await startWebhookReceiver();
        cleanup.push(() => slack.close());
        const smtp = await startSmtpServer();
        cleanup.push(() => smtp.close());

        const team = `channels-${process.pid}-${teams++}`;
        const clock = { now: T0 };
        const name = `ch ${c.name}`;
        const service = new AlertService({ egress: loopbackEgress, state, now: () => clock.now, smtpConfigured: true });
        const rule = await service.createRule(team, {
          name,
          window: '1m',
          severity: 'high',
          ...c.rule,
          channels: [
            { type: 'webhook', url: `${hook.url}/hook`, secret: SECRET },
            { type: 'slack', url: `${slack.url}/services/T000/B000/XXXX` },
            { type: 'email', to: [MAIL_TO] },
          ],
        });
        expect(rule.channels.map((ch) => [ch.id, ch.type])).toEqual([
          ['ch1', 'webhook'],
          ['ch2', 'slack'],
          ['ch3', 'email'],
        ]);
        const engine = new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 0, baseUrl: 'https://audit.example.com/' });
        const deliverer = new Deliverer({ egress: loopbackEgress, state, now: () => clock.now, smtp: { host: '127.0.0.1', port: smtp.port, from: 'auditlog@example.com' } });

        /** Window `w` (0-based) is [T0 + (w-1) min, T0 + w min); the rule is evaluated at its end. */
        const windowStart = (w: number) => T0 + (w - 1) * MIN;
        const add = async (step: Step, w: number) => {
          const events = step(team, (s) => windowStart(w) + s * SEC);
          if (events.length > 0) await store.append(team, events);
        };
        const deliver = async () => {
          await deliverer.runOnce();
          const outbox = await state.listOutbox(rule.id);
          // Nothing left to retry: every notification reached its receiver at the first attempt.
          expect(outbox.map((o) => [o.status, o.attempts, o.lastError])).toEqual(outbox.map(() => ['delivered', 1, null]));
          return outbox;
        };
        const received = () => [hook.requests.length, slack.requests.length, smtp.mails.length];
        /** The last notification, as each of the three receivers got it. */
        const checkLatest = (expected: Array<[string, number, string[]?]>, outboxIds: Map<string, Set<string>>) => {
          const req = hook.requests.at(-1)!;
          expect(req.path).toBe('/hook');
          const signature = `sha256=${createHmac('sha256', SECRET).update(`${req.headers['x-auditlog-timestamp']}.${req.body}`).digest('hex')}`;
          expect(req.headers['x-auditlog-signature']).toBe(signature);
          expect(req.headers['x-auditlog-timestamp']).toBe(String(clock.now));
          expect(outboxIds.get('ch1')!.has(String(req.headers['x-auditlog-delivery']))).toBe(true);
          const body = JSON.parse(req.body) as Notification;
          expect(body).toMatchObject({ version: 1, team, status: 'firing', rule: { id: rule.id, name, condition: c.rule.condition } });
          expect(body.groups.map((g) => (g.terms ? [g.group, g.value, [...g.terms].sort()] : [g.group, g.value]))).toEqual(expected);
          expect(body.groups.every((g) => g.kind === 'firing')).toBe(true);

          const text = (JSON.parse(slack.requests.at(-1)!.body) as { text: string }).text;
          expect(slack.requests.at(-1)!.path).toBe('/services/T000/B000/XXXX');
          expect(text.startsWith(`*[HIGH] ${name}: `)).toBe(true);
          for (const [group, value] of expected) expect(text).toContain(`${group === '' ? '' : `${c.rule.groupBy}=${group}: `}value ${value}, `);

          const mail = smtp.mails.at(-1)!;
          expect(mail.from).toBe('auditlog@example.com');
          expect(mail.to).toEqual([MAIL_TO]);
          expect(mail.data).toContain(`Subject: [HIGH] ${name}: `);
          const delivery = /^X-Auditlog-Delivery: (\S+)$/im.exec(mail.data)?.[1];
          expect(outboxIds.get('ch3')!.has(delivery ?? '')).toBe(true);
          return body.id;
        };
        const idsByChannel = (outbox: Awaited<ReturnType<typeof deliver>>) => {
          const m = new Map<string, Set<string>>();
          for (const o of outbox) m.set(o.channelId, (m.get(o.channelId) ?? new Set()).add(o.id));
          return m;
        };

        // Window 1 qualifies.
        if (c.before) await add(c.before, 0);
        await add(c.windows[0], 0);
        expect(await engine.runRule(rule.id)).toMatchObject({ status: 'done', windows: 1, notifications: 1 });
        let outbox = await deliver();
        expect(outbox).toHaveLength(3);
        expect(received()).toEqual([1, 1, 1]);
        const first = checkLatest(c.expected[0], idsByChannel(outbox));

        // The same instant again (a second tick, another instance): nothing to evaluate, nothing sent.
        expect(await engine.runRule(rule.id)).toEqual({ status: 'idle' });
        outbox = await deliver();
        expect(outbox).toHaveLength(3);
        expect(received()).toEqual([1, 1, 1]);

        // Window 2 does not qualify.
        await add(c.windows[1], 1);
        clock.now = T0 + MIN;
        expect(await engine.runRule(rule.id)).toMatchObject({ status: 'done', windows: 1, notifications: 0 });
        outbox = await deliver();
        expect(outbox).toHaveLength(3);
        expect(received()).toEqual([1, 1, 1]);

        // Window 3 qualifies again: one more notification, a new one.
        await add(c.windows[2], 2);
        clock.now = T0 + 2 * MIN;
        expect(await engine.runRule(rule.id)).toMatchObject({ status: 'done', windows: 1, notifications: 1 });
        outbox = await deliver();
        expect(outbox).toHaveLength(6);
        expect(received()).toEqual([2, 2, 2]);
        const second = checkLatest(c.expected[1], idsByChannel(outbox));
        expect(second).not.toBe(first);
        // Each receiver saw each delivery once (receivers deduplicate on the delivery id).
        expect(new Set(hook.requests.map((r) => r.headers['x-auditlog-delivery'])).size).toBe(2);

        // A later tick within the same window adds nothing.
        clock.now = T0 + 2 * MIN + 500;
        expect(await engine.runRule(rule.id)).toEqual({ status: 'idle' });
        await deliver();
        expect(received()).toEqual([2, 2, 2]);
        // Four evaluations and deliveries, each write waiting for a refresh on Elasticsearch: more than 30 s on a busy machine.
      }, 120_000);
    }
  });
}

const dir = mkdtempSync(join(tmpdir(), 'auditlog-alert-channels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

channelSuite('sqlite', async () => {
  const store = new SqliteStore({ dataDir: join(dir, 'events') });
  let n = 0;
  return {
    store,
    openState: async () => new SqliteAlertStateStore(join(dir, `alerts-${n++}.db`)),
    close: () => store.close(),
  };
});

if (requireElasticsearch('alert channels on Elasticsearch')) {
  channelSuite('elasticsearch', async () => {
    const prefix = uniquePrefix();
    const store = await ElasticsearchStore.connect({ ...connectionOptions(), prefix, refresh: 'wait_for' });
    let n = 0;
    return {
      store,
      openState: () => ElasticsearchAlertStateStore.open(store.client, { prefix: `${prefix}-alert${n++}-` }),
      async close() {
        await cleanPrefix(store, prefix);
        await store.close();
      },
    };
  });
}
