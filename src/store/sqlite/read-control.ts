/**
 * The time budget and cancellation of the read running on a connection: the SQL functions
 * call `check()` every few hundred rows (functions.ts Checkpoint), and it throws once the
 * read is over its deadline or its caller gave up, which aborts the running statement.
 */
import { QueryCancelledError, QueryTimeoutError } from '../../errors.ts';

export class ReadControl {
  #deadline = Infinity;
  #budgetMs = 0;
  #cancelled: () => boolean = () => false;

  /** Arms the control for one read: `remainingMs` of its `budgetMs` left, `cancelled` polled. */
  start(budgetMs: number, remainingMs: number, cancelled: () => boolean = () => false): void {
    this.#budgetMs = budgetMs;
    this.#deadline = performance.now() + remainingMs;
    this.#cancelled = cancelled;
  }

  stop(): void {
    this.#deadline = Infinity;
    this.#cancelled = () => false;
  }

  check(): void {
    if (this.#cancelled()) throw new QueryCancelledError();
    if (performance.now() > this.#deadline) throw new QueryTimeoutError(this.#budgetMs);
  }
}
