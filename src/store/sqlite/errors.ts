/**
 * better-sqlite3 failures → the application's errors. A constraint is a conflict the caller
 * caused (409); a busy or locked database, a full disk, an I/O error or a closed handle is the
 * store being unable to serve now (503 with Retry-After); anything else is our bug (500).
 */
import Database from 'better-sqlite3';
import { AppError, ConflictError, StoreUnavailableError } from '../../errors.ts';

/** Primary result codes (the part before the first `_` of an extended code) that a retry may cure. */
const UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PROTOCOL', 'SQLITE_NOLFS']);

function primaryCode(code: string): string {
  const m = /^SQLITE_[A-Z]+/.exec(code);
  return m ? m[0] : code;
}

export function sqliteFailure(err: unknown, operation: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof Database.SqliteError) {
    const code = primaryCode(err.code);
    if (code === 'SQLITE_CONSTRAINT') return new ConflictError(`${operation}: ${err.message}`, { sqlite: err.code });
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      return new StoreUnavailableError(`the database is busy (${operation}); retry shortly`, 1, { cause: err });
    }
    if (UNAVAILABLE.has(code)) return new StoreUnavailableError(`the database cannot serve ${operation}: ${err.message}`, 5, { cause: err });
  }
  // The file system under the database (EACCES, ENOSPC, EROFS…): the operator's to fix, named as the system names it.
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new StoreUnavailableError(`the data directory cannot serve ${operation}: ${(err as Error).message}`, 5, { cause: err });
  }
  // better-sqlite3 throws a TypeError on a closed handle: the store is shutting down.
  if (err instanceof TypeError && /database connection is not open/.test(err.message)) {
    return new StoreUnavailableError(`the database is closed (${operation})`, 5, { cause: err });
  }
  return new AppError('INTERNAL', `unexpected failure in SQLite ${operation}`, undefined, { cause: err });
}
