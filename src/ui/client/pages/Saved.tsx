/** Saved searches: open one as the search view it saved; an admin key can also delete them. */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_COLUMNS } from '../../../events/columns.ts';
import { api, type SavedSearch, type SessionInfo } from '../api.ts';
import { isAdmin } from '../session.ts';
import { DEFAULT_FROM, describeRange, formatTime } from '../time.ts';
import { searchHref } from './Search.tsx';

export const savedHref = (s: SavedSearch): string =>
  searchHref({ q: s.query, from: s.timeRange?.from ?? DEFAULT_FROM, to: s.timeRange?.to ?? 'now', cols: s.columns?.length ? s.columns : DEFAULT_COLUMNS });

export function SavedPage({ session }: { session: SessionInfo }) {
  const [items, setItems] = useState<SavedSearch[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const admin = isAdmin(session);

  const load = () =>
    api.savedSearches().then(
      (r) => setItems(r.savedSearches),
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
  }, []);

  return (
    <div class="saved-page">
      <div class="pagehead">
        <h2>Saved searches</h2>
        <span class="muted">
          {admin ? 'Save the current view from the search page with “Save”.' : 'Saving and deleting searches needs an admin key.'}
        </span>
      </div>
      {error && (
        <div class="panel error" role="alert">
          {error}
        </div>
      )}
      {items && items.length === 0 && <div class="panel empty">No saved searches yet.</div>}
      {items && items.length > 0 && (
        <table class="list" aria-label="Saved searches">
          <thead>
            <tr>
              <th>Name</th>
              <th>Query</th>
              <th>Range</th>
              <th>Updated (UTC)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr key={s.id} data-name={s.name}>
                <td>
                  <a href={savedHref(s)} class="strong">
                    {s.name}
                  </a>
                  {s.description && <div class="muted small">{s.description}</div>}
                </td>
                <td class="mono query-cell">{s.query || '*'}</td>
                <td class="nowrap">{s.timeRange ? describeRange(s.timeRange.from, s.timeRange.to ?? 'now') : '—'}</td>
                <td class="mono nowrap">{formatTime(s.updatedAt, { ms: false })}</td>
                <td class="nowrap">
                  <a class="button" href={savedHref(s)}>
                    Open
                  </a>
                  {admin && (
                    <button
                      type="button"
                      class="danger"
                      data-admin
                      onClick={async () => {
                        if (!window.confirm(`Delete the saved search “${s.name}”?`)) return;
                        try {
                          await api.deleteSavedSearch(s.id);
                          await load();
                        } catch (e) {
                          setError((e as Error).message);
                        }
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
