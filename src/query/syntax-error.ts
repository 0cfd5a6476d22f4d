import { AppError } from '../errors.ts';

/** Where in the query text something went wrong: 0-based offset, 1-based line and column. */
export interface QueryPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * A query string that cannot be parsed, or that exceeds a limit. The message names the
 * column (and line, for multi-line queries) and says what was expected, so the UI can show
 * it verbatim; `details` carries the same position for clients that underline the spot.
 */
export class QuerySyntaxError extends AppError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** What the parser would have accepted at `offset` (e.g. `["term", "phrase", "group"]`). */
  readonly expected: readonly string[];

  constructor(message: string, position: QueryPosition, expected: readonly string[] = [], extra?: Record<string, unknown>) {
    super('QUERY_SYNTAX', message, { ...position, expected, ...extra });
    this.offset = position.offset;
    this.line = position.line;
    this.column = position.column;
    this.expected = expected;
  }
}

/** Line and column of `offset` in `text` (lines split on `\n`, columns in UTF-16 code units). */
export function positionOf(text: string, offset: number): QueryPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** `column 14`, or `line 2, column 3` when the query spans lines. */
export function describePosition(text: string, position: QueryPosition): string {
  return text.includes('\n') ? `line ${position.line}, column ${position.column}` : `column ${position.column}`;
}

/**
 * Builds a QuerySyntaxError whose message is `<what> at column N[; <hint>]`.
 * `what` describes the problem without the position; the position is appended here so
 * every message reads the same way.
 */
export function syntaxError(
  text: string,
  offset: number,
  what: string,
  hint?: string,
  expected: readonly string[] = [],
  extra?: Record<string, unknown>,
): QuerySyntaxError {
  const position = positionOf(text, offset);
  const message = `${what} at ${describePosition(text, position)}${hint ? `; ${hint}` : ''}`;
  return new QuerySyntaxError(message, position, expected, extra);
}
