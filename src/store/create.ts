/**
 * Chooses the backend once, from config: the event store and the control state live in the
 * same place (ARCHITECTURE.md §6), so several instances on one Elasticsearch cluster share
 * teams and keys, and the embedded mode needs nothing but its data directory.
 */
import { Client } from '@elastic/elasticsearch';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ElasticsearchAlertStateStore } from '../alerts/elasticsearch-state-store.ts';
import { SqliteAlertStateStore } from '../alerts/sqlite-state-store.ts';
import type { AlertStateStore } from '../alerts/state-store.ts';
import type { Config } from '../config.ts';
import type { TeamId } from '../events/event.ts';
import type { ControlStore } from '../teams/control-store.ts';
import { ElasticsearchControlStore } from '../teams/elasticsearch-control-store.ts';
import { SqliteControlStore } from '../teams/sqlite-control-store.ts';
import { ElasticsearchStore } from './elasticsearch/store.ts';
import type { AuditStore } from './interface.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

export interface Backend {
  store: AuditStore;
  control: ControlStore;
  /** Alert rules, saved searches, watermarks, leases, outbox and history. */
  alertState: AlertStateStore;
  close(): Promise<void>;
}

export async function createBackend(config: Config, logger: Logger): Promise<Backend> {
  if (config.AUDITLOG_STORE === 'sqlite') {
    const store = new SqliteStore({
      dataDir: config.AUDITLOG_DATA_DIR,
      queryTimeoutMs: config.AUDITLOG_QUERY_TIMEOUT_MS,
      ...(config.AUDITLOG_READ_WORKERS !== undefined ? { readWorkers: config.AUDITLOG_READ_WORKERS } : {}),
    });
    const control = new SqliteControlStore(join(config.AUDITLOG_DATA_DIR, 'control.db'));
    const alertState = new SqliteAlertStateStore(join(config.AUDITLOG_DATA_DIR, 'alerts.db'));
    return {
      store,
      control,
      alertState,
      close: async () => {
        await alertState.close();
        await store.close();
        await control.close();
      },
    };
  }
  const client = new Client({
    node: config.ES_URL!,
    ...(config.ES_USERNAME !== undefined ? { auth: { username: config.ES_USERNAME, password: config.ES_PASSWORD ?? '' } } : {}),
    requestTimeout: 30_000,
    maxRetries: 2,
  });
  let control: ElasticsearchControlStore | undefined;
  // A team's retention picks its index period and ILM policy; it is read when the team's first index is made.
  const retentionDays = async (team: TeamId) => (await control?.getTeam(team))?.retentionDays ?? config.AUDITLOG_RETENTION_DAYS;
  // The store connects first: it turns an unreachable or refusing cluster into a clear StoreUnavailableError.
  const store = await ElasticsearchStore.connect({ node: config.ES_URL!, client, retentionDays, queryTimeoutMs: config.AUDITLOG_QUERY_TIMEOUT_MS });
  logger.info({ elasticsearch: store.capabilities }, 'connected to Elasticsearch');
  const replicas = store.capabilities.dataNodes > 1 ? 1 : 0;
  control = await ElasticsearchControlStore.open(client, { prefix: store.prefix, replicas });
  const alertState = await ElasticsearchAlertStateStore.open(client, { prefix: `${store.prefix}_control-alert-`, replicas });
  return {
    store,
    control,
    alertState,
    close: async () => {
      await alertState.close();
      await store.close();
    },
  };
}
