/**
 * Any JSON object. Best effort: each normalized field is looked for under the names the
 * producers in the corpus use (shared/corpus/SOURCES.md), ignoring case; the first match
 * that has the right type wins, and a field stays empty rather than take a value that
 * does not fit (a hostname is not an IP, `pending` is not an outcome). Never
 * throws: an event the heuristics do not understand is still stored and searchable by its
 * original fields.
 */
import type { JsonObject, NormalizedFields } from '../../events/event.ts';
import { parseTimestamp, type EpochUnit } from '../timestamps.ts';
import { compilePaths, indexPaths } from './key-index.ts';
import type { AdaptedEvent, InvalidTimestamp } from './types.ts';
import {
  asEmail,
  asHttpMethod,
  asIp,
  asOutcome,
  asStatusCode,
  asString,
  asText,
  compact,
  isJsonObject,
  show,
  urlPath,
} from './values.ts';

/**
 * Event-time keys, most specific first. Receive / ingest times (`receiveTimestamp`,
 * Panther's `p_event_time`) come last: close to the event time, better than none.
 */
const TIMESTAMP_KEYS: Array<[path: string, unit?: EpochUnit]> = [
  ['@timestamp'],
  ['eventTime'],
  ['event_time'],
  ['EventTime'],
  ['CreationTime'], // O365
  ['TimeGenerated'], // Azure Log Analytics
  ['requestReceivedTimestamp'], // Kubernetes
  ['activityDateTime'], // Entra (Graph)
  ['published'], // Okta
  ['isotimestamp'], // Duo
  ['timestamp'],
  ['time'],
  ['ts'],
  ['date'],
  ['When'], // Cloudflare
  ['effective_at'], // OpenAI
  ['created_at'],
  ['createdAt'],
  ['createdDateTime'],
  ['created'],
  ['date_create'], // Slack
  ['event_timestamp'],
  ['eventTimestamp'],
  ['at_sign_timestamp'], // GitHub via Panther
  ['_time'],
  ['id.time'], // Google Workspace
  ['data.date'], // Auth0
  ['event.timestamp'], // Notion
  ['event.time'], // Zscaler
  ['attributes.time'], // Atlassian
  ['properties.ActivityDate'], // Intune
  ['protoPayload.timestamp'], // GCP
  ['protoPayload.requestMetadata.requestAttributes.time'],
  ['time_micros', 'us'],
  ['timestamp_usec', 'us'],
  ['stageTimestamp'], // Kubernetes, when requestReceivedTimestamp is absent
  ['receiveTimestamp'], // GCP
  ['p_event_time'], // Panther
];

const PRODUCER_ID_KEYS = ['eventID', 'eventId', 'event_id', 'uuid', 'insertId', 'auditID', '_document_id', 'id'];

const IP_KEYS = [
  'sourceIPAddress',
  'sourceIp',
  'source_ip',
  'src_ip',
  'client_ip',
  'clientIp',
  'ClientIPAddress',
  'callerIpAddress',
  'ActorIpAddress',
  'ActorIP',
  'actor_ip',
  'UserIp',
  'remoteAddress',
  'remote_addr',
  'remoteIp',
  'request_ip',
  'originIp',
  'ipAddress',
  'ip_address',
  'ipaddr',
  'ip',
  'sourceIPs',
  'client.ipAddress',
  'client.ip_address',
  'client.ip',
  'source.ip',
  'context.ip_address',
  'context.client_ip_address',
  'actor.ip_address',
  'actor.session.ip_address',
  'visit.ip',
  'event.ip_address',
  'event.clientip',
  'data.ip',
  'data.request.ip', // Sublime
  'initiatedBy.user.ipAddress',
  'protoPayload.requestMetadata.callerIp',
  'httpRequest.remoteIp',
];

const ACTION_KEYS = [
  'eventName', // CloudTrail
  'action',
  'actionName',
  'action_type',
  'eventType',
  'event_type',
  'eventTypeName',
  'Operation', // O365
  'operationName', // Azure: a string or {value, localizedValue}
  'operationName.value',
  'activityDisplayName', // Entra
  'methodName',
  'protoPayload.methodName', // GCP
  'verb', // Kubernetes
  'event.action',
  'event.type', // Notion
  'action.name',
  'operation_name', // Tines
  'audit_log_event', // Netskope
  'event_type._tag', // Dropbox
  'event', // Snyk: a string there, an object elsewhere (skipped)
  'type', // Anthropic, OpenAI; last, as elsewhere `type` is often a record kind
];

