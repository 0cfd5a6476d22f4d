/**
 * The SQLite store's reads off the event loop: a pool of worker threads (read-worker.ts), each
 * with its own connections, so that a slow or hostile query never holds the thread that
 * answers health checks, authenticates and writes.
 *
 * - Budget: every read has AUDITLOG_QUERY_TIMEOUT_MS from the moment it is asked, queueing
 *   included. At the deadline the caller gets QueryTimeoutError at once; the worker's running
 *   statement is stopped at its next tick (the SQL functions and the al_tick() conditions of
 *   every scan poll a shared flag, so within about a thousand rows).
 * - A worker that has not stopped `graceMs` after that (a statement busy inside SQLite itself,
 *   where no JavaScript runs) is terminated and replaced, so it cannot hold a place in the
 *   pool. Node can only end a thread when it next runs JavaScript, so the old thread finishes
 *   its statement first (measured: a 4 s pure-SQL statement, terminated after 0.1 s, exited
 *   3.96 s later); at most `maxStopping` such threads are allowed, beyond that replacements
 *   wait for one to exit.
 * - Fairness: a free worker takes the oldest read of the team with the fewest reads running,
 *   so one team's slow reads cannot starve the others for longer than a budget.
 * - Cancellation: an AbortSignal (the HTTP client went away) stops the read like its deadline.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { QueryCancelledError, QueryTimeoutError, StoreUnavailableError } from '../../errors.ts';
import type { TeamId } from '../../events/event.ts';
import { CANCELLED_READ, deserializeError, type FromWorker, type ToWorker } from './read-messages.ts';
import type { ReadContext, ReadOp, ReadResult } from './reads.ts';

export interface ReadPoolOptions {
  /** Worker threads; default the machine's parallelism, at least 2 and at most 8. */
  size?: number;
  /** Time budget of every read, in ms (AUDITLOG_QUERY_TIMEOUT_MS). */
  budgetMs: number;
  /** How long a worker may take to stop a read after its deadline before it is replaced. Default 500 ms. */
  graceMs?: number;
  /** Terminated workers still finishing a statement beyond which no replacement is started; default `size`. */
  maxStopping?: number;
}

/** Runs reads somewhere: in the pool, or inline on the calling thread (inline-reads.ts). */
export interface ReadExecutor {
  run(team: TeamId, file: string, read: ReadOp, ctx: ReadContext, signal?: AbortSignal): Promise<ReadResult>;
  /** Closes every connection to `file` (before the file is deleted). */
  forget(file: string): Promise<void>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./read-worker.ts', import.meta.url);

interface Task {
  id: number;
  team: TeamId;
  file: string;
  read: ReadOp;
  ctx: ReadContext;
  deadline: number;
  state: 'queued' | 'running' | 'done';
  resolve(value: ReadResult): void;
  reject(err: Error): void;
  cleanup(): void;
}

interface Slot {
  worker: Worker;
  flags: Int32Array;
  task: Task | null;
  grace: NodeJS.Timeout | null;
}

export class ReadPool implements ReadExecutor {
  readonly size: number;
  readonly #budgetMs: number;
  readonly #graceMs: number;
  readonly #maxStopping: number;
  readonly #slots: Slot[] = [];
  readonly #queues = new Map<TeamId, Task[]>();
  readonly #running = new Map<TeamId, number>();
  readonly #forgets = new Map<number, () => void>();
  #stopping = 0;
  #nextId = 1;
  #closed = false;

  constructor({ size = Math.min(8, Math.max(2, availableParallelism())), budgetMs, graceMs = 500, maxStopping = size }: ReadPoolOptions) {
    this.size = size;
    this.#budgetMs = budgetMs;
    this.#graceMs = graceMs;
    this.#maxStopping = maxStopping;
  }

  /** Reads waiting for a free worker. */
  get queued(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.length;
    return n;
  }

  /** Threads terminated after a deadline that are still finishing a statement. */
  get stopping(): number {
    return this.#stopping;
  }

