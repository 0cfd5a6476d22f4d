/**
 * The built-in rules of queries/: valid files, idempotent install, and queries that match
 * the intended events of every seed format (through the real ingest adapters) and nothing
 * else of the table. Plus one end-to-end run on the demo data: the demo's failed-login burst
 * must fire the burst rule for its user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBuiltIns } from '../../src/alerts/builtin.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import { generateDemo } from '../../src/demo/generate.ts';
import type { EventFormat, StoredEvent } from '../../src/events/event.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { BIGPANDA_EXAMPLE, CORALOGIX_EXAMPLE, THREATSTACK_EXAMPLE } from '../fixtures/seed-events.ts';
import { historyOf } from './common.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-builtin-'));
let store: SqliteStore;
beforeAll(() => {
  store = new SqliteStore({ dataDir: join(dir, 'events') });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const AT = Date.UTC(2026, 10, 20, 9, 0, 0);

function prepare(team: string, format: EventFormat, value: Record<string, unknown>): StoredEvent {
  const [item] = prepareEvents([{ index: 0, value, raw: JSON.stringify(value) }], { team, format, received: AT });
  if (!item || !('event' in item)) throw new Error(`fixture rejected: ${JSON.stringify(item)}`);
  return item.event;
}

const cx = (action: string, ok = true) => ({
  ...CORALOGIX_EXAMPLE,
  actor: { ...(CORALOGIX_EXAMPLE.actor as Record<string, unknown>), username: 'alice@example.com' },
  action_details: { ...(CORALOGIX_EXAMPLE.action_details as Record<string, unknown>), operation: { action }, result: { succeeded: ok, status_code: ok ? 200 : 401 } },
  action_start_timestamp: AT,
});
const ts = (action: string, crud: string, pass = true) => ({
  ...THREATSTACK_EXAMPLE,
  id: `ts-${action}-${crud}-${pass}`,
  action,
  crud,
  result: pass ? 'pass' : 'fail',
  event_time: new Date(AT).toISOString(),
});
const bp = (resource_type: string, action_type: string) => ({ ...BIGPANDA_EXAMPLE, resource_type, action_type, timestamp: String(AT / 1000) });
const ecs = (action: string, category: string, outcome = 'success') => ({
  '@timestamp': new Date(AT).toISOString(),
  event: { action, category: [category], outcome },
  user: { name: 'Alice', email: 'alice@example.com' },
  source: { ip: '203.0.113.10' },
});

/** label → [format, original] */
const FIXTURES: Record<string, [EventFormat, Record<string, unknown>]> = {
  'cx-login-fail': ['coralogix', cx('POST:/api/v1/user/login', false)],
  'cx-login-ok': ['coralogix', cx('POST:/api/v1/user/login')],
  'cx-saml': ['coralogix', cx('POST:/api/v1/company/saml/metadata')],
  'cx-rbac-add': ['coralogix', cx('POST:/api/v1/rbac/:companyId/users/:userId/addToGroup')],
  'cx-rbac-role': ['coralogix', cx('POST:/api/v1/companies/:companyId/rbac/groups/:groupId/roles')],
  'cx-rbac-list': ['coralogix', cx('POST:/api/v1/companies/:companyId/rbac/groups')],
  'cx-api-key': ['coralogix', cx('POST:/api/v1/user/settings/teams_api_key')],
  'cx-password': ['coralogix', cx('POST:/api/v1/user/forgotpassword/:key')],
  'cx-logquery': ['coralogix', cx('POST:/api/v1/logquery')],
  'cx-switch-team': ['coralogix', cx('POST:/api/v1/user/team/switch')],
  'ts-login-fail': ['threatstack', ts('user-login', 'r', false)],
  'ts-login-ok': ['threatstack', ts('user-login', 'r')],
  'ts-login-sso': ['threatstack', ts('user-login-sso', 'r')],
  'ts-promote': ['threatstack', ts('user-promote', 'u')],
  'ts-revoke': ['threatstack', ts('user-revoke', 'u')],
  'ts-read': ['threatstack', ts('read', 'r')],
  'ts-aws-profile': ['threatstack', ts('aws-profile-update', 'u')],
  'bp-user-update': ['bigpanda', bp('users', 'update')],
  'bp-env-update': ['bigpanda', bp('environments', 'update')],
  'ecs-login-fail': ['ecs', ecs('login', 'authentication', 'failure')],
  'ecs-login-ok': ['ecs', ecs('login', 'authentication')],
  'ecs-logout': ['ecs', ecs('logout', 'authentication')],
  'ecs-role-granted': ['ecs', ecs('role-granted', 'iam')],
  'ecs-api-key': ['ecs', ecs('api-key-created', 'authentication')],
  'ecs-password-reset': ['ecs', ecs('password-reset', 'authentication')],
  'ecs-export': ['ecs', ecs('export', 'file')],
  'ecs-saml': ['ecs', ecs('saml-provider-updated', 'configuration')],
  'gen-console-login-fail': ['generic', { eventTime: new Date(AT).toISOString(), eventName: 'ConsoleLogin', errorMessage: 'Failed authentication', action: 'ConsoleLogin', outcome: 'failure' }],
  'gen-create-access-key': ['generic', { eventTime: new Date(AT).toISOString(), eventName: 'CreateAccessKey' }],
  'gen-assume-role': ['generic', { eventTime: new Date(AT).toISOString(), eventName: 'AssumeRole' }],
  'gen-sso-toggled': ['generic', { created_at: new Date(AT).toISOString(), type: 'org_sso_toggled' }],
};

