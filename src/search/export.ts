/**
 * Export: every event matching a query and range, as CSV or NDJSON, streamed page by page
 * through the store's cursor. No row cap; memory stays at about one page, because the next
 * page is read only when the client has taken the previous one (the response stream pulls).
 * Knows nothing of HTTP.
 */
import { ValidationError } from '../errors.ts';
import type { StoredEvent, TeamId } from '../events/event.ts';
import { columnText, columnValues, type EventRecord } from '../events/columns.ts';
import { eventView } from '../events/view.ts';
import type { AuditStore, SortOrder } from '../store/interface.ts';
import type { SearchParams, SearchService } from './service.ts';

export type ExportFormat = 'csv' | 'ndjson';

export interface ExportRequest extends SearchParams {
  format: ExportFormat;
  /** Columns (field names or `actor`); CSV defaults to DEFAULT_EXPORT_COLUMNS, NDJSON to the whole event. */
  columns?: string[];
  sort?: SortOrder;
}

export interface ExportStream {
  contentType: string;
  extension: string;
  body: ReadableStream<Uint8Array>;
}

/** The store's largest page. */
export const EXPORT_PAGE_SIZE = 1000;
export const MAX_EXPORT_COLUMNS = 100;
export const DEFAULT_EXPORT_COLUMNS = [
  '@timestamp',
  'auditlog.id',
  'actor',
  'event.action',
  'event.outcome',
  'source.ip',
  'user_agent.original',
  'message',
];

export class ExportService {
  readonly #store: AuditStore;
  readonly #search: SearchService;
  readonly #now: () => number;

  constructor(store: AuditStore, search: SearchService, now: () => number = Date.now) {
    this.#store = store;
    this.#search = search;
    this.#now = now;
  }

  /**
   * Validates the request and reads the first page, so a bad query or an unreachable store is
   * an error response, not a broken download. Later failures abort the stream (the client sees
   * a truncated transfer, never a silently short file).
   */
  async open(team: TeamId, request: ExportRequest): Promise<ExportStream> {
    const columns = request.columns?.length ? request.columns : request.format === 'csv' ? DEFAULT_EXPORT_COLUMNS : null;
    if (columns && columns.length > MAX_EXPORT_COLUMNS) {
      throw new ValidationError(`columns: at most ${MAX_EXPORT_COLUMNS} columns`, { field: 'columns' });
    }
    const prepared = this.#search.prepare(request);
    // Date math is evaluated once, and the end is pinned: the export is the range as it was asked for.
    const range = { ...prepared, to: prepared.to ?? this.#now() + 1 };
    const sort = request.sort ?? 'desc';
    const first = await this.#store.search(team, { ...range, size: EXPORT_PAGE_SIZE, sort });
    const render = request.format === 'csv' ? csvRows(columns!) : ndjsonRows(columns);
    const encoder = new TextEncoder();
    let pending: StoredEvent[] | null = first.hits;
    let cursor = first.cursor;
    let header = request.format === 'csv' ? `${columns!.map(csvCell).join(',')}\r\n` : '';
    const store = this.#store;
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          let hits = pending;
          pending = null;
          if (hits === null) {
            const page = await store.search(team, { ...range, size: EXPORT_PAGE_SIZE, sort, cursor: cursor! });
            hits = page.hits;
            cursor = page.cursor;
          }
          const text = header + hits.map(render).join('');
          header = '';
          if (text) controller.enqueue(encoder.encode(text));
          if (cursor === null) controller.close();
        },
      },
      // One page ahead at most.
      { highWaterMark: 1 },
    );
    return request.format === 'csv'
      ? { contentType: 'text/csv; charset=utf-8', extension: 'csv', body }
      : { contentType: 'application/x-ndjson; charset=utf-8', extension: 'ndjson', body };
  }
}

function record(e: StoredEvent): EventRecord & { raw: string } {
  return { ...eventView(e), raw: e.raw };
}

function csvRows(columns: string[]): (e: StoredEvent) => string {
  return (e) => {
    const r = record(e);
    return `${columns.map((c) => csvCell(columnText(r, c))).join(',')}\r\n`;
  };
}

/** Without columns, the whole event as the API shows it, with its raw text; with columns, those only. */
function ndjsonRows(columns: string[] | null): (e: StoredEvent) => string {
  return (e) => {
    const r = record(e);
    if (!columns) {
      const { id, raw, ...rest } = r;
      return `${JSON.stringify({ id, ...rest, raw })}\n`;
    }
    const row: Record<string, string | string[] | null> = {};
    for (const c of columns) {
      const values = columnValues(r, c);
      row[c] = values.length === 0 ? null : values.length === 1 ? values[0]! : values;
    }
    return `${JSON.stringify(row)}\n`;
  };
}

/**
 * Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
 * first, also after leading spaces) get a leading `'`, which spreadsheets show as text (OWASP's
 * advice for CSV injection). Quoting follows RFC 4180.
 */
const FORMULA_START = /^(?:[=+\-@\t\r]| +[=+\-@])/;

export function csvCell(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}
