/**
 * Outbound event streams: a team's events (all, or those matching a query) forwarded to an
 * HTTP endpoint as signed NDJSON batches. The zod schemas are the validation, the types and
 * the API documentation at once.
 */
import { z } from 'zod';
import { HttpUrl } from '../alerts/model.ts';

export const STREAM_STATES = ['active', 'paused', 'failing'] as const;
export const StreamState = z.enum(STREAM_STATES);
export type StreamState = z.infer<typeof StreamState>;

const Name = z.string().trim().min(1).max(200);
const Query = z.string().max(16_384);
/** Write-only: never returned by the API (`hasSecret` says whether one is set). */
const Secret = z.string().min(16).max(256);
const BatchSize = z.number().int().min(1).max(1000);
const MaxWaitSeconds = z.number().int().min(0).max(300);

export const StreamInput = z.object({
  name: Name,
  url: HttpUrl.meta({ description: 'http or https endpoint that receives the batches (POST, NDJSON)' }),
  secret: Secret.optional().meta({ description: 'Signs each batch (HMAC-SHA256, X-Auditlog-Signature); write-only' }),
  query: Query.default('').meta({ description: 'Only events matching this query are sent; empty: every event' }),
  batchSize: BatchSize.default(500).meta({ description: 'Most events per request' }),
  maxWaitSeconds: MaxWaitSeconds.default(5).meta({ description: 'A batch smaller than batchSize waits at most this long for more events' }),
  startAt: z
    .union([z.literal('now'), z.iso.datetime({ offset: true })])
    .default('now')
    .meta({ description: '`now`: events stored from now on; a time: also the events received since then' }),
});
export type StreamInput = z.input<typeof StreamInput>;

/** What an update may change; absent fields keep their values. */
export const StreamUpdate = z
  .object({ name: Name, url: HttpUrl, secret: Secret, query: Query, batchSize: BatchSize, maxWaitSeconds: MaxWaitSeconds })
  .partial()
  .strict();
export type StreamUpdate = z.infer<typeof StreamUpdate>;

/** A stream as stored: its definition, and where its delivery stands. */
export const StreamRecord = z.object({
  id: z.string(),
  team: z.string(),
  name: z.string(),
  url: z.string(),
  secret: z.string().optional(),
  query: z.string(),
  batchSize: z.number(),
  maxWaitSeconds: z.number(),
  createdAt: z.number(),
  updatedAt: z.number(),
  state: StreamState,
  /** The store position (AuditStore.changes) of the last event the endpoint acknowledged. */
  position: z.string(),
  /** When a read that found nothing to send last moved the position (such moves are saved at most every IDLE_SAVE_MS). */
  idleMovedAt: z.number().default(0),
  delivered: z.number(),
  lastDeliveryAt: z.number().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.number().nullable(),
  /** Failed attempts in a row at the current batch. */
  failures: z.number(),
  nextAttemptAt: z.number(),
  /** The instance sending a batch now, and until when its claim holds. */
  leaseOwner: z.string().nullable(),
  leaseUntil: z.number(),
});
export type StreamRecord = z.infer<typeof StreamRecord>;

/** A stream as the API shows it. */
export const StreamView = z
  .object({
    id: z.string(),
    name: z.string(),
    url: z.string().meta({ description: 'The endpoint; a query string is shown as [redacted]' }),
    hasSecret: z.boolean(),
    query: z.string(),
    batchSize: z.number().int(),
    maxWaitSeconds: z.number().int(),
    state: StreamState,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    delivered: z.number().int().meta({ description: 'Events acknowledged by the endpoint' }),
    lastDeliveryAt: z.iso.datetime().nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: z.iso.datetime().nullable(),
    nextAttemptAt: z.iso.datetime().nullable().meta({ description: 'When a failed batch is tried again' }),
    lag: z
      .object({
        events: z.number().int().nullable().meta({ description: 'Events stored after the last one delivered (before the query filters them)' }),
        seconds: z.number().nullable().meta({ description: 'Age of the oldest of them' }),
      })
      .meta({ description: 'null values: the store could not be read within its time budget' }),
  })
  .meta({ id: 'Stream' });
export type StreamView = z.infer<typeof StreamView>;
