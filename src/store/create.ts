/**
 * Chooses the event store once, from config.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AuditStore } from './interface.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

export async function createStore(config: Config, logger: Logger): Promise<AuditStore> {
  switch (config.AUDITLOG_STORE) {
    case 'sqlite':
      return new SqliteStore({ dataDir: config.AUDITLOG_DATA_DIR });
    case 'elasticsearch': {
      const { createElasticsearchStore } = await import('./elasticsearch/create.ts');
      return createElasticsearchStore(config, logger);
    }
  }
}
