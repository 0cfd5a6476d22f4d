/**
 * What the ingest answer says about one event beyond "stored": a warning for an accepted
 * event with a caveat, a code for the rejections a client may act on by code.
 */
import { z } from 'zod';

/** Why an accepted event deserves a second look. */
export const WarningCode = z.enum([
  /** Its id held a different event: it is stored under an id derived from both. */
  'id_conflict',
  /** Its time field holds no date in range: `@timestamp` is the receive time. */
  'timestamp_invalid',
  /** It is dated more than a day ahead: `@timestamp` is the receive time. */
  'timestamp_future',
]);
export type WarningCode = z.infer<typeof WarningCode>;

/** Rejections with a code of their own (others carry only a reason). */
export const RejectionCode = z.enum([
  /** Older than the team's retention: the next retention pass would delete it. */
  'older_than_retention',
]);
export type RejectionCode = z.infer<typeof RejectionCode>;

export const ItemWarning = z.object({
  code: WarningCode,
  message: z.string(),
  /** The field of the event the warning is about, when there is one. */
  field: z.string().optional(),
});
export type ItemWarning = z.infer<typeof ItemWarning>;

export const ItemRejection = z.object({
  reason: z.string(),
  field: z.string().optional(),
  code: RejectionCode.optional(),
});
export type ItemRejection = z.infer<typeof ItemRejection>;
