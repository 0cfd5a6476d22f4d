/**
 * The Elasticsearch store from config (src/store/create.ts calls this when
 * AUDITLOG_STORE=elasticsearch).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { ElasticsearchStore } from './store.ts';

export async function createElasticsearchStore(config: Config, logger: Logger): Promise<ElasticsearchStore> {
  const store = await ElasticsearchStore.connect({
    node: config.ES_URL!,
    ...(config.ES_USERNAME !== undefined ? { username: config.ES_USERNAME, password: config.ES_PASSWORD ?? '' } : {}),
    // Per-team retention lives in the team service; the default picks the index period until it is wired in.
    retentionDays: () => config.AUDITLOG_RETENTION_DAYS,
  });
  logger.info({ elasticsearch: store.capabilities }, 'connected to Elasticsearch');
  return store;
}
