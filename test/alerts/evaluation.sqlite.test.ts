import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { runAlertSuite } from './common.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-alerts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runAlertSuite('sqlite', {
  async createStore() {
    return new SqliteStore({ dataDir: join(dir, 'events') });
  },
  async openState(key) {
    return new SqliteAlertStateStore(join(dir, `${key}.db`));
  },
});
