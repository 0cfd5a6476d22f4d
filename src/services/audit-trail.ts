/**
 * Our own audit trail: every search, export and admin call is recorded as an audit event in
 * the reserved `system` team (Threat Stack records API reads the same way). The operator
 * reads it with GET /api/v1/system/events.
 */
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

export class AuditTrail {
  readonly #store: AuditStore;
  readonly #now: () => number;

  constructor(store: AuditStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
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
