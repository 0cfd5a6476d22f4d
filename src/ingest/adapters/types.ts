import type { JsonObject, NormalizedFields } from '../../events/event.ts';

/** What an adapter reads out of one original event. */
export interface AdaptedEvent {
  /** Event time, epoch ms; absent when the event carries none (the received time is used). */
  timestamp?: number;
  ecs: NormalizedFields;
  /** The producer's own event id, when the format has one: it makes retries idempotent. */
  producerId?: string;
  /**
   * The event's time field holds something that is no date in range (`"NaN"`, year 9999, a
   * negative epoch): which field, and why. The event is kept, flagged `timestamp_invalid`.
   */
  invalidTimestamp?: InvalidTimestamp;
}

export interface InvalidTimestamp {
  field: string;
  /** `"NaN" is not a timestamp (not a recognised date format)`. */
  reason: string;
}

/** A pure function of the original; throws ValidationError naming the field it cannot accept. */
export type Adapter = (obj: JsonObject) => AdaptedEvent;
