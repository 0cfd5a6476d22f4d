/**
 * Demo events in all four input formats, spread over the last 7 days: the activity an audit
 * team actually looks for (logins, a failed-login burst, permission changes, SAML updates,
 * API key creation, log queries). Deterministic for a given seed so docs and tests can
 * quote what is in it.
 */

export interface DemoBatch {
  format: 'coralogix' | 'threatstack' | 'bigpanda' | 'ecs';
  events: Array<Record<string, unknown>>;
}

const USERS = [
  { id: '1001', name: 'Alice Martin', email: 'alice@example.com', ip: '203.0.113.10' },
  { id: '1002', name: 'Bob Chen', email: 'bob@example.com', ip: '198.51.100.23' },
  { id: '1003', name: 'Carol Diaz', email: 'carol@example.com', ip: '192.0.2.44' },
  { id: '1004', name: 'Dan Okafor', email: 'dan@example.com', ip: '203.0.113.77' },
  { id: '1005', name: 'Eve Mallory', email: 'eve@example.com', ip: '45.33.32.156' },
] as const;

const UA = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0',
  'curl/8.5.0',
  'python-requests/2.32.3',
];

/** A small PRNG (mulberry32): the same seed gives the same demo (and the same benchmark data). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateDemo({ now = Date.now(), seed = 7, days = 7 }: { now?: number; seed?: number; days?: number } = {}): DemoBatch[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const span = days * 24 * 3600 * 1000;
  const at = () => Math.floor(now - 60_000 - rand() * (span - 120_000));
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');

  const coralogix: Array<Record<string, unknown>> = [];
  const cx = (user: (typeof USERS)[number], t: number, action: string, ok: boolean, description: string, payload?: unknown) => {
    coralogix.push({
      actor: { type: 'user', username: user.email, account_id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}` },
      action_details: {
        source_type: 'HTTP',
        ip_address: `::ffff:${user.ip}`,
        operation: { action, user_agent: pick(UA), ...(payload ? { operation_payload: payload } : {}) },
        result: { succeeded: ok, status_code: ok ? 200 : 401 },
      },
      action_start_timestamp: t,
      action_type: 'crud',
      audit_schema_version: 'v1',
      action: { team_id: 8868, team_name: 'demo-prod', description },
    });
  };
  for (let i = 0; i < 120; i++) {
    const u = pick(USERS);
    cx(u, at(), 'POST:/api/v1/user/login', rand() > 0.1, 'user login');
  }
  for (let i = 0; i < 60; i++) {
    const u = pick(USERS);
    cx(u, at(), 'POST:/api/v1/logquery', true, 'get logs', {
      queryDef: { type: 'freeText', pageSize: 100, queryParams: { query: { text: pick(['error', 'timeout', 'login failed', 'payment']), type: 'exact' } } },
    });
  }
  for (let i = 0; i < 6; i++) cx(pick(USERS), at(), 'POST:/api/v1/company/saml/metadata', true, 'Update SAML metadata');
  for (let i = 0; i < 8; i++) {
    cx(pick(USERS), at(), 'POST:/api/v1/rbac/:companyId/users/:userId/addToGroup', true, 'Add user to RBAC group', { groupId: pick(['admins', 'viewers', 'billing']) });
  }
  for (let i = 0; i < 5; i++) cx(pick(USERS), at(), 'POST:/api/v1/user/settings/teams_api_key', true, 'Generate new Teams API Key for user');

  const threatstack: Array<Record<string, unknown>> = [];
  const ts = (user: (typeof USERS)[number], t: number, action: string, crud: string, pass: boolean, source: 'Web' | 'API', url?: string) => {
    const method = crud === 'r' ? 'GET' : crud === 'd' ? 'DELETE' : crud === 'c' ? 'POST' : 'PUT';
    threatstack.push({
      id: `ts-${hex(20)}`,
      user_email: user.email,
      user_id: `u-${user.id}`,
      organization_id: 'org-5b1e0c',
      crud,
      result: pass ? 'pass' : 'fail',
      action,
      source,
      description: source === 'API' ? `u-${user.id}: ${method} : ${url}` : `${action} from the web console`,
      event_time: new Date(t).toISOString(),
      ...(source === 'API'
        ? { context: { originIp: user.ip, url, params: {}, httpMethod: method, responseCode: pass ? 200 : 403, responseSize: Math.floor(rand() * 5000) } }
        : {}),
    });
  };
  for (let i = 0; i < 80; i++) ts(pick(USERS), at(), 'user-login', 'r', rand() > 0.15, 'Web');
  // A burst of failed logins by one user from one address within ten minutes: what an alert should catch.
  const burstStart = now - 26 * 3600 * 1000;
  for (let i = 0; i < 12; i++) ts(USERS[4], burstStart + i * 45_000, 'user-login', 'r', false, 'Web');
  for (let i = 0; i < 40; i++) ts(pick(USERS), at(), 'read', 'r', true, 'API', pick(['/v2/alerts', '/v2/agents', '/v2/vulnerabilities']));
  for (let i = 0; i < 6; i++) ts(pick(USERS), at(), 'user-promote', 'u', true, 'Web');
  for (let i = 0; i < 4; i++) ts(pick(USERS), at(), 'aws-profile-update', 'u', true, 'API', '/v2/aws/profiles');

  const bigpanda: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 50; i++) {
    const u = pick(USERS);
    const action = pick(['create', 'update', 'update', 'delete'] as const);
    const type = pick(['correlation_patterns', 'environments', 'users', 'custom_tags']);
    const id = `${hex(24)}`;
    bigpanda.push({
      actor: { type: 'user', user: { id: `2355542342428${u.id}`, email: u.email, name: u.name } },
      context: { actor_access: { ip_address: u.ip, user_agent: pick(UA) } },
      timestamp: String(Math.floor(at() / 1000)),
      resource_id: id,
      resource_type: type,
      action_type: action,
      object:
        action === 'delete'
          ? null
          : type === 'users'
            ? { id, email: pick(USERS).email, roles: [pick(['admin', 'viewer', 'editor'])], updated_at: Math.floor(now / 1000) }
            : { id, name: `${type} ${i}`, filter: "source_system = 'api.demo' AND zero_impact != 'true'", updated_at: Math.floor(now / 1000) },
    });
  }
  for (let i = 0; i < 10; i++) {
    bigpanda.push({
      actor: { type: 'system-generated' },
      timestamp: String(Math.floor(at() / 1000)),
      resource_id: hex(24),
      resource_type: 'environments',
      action_type: 'update',
      object: { id: hex(24), name: 'Production', updated_at: Math.floor(now / 1000) },
    });
  }

  const ecs: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 60; i++) {
    const u = pick(USERS);
    const kind = pick(['login', 'login', 'logout', 'password-reset', 'api-key-created', 'role-granted', 'export'] as const);
    const outcome = kind === 'login' && rand() < 0.2 ? 'failure' : 'success';
    ecs.push({
      '@timestamp': new Date(at()).toISOString(),
      event: {
        action: kind,
        outcome,
        category: kind === 'export' ? ['file'] : kind === 'role-granted' ? ['iam'] : ['authentication'],
      },
      user: { id: u.id, name: u.name, email: u.email },
      source: { ip: u.ip },
      user_agent: { original: pick(UA) },
      message: `${u.name} ${kind.replace('-', ' ')} ${outcome === 'failure' ? 'failed' : 'succeeded'}`,
    });
  }

  return [
    { format: 'coralogix', events: coralogix },
    { format: 'threatstack', events: threatstack },
    { format: 'bigpanda', events: bigpanda },
    { format: 'ecs', events: ecs },
  ];
}

/** Queries a newcomer can paste: one per format's own paths, and cross-format ones. */
export const DEMO_QUERIES = [
  'action_details.operation.action:"POST:/api/v1/user/login"',
  'crud:r AND result:fail AND action:user-login',
  'actor.user.email:"alice@example.com" AND action_type:update',
  'event.outcome:failure AND user.email:eve@example.com',
  'source.ip:"203.0.113.0/24" AND NOT event.action:login',
] as const;
