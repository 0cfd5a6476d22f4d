/**
 * Threat Stack Audit Log (example: test/fixtures/seeds/threatstack-api-event.json): a flat event with id, user,
 * organization, crud, result pass/fail, action, source, description, event_time (UTC) and,
 * for API events, context {originIp, url, params, httpMethod, responseCode, responseSize}.
 */
import { ValidationError } from '../../errors.ts';
import type { JsonObject, NormalizedFields } from '../../events/event.ts';
import type { AdaptedEvent } from './types.ts';
import {
  asEmail,
  asHttpMethod,
  asIp,
  asStatusCode,
  asText,
  compact,
  isJsonObject,
  show,
  strict,
  readTimestamp,
  urlPath,
} from './values.ts';

const CRUD_TYPES: Record<string, string> = { c: 'creation', r: 'access', u: 'change', d: 'deletion' };
const RESULTS: Record<string, 'success' | 'failure'> = { pass: 'success', fail: 'failure' };

/** ECS categories of the documented Threat Stack actions. */
function categoryOf(action: string): string[] | undefined {
  if (action.startsWith('user-login')) return ['authentication'];
  if (action === 'user-invite' || action === 'user-promote' || action === 'user-revoke') return ['iam'];
  if (/^(aws-profile|config-audit-suppression|vulnerability-suppression|organization|billing-info)-/.test(action)) return ['configuration'];
  return undefined;
}

export function adaptThreatStack(obj: JsonObject): AdaptedEvent {
  const context = obj.context ?? undefined;
  if (context !== undefined && context !== null && !isJsonObject(context)) {
    throw new ValidationError(`context: ${show(context)} is not an object`, { field: 'context' });
  }
  const ctx = isJsonObject(context) ? context : {};
  const crud = strict('crud', obj.crud, (v) => (typeof v === 'string' ? CRUD_TYPES[v.toLowerCase()] : undefined), 'one of c, r, u, d');
  const outcome = strict('result', obj.result, (v) => (typeof v === 'string' ? RESULTS[v.toLowerCase()] : undefined), 'pass or fail');
  const action = strict('action', obj.action, asText, 'a string');
  const url = strict('context.url', ctx.url, asText, 'a string');
  const producerId = strict('id', obj.id, asText, 'an event id');
  const ecs: NormalizedFields = compact({
    'event.id': producerId,
    'event.action': action,
    'event.outcome': outcome,
    'event.type': crud ? [crud] : undefined,
    'event.category': action === undefined ? undefined : categoryOf(action),
    message: strict('description', obj.description, asText, 'a string'),
    'user.id': strict('user_id', obj.user_id, asText, 'a user id'),
    'user.email': asEmail(obj.user_email),
    'organization.id': strict('organization_id', obj.organization_id, asText, 'an organization id'),
    'source.ip': asIp(ctx.originIp),
    'http.request.method': strict('context.httpMethod', ctx.httpMethod, asHttpMethod, 'an HTTP method'),
    'http.response.status_code': strict('context.responseCode', ctx.responseCode, asStatusCode, 'an HTTP status code'),
    'url.original': url,
    'url.path': urlPath(url),
  });
  return { ecs, ...readTimestamp('event_time', obj.event_time), ...(producerId === undefined ? {} : { producerId }) };
}
