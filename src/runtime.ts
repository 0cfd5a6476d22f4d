/**
 * Builds the application's parts from the config, once: store, control state and services.
 * The server and the CLI share it, so both see the same data the same way.
 */
import pino, { type Logger } from 'pino';
import { createAlertingFromConfig } from './alerts/from-config.ts';
import type { Alerting } from './alerts/index.ts';
import type { Config } from './config.ts';
import { AuditTrail } from './audit/trail.ts';
import { IngestService } from './ingest/service.ts';
import { LiveTail } from './search/live-tail.ts';
import { SearchService } from './search/service.ts';
import { IngestLimits } from './ingest/limits.ts';
import { geoEnricherFromConfig } from './geo/config.ts';
import { openBackend } from './backend.ts';
import type { AuditStore } from './store/interface.ts';
import type { ControlStore } from './teams/control-store.ts';
import { instrumentation, type Metrics, metricsServed, openMetrics } from './metrics/index.ts';
import { RESERVED_TEAM_IDS } from './teams/reserved.ts';
import { TeamService } from './teams/service.ts';
import { createStreamingFromConfig, type Streaming } from './streams/from-config.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  store: AuditStore;
  control: ControlStore;
  teams: TeamService;
  ingest: IngestService;
  search: SearchService;
  audit: AuditTrail;
  alerting: Alerting;
  tail: LiveTail;
  /** Present when GET /metrics is served (AUDITLOG_METRICS_TOKEN or AUDITLOG_METRICS=open). */
  metrics: Metrics | undefined;
  streams: Streaming;
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.AUDITLOG_LOG_LEVEL, base: { service: 'auditlog' } });
}

export async function createRuntime(config: Config, logger = createLogger(config)): Promise<Runtime> {
  const backend = await openBackend(config, logger);
  const { store, control } = backend;
  const audit = new AuditTrail(store, { logger });
  const streams = createStreamingFromConfig(config, store, backend.streamState, logger, audit);
  const metrics = metricsServed(config)
    ? await openMetrics(
        {
          // A stream whose lag cannot be read now (store slow or down) is left out of the scrape, not reported as 0.
          streamLag: async () =>
            (await streams.service.lags()).flatMap((l) => (l.events === null ? [] : [{ team: l.team, stream: l.id, events: l.events }])),
        },
        { store, teamIds: async () => new Set([...(await control.listTeams()).map((t) => t.id), ...RESERVED_TEAM_IDS]) },
      )
    : undefined;
  const count = instrumentation(metrics);
  const alerting = createAlertingFromConfig(config, store, count.alertState(backend.alertState), logger, audit);
  const teams = new TeamService(control, { defaultRetentionDays: config.AUDITLOG_RETENTION_DAYS, changes: audit, policy: store });
  const ingest = count.rejections(
    new IngestService(
      count.appends(store),
      control,
      IngestLimits.parse({ maxBodyBytes: config.AUDITLOG_MAX_BODY_BYTES, maxEvents: config.AUDITLOG_MAX_EVENTS_PER_REQUEST }),
      Date.now,
      { enrich: geoEnricherFromConfig(config) },
    ),
  );
  const search = new SearchService(count.reads(store));
  const tail = new LiveTail({ store, pollMs: config.AUDITLOG_TAIL_POLL_MS });
  return {
    config,
    logger,
    store,
    control,
    teams,
    ingest,
    search,
    audit,
    alerting,
    tail,
    metrics,
    streams,
    close: async () => {
      tail.close();
      await streams.runner.stop();
      return backend.close();
    },
  };
}
