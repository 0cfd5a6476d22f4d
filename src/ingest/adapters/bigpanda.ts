/**
 * BigPanda audit log (example: test/fixtures/seeds/bigpanda-event.json): actor {type, user{id,email,name}},
 * context.actor_access {ip_address, user_agent}, timestamp in epoch seconds (often a
 * string), resource_id, resource_type, action_type, object (null on delete).
 */
import { ValidationError } from '../../errors.ts';
import type { JsonObject, NormalizedFields } from '../../events/event.ts';
import type { AdaptedEvent } from './types.ts';
import { asEmail, asIp, asString, asText, compact, lookup, show, strict, readTimestamp } from './values.ts';

const ACTOR_TYPES = new Set(['user', 'system-generated']);
const ACTION_EVENT_TYPES: Record<string, string[]> = {
  create: ['creation'],
  update: ['change'],
  delete: ['deletion'],
};

export function adaptBigPanda(obj: JsonObject): AdaptedEvent {
  const actorType = lookup(obj, 'actor.type');
  if (actorType !== undefined && !(typeof actorType === 'string' && ACTOR_TYPES.has(actorType))) {
    throw new ValidationError(`actor.type: ${show(actorType)} is not user or system-generated`, { field: 'actor.type' });
  }
  const actionType = strict('action_type', obj.action_type, asString, 'a string');
  const resourceType = strict('resource_type', obj.resource_type, asString, 'a string');
  const ecs: NormalizedFields = compact({
    'event.action': actionType,
    'event.type': actionType ? ACTION_EVENT_TYPES[actionType] : undefined,
    // BigPanda records changes to users and to the configuration (correlation, enrichment, environments).
    'event.category': resourceType === undefined ? undefined : resourceType === 'users' ? ['iam'] : ['configuration'],
    // An audit entry is written for a change that was made (the object is the resource after it).
    'event.outcome': actionType === undefined || actionType === 'init_state' ? undefined : 'success',
    'user.id': strict('actor.user.id', lookup(obj, 'actor.user.id'), asText, 'a user id'),
    'user.email': asEmail(lookup(obj, 'actor.user.email')),
    'user.name': strict('actor.user.name', lookup(obj, 'actor.user.name'), asText, 'a string'),
    'source.ip': asIp(lookup(obj, 'context.actor_access.ip_address')),
    'user_agent.original': asString(lookup(obj, 'context.actor_access.user_agent')),
  });
  // Documented as seconds, but by magnitude a millisecond value is still read right.
  return { ...readTimestamp('timestamp', obj.timestamp), ecs };
}
