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

// The store picks a plan per request from the size of its time range (sql-sets.ts Plan):
// the suite runs once with each plan forced, so both must give every answer.
for (const plan of ['probe', 'sets'] as const) {
  runStoreSuite(`sqlite (${plan} plan)`, {
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'auditlog-sqlite-'));
      dirs.push(dir);
      return new SqliteStore({ dataDir: dir, plan });
    },
  });
}
