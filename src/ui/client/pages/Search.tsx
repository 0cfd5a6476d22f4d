/**
 * The search page: query bar, time range, histogram, field sidebar and result table. The URL
 * holds the whole state (q, from, to, cols), so a link reproduces the view and Back undoes a
 * step.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DEFAULT_COLUMNS } from '../../../events/columns.ts';
import { api, ApiError, type FieldList, type Histogram as HistogramData, type SearchPage as Page, type SessionInfo } from '../api.ts';
import { FieldSidebar } from '../components/FieldSidebar.tsx';
import { Histogram } from '../components/Histogram.tsx';
import { QueryBar } from '../components/QueryBar.tsx';
import { ResultsTable } from '../components/ResultsTable.tsx';
import { TimePicker } from '../components/TimePicker.tsx';
import { useDismiss } from '../dismiss.ts';
import { addClause, type SyntaxProblem, syntaxProblem } from '../query-edit.ts';
import { href, type Loc, navigate } from '../router.ts';
import { isAdmin } from '../session.ts';
import { DEFAULT_FROM, DEFAULT_TO, describeRange, formatCount } from '../time.ts';

export interface SearchState {
  q: string;
  from: string;
  to: string;
  cols: string[];
}

export function readState(params: URLSearchParams): SearchState {
  const cols = params.get('cols');
  return {
    q: params.get('q') ?? '',
    from: params.get('from') ?? DEFAULT_FROM,
    to: params.get('to') ?? DEFAULT_TO,
    cols: cols ? cols.split(',').filter((c) => c !== '') : DEFAULT_COLUMNS,
  };
}

export function searchHref(s: SearchState): string {
  return href('/search', {
    q: s.q || undefined,
    from: s.from,
    to: s.to,
    cols: s.cols.join(',') === DEFAULT_COLUMNS.join(',') ? undefined : s.cols.join(','),
  });
}

type Load<T> = { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; error: ApiError | Error };

/** A server's QUERY_SYNTAX error as the query bar shows it. */
export function problemOf(err: unknown): SyntaxProblem | null {
  if (!(err instanceof ApiError) || err.code !== 'QUERY_SYNTAX') return null;
  const d = err.details ?? {};
  return { message: err.message, offset: Number(d.offset ?? 0), line: Number(d.line ?? 1), column: Number(d.column ?? 1) };
}

let firstResults = true;

