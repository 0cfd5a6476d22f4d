/**
 * When two events are the same one. An id only deduplicates the same content: an event sent
 * again under an id that is already stored is a duplicate when its content is the same, and a
 * different event otherwise, stored under an id derived from both (and flagged `id_conflict`).
 *
 * "Content" is the event's raw text exactly as it was sent (its `event.original`), byte for
 * byte. Not the parsed original, canonicalised: parsing loses what JSON numbers a double cannot
 * hold (two ids that differ past 2^53 parse to one number), so two different events could
 * compare equal and one be dropped. Comparing text can only err the other way: a producer that
 * re-serialises an event with its keys in another order gets a second, flagged copy, which a
 * person can see and remove; a dropped event nobody can see.
 */
import { hash } from 'node:crypto';

/**
 * SHA-256 of the raw text, base64url (43 characters). Stored beside every event. The one-shot
 * `crypto.hash` costs about half the CPU of a createHash object (measured ~0.6 against ~1.2 µs
 * for the benchmark's 405-byte events).
 */
export function contentHash(raw: string): string {
  return hash('sha256', raw, 'base64url');
}

/**
 * How many derived ids a store tries for one event before rejecting it. Each step only follows
 * a SHA-256 collision (producers cannot send `conflict:` ids: theirs are namespaced), so one
 * step is all that ever happens; the bound is for the impossible case.
 */
export const MAX_CONFLICT_STEPS = 4;

/**
 * The id of an event whose id already holds other content: a function of that id and the
 * event's content, so a retry of this event finds it again (a duplicate), and two different
 * events sent under one id get two different ids.
 */
export function conflictEventId(id: string, eventHash: string): string {
  return `conflict:${hash('sha256', `${id}\u0000${eventHash}`, 'base64url').slice(0, 32)}`;
}
