/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses its threshold, on the thread that commits: here the event loop. While a reader holds
 * an old snapshot (a long read in the pool), checkpoints cannot pass it and the log grows; the
 * first commit after the reader ends then copies all of it back. Measured: one commit of a
 * retention pass took 1,075 ms, after a reader had held its snapshot for 15 s and the log had
 * grown to 3.7 GB (`node bench/checkpoint.bench.ts`).
 *
 * So the writer's connections turn the automatic checkpoint off, and after each commit the store
 * asks this thread for a PASSIVE checkpoint of the file: at most one on its way per file, and
 * one more after it when commits came meanwhile (spaced by AGAIN_AFTER_MS), so a busy file gets
 * a checkpoint about as often as SQLite's own threshold would give it, and a quiet one none.
 *
 * The log restarts from its beginning only at a write that finds all of it copied. A checkpoint
 * beside a steady stream of commits rarely finds that, so the store lets a long log catch up
 * first (`catchUp`, awaited, not blocking): the log stays bounded, as SQLite's own keeps it.
 */
import { Worker } from 'node:worker_threads';

export interface CheckpointRequest {
  file: string;
}

export interface CheckpointDone {
  file: string;
  /** SQLite's answer: log frames, and how many of them are now in the database file. */
  result?: { busy: number; log: number; checkpointed: number };
  error?: string;
}

const WORKER_URL = new URL('./checkpoint-worker.ts', import.meta.url);
/** Pause between two checkpoints of one file (each one syncs the file to disk). */
const AGAIN_AFTER_MS = 250;

interface FileState {
  sent: number;
  answered: number;
  /** Committed to since the checkpoint on its way started. */
  again: boolean;
  /** Waiting AGAIN_AFTER_MS before the next checkpoint is sent. */
  pause: NodeJS.Timeout | null;
  /** `catchUp` callers, each waiting for the answer to checkpoint number `target`. */
  catchUps: Array<{ target: number; resolve: () => void }>;
  /** `forget` callers, waiting until nothing is on its way; no checkpoint is asked for meanwhile. */
  released: Array<() => void>;
}

export interface CheckpointerOptions {
  /**
   * A checkpoint of `file` failed (the thread could not open it, or died). The store lets that
   * file's writer checkpoint by itself again, so that its log cannot grow without end.
   */
  onFailure?: (file: string, error: string) => void;
}

export class Checkpointer {
  readonly #onFailure: ((file: string, error: string) => void) | undefined;
  #worker: Worker | null = null;
  readonly #files = new Map<string, FileState>();
  readonly #idle: Array<() => void> = [];
  #closed = false;
  /** The last answer per file, for tests and diagnostics. */
  readonly last = new Map<string, CheckpointDone>();
  /** The last successful count per file: how long the log was. */
  readonly #lastLog = new Map<string, number>();

  constructor({ onFailure }: CheckpointerOptions = {}) {
    this.#onFailure = onFailure;
  }

  /** Frames in `file`'s log at its last successful checkpoint (0 when none yet). */
  logFrames(file: string): number {
    return this.#lastLog.get(file) ?? 0;
  }

