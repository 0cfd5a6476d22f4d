/**
 * What the read pool (read-pool.ts) and its workers (read-worker.ts) send each other, and
 * errors across the thread boundary: a typed error thrown in a worker arrives as the same
 * class, code, message and details, so the HTTP layer maps it as if thrown on the main thread.
 */
import {
  AppError,
  ConflictError,
  LimitExceededError,
  NotFoundError,
  QueryCancelledError,
  QueryLimitError,
  QueryTimeoutError,
  StoreUnavailableError,
  UnsupportedQueryError,
  ValidationError,
} from '../../errors.ts';
import type { TeamId } from '../../events/event.ts';
import type { ReadContext, ReadOp, ReadResult } from './reads.ts';

export interface ReadMessage {
  type: 'read';
  id: number;
  team: TeamId;
  file: string;
  read: ReadOp;
  ctx: ReadContext;
  budgetMs: number;
  /** What is left of the budget when the worker picks the read up. */
  remainingMs: number;
}

/** Close the connection to a team's file (before the file is deleted). */
export interface ForgetMessage {
  type: 'forget';
  id: number;
  file: string;
}

export type ToWorker = ReadMessage | ForgetMessage;

export type FromWorker =
  | { type: 'result'; id: number; ok: true; value: ReadResult }
  | { type: 'result'; id: number; ok: false; error: SerializedError }
  | { type: 'forgotten'; id: number };

export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Index of the shared flag a worker polls: the id of the read its pool cancelled. */
export const CANCELLED_READ = 0;

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AppError) return { name: err.name, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

const TYPED: Record<string, { prototype: AppError }> = {
  ValidationError,
  NotFoundError,
  ConflictError,
  LimitExceededError,
  UnsupportedQueryError,
  StoreUnavailableError,
  QueryLimitError,
  QueryTimeoutError,
  QueryCancelledError,
};

export function deserializeError(e: SerializedError): Error {
  if (e.code === undefined) {
    const err = new Error(e.message);
    err.name = e.name;
    return err;
  }
  const err = new AppError(e.code as AppError['code'], e.message, e.details);
  const cls = TYPED[e.name];
  if (cls) {
    Object.setPrototypeOf(err, cls.prototype);
    err.name = e.name;
    // The fields these classes carry besides details.
    if (err instanceof StoreUnavailableError) Object.assign(err, { retryAfterSeconds: Number(e.details?.retryAfterSeconds ?? 5) });
    if (err instanceof QueryTimeoutError) Object.assign(err, { budgetMs: Number(e.details?.budgetMs ?? 0) });
  }
  return err;
}
