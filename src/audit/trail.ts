/**
 * Our own audit trail: every search, export and admin call is recorded as an audit event in
 * the reserved `system` team (Threat Stack records API reads the same way). The operator
 * reads it with GET /api/v1/system/events.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { ulid } from 'ulid';
import type { StoredEvent, TeamId } from '../events/event.ts';
import type { AuditStore } from '../store/interface.ts';
import type { Principal } from '../teams/model.ts';
import { SYSTEM_TEAM_ID } from '../teams/reserved.ts';

export const SYSTEM_TEAM = SYSTEM_TEAM_ID as TeamId;

export interface AuditedCall {
  principal: Principal;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  requestId: string;
  ip?: string;
  userAgent?: string;
}

/**
 * Who is acting, for the changes the services record. Set once per request by the HTTP layer
 * (and by the CLI for its commands), so the services need not pass a caller through every call.
 */
export interface Actor {
  via: 'api' | 'cli';
  principal?: Principal;
  requestId?: string;
  ip?: string;
}
export const actorContext = new AsyncLocalStorage<Actor>();

/** A change to a team's settings, keys or alert rules, with the values before and after. */
export interface ConfigChange {
  /** `team.create`, `team.update`, `key.create`, `key.revoke`, `rule.create`, `rule.update`, `rule.delete`, `stream.create`… */
  action: string;
  team: string;
  target: { type: 'team' | 'key' | 'rule' | 'stream'; id: string };
  /** What it was (null for a creation); for an update, only the fields that changed. */
  old: Record<string, unknown> | null;
  /** What it is now (null for a deletion). Never a secret: keys and channels are shown as the API shows them. */
  new: Record<string, unknown> | null;
}

/** Where the services send the changes they make. */
export interface ChangeRecorder {
  recordChange(change: ConfigChange): Promise<void>;
}

/** The fields whose values differ, as `{ old, new }` halves of a ConfigChange. */
export function changedFields<T extends object>(before: T, after: T): { old: Record<string, unknown>; new: Record<string, unknown> } {
  const old: Record<string, unknown> = {};
  const now: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = (before as Record<string, unknown>)[key];
    const b = (after as Record<string, unknown>)[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      old[key] = a ?? null;
      now[key] = b ?? null;
    }
  }
  return { old, new: now };
}

/** A request refused for its key: what the trail keeps of it (never the secret). */
export interface FailedAuthentication {
  /** Why: see AuthFailure in src/teams/service.ts. */
  reason: string;
  /** The public part of the key (`alk_<id>`, `alop_`), or null when it has none. */
  keyPrefix: string | null;
  method: string;
  path: string;
  requestId: string;
  status: number;
  ip?: string;
  userAgent?: string;
}

export class AuditTrail implements ChangeRecorder {
  readonly #store: AuditStore;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;

  constructor(store: AuditStore, { now = Date.now, logger }: { now?: () => number; logger?: Logger } = {}) {
    this.#store = store;
    this.#now = now;
    this.#logger = logger;
  }

  /**
   * Records a change as `event.action:<change.action>` in the system team. The change is already
   * made when this runs, so a failure to record it does not undo it or fail the caller: it is
   * logged at error level with the whole change, for the operator to find.
   */
  async recordChange(change: ConfigChange): Promise<void> {
    const actor = actorContext.getStore() ?? { via: 'cli' as const };
    const principal = actor.principal;
    const who =
      principal === undefined
        ? { type: actor.via }
        : principal.kind === 'operator'
          ? { type: 'operator' }
          : { type: 'api_key', key_id: principal.key.id, role: principal.key.role, team: principal.key.team };
    const original = { actor: who, change, ...(actor.requestId ? { request: { id: actor.requestId } } : {}) };
    const type = change.old === null ? 'creation' : change.new === null ? 'deletion' : 'change';
    try {
      await this.#append(original, {
        'event.action': change.action,
        'event.outcome': 'success',
        'event.category': ['configuration'],
        'event.type': [type],
        'organization.id': change.team,
        'user.id': principal === undefined ? actor.via : principal.kind === 'operator' ? 'operator' : principal.key.id,
        ...(actor.ip ? { 'source.ip': actor.ip } : {}),
      });
    } catch (err) {
      this.#logger?.error({ err, change, actor: who }, 'could not record a change in the audit trail');
    }
  }

  async record(call: AuditedCall): Promise<void> {
    const actor =
      call.principal.kind === 'operator'
        ? { type: 'operator' }
        : { type: 'api_key', key_id: call.principal.key.id, role: call.principal.key.role, team: call.principal.key.team };
    const original = {
      actor,
      request: { id: call.requestId, method: call.method, path: call.path, query: call.query },
      response: { status_code: call.status },
    };
    await this.#append(original, {
      'event.action': `${call.method} ${call.path}`,
      'event.outcome': call.status < 400 ? 'success' : 'failure',
      'event.category': ['api'],
      'http.request.method': call.method,
      'http.response.status_code': call.status,
      'url.path': call.path,
      ...(call.principal.kind === 'key' ? { 'user.id': call.principal.key.id, 'organization.id': call.principal.key.team } : { 'user.id': 'operator' }),
      ...(call.ip ? { 'source.ip': call.ip } : {}),
      ...(call.userAgent ? { 'user_agent.original': call.userAgent } : {}),
    });
  }

  /**
   * A refused key (401), or the moment an address reached the failure limit (429). Searchable
   * as `event.action:authentication_failed` (with `reason`) and `event.action:authentication_rate_limited`.
   */
  async recordAuthFailure(f: FailedAuthentication): Promise<void> {
    const original = {
      actor: { type: 'unauthenticated', key_prefix: f.keyPrefix },
      reason: f.reason,
      request: { id: f.requestId, method: f.method, path: f.path },
      response: { status_code: f.status },
    };
    await this.#append(original, {
      'event.action': f.status === 429 ? 'authentication_rate_limited' : 'authentication_failed',
      'event.outcome': 'failure',
      'event.category': ['authentication'],
      'http.request.method': f.method,
      'http.response.status_code': f.status,
      'url.path': f.path,
      ...(f.keyPrefix ? { 'user.id': f.keyPrefix } : {}),
      ...(f.ip ? { 'source.ip': f.ip } : {}),
      ...(f.userAgent ? { 'user_agent.original': f.userAgent } : {}),
    });
  }

  async #append(original: Record<string, unknown>, ecs: StoredEvent['ecs']): Promise<void> {
    const now = this.#now();
    const event: StoredEvent = {
      id: ulid(now),
      team: SYSTEM_TEAM,
      timestamp: now,
      received: now,
      format: 'ecs',
      flags: [],
      ecs: { ...ecs, 'event.provider': 'auditlog' },
      original,
      raw: JSON.stringify(original),
    };
    await this.#store.append(SYSTEM_TEAM, [event]);
  }
}
