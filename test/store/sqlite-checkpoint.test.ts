/**
 * WAL checkpoints run on the checkpointer's thread (src/store/sqlite/checkpointer.ts), never
 * inside a commit on the event loop: the writer's connection has SQLite's automatic checkpoint
 * off, and after each commit the thread copies the log back into the database file. A reader
 * holding an old snapshot holds the copy back, and the copy completes once it lets go.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer } from '../../src/store/sqlite/checkpointer.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import { eventually } from '../http/harness.ts';
import { makeEvent, T0 } from './common.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'auditlog-checkpoint-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const events = (team: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => makeEvent(team, `e${from + i}`, T0 + from + i, { actor: `user${i % 7}`, n: from + i, note: 'x'.repeat(200) }));

/** A writer as the store opens one: WAL, and no automatic checkpoint. */
function writer(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY, v TEXT)');
  return db;
}
const write = (db: Database.Database, from: number, n: number) =>
  db.transaction(() => {
    const insert = db.prepare('INSERT INTO t (n, v) VALUES (?, ?)');
    for (let i = from; i < from + n; i++) insert.run(i, 'y'.repeat(500));
  })();

describe('the SQLite store', () => {
  it('copies a small batch into the database file after its commit, which SQLite alone would leave in the log until close', async () => {
    const store = new SqliteStore({ dataDir: dir });
    try {
      // A first write creates the file and its schema; what the file weighs then is the baseline.
      await store.append('acme', events('acme', 0, 1));
      const file = store.fileOf('acme');
      await eventually(async () => expect(statSync(`${file}-wal`).size).toBeGreaterThan(0));
      const before = statSync(file).size;
      // About 60 pages of log: far under SQLite's own threshold of 1,000.
      await store.append('acme', events('acme', 1, 100));
      await eventually(async () => expect(statSync(file).size).toBeGreaterThan(before + 100 * 200));
      expect(await store.count('acme', { query: null })).toBe(101);
    } finally {
      await store.close();
    }
  });

  it('drops a team while its checkpoint may be on its way, and a new team of that name starts empty and stays whole', async () => {
    const store = new SqliteStore({ dataDir: dir });
    try {
      await store.append('acme', events('acme', 0, 200));
      await store.dropTeam('acme');
      const file = store.fileOf('acme');
      expect(existsSync(file)).toBe(false);
      await store.append('acme', events('acme', 1000, 3));
      expect(await store.count('acme', { query: null })).toBe(3);
    } finally {
      await store.close();
    }
    // Reopened from the files alone: nothing of the new team's was lost with the old one's log.
    const again = new SqliteStore({ dataDir: dir });
    try {
      expect(await again.count('acme', { query: null })).toBe(3);
    } finally {
      await again.close();
    }
  });
});

describe('Checkpointer', () => {
  it('checkpoints the whole log; a snapshot held by a reader holds part of it back until the reader lets go', async () => {
    const file = join(dir, 'a.db');
    const db = writer(file);
    const checkpoints = new Checkpointer();
    try {
      write(db, 0, 100);
      checkpoints.request(file);
      await checkpoints.idle();
      const first = checkpoints.last.get(file)!;
      expect(first.error).toBeUndefined();
      expect(first.result!.log).toBeGreaterThan(0);
      expect(first.result!.checkpointed).toBe(first.result!.log);

      const reader = new Database(file, { readonly: true });
      reader.prepare('BEGIN').run();
      expect(reader.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 100 });
      write(db, 100, 100);
      checkpoints.request(file);
      await checkpoints.idle();
      const held = checkpoints.last.get(file)!.result!;
      expect(held.checkpointed).toBeLessThan(held.log);

      reader.prepare('COMMIT').run();
      reader.close();
      checkpoints.request(file);
      await checkpoints.idle();
      const after = checkpoints.last.get(file)!.result!;
      expect(after.checkpointed).toBe(after.log);
    } finally {
      await checkpoints.close();
      db.close();
    }
  });

  it('asks again once for commits made while a checkpoint was on its way, not once per commit', async () => {
    const file = join(dir, 'b.db');
    const db = writer(file);
    const checkpoints = new Checkpointer();
    try {
      for (let i = 0; i < 20; i++) {
        write(db, i * 10, 10);
        checkpoints.request(file);
      }
      await checkpoints.idle();
      const last = checkpoints.last.get(file)!.result!;
      // The last commits were made after the first checkpoint started: the one after it has them all.
      expect(last.checkpointed).toBe(last.log);
      expect(last.log).toBeGreaterThan(0);
    } finally {
      await checkpoints.close();
      db.close();
    }
  });

  it('answers with an error, and goes on, for a file that is gone; sends nothing once closed', async () => {
    const failures: string[] = [];
    const checkpoints = new Checkpointer({ onFailure: (file) => failures.push(file) });
    const gone = join(dir, 'gone.db');
    checkpoints.request(gone);
    await checkpoints.idle();
    expect(checkpoints.last.get(gone)!.error).toMatch(/unable to open|no such file|SQLITE_CANTOPEN/i);
    // The store's writer of that file then checkpoints by itself again.
    expect(failures).toEqual([gone]);

    const file = join(dir, 'c.db');
    const db = writer(file);
    write(db, 0, 10);
    checkpoints.request(file);
    const forgotten = checkpoints.forget(file);
    // Asked for while it is being let go of: not sent, so the forget does not wait for it.
    write(db, 10, 10);
    checkpoints.request(file);
    await forgotten;
    expect(checkpoints.logFrames(file)).toBe(0);
    await checkpoints.close();
    checkpoints.request(file);
    await checkpoints.idle();
    db.close();
  });
});
