/**
 * Configuration: one zod schema of the environment, parsed once at start-up. A bad value
 * stops the process with a message that names the variable.
 */
import { z } from 'zod';
import { ALERT_CONFIG_FIELDS } from './alerts/from-config.ts';
import { GEO_CONFIG_FIELDS } from './geo/config.ts';
import { STREAM_CONFIG_FIELDS } from './streams/from-config.ts';
import { CidrList } from './net/cidr.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const Config = z
  .object({
    AUDITLOG_HOST: z.string().default('127.0.0.1'),
    AUDITLOG_PORT: port.default(8080),
    /** Where the embedded store keeps its files: teams/<team>.db per team, auditlog's own state in state/ (src/data-dir.ts). */
    AUDITLOG_DATA_DIR: z.string().default('./data'),
    AUDITLOG_STORE: z.enum(['sqlite', 'elasticsearch']).default('sqlite'),
    /** Operator key (manages teams). When unset, one is generated on first start and printed once. */
    AUDITLOG_OPERATOR_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
    AUDITLOG_RETENTION_DAYS: positiveInt.default(90),
    /** How often the retention job runs. */
    AUDITLOG_RETENTION_INTERVAL_MINUTES: positiveInt.default(60),
    AUDITLOG_MAX_BODY_BYTES: positiveInt.default(10 * 1024 * 1024),
    AUDITLOG_MAX_EVENTS_PER_REQUEST: positiveInt.default(10_000),
    /** Time budget of every read (search, count, histogram, facets, get, alert queries), in ms. */
    AUDITLOG_QUERY_TIMEOUT_MS: positiveInt.default(10_000),
    /** Worker threads that run the SQLite store's reads (default: the CPU count, 2 to 8). */
    AUDITLOG_READ_WORKERS: positiveInt.max(64).optional(),
    AUDITLOG_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** How long a sign-in to the web page lasts. */
    AUDITLOG_SESSION_HOURS: positiveInt.max(24 * 30).default(12),
    /** Failed authentications per client address within the window before it gets 429 (src/http/auth-limiter.ts). */
    AUDITLOG_AUTH_MAX_FAILURES: positiveInt.default(10),
    AUDITLOG_AUTH_FAILURE_WINDOW_SECONDS: positiveInt.default(60),
    /** Reverse proxies (CIDRs) whose X-Forwarded-For header names the client. */
    AUDITLOG_TRUSTED_PROXIES: CidrList.default([]),
    /** How often a live tail (GET /api/v1/events/tail) polls the store for new events. */
    AUDITLOG_TAIL_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
    /** Bearer token a Prometheus scraper sends to GET /metrics; setting it serves /metrics (src/metrics/http.ts). */
    AUDITLOG_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** `open` serves /metrics without a token (for a scraper on a network only it reaches); `off` (default) serves it only with the token. */
    AUDITLOG_METRICS: z.enum(['off', 'open']).default('off'),
    ES_URL: z.url().optional(),
    ES_USERNAME: z.string().optional(),
    ES_PASSWORD: z.string().optional(),
    ...ALERT_CONFIG_FIELDS,
    ...GEO_CONFIG_FIELDS,
    ...STREAM_CONFIG_FIELDS,
  })
  .refine((c) => c.AUDITLOG_STORE !== 'elasticsearch' || c.ES_URL !== undefined, {
    message: 'is required when AUDITLOG_STORE=elasticsearch',
    path: ['ES_URL'],
  });
export type Config = z.infer<typeof Config>;

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Config.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
