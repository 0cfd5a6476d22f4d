/**
 * Shared bench fixtures: the deterministic event generator and the search query mix, so the
 * SQLite and Elasticsearch benches store the same data and time the same queries, and the
 * event-loop stall probe (also used by the read-pool test).
 *
 * The generator writes events in the shapes of the seed formats (Coralogix audit trail,
 * Threat Stack audit log, BigPanda audit log) with the normalized ECS fields an adapter
 * would fill: 2,000 users, 5,000 source IPs, ~40 actions, 30 days of timestamps, a seeded
 * PRNG (same data every run). Values the queries look for exist at realistic frequencies
 * (one user ≈ 0.05% of events, one action ≈ 2.5%, failures ≈ 10%).
 */
import type { StoredEvent } from '../src/events/event.ts';
import { rng } from '../src/demo/generate.ts';

export const BASE = Date.UTC(2026, 9, 1);
export const SPAN = 30 * 24 * 3_600_000;

export const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter'];
export const LAST = ['smith', 'jones', 'garcia', 'miller', 'davis', 'martin', 'lopez', 'wilson', 'anderson', 'thomas', 'moore', 'jackson', 'white'];
export const USERS = Array.from({ length: 2000 }, (_, i) => {
  const name = `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i}`;
  return { id: `u${100000 + i}`, name, email: `${name}@example${i % 7}.com` };
});
export const IPS = Array.from({ length: 5000 }, (_, i) => `${10 + (i % 200)}.${(i * 7) % 256}.${(i * 13) % 256}.${(i * 31) % 254 + 1}`);
export const UAS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'Terraform/1.6.2',
];
export const CORALOGIX_OPS = ['POST:/api/v1/user/login', 'POST:/api/v1/user/logout', 'GET:/api/v1/alerts', 'PUT:/api/v1/alerts', 'DELETE:/api/v1/dashboards', 'POST:/api/v1/apikeys', 'PUT:/api/v1/team/settings', 'GET:/api/v1/logs/query'];
export const TS_ACTIONS = ['agent-revoke', 'alert-dismiss', 'login', 'logout', 'password-change', 'rule-create', 'rule-update', 'rule-delete', 'user-invite', 'user-remove', 'api-key-create', 'integration-update', 'mfa-enable', 'sso-config-update'];
export const BP_ACTIONS = ['create', 'update', 'delete', 'resolve', 'assign', 'comment', 'snooze', 'merge'];
export const BP_RESOURCES = ['environment', 'incident', 'alert_filter', 'correlation_pattern', 'user', 'role', 'api_key', 'integration'];
export const WORDS = ['dashboard', 'settings', 'password', 'changed', 'policy', 'updated', 'session', 'expired', 'token', 'rotated', 'permission', 'granted', 'denied', 'role', 'admin', 'viewer', 'production', 'staging'];

/**
 * Event `i` of `total` (timestamps spread evenly over SPAN by position, so the same `i` and
 * `total` always give the same event). `team` only sets the StoredEvent's team.
 */
