/**
 * The field sidebar (Kibana Discover's): the fields of the current result with how many of the
 * newest matches have each, and, for a field opened, its top values over all matches (facets).
 * Click a value to add `field:value`; Alt-click (or −) to exclude it.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, type Facet, type FieldEntry, type FieldList, type Range } from '../api.ts';
import { formatCount } from '../time.ts';
import { TypeBadge } from './QueryBar.tsx';

export interface FieldSidebarProps {
  list: FieldList | null;
  range: Range;
  columns: string[];
  onFilter: (field: string, value: string, exclude: boolean) => void;
  onToggleColumn: (field: string) => void;
}

export function FieldSidebar({ list, range, columns, onFilter, onToggleColumn }: FieldSidebarProps) {
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const [showEmpty, setShowEmpty] = useState(false);

  const fields = list?.fields ?? [];
  const f = filter.trim().toLowerCase();
  const match = (x: FieldEntry) => f === '' || x.name.toLowerCase().includes(f);
  const present = fields.filter((x) => x.count > 0 && match(x));
  const empty = fields.filter((x) => x.count === 0 && match(x));
  const groups: Array<[string, FieldEntry[]]> = [
    ['Normalized', present.filter((x) => x.kind !== 'original')],
    ['Original', present.filter((x) => x.kind === 'original')],
  ];

  return (
    <aside class="sidebar" aria-label="Fields">
      <input
        type="search"
        class="field-filter"
        placeholder="Filter fields"
        aria-label="Filter fields"
        value={filter}
        onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
      />
      {list && (
        <p class="muted small">
          Counts over the newest {formatCount(list.sample.events)} of {formatCount(list.sample.total)} matches.
        </p>
      )}
      {groups.map(([title, items]) =>
        items.length === 0 ? null : (
          <section key={title}>
            <h3>
              {title} <span class="muted">{items.length}</span>
            </h3>
            <ul class="fields">
              {items.map((x) => (
                <FieldRow
                  key={x.name}
                  field={x}
                  sample={list!.sample.events}
                  isColumn={columns.includes(x.name)}
                  open={open === x.name}
                  onOpen={() => setOpen(open === x.name ? null : x.name)}
                  range={range}
                  onFilter={onFilter}
                  onToggleColumn={onToggleColumn}
                />
              ))}
            </ul>
          </section>
        ),
      )}
      {empty.length > 0 && (
        <section>
          <button type="button" class="link small" onClick={() => setShowEmpty(!showEmpty)}>
            {showEmpty ? '▾' : '▸'} {empty.length} fields not in these matches
          </button>
          {showEmpty && (
            <ul class="fields">
              {empty.map((x) => (
                <li key={x.name} class="field empty-field">
                  <TypeBadge type={x.type} />
                  <span class="name">{x.name}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </aside>
  );
}

function FieldRow({
  field,
  sample,
  isColumn,
  open,
  onOpen,
  range,
  onFilter,
  onToggleColumn,
}: {
  field: FieldEntry;
  sample: number;
  isColumn: boolean;
  open: boolean;
  onOpen: () => void;
  range: Range;
  onFilter: FieldSidebarProps['onFilter'];
  onToggleColumn: FieldSidebarProps['onToggleColumn'];
}) {
  const [facet, setFacet] = useState<Facet | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setFacet(null);
    setError(null);
    api
      .facets({ ...range, field: field.name, size: 5 })
      .then((r) => live && setFacet(r))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [open, range.q, range.from, range.to, field.name]);

  const total = facet ? facet.buckets.reduce((n, b) => n + b.count, 0) + facet.other : 0;
  return (
    <li class={`field ${open ? 'open' : ''}`} data-field={field.name}>
      <div class="field-head">
        <button type="button" class="field-name" onClick={onOpen} aria-expanded={open} title={`${field.name} (${field.type}): show top values`}>
          <TypeBadge type={field.type} />
          <span class="name">{field.name}</span>
        </button>
        <span class="count" title={`${field.count} of the ${sample} newest matches have it`}>
          {Math.round((field.count / Math.max(1, sample)) * 100)}%
        </span>
        <button
          type="button"
          class={`icon ${isColumn ? 'on' : ''}`}
          title={isColumn ? 'Remove column' : 'Add as a column'}
          aria-label={isColumn ? `Remove column ${field.name}` : `Add column ${field.name}`}
          onClick={() => onToggleColumn(field.name)}
        >
          {isColumn ? '▣' : '▢'}
        </button>
      </div>
      {open && (
        <div class="facet">
          {error && <p class="error small">{error}</p>}
          {!facet && !error && <p class="muted small">Loading top values…</p>}
          {facet && facet.buckets.length === 0 && <p class="muted small">No values in these matches.</p>}
          {facet && (
            <ol class="values">
              {facet.buckets.map((b) => (
                <li key={b.value}>
                  <button
                    type="button"
                    class="value"
                    title={`Click: filter on ${field.name}:${b.value} · Alt-click: exclude it`}
                    onClick={(e) => onFilter(field.name, b.value, e.altKey)}
                  >
                    <span class="bar" style={{ width: `${Math.round((b.count / Math.max(1, total)) * 100)}%` }} />
                    <span class="text">{b.value}</span>
                    <span class="count">{formatCount(b.count)}</span>
                  </button>
                  <button type="button" class="icon" title="Filter on this value" aria-label={`Filter on ${b.value}`} onClick={() => onFilter(field.name, b.value, false)}>
                    +
                  </button>
                  <button type="button" class="icon" title="Exclude this value" aria-label={`Exclude ${b.value}`} onClick={() => onFilter(field.name, b.value, true)}>
                    −
                  </button>
                </li>
              ))}
            </ol>
          )}
          {facet && facet.other > 0 && <p class="muted small">{formatCount(facet.other)} other or missing</p>}
        </div>
      )}
    </li>
  );
}
