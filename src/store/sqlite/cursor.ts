/**
 * Paging cursor: the sort key (timestamp, id) of the last hit, search_after style, as
 * base64url JSON. Opaque to clients; a tampered cursor is a validation error, not a crash.
 */
import { ValidationError } from '../../errors.ts';

export interface CursorKey {
  ts: number;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.ts, key.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && typeof value[1] === 'string') {
      return { ts: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('invalid cursor: pass the cursor of a previous page unchanged', { field: 'cursor' });
}
