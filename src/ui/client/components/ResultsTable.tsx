/**
 * The result table: one dense row per event, newest first, the chosen columns; a click opens
 * the event's fields in place, the ↗ link opens its own page (the permalink). More rows come
 * through the search cursor.
 */
import { useState } from 'preact/hooks';
import { ACTOR_COLUMN, ACTOR_FIELDS, columnText, columnValues } from '../../../events/columns.ts';
import type { ApiEvent } from '../api.ts';
import { href } from '../router.ts';
import { formatCount, formatTime } from '../time.ts';
import { FieldTable, metaRows, normalizedRows, originalRows } from './FieldTable.tsx';

export interface ResultsTableProps {
  hits: ApiEvent[];
  total: number;
  columns: string[];
  onFilter: (field: string, value: string, exclude: boolean) => void;
  onRemoveColumn?: (column: string) => void;
  onLoadMore?: () => void;
  hasMore: boolean;
  loadingMore?: boolean;
}

const TITLES: Record<string, string> = {
  '@timestamp': 'Time (UTC)',
  actor: 'Actor',
  'event.action': 'Action',
  'event.outcome': 'Outcome',
  'source.ip': 'Source IP',
  message: 'Message',
};

export function ResultsTable({ hits, total, columns, onFilter, onRemoveColumn, onLoadMore, hasMore, loadingMore }: ResultsTableProps) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  return (
    <div class="results">
      <table class="events" aria-label="Events">
        <thead>
          <tr>
            <th class="expander" aria-label="Expand" />
            {columns.map((c) => (
              <th key={c} scope="col" data-column={c} class={`col-${colClass(c)}`}>
                <span title={c}>{TITLES[c] ?? c}</span>
                {onRemoveColumn && c !== '@timestamp' && (
                  <button type="button" class="icon remove" aria-label={`Remove column ${c}`} title="Remove column" onClick={() => onRemoveColumn(c)}>
                    ×
                  </button>
                )}
              </th>
            ))}
            <th class="link-col" aria-label="Open" />
          </tr>
        </thead>
        <tbody>
          {hits.map((e) => (
            <Row key={e.id} event={e} columns={columns} open={open.has(e.id)} onToggle={() => toggle(e.id)} onFilter={onFilter} />
          ))}
        </tbody>
      </table>
      <div class="more">
        <span class="muted">
          {formatCount(hits.length)} of {formatCount(total)} events shown
        </span>
        {hasMore && onLoadMore && (
          <button type="button" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
    </div>
  );
}

const colClass = (c: string) => c.replace(/[^A-Za-z0-9]+/g, '-');

function Row({
  event,
  columns,
  open,
  onToggle,
  onFilter,
}: {
  event: ApiEvent;
  columns: string[];
  open: boolean;
  onToggle: () => void;
  onFilter: ResultsTableProps['onFilter'];
}) {
  return (
    <>
      <tr class={`event ${open ? 'open' : ''}`} data-id={event.id} onClick={(e) => !(e.target as Element).closest('a,button') && onToggle()}>
        <td class="expander">
          <button type="button" class="icon" aria-expanded={open} aria-label={open ? 'Collapse event' : 'Expand event'} onClick={onToggle}>
            {open ? '▾' : '▸'}
          </button>
        </td>
        {columns.map((c) => (
          <td key={c} class={`col-${colClass(c)}`} data-column={c}>
            <Cell event={event} column={c} />
          </td>
        ))}
        <td class="link-col">
          <a href={`/events/${encodeURIComponent(event.id)}`} title="Open the event's page (permalink)" aria-label="Open event">
            ↗
          </a>
        </td>
      </tr>
      {open && (
        <tr class="detail">
          <td />
          <td colSpan={columns.length + 1}>
            <div class="detail-grid">
              <div>
                <h4>Normalized</h4>
                <FieldTable label="Normalized fields" rows={[['@timestamp', event['@timestamp']], ...normalizedRows(event), ...metaRows(event)]} onFilter={onFilter} />
              </div>
              <div>
                <h4>
                  Original <span class="muted">({event.format})</span>
                </h4>
                <FieldTable label="Original fields" rows={originalRows(event)} onFilter={onFilter} />
              </div>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

function Cell({ event, column }: { event: ApiEvent; column: string }) {
  if (column === '@timestamp') return <span class="mono nowrap">{formatTime(event['@timestamp'])}</span>;
  if (column === 'event.outcome') {
    const v = columnText(event, column);
    return v ? <span class={`outcome outcome-${v}`}>{v}</span> : null;
  }
  if (column === ACTOR_COLUMN || (ACTOR_FIELDS as readonly string[]).includes(column)) {
    const field = column === ACTOR_COLUMN ? ACTOR_FIELDS.find((f) => columnValues(event, f).length > 0) : column;
    const value = field ? columnValues(event, field)[0] : undefined;
    if (!field || value === undefined) return null;
    return (
      <a class="actor" href={href('/history', { field, value })} title={`${field}: everything ${value} did`}>
        {value}
      </a>
    );
  }
  const text = columnText(event, column);
  return (
    <span class={column === 'message' ? 'msg' : 'mono'} title={column === 'message' ? text : undefined}>
      {text}
    </span>
  );
}