  /** Asks for a checkpoint of `file` after a commit to it. */
  request(file: string): void {
    if (this.#closed) return;
    const s = this.#state(file);
    if (s.released.length > 0) return;
    if (busy(s)) s.again = true;
    else this.#send(file, s);
  }

  /**
   * Resolves once a checkpoint of `file` that starts after this call has ended: the next write
   * then finds the log copied (unless a reader's snapshot held part of it back) and restarts it.
   */
  catchUp(file: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const s = this.#state(file);
    if (s.released.length > 0) return Promise.resolve();
    let target: number;
    if (s.pause) {
      clearTimeout(s.pause);
      s.pause = null;
      this.#send(file, s);
      target = s.sent;
    } else if (s.sent > s.answered) {
      s.again = true;
      target = s.sent + 1;
    } else {
      this.#send(file, s);
      target = s.sent;
    }
    if (s.answered >= target) return Promise.resolve();
    return new Promise((resolve) => s.catchUps.push({ target, resolve }));
  }

  /** Resolves when no checkpoint is on its way. */
  idle(): Promise<void> {
    if (![...this.#files.values()].some(busy)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Sends no more checkpoints of `file`, and resolves once the thread has let go of it. Before
   * a file is removed: the last connection to close deletes the log by its name, which could by
   * then be the log of a new file at the same path.
   */
  forget(file: string): Promise<void> {
    this.last.delete(file);
    this.#lastLog.delete(file);
    const s = this.#files.get(file);
    if (!s) return Promise.resolve();
    this.#stop(s);
    if (s.sent === s.answered) {
      this.#settled(file, s);
      return Promise.resolve();
    }
    return new Promise((resolve) => s.released.push(resolve));
  }

  /** Waits for the checkpoints on their way, sends no more, and ends the thread. */
  async close(): Promise<void> {
    this.#closed = true;
    // What is not sent yet is not sent any more: the writers' close checkpoints their files.
    for (const [file, s] of this.#files) {
      this.#stop(s);
      if (s.sent === s.answered) this.#settled(file, s);
    }
    await this.idle();
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  #state(file: string): FileState {
    let s = this.#files.get(file);
    if (!s) {
      s = { sent: 0, answered: 0, again: false, pause: null, catchUps: [], released: [] };
      this.#files.set(file, s);
    }
    return s;
  }

  /** No checkpoint of this file is sent after the one on its way; its waiters are let go. */
  #stop(s: FileState): void {
    s.again = false;
    if (s.pause) clearTimeout(s.pause);
    s.pause = null;
    for (const c of s.catchUps.splice(0)) c.resolve();
  }

  #send(file: string, s: FileState): void {
    s.sent++;
    try {
      this.#thread().postMessage({ file } satisfies CheckpointRequest);
    } catch (err) {
      this.#answered({ file, error: (err as Error).message });
    }
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL);
    // An idle checkpointer does not keep the process alive.
    worker.unref();
    worker.on('message', (m: CheckpointDone) => this.#answered(m));
    let failure = '';
    // Not counted as answered yet: the thread closes its connections only as it exits, and a
    // file is let go of (forget) only once no connection of it is left.
    worker.on('error', (err) => (failure = `: ${err.message}`));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      // What was on its way is lost with the thread; the next commit to each file asks again.
      for (const [file, s] of this.#files) if (s.sent > s.answered) this.#answered({ file, error: `checkpoint thread exited with code ${code}${failure}` });
    });
    this.#worker = worker;
    return worker;
  }

  #answered(m: CheckpointDone): void {
    const s = this.#files.get(m.file);
    if (!s) return;
    s.answered++;
    if (s.released.length === 0) {
      this.last.set(m.file, m);
      if (m.result) this.#lastLog.set(m.file, m.result.log);
      if (m.error !== undefined) this.#onFailure?.(m.file, m.error);
    }
    s.catchUps = s.catchUps.filter((c) => (c.target <= s.answered ? (c.resolve(), false) : true));
    if (s.again && !this.#closed) {
      s.again = false;
      // Someone waits for the log to catch up: no pause.
      if (s.catchUps.length > 0) return this.#send(m.file, s);
      s.pause = setTimeout(() => {
        s.pause = null;
        this.#send(m.file, s);
      }, AGAIN_AFTER_MS);
      s.pause.unref();
      return;
    }
    this.#settled(m.file, s);
  }

  /** Nothing of `file` is on its way any more. */
  #settled(file: string, s: FileState): void {
    for (const resolve of s.released.splice(0)) resolve();
    this.#files.delete(file);
    if ([...this.#files.values()].some(busy)) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

function busy(s: FileState): boolean {
  return s.sent > s.answered || s.pause !== null;
}
