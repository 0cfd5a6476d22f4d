/**
 * Event ids. Sortable ULIDs for events that carry no id of their own; ids derived from the
 * producer's event id or the request's Idempotency-Key otherwise, so that a retried
 * request stores the same events under the same ids instead of twice.
 *
 * Every derived id carries its namespace, so ids from two sources never meet: a Threat Stack
 * `id` is `threatstack.<id>`, an ECS `event.id` `ecs.<id>`, an Idempotency-Key's events
 * `key.<key>-<index>`, a CLI import's `import.<content>-<n>`, an id conflict's `conflict:<hash>`
 * (events/identity.ts). An id that is not safe as it is becomes `<namespace>:<hash>`: the
 * separator after the namespace tells the two forms apart, so no text sent can equal a hashed id.
 * ULIDs (26 letters and digits) and generic ids (32 base64url characters) have no separator.
 */
import { createHash, getRandomValues } from 'node:crypto';
import { ulid } from 'ulid';
import type { EventFormat, JsonObject } from '../events/event.ts';

/** Ids go into URLs, file rows and Elasticsearch `_id`: a conservative alphabet. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function hashId(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

// The ulid package draws one byte from the CSPRNG per character (about 30 µs per id);
// the same bytes drawn from a pool cost a fraction of that.
const pool = new Uint8Array(4096);
let poolIndex = pool.length;
function pooledRandom(): number {
  if (poolIndex === pool.length) {
    getRandomValues(pool);
    poolIndex = 0;
  }
  return pool[poolIndex++]! / 256;
}

export function newEventId(timestamp: number): string {
  return ulid(timestamp, pooledRandom);
}

/**
 * The id of an event the producer identified. A format whose schema defines a unique
 * event id (Threat Stack `id`, ECS `event.id`) keeps it, readable. For generic events the
 * id was found under a guessed key, and such ids are not unique enough to trust alone:
 * small integers repeat across products sending to one team, and published fixtures reuse
 * one id for different events. So the key, the event time and the content are hashed in: a
 * retry of the same event gets the same id, two different events never overwrite each other.
 */
export function producerEventId(format: EventFormat, producerId: string, timestamp: number | undefined, original: JsonObject): string {
  if (format !== 'generic') return namespacedId(format, producerId);
  return hashId(`generic\u0000${producerId}\u0000${timestamp ?? ''}\u0000${JSON.stringify(original)}`);
}

/** The id of the event at `index` of a request sent with an Idempotency-Key. */
export function idempotentEventId(key: string, index: number): string {
  return namespacedId('key', `${key}-${index}`);
}

/** The id of a CLI-imported event: its content hash and how many times that content came before it in the file. */
export function importEventId(contentHash: string, occurrence: number): string {
  return namespacedId('import', `${contentHash}-${occurrence}`);
}

/** `<namespace>.<id>` when that is a safe id, else `<namespace>:<hash of id>`. */
export function namespacedId(namespace: string, id: string): string {
  const text = `${namespace}.${id}`;
  return SAFE_ID.test(text) ? text : `${namespace}:${hashId(id)}`;
}
