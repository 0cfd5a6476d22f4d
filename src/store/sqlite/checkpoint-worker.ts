/**
 * The SQLite store's checkpoint thread (checkpointer.ts): a PASSIVE checkpoint of each file it
 * is sent, on a connection of its own opened for it. PASSIVE never waits for the writer or the
 * readers; it copies what no open snapshot still needs, and the next request copies the rest.
 */
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointDone, CheckpointRequest } from './checkpointer.ts';
import { lowerThisThreadsPriority } from './thread-priority.ts';

lowerThisThreadsPriority();

const port = parentPort!;

port.on('message', ({ file }: CheckpointRequest) => {
  const done: CheckpointDone = { file };
  try {
    // Opened per request: a team dropped since has no file, and nothing is held open for it.
    const db = new Database(file, { fileMustExist: true });
    try {
      // Set, not left to the build's default (better-sqlite3 builds NORMAL for WAL files): the
      // database file is synced before the log can be written over.
      db.pragma('synchronous = FULL');
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      if (row) done.result = row;
    } finally {
      db.close();
    }
  } catch (err) {
    done.error = (err as Error).message;
  }
  port.postMessage(done);
});
