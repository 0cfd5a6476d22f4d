/**
 * One actor's audit history (Coralogix's per-user view): every event of the actor over time,
 * with what they did most, how often it failed, and from where. Reached from any actor value.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { DEFAULT_COLUMNS } from '../../../events/columns.ts';
import { api, type Facet, type Histogram as HistogramData, type SearchPage } from '../api.ts';
import { Histogram } from '../components/Histogram.tsx';
import { ResultsTable } from '../components/ResultsTable.tsx';
import { TimePicker } from '../components/TimePicker.tsx';
import { addClause, clauseFor } from '../query-edit.ts';
import { href, type Loc, navigate } from '../router.ts';
import { formatCount, formatTime } from '../time.ts';
import { searchHref } from './Search.tsx';

const FACETS = ['event.action', 'event.outcome', 'source.ip', 'user_agent.original'] as const;

export function HistoryPage({ loc }: { loc: Loc }) {
  const field = loc.params.get('field') ?? 'user.email';
  const value = loc.params.get('value') ?? '';
  const from = loc.params.get('from') ?? 'now-90d';
  const to = loc.params.get('to') ?? 'now';
  const q = clauseFor(field, value);
  const range = useMemo(() => ({ q, from, to }), [q, from, to]);
  const [page, setPage] = useState<SearchPage | null>(null);
  const [first, setFirst] = useState<string | null>(null);
  const [hist, setHist] = useState<HistogramData | null>(null);
  const [facets, setFacets] = useState<Record<string, Facet>>({});
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);

  useEffect(() => {
    let live = true;
    setPage(null);
    setError(null);
    setFacets({});
    api.search({ ...range, size: 50 }).then((p) => live && setPage(p), (e: Error) => live && setError(e.message));
    // The chart spans the actor's own activity, not the whole range (mostly empty for a recent actor).
    api.search({ ...range, size: 1, sort: 'asc' }).then(
      (p) => {
        if (!live) return;
        const t = p.hits[0]?.['@timestamp'] ?? null;
        setFirst(t);
        api.histogram({ ...range, ...(t ? { from: t } : {}) }).then((h) => live && setHist(h), () => {});
      },
      () => {},
    );
    for (const f of FACETS) {
      api.facets({ ...range, field: f, size: 6 }).then((r) => live && setFacets((prev) => ({ ...prev, [f]: r })), () => {});
    }
    return () => {
      live = false;
    };
  }, [range]);

  const go = (params: Record<string, string>) => navigate(href('/history', { field, value, from, to, ...params }));
  const filterInSearch = (f: string, v: string, exclude: boolean) =>
    navigate(searchHref({ q: addClause(q, f, v, exclude), from, to, cols: DEFAULT_COLUMNS }));
  const failures = facets['event.outcome']?.buckets.find((b) => b.value === 'failure')?.count ?? 0;

  return (
    <div class="history-page">
      <div class="panel history-head">
        <div>
          <div class="muted small">Audit history of</div>
          <h2>
            {value} <span class="muted mono small">{field}</span>
          </h2>
        </div>
        <span class="spacer" />
        <TimePicker from={from} to={to} onChange={(f, t) => go({ from: f, to: t })} />
        <a class="button" href={searchHref({ q, from, to, cols: DEFAULT_COLUMNS })}>
          Open in search
        </a>
      </div>
      {error && (
        <div class="panel error" role="alert">
          {error}
        </div>
      )}
      <div class="cards">
        <div class="card">
          <div class="muted small">Events</div>
          <div class="big" data-testid="history-total">
            {page ? formatCount(page.total) : '…'}
          </div>
        </div>
        <div class="card">
          <div class="muted small">Failures</div>
          <div class={`big ${failures > 0 ? 'bad' : ''}`}>{facets['event.outcome'] ? formatCount(failures) : '…'}</div>
        </div>
        <div class="card">
          <div class="muted small">First seen (UTC)</div>
          <div class="mono">{first ? formatTime(first, { ms: false }) : '—'}</div>
        </div>
        <div class="card">
          <div class="muted small">Last seen (UTC)</div>
          <div class="mono">{page?.hits[0] ? formatTime(page.hits[0]['@timestamp'], { ms: false }) : '—'}</div>
        </div>
      </div>
      {hist && hist.buckets.length > 0 && (
        <div class="panel">
          <Histogram buckets={hist.buckets} intervalMs={hist.intervalMs} onZoom={(a, b) => go({ from: new Date(a).toISOString(), to: new Date(b).toISOString() })} />
        </div>
      )}
      <div class="facet-cards">
        {FACETS.map((f) => (
          <div class="panel" key={f}>
            <h3 class="mono small">{f}</h3>
            <ol class="values">
              {(facets[f]?.buckets ?? []).map((b) => (
                <li key={b.value}>
                  <button type="button" class="value" title={`Search ${f}:${b.value} for this actor`} onClick={(e) => filterInSearch(f, b.value, e.altKey)}>
                    <span class="text">{b.value}</span>
                    <span class="count">{formatCount(b.count)}</span>
                  </button>
                </li>
              ))}
            </ol>
          </div>
        ))}
      </div>
      {page && page.total > 0 && (
        <ResultsTable
          hits={page.hits}
          total={page.total}
          columns={DEFAULT_COLUMNS}
          onFilter={filterInSearch}
          hasMore={page.cursor !== null}
          loadingMore={more}
          onLoadMore={async () => {
            if (!page.cursor) return;
            setMore(true);
            try {
              const next = await api.search({ ...range, size: 50, cursor: page.cursor });
              setPage({ ...next, hits: [...page.hits, ...next.hits] });
            } finally {
              setMore(false);
            }
          }}
        />
      )}
      {page && page.total === 0 && <div class="panel empty">No events of {value} in this range.</div>}
    </div>
  );
}