const OUTCOME_KEYS = [
  'outcome',
  'outcome.result', // Okta
  'result',
  'actionResult',
  'ResultStatus', // O365
  'status',
  'success',
  'succeeded',
  'result.succeeded',
  'event.outcome',
];

const USER_NAME_KEYS = [
  'user.name',
  'userName',
  'user_name',
  'username',
  'actor_user_name',
  'userIdentity.userName',
  'actor.name',
  'actor.displayName',
  'actor.login',
  'actor.username',
  'actor.alternateId',
  'user.username',
  'created_by.name',
  'actor',
  'user',
  'userPrincipalName',
];

const EMAIL_KEYS = [
  'user.email',
  'user_email',
  'userEmail',
  'email',
  'actor_email',
  'actor.email',
  'actor.email_address',
  'actor.alternateId',
  'actor.person.email',
  'actor.user.email',
  'actor.session.user.email', // OpenAI
  'actor.admin.email', // Dropbox
  'event.actor.person.email', // Notion
  'event.adminid', // Zscaler
  'initiatedBy.user.userPrincipalName', // Entra
  'properties.initiatedBy.user.userPrincipalName',
  'created_by.email_address', // Sublime
  'created_by.login',
  'userIdentity.email', // Databricks
  'loginName', // Carbon Black
  'operator', // Zoom
  'caller', // Azure Monitor: an address for users, an app name otherwise
  'protoPayload.authenticationInfo.principalEmail',
  'userPrincipalName',
  'UserId',
  'user.username',
];

const USER_ID_KEYS = [
  'user.id',
  'user_id',
  'userId',
  'actor_id',
  'actorId',
  'actor_user_id',
  'actor.id',
  'actor.user_id', // Anthropic
  'actor.session.user.id', // OpenAI
  'userIdentity.principalId', // CloudTrail
  'initiatedBy.user.id', // Entra
  'event.actor.id', // Notion
  'created_by.id',
  'user.uuid', // 1Password
];

const ORG_ID_KEYS = ['organization.id', 'organization_id', 'organizationId', 'org_id', 'orgId', 'tenantId', 'tenant_id'];
const ORG_NAME_KEYS = ['organization.name', 'organization_name', 'organizationName', 'org_name', 'orgName', 'org'];
const MESSAGE_KEYS = ['message', 'msg', 'description', 'displayMessage'];
const PROVIDER_KEYS = ['event.provider', 'eventSource', 'event_source', 'serviceName', 'protoPayload.serviceName', 'Workload'];
const USER_AGENT_KEYS = [
  'userAgent',
  'user_agent',
  'http_user_agent',
  'client.userAgent.rawUserAgent',
  'client.user_agent',
  'request_user_agent', // Tines
  'actor.session.user_agent', // OpenAI
  'context.user_agent',
  'context.ua',
  'visit.user_agent',
  'protoPayload.requestMetadata.callerSuppliedUserAgent',
  'httpRequest.userAgent',
  'user_agent.original',
];
const METHOD_KEYS = ['http.request.method', 'httpMethod', 'http_method', 'method', 'requestMethod', 'request.method', 'data.request.method'];
const STATUS_KEYS = [
  'http.response.status_code',
  'status_code',
  'statusCode',
  'responseCode',
  'response.statusCode',
  'responseStatus.code', // Kubernetes
  'httpRequest.status',
];
const URL_KEYS = ['url', 'uri', 'requestURI', 'request_uri', 'requestUri', 'requestUrl', 'url.original', 'context.url', 'data.request.path'];

const ALL_KEYS = compilePaths([
  ...TIMESTAMP_KEYS.map(([path]) => path),
  ...PRODUCER_ID_KEYS,
  ...IP_KEYS,
  ...ACTION_KEYS,
  ...OUTCOME_KEYS,
  ...USER_NAME_KEYS,
  ...EMAIL_KEYS,
  ...USER_ID_KEYS,
  ...ORG_ID_KEYS,
  ...ORG_NAME_KEYS,
  ...MESSAGE_KEYS,
  ...PROVIDER_KEYS,
  ...USER_AGENT_KEYS,
  ...METHOD_KEYS,
  ...STATUS_KEYS,
  ...URL_KEYS,
]);

type Found = Map<string, unknown>;
const lower = (keys: readonly string[]) => keys.map((k) => k.toLowerCase());

/** The first candidate whose value converts. */
function pick<T>(found: Found, keys: readonly string[], convert: (v: unknown) => T | undefined): T | undefined {
  for (const key of keys) {
    const value = found.get(key);
    if (value === undefined) continue;
    const converted = convert(value);
    if (converted !== undefined) return converted;
  }
  return undefined;
}

