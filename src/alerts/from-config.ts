/**
 * Alerting from the application config: the environment variables it reads (spread into
 * src/config.ts's schema) and the factory the runtime calls. Alert state lives beside the
 * events (src/backend.ts): `state/alerts.db` in the data directory, or system indices when the
 * store is Elasticsearch.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChangeRecorder } from '../audit/trail.ts';
import type { AuditStore } from '../store/interface.ts';
import { CidrList } from '../net/cidr.ts';
import { EgressPolicy } from './egress.ts';
import { type Alerting, createAlerting } from './index.ts';
import type { AlertStateStore } from './state-store.ts';

/** Spread into the Config object schema: `z.object({ ...existing, ...ALERT_CONFIG_FIELDS })`. */
export const ALERT_CONFIG_FIELDS = {
  /** Base of the event links in notifications, e.g. https://audit.example.com. */
  AUDITLOG_BASE_URL: z.url().optional(),
  /** `off`: serve the API but evaluate no rules on this instance. */
  AUDITLOG_ALERTS: z.enum(['on', 'off']).default('on'),
  /** Evaluate up to now minus this, so events indexed late are still seen. */
  AUDITLOG_ALERT_DELAY_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** After downtime, evaluate at most this far back. */
  AUDITLOG_ALERT_MAX_CATCHUP_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(24),
  /**
   * Most events one read of a team's window may hold for the rules due in a tick to be matched
   * in memory; above it (or at 0) each rule asks the store itself.
   */
  AUDITLOG_ALERT_WINDOW_MAX_EVENTS: z.coerce.number().int().min(0).max(1_000_000).default(50_000),
  AUDITLOG_SMTP_HOST: z.string().optional(),
  AUDITLOG_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  /** `true`: TLS from the start (port 465); otherwise STARTTLS when offered. */
  AUDITLOG_SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  AUDITLOG_SMTP_USER: z.string().optional(),
  AUDITLOG_SMTP_PASSWORD: z.string().optional(),
  AUDITLOG_SMTP_FROM: z.string().default('auditlog@localhost'),
  /**
   * Address ranges (CIDRs) webhooks may reach although they are loopback, private, link-local
   * or otherwise refused by default (src/alerts/egress.ts), e.g. `10.20.0.0/16` for an internal
   * chat server.
   */
  AUDITLOG_ALERT_ALLOWED_TARGETS: CidrList.default([]),
};

export const AlertConfig = z.object(ALERT_CONFIG_FIELDS);
export type AlertConfig = z.infer<typeof AlertConfig>;

export function createAlertingFromConfig(
  config: AlertConfig & { AUDITLOG_HOST: string; AUDITLOG_PORT: number },
  store: AuditStore,
  state: AlertStateStore,
  logger: Logger,
  changes?: ChangeRecorder,
): Alerting {
  return createAlerting({
    store,
    state,
    ...(changes ? { changes } : {}),
    egress: new EgressPolicy(config.AUDITLOG_ALERT_ALLOWED_TARGETS),
    baseUrl: config.AUDITLOG_BASE_URL ?? `http://${config.AUDITLOG_HOST}:${config.AUDITLOG_PORT}`,
    ingestDelayMs: config.AUDITLOG_ALERT_DELAY_SECONDS * 1000,
    maxCatchUpMs: config.AUDITLOG_ALERT_MAX_CATCHUP_HOURS * 3_600_000,
    windowMaxEvents: config.AUDITLOG_ALERT_WINDOW_MAX_EVENTS,
    smtp: config.AUDITLOG_SMTP_HOST
      ? {
          host: config.AUDITLOG_SMTP_HOST,
          port: config.AUDITLOG_SMTP_PORT,
          secure: config.AUDITLOG_SMTP_SECURE === 'true',
          ...(config.AUDITLOG_SMTP_USER ? { user: config.AUDITLOG_SMTP_USER, password: config.AUDITLOG_SMTP_PASSWORD ?? '' } : {}),
          from: config.AUDITLOG_SMTP_FROM,
        }
      : undefined,
    onError: (err, context) => logger.error({ err, ...context }, 'alerting failed'),
  });
}