/** What each built-in rule must match in the table, and nothing more. */
const EXPECTED: Record<string, string[]> = {
  'failed-logins-burst': ['cx-login-fail', 'ts-login-fail', 'ecs-login-fail', 'gen-console-login-fail'],
  'login-new-ip': ['cx-login-ok', 'ts-login-ok', 'ts-login-sso', 'ecs-login-ok'],
  'login-new-country': ['cx-login-ok', 'ts-login-ok', 'ts-login-sso', 'ecs-login-ok'],
  'permission-changes': ['cx-rbac-add', 'cx-rbac-role', 'ts-promote', 'ts-revoke', 'bp-user-update', 'ecs-role-granted'],
  'sso-config-changes': ['cx-saml', 'ecs-saml', 'gen-sso-toggled'],
  'api-key-created': ['cx-api-key', 'ecs-api-key', 'gen-create-access-key'],
  'password-resets': ['cx-password', 'ecs-password-reset'],
  'mass-reads-exports': ['cx-logquery', 'ts-read', 'ecs-export'],
  'audit-source-silent': Object.keys(FIXTURES),
};

describe('built-in rules', () => {
  const team = 'builtin-table';
  const labelOf = new Map<string, string>();

  beforeAll(async () => {
    const events = Object.entries(FIXTURES).map(([label, [format, value]]) => {
      const e = prepare(team, format, value);
      labelOf.set(e.id, label);
      return e;
    });
    await store.append(team, events);
  });

  it('every file is valid, described, and its query parses', () => {
    const all = loadBuiltIns();
    expect(all.filter((b) => b.kind === 'rule').map((b) => b.file).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(all.filter((b) => b.kind === 'savedSearch').length).toBeGreaterThanOrEqual(2);
    for (const b of all) expect(() => parseQuery(b.kind === 'rule' ? b.rule.query : b.search.query)).not.toThrow();
  });

  for (const b of loadBuiltIns().filter((x) => x.kind === 'rule')) {
    if (b.kind !== 'rule') continue;
    it(`${b.file} matches exactly its events of every format`, async () => {
      const page = await store.search(team, { query: parseQuery(b.rule.query), size: 1000 });
      const labels = page.hits.map((h) => labelOf.get(h.id)!).sort();
      expect(labels).toEqual([...EXPECTED[b.file]!].sort());
    });
  }

  it('installs idempotently: a second install updates in place, keeping channels and the enabled flag', async () => {
    const state = new SqliteAlertStateStore(join(dir, 'install.db'));
    try {
      const service = new AlertService({ state });
      const first = await service.installBuiltInRules('team-x', { enabled: false });
      expect(first.rules.created).toHaveLength(Object.keys(EXPECTED).length);
      expect(first.rules.created.every((r) => !r.enabled && r.builtin)).toBe(true);
      const target = first.rules.created[0]!;
      await service.updateRule('team-x', target.id, { ...target, enabled: true, channels: [{ type: 'webhook', url: 'https://hooks.example.com/x', secret: 'sixteen-chars-secret' }] });
      const second = await service.installBuiltInRules('team-x');
      expect(second.rules.created).toHaveLength(0);
      expect(second.savedSearches.created).toHaveLength(0);
      expect(second.rules.updated).toHaveLength(Object.keys(EXPECTED).length);
      const again = await service.getRule('team-x', target.id);
      expect(again.enabled).toBe(true);
      expect(again.channels).toEqual([{ id: 'ch1', type: 'webhook', url: 'https://hooks.example.com/x', hasSecret: true }]);
      expect((await state.getRule('team-x', target.id))!.channels[0]).toMatchObject({ secret: 'sixteen-chars-secret' });
      expect(await service.listRules('team-x')).toHaveLength(Object.keys(EXPECTED).length);
    } finally {
      await state.close();
    }
  });

  it('on the demo data, the failed-login burst rule fires for the demo attacker, once', async () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const demoTeam = 'builtin-demo';
    const events: StoredEvent[] = [];
    for (const batch of generateDemo({ now })) {
      const items = batch.events.map((value, index) => ({ index, value, raw: JSON.stringify(value) }));
      for (const p of prepareEvents(items, { team: demoTeam, format: batch.format, received: now })) if ('event' in p) events.push(p.event);
    }
    await store.append(demoTeam, events);
    const state = new SqliteAlertStateStore(join(dir, 'demo.db'));
    try {
      const clock = { now: now - 27 * 3600_000 };
      const service = new AlertService({ state, now: () => clock.now });
      await service.installBuiltInRules(demoTeam);
      const rule = (await service.listRules(demoTeam)).find((r) => r.builtin === 'failed-logins-burst')!;
      const engine = new AlertEngine({ store, state, now: () => clock.now, ingestDelayMs: 0 });
      await engine.runRule(rule.id);
      clock.now = now - 24 * 3600_000; // 3 hours later: catch-up over the burst (26 h ago)
      await engine.runRule(rule.id);
      const fired = await historyOf(state, demoTeam, rule.id, ['fired']);
      expect(fired.map((f) => f.group)).toEqual(['eve@example.com']);
      expect(fired[0]!.detail?.value).toBeGreaterThan(5);
    } finally {
      await state.close();
    }
  });
});
