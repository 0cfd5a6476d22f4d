/**
 * One event's page, the permalink that notification links point at: a summary, the normalized
 * fields, the original's fields by path, and the raw text exactly as received.
 */
import { useEffect, useState } from 'preact/hooks';
import { ACTOR_FIELDS, columnValues, DEFAULT_COLUMNS } from '../../../events/columns.ts';
import { api, type ApiEvent, ApiError, type SessionInfo } from '../api.ts';
import { FieldTable, metaRows, normalizedRows, originalRows } from '../components/FieldTable.tsx';
import { addClause } from '../query-edit.ts';
import { href, navigate } from '../router.ts';
import { formatTime } from '../time.ts';
import { searchHref } from './Search.tsx';

export function EventPage({ id, session }: { id: string; session: SessionInfo }) {
  const [event, setEvent] = useState<ApiEvent | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [pretty, setPretty] = useState(true);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    setEvent(null);
    setError(null);
    api.event(id).then(setEvent, setError);
  }, [id]);

  if (error) {
    const notFound = error instanceof ApiError && error.status === 404;
    return (
      <div class="panel empty event-missing" role="alert">
        {notFound ? (
          <>
            <h2>Event not found</h2>
            <p>
              Team <b>{session.team}</b> has no event <code>{id}</code>. It may belong to another team, or it may have expired under the team's
              retention.
            </p>
          </>
        ) : (
          <p class="error">{error.message}</p>
        )}
        <a href="/search">Search events</a>
      </div>
    );
  }
  if (!event) return <div class="panel muted">Loading event…</div>;

  // Around the event: ten minutes either side, as a starting point for the investigation.
  const t = Date.parse(event['@timestamp']);
  const around = { from: new Date(t - 600_000).toISOString(), to: new Date(t + 600_000).toISOString() };
  const filter = (field: string, value: string, exclude: boolean) =>
    navigate(searchHref({ q: addClause('', field, value, exclude), from: 'now-90d', to: 'now', cols: DEFAULT_COLUMNS }));
  const actorField = ACTOR_FIELDS.find((f) => columnValues(event, f).length > 0);
  const actor = actorField ? columnValues(event, actorField)[0] : undefined;
  const outcome = String(event.normalized['event.outcome'] ?? '');
  let rawText = event.raw ?? '';
  if (pretty) {
    try {
      rawText = JSON.stringify(JSON.parse(rawText), null, 2);
    } catch {
      // not JSON: shown as received
    }
  }

  return (
    <div class="event-page">
      <div class="event-head panel">
        <div class="title">
          <h2>
            {String(event.normalized['event.action'] ?? 'event')}
            {outcome && <span class={`outcome outcome-${outcome}`}>{outcome}</span>}
          </h2>
          <div class="muted mono">{formatTime(event['@timestamp'])} UTC</div>
        </div>
        <dl class="summary">
          {actor && actorField && (
            <>
              <dt>Actor</dt>
              <dd>
                <a href={href('/history', { field: actorField, value: actor })}>{actor}</a>
              </dd>
            </>
          )}
          {event.normalized['source.ip'] !== undefined && (
            <>
              <dt>Source IP</dt>
              <dd class="mono">{String(event.normalized['source.ip'])}</dd>
            </>
          )}
          {place(event) !== '' && (
            <>
              <dt>Location</dt>
              <dd>
                {place(event)}{' '}
                {/* DB-IP's Lite licence asks for a link back beside its data; a link is followed by a click, never loaded (test/http/security.test.ts). */}
                <a class="attribution" href="https://db-ip.com" rel="noopener noreferrer" target="_blank" title="GeoIP at ingest: DB-IP Lite (CC BY 4.0) unless the operator configured other databases">
                  IP geolocation by DB-IP
                </a>
              </dd>
            </>
          )}
          {event.normalized['source.as.number'] !== undefined && (
            <>
              <dt>Network</dt>
              <dd>
                AS{String(event.normalized['source.as.number'])} {String(event.normalized['source.as.organization.name'] ?? '')}
              </dd>
            </>
          )}
          <dt>Format</dt>
          <dd>{event.format}</dd>
          <dt>Id</dt>
          <dd class="mono">{event.id}</dd>
          {event.flags.length > 0 && (
            <>
              <dt>Flags</dt>
              <dd>{event.flags.join(', ')}</dd>
            </>
          )}
        </dl>
        <div class="actions">
          <button
            type="button"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(location.href);
                setCopied(true);
                setTimeout(() => setCopied(false), 1500);
              } catch {
                window.prompt('Permalink', location.href);
              }
            }}
          >
            {copied ? 'Link copied' : 'Copy permalink'}
          </button>
          <a class="button" href={searchHref({ q: '', ...around, cols: DEFAULT_COLUMNS })}>
            Events around this one
          </a>
        </div>
        {event.normalized.message !== undefined && <p class="message">{String(event.normalized.message)}</p>}
      </div>
      <div class="detail-grid">
        <section class="panel">
          <h3>Normalized fields</h3>
          <FieldTable label="Normalized fields" rows={[['@timestamp', event['@timestamp']], ...normalizedRows(event), ...metaRows(event)]} onFilter={filter} />
        </section>
        <section class="panel">
          <h3>
            Original fields <span class="muted">by path</span>
          </h3>
          <FieldTable label="Original fields" rows={originalRows(event)} onFilter={filter} />
        </section>
      </div>
      <section class="panel raw">
        <h3>
          Raw text <span class="muted">exactly as received</span>
          <label class="toggle">
            <input type="checkbox" checked={pretty} onChange={(e) => setPretty((e.target as HTMLInputElement).checked)} /> pretty-print
          </label>
        </h3>
        <pre class="rawtext" data-testid="raw">
          {rawText}
        </pre>
      </section>
    </div>
  );
}

/** City and country of the source address (GeoIP, or as the producer sent them), or ''. */
function place(event: ApiEvent): string {
  const city = event.normalized['source.geo.city_name'];
  const country = event.normalized['source.geo.country_name'] ?? event.normalized['source.geo.country_iso_code'];
  return [city, country].filter((v) => v !== undefined).map(String).join(', ');
}
