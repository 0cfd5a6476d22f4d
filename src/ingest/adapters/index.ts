/**
 * Format detection and dispatch. Detection looks for the fields that only one format has
 * together, so a generic event is never forced through a format's stricter schema: when
 * in doubt, `generic`.
 */
import type { EventFormat, JsonObject } from '../../events/event.ts';
import { adaptBigPanda } from './bigpanda.ts';
import { adaptCoralogix } from './coralogix.ts';
import { adaptEcs } from './ecs.ts';
import { adaptGeneric } from './generic.ts';
import { adaptThreatStack } from './threatstack.ts';
import type { AdaptedEvent, Adapter } from './types.ts';
import { isJsonObject, lookup } from './values.ts';

export type { AdaptedEvent, Adapter } from './types.ts';

export const ADAPTERS: Record<EventFormat, Adapter> = {
  coralogix: adaptCoralogix,
  threatstack: adaptThreatStack,
  bigpanda: adaptBigPanda,
  ecs: adaptEcs,
  generic: adaptGeneric,
};

const has = (obj: JsonObject, key: string) => Object.hasOwn(obj, key);

export function detectFormat(obj: JsonObject): EventFormat {
  if (isJsonObject(obj.action_details) && (has(obj, 'action_start_timestamp') || has(obj, 'audit_schema_version'))) {
    return 'coralogix';
  }
  if (has(obj, 'crud') && has(obj, 'event_time') && (has(obj, 'user_email') || has(obj, 'organization_id'))) {
    return 'threatstack';
  }
  const actorType = lookup(obj, 'actor.type');
  if (
    has(obj, 'resource_type') &&
    has(obj, 'action_type') &&
    (actorType === 'user' || actorType === 'system-generated')
  ) {
    return 'bigpanda';
  }
  // `@timestamp` alone is common outside ECS (GitHub exports); an ECS-only field must go with it.
  if (has(obj, '@timestamp') && ['ecs.version', 'event.action', 'event.kind', 'event.category'].some((p) => lookup(obj, p) !== undefined)) {
    return 'ecs';
  }
  return 'generic';
}

/** Adapt one event; throws ValidationError when a format's field has the wrong shape. */
export function adapt(obj: JsonObject, format: EventFormat): AdaptedEvent {
  return ADAPTERS[format](obj);
}