export function SearchPage({ loc, session }: { loc: Loc; session: SessionInfo }) {
  const state = readState(loc.params);
  const [draft, setDraft] = useState(state.q);
  const [problem, setProblem] = useState<SyntaxProblem | null>(null);
  const [page, setPage] = useState<Load<Page>>({ status: 'loading' });
  const [hist, setHist] = useState<HistogramData | null>(null);
  const [fields, setFields] = useState<FieldList | null>(null);
  const [more, setMore] = useState(false);
  const range = useMemo(() => ({ q: state.q, from: state.from, to: state.to }), [state.q, state.from, state.to]);

  useEffect(() => {
    setDraft(state.q);
  }, [state.q]);

  useEffect(() => {
    let live = true;
    const local = syntaxProblem(state.q);
    setProblem(local);
    if (local) {
      setPage({ status: 'error', error: new Error(local.message) });
      setHist(null);
      return;
    }
    setPage({ status: 'loading' });
    api
      .search({ ...range, size: 50 })
      .then((data) => {
        if (!live) return;
        setPage({ status: 'ok', data });
        if (firstResults) {
          firstResults = false;
          performance.mark('auditlog:first-results');
        }
      })
      .catch((error: ApiError) => {
        if (!live) return;
        setPage({ status: 'error', error });
        setProblem(problemOf(error));
      });
    api
      .histogram(range)
      .then((h) => live && setHist(h))
      .catch(() => live && setHist(null));
    api
      .fields(range)
      .then((f) => live && setFields(f))
      .catch(() => live && setFields(null));
    return () => {
      live = false;
    };
  }, [range]);

  useEffect(() => {
    // `/` jumps to the query bar, as in Kibana and Graylog.
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      e.preventDefault();
      document.getElementById('query')?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const go = (next: Partial<SearchState>) => navigate(searchHref({ ...state, ...next }));
  const submit = (q: string) => {
    const p = syntaxProblem(q);
    setProblem(p);
    if (!p) go({ q: q.trim() });
  };
  const filter = (field: string, value: string, exclude: boolean) => go({ q: addClause(state.q, field, value, exclude) });
  const toggleColumn = (c: string) => go({ cols: state.cols.includes(c) ? state.cols.filter((x) => x !== c) : [...state.cols, c] });

  const loadMore = async () => {
    if (page.status !== 'ok' || !page.data.cursor) return;
    setMore(true);
    try {
      const next = await api.search({ ...range, size: 50, cursor: page.data.cursor });
      setPage({ status: 'ok', data: { ...next, hits: [...page.data.hits, ...next.hits] } });
    } finally {
      setMore(false);
    }
  };

  return (
    <div class="search-page">
      <div class="searchbar">
        <QueryBar
          value={draft}
          onInput={(v) => {
            setDraft(v);
            if (problem) setProblem(null);
          }}
          onSubmit={submit}
          fields={fields?.fields ?? []}
          problem={problem}
          warnings={page.status === 'ok' ? (fields?.unknown ?? []) : []}
        />
        <TimePicker from={state.from} to={state.to} onChange={(from, to) => go({ from, to })} />
        <button type="button" class="primary" onClick={() => submit(draft)}>
          Search
        </button>
      </div>
      <div class="workspace">
        <FieldSidebar list={fields} range={range} columns={state.cols} onFilter={filter} onToggleColumn={toggleColumn} />
        <section class="main" aria-live="polite">
          <div class="resultbar">
            <span class="total" data-testid="total">
              {page.status === 'ok' ? `${formatCount(page.data.total)} events` : page.status === 'loading' ? 'Searching…' : 'No results'}
            </span>
            <span class="muted">{describeRange(state.from, state.to)}</span>
            <span class="spacer" />
            <SaveButton state={state} session={session} />
            <ExportMenu state={state} />
          </div>
          {hist && hist.buckets.length > 0 && page.status === 'ok' && (
            <Histogram buckets={hist.buckets} intervalMs={hist.intervalMs} onZoom={(a, b) => go({ from: new Date(a).toISOString(), to: new Date(b).toISOString() })} />
          )}
          {page.status === 'error' && !problem && (
            <div class="panel error" role="alert">
              {page.error.message}
            </div>
          )}
          {page.status === 'ok' && page.data.total === 0 && (
            <div class="panel empty">
              No events match <code>{state.q || '*'}</code> in {describeRange(state.from, state.to).toLowerCase()}.{' '}
              {state.from !== '' && (
                <a href={searchHref({ ...state, from: 'now-1y' })}>Search the last year</a>
              )}
            </div>
          )}
          {page.status === 'ok' && page.data.total > 0 && (
            <ResultsTable
              hits={page.data.hits}
              total={page.data.total}
              columns={state.cols}
              onFilter={filter}
              onRemoveColumn={(c) => go({ cols: state.cols.filter((x) => x !== c) })}
              onLoadMore={loadMore}
              hasMore={page.data.cursor !== null}
              loadingMore={more}
            />
          )}
        </section>
      </div>
    </div>
  );
}

function ExportMenu({ state }: { state: SearchState }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useDismiss(box, open, () => setOpen(false));
  const url = (format: 'csv' | 'ndjson') => api.exportUrl({ q: state.q, from: state.from, to: state.to, format, columns: format === 'csv' ? state.cols : undefined });
  return (
    <div class="menu" ref={box}>
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)}>
        Export ▾
      </button>
      {open && (
        <div class="popover small" role="menu">
          <a role="menuitem" href={url('csv')} download onClick={() => setOpen(false)}>
            CSV (these columns)
          </a>
          <a role="menuitem" href={url('ndjson')} download onClick={() => setOpen(false)}>
            NDJSON (whole events)
          </a>
          <p class="hint">Every matching event, streamed; no row limit.</p>
        </div>
      )}
    </div>
  );
}

function SaveButton({ state, session }: { state: SearchState; session: SessionInfo }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useDismiss(box, open, () => setOpen(false));
  if (!isAdmin(session)) return null;
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      await api.saveSearch({
        name: name.trim(),
        query: state.q,
        ...(description.trim() ? { description: description.trim() } : {}),
        timeRange: { from: state.from, to: state.to },
        columns: state.cols,
      });
      setMessage(`Saved “${name.trim()}”`);
      setOpen(false);
      setName('');
      setDescription('');
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  return (
    <div class="menu" ref={box}>
      <button type="button" data-admin onClick={() => setOpen(!open)} aria-expanded={open}>
        Save
      </button>
      {message && !open && (
        <span class="toast" role="status">
          {message} · <a href="/saved">Saved searches</a>
        </span>
      )}
      {open && (
        <form class="popover" onSubmit={save} aria-label="Save search">
          <label for="save-name">Name</label>
          <input id="save-name" value={name} required maxLength={200} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label for="save-description">Description</label>
          <input id="save-description" value={description} maxLength={2000} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
          <p class="hint">
            Saves the query, the time range ({describeRange(state.from, state.to)}) and the columns.
          </p>
          <button type="submit" class="primary" disabled={name.trim() === ''}>
            Save search
          </button>
        </form>
      )}
    </div>
  );
}
