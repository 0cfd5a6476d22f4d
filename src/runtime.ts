/**
 * Builds the application's parts from the config, once: store, control state and services.
 * The server and the CLI share it, so both see the same data the same way.
 */
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { AuditTrail } from './services/audit-trail.ts';
import { IngestService } from './services/ingest.ts';
import { SearchService } from './services/search.ts';
import { IngestLimits } from './ingest/limits.ts';
import { createStore } from './store/create.ts';
import type { AuditStore } from './store/interface.ts';
import type { ControlStore } from './teams/control-store.ts';
import { TeamService } from './teams/service.ts';
import { SqliteControlStore } from './teams/sqlite-control-store.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  store: AuditStore;
  control: ControlStore;
  teams: TeamService;
  ingest: IngestService;
  search: SearchService;
  audit: AuditTrail;
  close(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.AUDITLOG_LOG_LEVEL, base: { service: 'auditlog' } });
}

export async function createRuntime(config: Config, logger = createLogger(config)): Promise<Runtime> {
  const store = await createStore(config, logger);
  // TODO(issue 4): control state in Elasticsearch system indices when the store is Elasticsearch.
  const control = new SqliteControlStore(join(config.AUDITLOG_DATA_DIR, 'control.db'));
  const teams = new TeamService(control, { defaultRetentionDays: config.AUDITLOG_RETENTION_DAYS });
  const ingest = new IngestService(
    store,
    control,
    IngestLimits.parse({ maxBodyBytes: config.AUDITLOG_MAX_BODY_BYTES, maxEvents: config.AUDITLOG_MAX_EVENTS_PER_REQUEST }),
  );
  const search = new SearchService(store);
  return {
    config,
    logger,
    store,
    control,
    teams,
    ingest,
    search,
    audit: new AuditTrail(store),
    async close() {
      await store.close();
      await control.close();
    },
  };
}
