import type { JsonObject, NormalizedFields } from '../../events/event.ts';

/** What an adapter reads out of one original event. */
export interface AdaptedEvent {
  /** Event time, epoch ms; absent when the event carries none (the received time is used). */
  timestamp?: number;
  ecs: NormalizedFields;
  /** The producer's own event id, when the format has one: it makes retries idempotent. */
  producerId?: string;
}

/** A pure function of the original; throws ValidationError naming the field it cannot accept. */
export type Adapter = (obj: JsonObject) => AdaptedEvent;
