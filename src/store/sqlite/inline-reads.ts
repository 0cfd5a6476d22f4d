/**
 * Reads on the calling thread, as the store did before the read pool (read-pool.ts): the
 * baseline of bench/concurrency.bench.ts and a choice for tools that run one query at a time.
 * The budget still stops a statement (read-control.ts), but the event loop waits meanwhile.
 */
import type Database from 'better-sqlite3';
import { QueryCancelledError } from '../../errors.ts';
import type { TeamId } from '../../events/event.ts';
import { ReadControl } from './read-control.ts';
import type { ReadExecutor } from './read-pool.ts';
import { type ReadContext, type ReadOp, type ReadResult, runRead } from './reads.ts';

export class InlineReads implements ReadExecutor {
  /** Register `() => control.check()` as the connections' checkpoint (functions.ts). */
  readonly control = new ReadControl();
  readonly #db: (team: TeamId) => Database.Database;
  readonly #budgetMs: number;

  constructor(db: (team: TeamId) => Database.Database, budgetMs: number) {
    this.#db = db;
    this.#budgetMs = budgetMs;
  }

  async run(team: TeamId, _file: string, read: ReadOp, ctx: ReadContext, signal?: AbortSignal): Promise<ReadResult> {
    if (signal?.aborted) throw new QueryCancelledError();
    this.control.start(this.#budgetMs, this.#budgetMs, () => signal?.aborted === true);
    try {
      return runRead(this.#db(team), team, read, ctx);
    } finally {
      this.control.stop();
    }
  }

  async forget(): Promise<void> {}

  async close(): Promise<void> {}
}
