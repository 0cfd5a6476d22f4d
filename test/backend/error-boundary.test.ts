/**
 * Every backend call leaves through one boundary that speaks the application's errors: a
 * constraint is a 409, a busy or closed database a 503 with Retry-After, never a raw driver
 * error or a 500. (Elasticsearch down: test/fault/elasticsearch-outage.test.ts.)
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../src/backend.ts';
import { loadConfig } from '../../src/config.ts';
import { dataPaths } from '../../src/data-dir.ts';
import type { TeamId } from '../../src/events/event.ts';
import { createLogger } from '../../src/runtime.ts';
import { withErrorBoundary } from '../../src/store/boundary.ts';
import { sqliteFailure } from '../../src/store/sqlite/errors.ts';
import { startHarness } from '../http/harness.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function backendIn() {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-boundary-'));
  dirs.push(dir);
  const config = loadConfig({ AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent' });
  return openBackend(config, createLogger(config));
}

describe('backend error boundary (SQLite)', () => {
  it('turns a constraint violation into a ConflictError', async () => {
    const backend = await backendIn();
    try {
      const team = { id: 'acme', name: 'acme', retentionDays: 30, dailyQuotaBytes: null, createdAt: new Date().toISOString(), minRetentionDays: 1, maxRetentionDays: 365, legalHold: false };
      await backend.control.insertTeam(team);
      await expect(backend.control.insertTeam(team)).rejects.toMatchObject({ name: 'ConflictError', code: 'CONFLICT' });
      const key = { id: 'k1', team: 'acme', role: 'read' as const, name: 'k', hash: 'h', createdAt: 'x', revokedAt: null };
      await backend.control.insertKey(key);
      await expect(backend.control.insertKey(key)).rejects.toMatchObject({ code: 'CONFLICT' });
      // A key of a team that does not exist breaks the foreign key: a conflict too, not a 500.
      await expect(backend.control.insertKey({ ...key, id: 'k2', team: 'nope' })).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await backend.close();
    }
  });

  it('answers StoreUnavailableError once the stores are closed', async () => {
    const backend = await backendIn();
    await backend.close();
    await expect(backend.control.getTeam('acme')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(backend.alertState.listRules('acme')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(backend.store.search('acme' as TeamId, { query: null, size: 1 })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('wraps synchronous failures too, and keeps private state working', async () => {
    class Thing {
      #n = 1;
      get n() {
        return this.#n;
      }
      bump() {
        return ++this.#n;
      }
      boom(): never {
        const db = new Database(':memory:');
        db.close();
        db.prepare('SELECT 1');
        throw new Error('unreachable');
      }
    }
    const t = withErrorBoundary(new Thing(), sqliteFailure);
    expect(t.bump()).toBe(2);
    expect(t.n).toBe(2);
    expect(() => t.boom()).toThrow(expect.objectContaining({ code: 'STORE_UNAVAILABLE' }));
  });

  it('answers 503 with Retry-After over HTTP while another process holds the write lock', async () => {
    const h = await startHarness('sqlite');
    const locker = new Database(dataPaths(h.rt.config.AUDITLOG_DATA_DIR).control);
    try {
      locker.exec('BEGIN IMMEDIATE');
      locker.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES ('lock-holder', 'test')").run();
      // The write waits out busy_timeout (5 s), then gives up.
      const res = await h.call('/api/v1/keys', { method: 'POST', key: h.teams.a.keys.admin, json: { role: 'read' } });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('STORE_UNAVAILABLE');
      expect(body.error.message).toMatch(/busy/);
      locker.exec('ROLLBACK');
      expect((await h.call('/api/v1/keys', { method: 'POST', key: h.teams.a.keys.admin, json: { role: 'read' } })).status).toBe(201);
    } finally {
      locker.close();
      await h.close();
    }
  });
});