export function generateEvent(i: number, team: string, total: number): StoredEvent {
  const r = rng(i * 2654435761);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const user = USERS[Math.floor(Math.pow(r(), 1.3) * USERS.length)]!;
  const ip = pick(IPS);
  const ua = pick(UAS);
  const ts = BASE + Math.floor((i / total) * SPAN) + Math.floor(r() * 1000);
  const fail = r() < 0.1;
  const words = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`;
  const id = `b${i.toString(36).padStart(8, '0')}`;
  const shape = i % 3;
  let original: Record<string, unknown>;
  let ecs: StoredEvent['ecs'];
  if (shape === 0) {
    const op = pick(CORALOGIX_OPS);
    const [method, path] = op.split(':') as [string, string];
    const status = fail ? pick([401, 403, 500]) : pick([200, 201, 204]);
    const login = path.endsWith('/login');
    original = {
      actor: { type: 'user', username: user.email, account_id: user.id },
      action_details: { operation: { action: op, payload: { query: words, count: Math.floor(r() * 100) } } },
      action_start_timestamp: new Date(ts).toISOString(),
      audit_schema_version: '1.0.0',
      source_ip: ip,
      user_agent: ua,
      team_id: 4242,
      status_code: status,
      message: login ? (fail ? `failed login for ${user.name}` : `successful login for ${user.name}`) : `${method} ${path} ${words}`,
    };
    ecs = {
      'event.action': op,
      'event.outcome': fail ? 'failure' : 'success',
      'event.category': login ? ['authentication'] : ['web'],
      'user.email': user.email,
      'user.id': user.id,
      'source.ip': ip,
      'user_agent.original': ua,
      'http.request.method': method,
      'url.path': path,
      'http.response.status_code': status,
      message: String(original.message),
    };
  } else if (shape === 1) {
    const action = pick(TS_ACTIONS);
    original = {
      id: `ts-${i}`,
      user_email: user.email,
      user_id: user.id,
      organization_id: `org-${i % 50}`,
      crud: pick(['c', 'r', 'u', 'd']),
      result: fail ? 'fail' : 'pass',
      action,
      source: pick(['API', 'UI']),
      event_time: ts,
      description: action === 'login' && fail ? `failed login attempt from ${ip}` : `${action.replace(/-/g, ' ')} ${words}`,
      ip,
    };
    ecs = {
      'event.action': action,
      'event.outcome': fail ? 'failure' : 'success',
      'user.email': user.email,
      'user.id': user.id,
      'organization.id': `org-${i % 50}`,
      'source.ip': ip,
      message: String(original.description),
    };
  } else {
    const action = pick(BP_ACTIONS);
    const resource = pick(BP_RESOURCES);
    original = {
      actor: { type: 'user', user: { id: user.id, email: user.email, name: user.name } },
      context: { actor_access: { ip_address: ip, user_agent: ua } },
      timestamp: Math.floor(ts / 1000),
      action,
      resource: { type: resource, id: `${resource}-${i % 997}` },
      changes: [
        { field: 'name', before: pick(WORDS), after: pick(WORDS) },
        { field: 'tags', before: [pick(WORDS)], after: [pick(WORDS), pick(WORDS)] },
      ],
    };
    ecs = {
      'event.action': `${resource}.${action}`,
      'event.outcome': 'success',
      'user.email': user.email,
      'user.id': user.id,
      'user.name': user.name,
      'source.ip': ip,
      'user_agent.original': ua,
      message: `${user.name} ${action}d ${resource} ${words}`,
    };
  }
  return {
    id,
    team,
    timestamp: ts,
    received: ts + 500,
    format: shape === 0 ? 'coralogix' : shape === 1 ? 'threatstack' : 'bigpanda',
    flags: [],
    ecs,
    original,
    raw: JSON.stringify(original),
  };
}

const day = (d: number) => new Date(BASE + d * 86_400_000).toISOString().slice(0, 10);

/**
 * The search mix: for each query kind, a query string for rotation step `k` (values rotate so
 * the runs are not one cached answer). Every value exists in the generated data.
 */
export const QUERY_KINDS: Array<[kind: string, query: (k: number) => string]> = [
  ['field (normalized keyword)', (k) => `user.email:"${USERS[(k * 37) % USERS.length]!.email}"`],
  ['field (original path)', (k) => `actor.user.name:"${USERS[(k * 53) % USERS.length]!.name}"`],
  ['field AND field', (k) => `crud:${['c', 'r', 'u', 'd'][k % 4]} AND result:fail`],
  ['field (frequent value)', (k) => `event.action:${TS_ACTIONS[k % TS_ACTIONS.length]}`],
  ['phrase (free text)', (k) => `"failed login for ${USERS[(k * 11) % USERS.length]!.name}"`],
  ['phrase (message field)', (k) => `message:"${WORDS[k % WORDS.length]} ${WORDS[(k * 5 + 1) % WORDS.length]}"`],
  ['phrase with slop', (k) => `"failed ${['login', 'attempt'][k % 2]}"~2`],
  ['wildcard (keyword prefix)', (k) => `user.email:${FIRST[k % FIRST.length]}.${LAST[k % LAST.length]}1*`],
  ['wildcard (free-text prefix)', (k) => `${WORDS[k % WORDS.length]!.slice(0, 4)}*`],
  ['wildcard (leading, free text)', (k) => `*${WORDS[k % WORDS.length]!.slice(2)}`],
  ['range (long)', (k) => `http.response.status_code:[${400 + (k % 3) * 50} TO 599]`],
  ['range (@timestamp, one day)', (k) => `@timestamp:[${day(k % 30)} TO ${day((k % 30) + 1)}}`],
  ['range (original keyword)', (k) => `event_time:[${BASE + (k % 30) * 86_400_000} TO ${BASE + (k % 30) * 86_400_000 + 3_600_000}]`],
  ['range + field', (k) => `@timestamp:[${day(k % 30)} TO ${day((k % 30) + 7)}} AND event.outcome:failure`],
  ['free text (rare term)', (k) => `${USERS[(k * 17) % USERS.length]!.name}`],
  ['free text (common term)', (k) => `${WORDS[k % WORDS.length]}`],
  ['free text, two terms OR', (k) => `${WORDS[k % WORDS.length]} ${FIRST[k % FIRST.length]}`],
  ['match all (newest 50 + total)', () => '*:*'],
];

/** The p-th percentile (nearest rank) of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// --- the alert benchmark's events (bench/alerts.bench.ts) ------------------------------------

/** Its "now": events cover the ALERT_SPAN before it, so a 5-minute window holds ~500 events at 1M. */
export const ALERT_NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
export const ALERT_SPAN = 7 * 86_400_000;
export const ALERT_USERS = Array.from({ length: 2000 }, (_, i) => `user${i}@example${i % 7}.com`);
export const ALERT_IPS = Array.from({ length: 5000 }, (_, i) => `${10 + (i % 200)}.${(i * 7) % 256}.${(i * 13) % 256}.${((i * 31) % 254) + 1}`);
export const ALERT_ACTIONS = [
  'login', 'logout', 'user-login', 'POST:/api/v1/user/login', 'password-reset', 'role-granted', 'user-promote', 'api-key-created',
  'POST:/api/v1/company/saml/metadata', 'export', 'read', 'POST:/api/v1/logquery', 'update', 'create', 'delete', 'rule-update',
];
const ALERT_CATEGORY: Record<string, string> = { login: 'authentication', 'user-login': 'authentication', 'role-granted': 'iam', export: 'file' };

/**
 * Alert event `i` of `total`: one team's audit trail over the week before ALERT_NOW, evenly
 * spaced; 2,000 users (skewed), 5,000 source addresses, 16 actions, 10% failures. Each event
 * has its own seeded PRNG, so any slice can be made alone and every store gets the same data.
 */
export function alertEvent(i: number, team: string, total: number): StoredEvent {
  const r = rng(i * 2654435761 + 17);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const user = ALERT_USERS[Math.floor(Math.pow(r(), 1.3) * ALERT_USERS.length)]!;
  const action = pick(ALERT_ACTIONS);
  const ts = ALERT_NOW - ALERT_SPAN + Math.floor((i / total) * ALERT_SPAN);
  const original = { user, action, ip: pick(ALERT_IPS), ok: r() > 0.1 };
  return {
    id: `a${i.toString(36).padStart(8, '0')}`,
    team,
    timestamp: ts,
    received: ts,
    format: 'generic',
    flags: [],
    ecs: {
      'event.action': action,
      'event.outcome': original.ok ? 'success' : 'failure',
      ...(ALERT_CATEGORY[action] ? { 'event.category': [ALERT_CATEGORY[action]!] } : {}),
      'user.email': user,
      'source.ip': original.ip,
    },
    original,
    raw: JSON.stringify(original),
  };
}

/** Runs `fn` (its error is returned, not thrown) while probing the event loop every 5 ms; returns the longest gap seen. */
export async function longestStall<T>(fn: () => Promise<T>): Promise<{ result: T | Error; stallMs: number; ms: number }> {
  let last = performance.now();
  let stallMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 5);
  const t0 = performance.now();
  const result = await fn().catch((e: Error) => e);
  clearInterval(probe);
  return { result, stallMs, ms: performance.now() - t0 };
}
