/**
 * Per-request and per-event bounds on ingest. Request-wide limits fail the request (413);
 * per-event limits reject only that event, so one hostile event never costs a batch.
 */
import { z } from 'zod';

const MiB = 1024 * 1024;

export const IngestLimits = z.object({
  /** Body size after decompression (and before it, for the compressed bytes). */
  maxBodyBytes: z.number().int().positive().default(10 * MiB),
  /** Events in one request. */
  maxEvents: z.number().int().positive().default(10_000),
  /** Size of one event's JSON text. */
  maxEventBytes: z.number().int().positive().default(1 * MiB),
  /** Nesting of objects and arrays in one event (the event object itself is depth 1). */
  maxDepth: z.number().int().positive().default(32),
  /** Scalar values (leaves) in one event. */
  maxFields: z.number().int().positive().default(5_000),
});
export type IngestLimits = z.infer<typeof IngestLimits>;

export const DEFAULT_INGEST_LIMITS: IngestLimits = Object.freeze(IngestLimits.parse({}));
