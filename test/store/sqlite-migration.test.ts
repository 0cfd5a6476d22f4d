/**
 * Database files written by an older version keep working: opened, migrated in place, and an
 * id met again is compared by the content of rows that were stored without a content hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conflictEventId, contentHash } from '../../src/events/identity.ts';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { makeEvent, T0 } from './common.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlog-sqlite-migrate-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A team file as version 1 wrote it: no hash column, user_version 1. */
async function versionOneFile(events: ReturnType<typeof makeEvent>[]): Promise<string> {
  const store = new SqliteStore({ dataDir: dir });
  await store.append('acme', events);
  await store.close();
  const file = join(dir, 'acme.db');
  const db = new Database(file);
  db.exec('ALTER TABLE docs DROP COLUMN hash');
  db.pragma('user_version = 1');
  db.close();
  return file;
}

describe('SqliteStore schema migration', () => {
  it('opens a version 1 file, adds the hash column, and compares old rows by the hash of their raw text', async () => {
    const old = makeEvent('acme', 'producer-1', T0, { who: 'alice', what: 'login' });
    const file = await versionOneFile([old, makeEvent('acme', 'producer-2', T0, { who: 'bob' })]);

    const store = new SqliteStore({ dataDir: dir });
    try {
      // Everything written before is still there.
      expect(await store.get('acme', 'producer-1')).toEqual(old);
      expect(await store.count('acme', { query: null })).toBe(2);
      // A retry of an old event is a duplicate; another event under its id is kept apart.
      expect(await store.append('acme', [old])).toEqual([{ status: 'duplicate', id: 'producer-1' }]);
      const other = makeEvent('acme', 'producer-1', T0, { who: 'mallory' });
      expect(await store.append('acme', [other])).toEqual([
        { status: 'created', id: conflictEventId('producer-1', contentHash(other.raw)), conflictsWith: 'producer-1' },
      ]);
      expect(await store.count('acme', { query: null })).toBe(3);
    } finally {
      await store.close();
    }

    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const rows = db.prepare('SELECT e.id, d.hash FROM events e JOIN docs d ON d.seq = e.seq ORDER BY e.seq').all();
      // The old row met again got its hash; the one not met keeps NULL until then.
      expect(rows).toEqual([
        { id: 'producer-1', hash: contentHash(old.raw) },
        { id: 'producer-2', hash: null },
        { id: conflictEventId('producer-1', contentHash(JSON.stringify({ who: 'mallory' }))), hash: contentHash(JSON.stringify({ who: 'mallory' })) },
      ]);
    } finally {
      db.close();
    }
  });

  it('refuses a file from a newer version instead of guessing', async () => {
    const file = await versionOneFile([]);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const store = new SqliteStore({ dataDir: dir });
    await expect(store.count('acme', { query: null })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await store.close();
  });
});
