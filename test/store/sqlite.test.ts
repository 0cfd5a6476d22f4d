import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { runStoreSuite } from './common.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runStoreSuite('sqlite', {
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'auditlog-sqlite-'));
    dirs.push(dir);
    return new SqliteStore({ dataDir: dir });
  },
});
