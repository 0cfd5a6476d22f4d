/**
 * Coralogix Audit Trail (example: test/fixtures/seeds/coralogix-log-example.json): actor, action_details with the
 * operation `METHOD:/path`, result, action_start_timestamp in epoch ms, action (team).
 */
import { ValidationError } from '../../errors.ts';
import type { JsonObject, NormalizedFields } from '../../events/event.ts';
import type { AdaptedEvent } from './types.ts';
import { asEmail, asHttpMethod, asIp, asStatusCode, asString, asText, compact, lookup, show, strict, readTimestamp } from './values.ts';

export function adaptCoralogix(obj: JsonObject): AdaptedEvent {
  const action = strict('action_details.operation.action', lookup(obj, 'action_details.operation.action'), asString, 'a string');
  const { method, path } = splitOperation(action);
  const succeeded = lookup(obj, 'action_details.result.succeeded');
  if (succeeded !== undefined && typeof succeeded !== 'boolean') {
    throw new ValidationError(`action_details.result.succeeded: ${show(succeeded)} is not true or false`, {
      field: 'action_details.result.succeeded',
    });
  }
  const username = strict('actor.username', lookup(obj, 'actor.username'), asText, 'a string');
  const ecs: NormalizedFields = compact({
    'event.action': action,
    'event.category': path === undefined ? undefined : categoryOf(path),
    'event.outcome': succeeded === undefined ? undefined : succeeded ? 'success' : 'failure',
    message: strict('action.description', lookup(obj, 'action.description'), asText, 'a string'),
    'user.id': strict('actor.account_id', lookup(obj, 'actor.account_id'), asText, 'a string'),
    'user.name': username,
    'user.email': asEmail(username),
    'organization.id': strict('action.team_id', lookup(obj, 'action.team_id'), asText, 'a team id'),
    'organization.name': strict('action.team_name', lookup(obj, 'action.team_name'), asText, 'a string'),
    // Coralogix writes client addresses IPv4-mapped (`::ffff:10.1.2.3`); asIp unwraps them.
    'source.ip': asIp(lookup(obj, 'action_details.ip_address')),
    'user_agent.original': asString(lookup(obj, 'action_details.operation.user_agent')),
    'http.request.method': method,
    'url.path': path,
    'http.response.status_code': strict(
      'action_details.result.status_code',
      lookup(obj, 'action_details.result.status_code'),
      asStatusCode,
      'an HTTP status code',
    ),
  });
  return { ...readTimestamp('action_start_timestamp', obj.action_start_timestamp, 'ms'), ecs };
}

/**
 * ECS categories of the Coralogix API paths that audits care about (the seed's list of common
 * actions), so that one query like `event.category:iam` spans formats.
 */
const PATH_CATEGORIES: Array<[RegExp, string[]]> = [
  [/\/user\/login$/, ['authentication']],
  // Membership and role changes; `POST …/rbac/groups` alone only lists the groups.
  [/\/rbac\/[^/]+\/users\/|\/rbac\/groups\/[^/]+\/roles|\/invite(\/|$)/, ['iam']],
  [/\/saml\b/, ['configuration']],
  [/\/(archiveproviders|quotapolicies|quotaoverrides|tco|rulesapi|logsparser|external\/(group|rule|action))/, ['configuration']],
];

function categoryOf(path: string): string[] | undefined {
  for (const [pattern, categories] of PATH_CATEGORIES) if (pattern.test(path)) return categories;
  return undefined;
}

/** `POST:/api/v1/user/login` → POST and /api/v1/user/login; other action names stay whole. */
function splitOperation(action: string | undefined): { method?: string; path?: string } {
  const m = action === undefined ? null : /^([A-Za-z]+):(\/\S*)$/.exec(action);
  const method = m ? asHttpMethod(m[1]) : undefined;
  return method ? { method, path: m![2]! } : {};
}
