/**
 * Streams from the application config: the environment variables they read (spread into
 * src/config.ts's schema) and the parts the runtime builds. Endpoints obey the same egress
 * rules as alert webhooks (AUDITLOG_ALERT_ALLOWED_TARGETS).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChangeRecorder } from '../audit/trail.ts';
import { EgressPolicy } from '../alerts/egress.ts';
import type { Cidr } from '../net/cidr.ts';
import type { AuditStore } from '../store/interface.ts';
import { StreamRunner } from './runner.ts';
import { StreamService } from './service.ts';
import type { StreamStateStore } from './state-store.ts';

/** Spread into the Config object schema. */
export const STREAM_CONFIG_FIELDS = {
  /** `off`: serve the stream API but deliver nothing from this instance. */
  AUDITLOG_STREAMS: z.enum(['on', 'off']).default('on'),
  /** Time between two delivery passes over the streams. */
  AUDITLOG_STREAM_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** Most batches in flight at once on one instance. */
  AUDITLOG_STREAM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Time an endpoint has to answer a batch. */
  AUDITLOG_STREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Longest wait between two attempts at a failing batch. */
  AUDITLOG_STREAM_MAX_BACKOFF_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /**
   * Elasticsearch only: how long after its receipt an acknowledged event is sure to be
   * searchable; streams read events only once they are this old (src/store/elasticsearch/changes.ts).
   */
  AUDITLOG_STREAM_SETTLE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
};

export const StreamConfig = z.object(STREAM_CONFIG_FIELDS);
export type StreamConfig = z.infer<typeof StreamConfig>;

export interface Streaming {
  service: StreamService;
  runner: StreamRunner;
}

export function createStreamingFromConfig(
  config: StreamConfig & { AUDITLOG_ALERT_ALLOWED_TARGETS: Cidr[] },
  store: AuditStore,
  state: StreamStateStore,
  logger: Logger,
  changes?: ChangeRecorder,
): Streaming {
  const egress = new EgressPolicy(config.AUDITLOG_ALERT_ALLOWED_TARGETS);
  return {
    service: new StreamService({ state, store, egress, ...(changes ? { changes } : {}) }),
    runner: new StreamRunner({
      state,
      store,
      egress,
      logger,
      pollMs: config.AUDITLOG_STREAM_POLL_MS,
      concurrency: config.AUDITLOG_STREAM_CONCURRENCY,
      timeoutMs: config.AUDITLOG_STREAM_TIMEOUT_MS,
      maxBackoffMs: config.AUDITLOG_STREAM_MAX_BACKOFF_SECONDS * 1000,
    }),
  };
}
