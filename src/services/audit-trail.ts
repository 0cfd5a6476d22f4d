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

export class AuditTrail {
  readonly #store: AuditStore;
  readonly #now: () => number;

  constructor(store: AuditStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async record(call: AuditedCall): Promise<void> {
    const now = this.#now();
    const actor =
      call.principal.kind === 'operator'
        ? { type: 'operator' }
        : { type: 'api_key', key_id: call.principal.key.id, role: call.principal.key.role, team: call.principal.key.team };
    const original = {
      actor,
      request: { id: call.requestId, method: call.method, path: call.path, query: call.query },
      response: { status_code: call.status },
    };
    const outcome = call.status < 400 ? 'success' : 'failure';
    const event: StoredEvent = {
      id: ulid(now),
      team: SYSTEM_TEAM,
      timestamp: now,
      received: now,
      format: 'ecs',
      flags: [],
      ecs: {
        'event.action': `${call.method} ${call.path}`,
        'event.outcome': outcome,
        'event.category': ['api'],
        'event.provider': 'auditlog',
        'http.request.method': call.method,
        'http.response.status_code': call.status,
        'url.path': call.path,
        ...(call.principal.kind === 'key' ? { 'user.id': call.principal.key.id, 'organization.id': call.principal.key.team } : { 'user.id': 'operator' }),
        ...(call.ip ? { 'source.ip': call.ip } : {}),
        ...(call.userAgent ? { 'user_agent.original': call.userAgent } : {}),
      },
      original,
      raw: JSON.stringify(original),
    };
    await this.#store.append(SYSTEM_TEAM, [event]);
  }
}
