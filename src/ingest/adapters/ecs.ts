/**
 * Events that already speak Elastic Common Schema (`@timestamp`, `event.action`, as
 * nested objects or dotted keys, e.g. Keycloak's JSON log): the normalized fields are
 * copied, checked against their types.
 */
import { EventOutcome, type JsonObject, type NormalizedFields } from '../../events/event.ts';
import type { AdaptedEvent } from './types.ts';
import {
  asHttpMethod,
  asIp,
  asStatusCode,
  asText,
  compact,
  lookup,
  strict,
  readTimestamp,
} from './values.ts';

const TEXT_FIELDS = [
  'event.action',
  'event.id',
  'event.provider',
  'message',
  'user.id',
  'user.name',
  'user.email',
  'organization.id',
  'organization.name',
  'source.geo.country_iso_code',
  'source.geo.city_name',
  'user_agent.original',
  'url.path',
  'url.original',
] as const;

export function adaptEcs(obj: JsonObject): AdaptedEvent {
  const fields: Record<string, unknown> = {};
  for (const name of TEXT_FIELDS) fields[name] = strict(name, lookup(obj, name), asText, 'a string');
  fields['event.category'] = strict('event.category', lookup(obj, 'event.category'), asStringList, 'a string or a list of strings');
  fields['event.type'] = strict('event.type', lookup(obj, 'event.type'), asStringList, 'a string or a list of strings');
  fields['event.outcome'] = strict('event.outcome', lookup(obj, 'event.outcome'), asEcsOutcome, 'success, failure or unknown');
  fields['http.request.method'] = strict('http.request.method', lookup(obj, 'http.request.method'), asHttpMethod, 'an HTTP method');
  fields['http.response.status_code'] = strict(
    'http.response.status_code',
    lookup(obj, 'http.response.status_code'),
    asStatusCode,
    'an HTTP status code',
  );
  // ECS puts the peer in source.* or client.*; a hostname there is legal ECS but not an IP.
  fields['source.ip'] = asIp(lookup(obj, 'source.ip')) ?? asIp(lookup(obj, 'client.ip'));
  const ecs = compact(fields) as NormalizedFields;
  const producerId = ecs['event.id'];
  return { ecs, ...readTimestamp('@timestamp', obj['@timestamp']), ...(producerId === undefined ? {} : { producerId }) };
}

function asStringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value === '' ? undefined : [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

function asEcsOutcome(value: unknown): EventOutcome | undefined {
  const parsed = EventOutcome.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
