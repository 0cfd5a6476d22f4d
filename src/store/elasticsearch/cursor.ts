/**
 * The paging cursor: the sort values of the last hit (`search_after`), tied to the sort order,
 * as opaque base64url JSON. A cursor is input from a client, so decoding checks every part.
 */
import { ValidationError } from '../../errors.ts';
import type { SortOrder } from '../interface.ts';

export interface CursorState {
  order: SortOrder;
  timestamp: number;
  id: string;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify({ v: 1, o: state.order, t: state.timestamp, i: state.id })).toString('base64url');
}

export function decodeCursor(cursor: string, order: SortOrder): CursorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('invalid cursor: not one this server issued', { field: 'cursor' });
  }
  const c = parsed as { v?: unknown; o?: unknown; t?: unknown; i?: unknown } | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    c.v !== 1 ||
    (c.o !== 'asc' && c.o !== 'desc') ||
    typeof c.t !== 'number' ||
    !Number.isSafeInteger(c.t) ||
    typeof c.i !== 'string'
  ) {
    throw new ValidationError('invalid cursor: not one this server issued', { field: 'cursor' });
  }
  if (c.o !== order) throw new ValidationError(`cursor was issued for sort ${c.o}, not ${order}`, { field: 'cursor' });
  return { order: c.o, timestamp: c.t, id: c.i };
}