/**
 * A plausible event time. Bare numbers from 0 to 1e8 are counts or durations far more often
 * than dates in 1970-1973, so they are not taken as times (nor as invalid ones). When no
 * candidate gives a time, the first other string or number found under a time key is what the
 * event said its time was: reported as invalid (the event is kept, flagged timestamp_invalid,
 * rather than passed off as an event without a time).
 */
function findTimestamp(found: Found): { timestamp?: number; invalidTimestamp?: InvalidTimestamp } {
  let invalid: InvalidTimestamp | undefined;
  for (const [key, unit, spelled] of TIMESTAMP_CANDIDATES) {
    const value = found.get(key);
    if (typeof value === 'number' ? value >= 0 && value < 1e8 : typeof value !== 'string' || /^\d{1,8}$/.test(value.trim())) continue;
    const result = parseTimestamp(value, unit ? { unit } : {});
    if ('ms' in result) return { timestamp: result.ms };
    invalid ??= { field: spelled, reason: `${show(value)} is not a timestamp (${result.error})` };
  }
  return invalid ? { invalidTimestamp: invalid } : {};
}

/**
 * The producer's event id: a scalar under a well-known key, or an id object made only of
 * scalars (Google Workspace's `id: {time, uniqueQualifier, applicationName, customerId}`
 * identifies one event only as a whole), written with sorted keys.
 */
function findProducerId(found: Found): { key: string; value: string } | undefined {
  for (const key of PRODUCER_ID_CANDIDATES) {
    const value = found.get(key);
    const text = asText(value);
    if (text !== undefined && typeof value !== 'boolean') return { key, value: text };
    if (isJsonObject(value)) {
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      // Only the whole counts, and only with a part that tells events apart (a time or a
      // unique qualifier): redacted fixtures keep just `{applicationName}`, which does not.
      const distinctive = entries.some(([k]) => /time|unique/i.test(k));
      if (entries.length >= 2 && distinctive && entries.every(([, v]) => asText(v) !== undefined)) {
        return { key, value: JSON.stringify(Object.fromEntries(entries)) };
      }
    }
  }
  return undefined;
}

const TIMESTAMP_CANDIDATES = TIMESTAMP_KEYS.map(([path, unit]) => [path.toLowerCase(), unit, path] as const);
const PRODUCER_ID_CANDIDATES = lower(PRODUCER_ID_KEYS);
const CANDIDATES = {
  action: lower(ACTION_KEYS),
  outcome: lower(OUTCOME_KEYS),
  provider: lower(PROVIDER_KEYS),
  message: lower(MESSAGE_KEYS),
  userName: lower(USER_NAME_KEYS),
  email: lower(EMAIL_KEYS),
  userId: lower(USER_ID_KEYS),
  orgId: lower(ORG_ID_KEYS),
  orgName: lower(ORG_NAME_KEYS),
  ip: lower(IP_KEYS),
  userAgent: lower(USER_AGENT_KEYS),
  method: lower(METHOD_KEYS),
  status: lower(STATUS_KEYS),
  url: lower(URL_KEYS),
};

export function adaptGeneric(obj: JsonObject): AdaptedEvent {
  const found = indexPaths(obj, ALL_KEYS);
  const url = pick(found, CANDIDATES.url, (v) => (urlPath(v) === undefined ? undefined : (v as string)));
  const producer = findProducerId(found);
  const ecs: NormalizedFields = compact({
    'event.id': producer?.value,
    'event.action': pick(found, CANDIDATES.action, asString),
    'event.outcome': pick(found, CANDIDATES.outcome, asOutcome),
    'event.provider': pick(found, CANDIDATES.provider, asString),
    message: pick(found, CANDIDATES.message, asString),
    'user.name': pick(found, CANDIDATES.userName, asString),
    'user.email': pick(found, CANDIDATES.email, asEmail),
    'user.id': pick(found, CANDIDATES.userId, asText),
    'organization.id': pick(found, CANDIDATES.orgId, asText),
    'organization.name': pick(found, CANDIDATES.orgName, asString),
    'source.ip': pick(found, CANDIDATES.ip, asIp),
    'user_agent.original': pick(found, CANDIDATES.userAgent, asString),
    'http.request.method': pick(found, CANDIDATES.method, asHttpMethod),
    'http.response.status_code': pick(found, CANDIDATES.status, asStatusCode),
    'url.original': url,
    'url.path': urlPath(url),
  });
  const time = findTimestamp(found);
  return {
    ecs,
    ...time,
    ...(producer === undefined ? {} : { producerId: `${producer.key}:${producer.value}` }),
  };
}
