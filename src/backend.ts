/**
 * The composition root of the storage layer: chooses the backend once, from config, builds
 * each client once, and puts every store behind the one error boundary (src/store/boundary.ts).
 *
 * The event store, the control state and the alert state live in the same place
 * (docs/architecture.md, "State"), so several instances on one Elasticsearch cluster share teams and
 * keys, and the embedded mode needs nothing but its data directory. Nothing under store/
 * knows about teams or alerts; this module is where they meet.
 */
import type { Logger } from 'pino';
import { ElasticsearchAlertStateStore } from './alerts/elasticsearch-state-store.ts';
import { SqliteAlertStateStore } from './alerts/sqlite-state-store.ts';
import type { AlertStateStore } from './alerts/state-store.ts';
import type { Config } from './config.ts';
import { dataPaths, migrateDataDir } from './data-dir.ts';
import type { TeamId } from './events/event.ts';
import { withErrorBoundary } from './store/boundary.ts';
import { createElasticsearchClient } from './store/elasticsearch/client.ts';
import { toAppError } from './store/elasticsearch/errors.ts';
import { ElasticsearchStore } from './store/elasticsearch/store.ts';
import type { AuditStore } from './store/interface.ts';
import { sqliteFailure } from './store/sqlite/errors.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import type { ControlStore } from './teams/control-store.ts';
import { ElasticsearchControlStore } from './teams/elasticsearch-control-store.ts';
import { SqliteControlStore } from './teams/sqlite-control-store.ts';
import { isReservedTeamId } from './teams/reserved.ts';
import { ElasticsearchStreamStateStore } from './streams/elasticsearch-state-store.ts';
import { SqliteStreamStateStore } from './streams/sqlite-state-store.ts';
import type { StreamStateStore } from './streams/state-store.ts';

export interface Backend {
  store: AuditStore;
  control: ControlStore;
  /** Alert rules, saved searches, watermarks, leases, outbox and history. */
  alertState: AlertStateStore;
  /** Event streams and their positions. */
  streamState: StreamStateStore;
  close(): Promise<void>;
}

export async function openBackend(config: Config, logger: Logger): Promise<Backend> {
  const backend = config.AUDITLOG_STORE === 'sqlite' ? openSqlite(config, logger) : await openElasticsearch(config, logger);
  try {
    // Made before names were reserved: such a team's events may sit in auditlog's own state.
    const clashing = (await backend.control.listTeams()).filter((t) => isReservedTeamId(t.id)).map((t) => t.id);
    if (clashing.length > 0) {
      logger.warn({ teams: clashing }, 'teams with reserved ids exist; they cannot be created any more, and their events may sit in internal state files');
    }
  } catch (err) {
    await backend.close();
    throw err;
  }
  return backend;
}

function openSqlite(config: Config, logger: Logger): Backend {
  const dir = config.AUDITLOG_DATA_DIR;
  const moved = migrateDataDir(dir);
  if (moved.state.length + moved.teams.length > 0) logger.info({ dataDir: dir, moved }, 'moved the data directory into its state/ and teams/ layout');
  const paths = dataPaths(dir);
  const guard = <T extends object>(target: T) => withErrorBoundary(target, sqliteFailure);
  // Opening creates files and runs schemas: a failure there is the same kind as a failed call.
  const open = <T>(make: () => T, what: string): T => {
    try {
      return make();
    } catch (err) {
      throw sqliteFailure(err, what);
    }
  };
  const store = open(
    () =>
      new SqliteStore({
        dataDir: paths.teams,
        queryTimeoutMs: config.AUDITLOG_QUERY_TIMEOUT_MS,
        ...(config.AUDITLOG_READ_WORKERS !== undefined ? { readWorkers: config.AUDITLOG_READ_WORKERS } : {}),
      }),
    'open the event store',
  );
  const control = open(() => new SqliteControlStore(paths.control), 'open the control state');
  const alertState = open(() => new SqliteAlertStateStore(paths.alerts), 'open the alert state');
  const streamState = open(() => new SqliteStreamStateStore(paths.streams), 'open the stream state');
  return {
    store: guard<AuditStore>(store),
    control: guard<ControlStore>(control),
    alertState: guard<AlertStateStore>(alertState),
    streamState: guard<StreamStateStore>(streamState),
    close: async () => {
      await streamState.close();
      await alertState.close();
      await store.close();
      await control.close();
    },
  };
}

async function openElasticsearch(config: Config, logger: Logger): Promise<Backend> {
  const client = createElasticsearchClient({ node: config.ES_URL!, username: config.ES_USERNAME, password: config.ES_PASSWORD });
  // Auditlog's own state: a refused request is our bug (500), not the caller's (400).
  const state = <T extends object>(target: T) => withErrorBoundary(target, (err, op) => toAppError(err, op, { refused: 'internal' }));
  try {
    let control: ControlStore | undefined;
    // A team's retention picks its index period and ILM policy, and a legal hold takes the policy
    // off; read when the team's first index is made (changes are applied by TeamService).
    const teamPolicy = async (team: TeamId) => {
      const t = await control?.getTeam(team);
      return { retentionDays: t?.retentionDays ?? config.AUDITLOG_RETENTION_DAYS, legalHold: t?.legalHold ?? false };
    };
    // The store connects first: it turns an unreachable or refusing cluster into a clear StoreUnavailableError.
    const store = await ElasticsearchStore.connect({
      node: config.ES_URL!,
      client,
      teamPolicy,
      queryTimeoutMs: config.AUDITLOG_QUERY_TIMEOUT_MS,
      changesSettleMs: config.AUDITLOG_STREAM_SETTLE_MS,
    });
    logger.info({ elasticsearch: store.capabilities }, 'connected to Elasticsearch');
    const replicas = store.capabilities.dataNodes > 1 ? 1 : 0;
    control = state<ControlStore>(await ElasticsearchControlStore.open(client, { prefix: store.prefix, replicas }));
    const alertState = state<AlertStateStore>(await ElasticsearchAlertStateStore.open(client, { prefix: `${store.prefix}_control-alert-`, replicas }));
    const streamState = state<StreamStateStore>(await ElasticsearchStreamStateStore.open(client, { prefix: store.prefix, replicas }));
    return {
      store: withErrorBoundary<AuditStore>(store, (err, op) => toAppError(err, op)),
      control,
      alertState,
      streamState,
      close: async () => {
        await alertState.close();
        // The store owns the client's lifetime: closing it closes the client the others share.
        await store.close();
      },
    };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw toAppError(err, 'connect', { refused: 'internal' });
  }
}
