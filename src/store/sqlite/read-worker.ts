/**
 * A read worker of the SQLite store (read-pool.ts): its own connection to each team file it
 * reads (WAL lets readers run beside the one writer on the main thread), one read at a time,
 * each under its time budget (read-control.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { registerFunctions } from './functions.ts';
import { ReadControl } from './read-control.ts';
import { CANCELLED_READ, type FromWorker, serializeError, type ToWorker } from './read-messages.ts';
import { runRead } from './reads.ts';
import { lowerThisThreadsPriority } from './thread-priority.ts';

/** Connections kept open per worker; the least recently used beyond this are closed. */
const MAX_CONNECTIONS = 32;

// Every worker may be busy with a heavy query: the event loop keeps the larger share of a core.
lowerThisThreadsPriority();

const port = parentPort!;
const flags = new Int32Array((workerData as { flags: SharedArrayBuffer }).flags);
const control = new ReadControl();
const connections = new Map<string, Database.Database>();

function connection(file: string): Database.Database {
  let db = connections.get(file);
  if (db) {
    connections.delete(file);
    connections.set(file, db);
    return db;
  }
  // The main thread created the file and its schema before asking for a read.
  db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // Page caches are per connection: smaller than the writer's, as every worker has its own.
  db.pragma('cache_size = -16384');
  db.pragma('temp_store = MEMORY');
  db.pragma('query_only = 1');
  registerFunctions(db, () => control.check());
  connections.set(file, db);
  if (connections.size > MAX_CONNECTIONS) {
    const [oldest, old] = connections.entries().next().value!;
    old.close();
    connections.delete(oldest);
  }
  return db;
}

port.on('message', (m: ToWorker) => {
  let reply: FromWorker;
  if (m.type === 'forget') {
    connections.get(m.file)?.close();
    connections.delete(m.file);
    reply = { type: 'forgotten', id: m.id };
  } else {
    control.start(m.budgetMs, m.remainingMs, () => Atomics.load(flags, CANCELLED_READ) === m.id);
    try {
      reply = { type: 'result', id: m.id, ok: true, value: runRead(connection(m.file), m.team, m.read, m.ctx) };
    } catch (err) {
      reply = { type: 'result', id: m.id, ok: false, error: serializeError(err) };
    } finally {
      control.stop();
    }
  }
  port.postMessage(reply);
});