  run(team: TeamId, file: string, read: ReadOp, ctx: ReadContext, signal?: AbortSignal): Promise<ReadResult> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the SQLite store is closed'));
    if (signal?.aborted) return Promise.reject(new QueryCancelledError());
    return new Promise<ReadResult>((resolve, reject) => {
      const onAbort = () => this.#end(task, new QueryCancelledError());
      const timer = setTimeout(() => this.#end(task, new QueryTimeoutError(this.#budgetMs)), this.#budgetMs);
      const task: Task = {
        id: this.#nextId++,
        team,
        file,
        read,
        ctx,
        deadline: performance.now() + this.#budgetMs,
        state: 'queued',
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.#queues.get(team);
      if (queue) queue.push(task);
      else this.#queues.set(team, [task]);
      this.#dispatch();
    });
  }

  async forget(file: string): Promise<void> {
    await Promise.all(
      this.#slots.map(
        (slot) =>
          new Promise<void>((resolve) => {
            const id = this.#nextId++;
            this.#forgets.set(id, resolve);
            this.#post(slot, { type: 'forget', id, file });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const queue of this.#queues.values()) for (const task of [...queue]) this.#end(task, new StoreUnavailableError('the SQLite store is closed'));
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      if (slot.task) this.#end(slot.task, new StoreUnavailableError('the SQLite store is closed'));
      if (slot.grace) clearTimeout(slot.grace);
    }
    for (const resolve of this.#forgets.values()) resolve();
    this.#forgets.clear();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Settles a task once. */
  #settle(task: Task, outcome: Error | { value: ReadResult }): boolean {
    if (task.state === 'done') return false;
    task.state = 'done';
    task.cleanup();
    if (outcome instanceof Error) task.reject(outcome);
    else task.resolve(outcome.value);
    return true;
  }

  /**
   * Fails a task from outside its worker (deadline, abort, close): a queued one leaves its
   * queue; a running one's worker is told to stop, and replaced if it has not within graceMs.
   */
  #end(task: Task, err: Error): void {
    const state = task.state;
    if (!this.#settle(task, err)) return;
    if (state === 'queued') {
      const queue = this.#queues.get(task.team);
      const i = queue?.indexOf(task) ?? -1;
      if (i >= 0) queue!.splice(i, 1);
      if (queue?.length === 0) this.#queues.delete(task.team);
      return;
    }
    const slot = this.#slots.find((s) => s.task === task);
    if (!slot) return;
    Atomics.store(slot.flags, CANCELLED_READ, task.id);
    slot.grace = setTimeout(() => {
      if (slot.task === task) this.#replace(slot);
    }, this.#graceMs);
  }

  #dispatch(): void {
    while (!this.#closed) {
      const team = this.#nextTeam();
      if (team === null) return;
      const slot = this.#slots.find((s) => s.task === null) ?? this.#spawn();
      if (!slot) return;
      const queue = this.#queues.get(team)!;
      const task = queue.shift()!;
      if (queue.length === 0) this.#queues.delete(team);
      const remainingMs = task.deadline - performance.now();
      // Its deadline timer is due but has not run yet.
      if (remainingMs <= 0) this.#settle(task, new QueryTimeoutError(this.#budgetMs));
      else this.#start(slot, task, remainingMs);
    }
  }

  /** The team whose turn it is: fewest reads running, then the oldest waiting read. */
  #nextTeam(): TeamId | null {
    let best: TeamId | null = null;
    let bestRunning = Infinity;
    let bestId = Infinity;
    for (const [team, queue] of this.#queues) {
      const running = this.#running.get(team) ?? 0;
      const id = queue[0]!.id;
      if (running < bestRunning || (running === bestRunning && id < bestId)) {
        best = team;
        bestRunning = running;
        bestId = id;
      }
    }
    return best;
  }

  #start(slot: Slot, task: Task, remainingMs: number): void {
    slot.task = task;
    task.state = 'running';
    this.#running.set(task.team, (this.#running.get(task.team) ?? 0) + 1);
    // The request's AbortSignal stays here: it cannot cross to another thread.
    this.#post(slot, { type: 'read', id: task.id, team: task.team, file: task.file, read: task.read, ctx: task.ctx, budgetMs: this.#budgetMs, remainingMs });
  }

  #post(slot: Slot, message: ToWorker): void {
    try {
      slot.worker.postMessage(message);
    } catch (err) {
      // A request that cannot be copied to the worker (it should not happen: requests are plain data).
      if (message.type === 'read' && slot.task) this.#settle(slot.task, err as Error);
      this.#free(slot);
    }
  }

  #spawn(): Slot | null {
    if (this.#slots.length >= this.size || this.#stopping > this.#maxStopping) return null;
    const flags = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(WORKER_URL, { workerData: { flags: flags.buffer } });
    // An idle pool does not keep the process alive; a read's deadline timer does while it runs.
    worker.unref();
    const slot: Slot = { worker, flags, task: null, grace: null };
    worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
    worker.on('error', (err) => this.#onExit(slot, err));
    worker.on('exit', (code) => this.#onExit(slot, new Error(`read worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'forgotten') {
      this.#forgets.get(m.id)?.();
      this.#forgets.delete(m.id);
      return;
    }
    const task = slot.task;
    if (!task || task.id !== m.id) return;
    this.#settle(task, m.ok ? { value: m.value } : deserializeError(m.error));
    this.#free(slot);
  }

  #free(slot: Slot): void {
    const task = slot.task;
    if (task) {
      const n = (this.#running.get(task.team) ?? 1) - 1;
      if (n > 0) this.#running.set(task.team, n);
      else this.#running.delete(task.team);
    }
    slot.task = null;
    if (slot.grace) clearTimeout(slot.grace);
    slot.grace = null;
    this.#dispatch();
  }

  /** A worker that did not stop in time leaves the pool; a new one takes its place when allowed. */
  #replace(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots.splice(i, 1);
    this.#stopping++;
    slot.worker.removeAllListeners('exit');
    slot.worker.removeAllListeners('error');
    slot.worker.on('error', () => {});
    void slot.worker.terminate().finally(() => {
      this.#stopping--;
      this.#dispatch();
    });
    this.#free(slot);
  }

  /** A worker that crashed or exited on its own: its read fails, the pool goes on without it. */
  #onExit(slot: Slot, err: Error): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots.splice(i, 1);
    if (slot.task) this.#end(slot.task, new StoreUnavailableError(`a read worker failed: ${err.message}`, 1, { cause: err }));
    this.#free(slot);
  }
}
