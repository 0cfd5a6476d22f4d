/**
 * Create or edit an alert rule, with the same query bar as the search page and a preview of
 * what the rule would have fired on over the last 24 hours.
 */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_COLUMNS } from '../../../events/columns.ts';
import { api, type Channel, type Condition, type FieldEntry, type Preview, type RuleInput } from '../api.ts';
import { Histogram } from '../components/Histogram.tsx';
import { QueryBar } from '../components/QueryBar.tsx';
import { type SyntaxProblem, syntaxProblem } from '../query-edit.ts';
import { type Loc, navigate } from '../router.ts';
import { formatCount, formatTime } from '../time.ts';
import { describeCondition } from './Alerts.tsx';
import { problemOf, searchHref } from './Search.tsx';

const EMPTY: RuleInput = {
  name: '',
  query: '',
  window: '10m',
  schedule: '* * * * *',
  condition: { type: 'count_above', threshold: 5 },
  throttle: '30m',
  notifyRecovery: false,
  channels: [],
  severity: 'medium',
  enabled: true,
};

type ConditionType = Condition['type'];
const CONDITIONS: Array<[ConditionType, string]> = [
  ['any', 'any match'],
  ['count_above', 'count above'],
  ['count_below', 'count below (flatline)'],
  ['cardinality', 'distinct values above'],
  ['new_term', 'new value'],
];

export function AlertEditPage({ id, loc }: { id: string | null; loc: Loc }) {
  const [rule, setRule] = useState<RuleInput | null>(id ? null : { ...EMPTY, query: loc.params.get('q') ?? '' });
  const [fields, setFields] = useState<FieldEntry[]>([]);
  const [problem, setProblem] = useState<SyntaxProblem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (id) {
      api.rule(id).then(
        (r) => {
          const { id: _id, team: _t, builtin: _b, createdAt: _c, updatedAt: _u, ...input } = r;
          setRule(input);
        },
        (e: Error) => setError(e.message),
      );
    }
    api.fields({ q: '', from: 'now-30d', to: 'now' }).then((f) => setFields(f.fields), () => {});
  }, [id]);

  if (!rule) return <div class="panel muted">{error ?? 'Loading rule…'}</div>;
  const set = (patch: Partial<RuleInput>) => {
    setRule({ ...rule, ...patch });
    setPreview(null);
  };
  const setCondition = (c: Condition) => set({ condition: c });
  const c = rule.condition;
  const threshold = 'threshold' in c ? c.threshold : undefined;

  const fail = (err: unknown) => {
    const p = problemOf(err);
    setProblem(p);
    setError(p ? null : (err as Error).message);
  };

  const runPreview = async () => {
    const p = syntaxProblem(rule.query);
    setProblem(p);
    if (p) return;
    setBusy(true);
    setError(null);
    try {
      setPreview(await api.previewRule(rule));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const p = syntaxProblem(rule.query);
    setProblem(p);
    if (p) return;
    setBusy(true);
    setError(null);
    try {
      const saved = id ? await api.updateRule(id, rule) : await api.createRule(rule);
      navigate(`/alerts/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const fired = preview ? new Set(preview.windows.flatMap((w, i) => (w.fired ? [i] : []))) : undefined;
  return (
    <form class="alert-edit" onSubmit={save} aria-label={id ? 'Edit alert rule' : 'New alert rule'}>
      <div class="pagehead">
        <a href="/alerts" class="muted">
          Alert rules
        </a>
        <span class="muted">/</span>
        <h2>{id ? `Edit ${rule.name}` : 'New alert rule'}</h2>
        <span class="spacer" />
        <button type="button" onClick={runPreview} disabled={busy}>
          Preview last 24 h
        </button>
        <button type="submit" class="primary" disabled={busy || rule.name.trim() === ''}>
          {id ? 'Save rule' : 'Create rule'}
        </button>
      </div>
      {error && (
        <div class="panel error" role="alert">
          {error}
        </div>
      )}
      <div class="panel form-grid">
        <label for="rule-name">Name</label>
        <input id="rule-name" value={rule.name} required maxLength={200} onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} />
        <label for="rule-query">Query</label>
        <QueryBar
          id="rule-query"
          value={rule.query}
          onInput={(v) => {
            set({ query: v });
            setProblem(null);
          }}
          onSubmit={() => void runPreview()}
          fields={fields}
          problem={problem}
        />
        <label for="rule-condition">Condition</label>
        <div class="inline">
          <select
            id="rule-condition"
            value={c.type}
            onChange={(e) => {
              const t = (e.target as HTMLSelectElement).value as ConditionType;
              const th = threshold ?? 5;
              setCondition(
                t === 'any'
                  ? { type: 'any' }
                  : t === 'count_above'
                    ? { type: 'count_above', threshold: th }
                    : t === 'count_below'
                      ? { type: 'count_below', threshold: Math.max(1, th) }
                      : t === 'cardinality'
                        ? { type: 'cardinality', field: 'source.ip', threshold: Math.min(99, Math.max(1, th)) }
                        : { type: 'new_term', field: 'source.ip', lookback: '30d' },
              );
            }}
          >
            {CONDITIONS.map(([t, label]) => (
              <option key={t} value={t}>
                {label}
              </option>
            ))}
          </select>
          {(c.type === 'cardinality' || c.type === 'new_term') && (
            <input
              aria-label="Condition field"
              class="mono"
              value={c.field}
              onInput={(e) => setCondition({ ...c, field: (e.target as HTMLInputElement).value })}
            />
          )}
          {threshold !== undefined && (
            <input
              aria-label="Threshold"
              type="number"
              min={c.type === 'count_above' ? 0 : 1}
              value={threshold}
              onInput={(e) => setCondition({ ...(c as Extract<Condition, { threshold: number }>), threshold: Number((e.target as HTMLInputElement).value) })}
            />
          )}
          {c.type === 'new_term' && (
            <input aria-label="Look-back" value={c.lookback ?? '30d'} onInput={(e) => setCondition({ ...c, lookback: (e.target as HTMLInputElement).value })} />
          )}
          <span class="muted">in a window of</span>
          <input aria-label="Window" value={rule.window} size={6} onInput={(e) => set({ window: (e.target as HTMLInputElement).value })} />
          <span class="muted">per</span>
          <input
            aria-label="Group by"
            class="mono"
            placeholder="(no grouping) e.g. user.email"
            value={rule.groupBy ?? ''}
            onInput={(e) => {
              const v = (e.target as HTMLInputElement).value.trim();
              const { groupBy: _g, ...rest } = rule;
              setRule(v ? { ...rest, groupBy: v } : rest);
              setPreview(null);
            }}
          />
        </div>
        <span />
        <p class="muted small">Fires on: {describeCondition({ condition: c, window: rule.window, groupBy: rule.groupBy })}.</p>
        <label for="rule-severity">Severity</label>
        <div class="inline">
          <select id="rule-severity" value={rule.severity} onChange={(e) => set({ severity: (e.target as HTMLSelectElement).value as RuleInput['severity'] })}>
            {['info', 'low', 'medium', 'high', 'critical'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
          <span class="muted">schedule (cron)</span>
          <input aria-label="Schedule" class="mono" value={rule.schedule} size={14} onInput={(e) => set({ schedule: (e.target as HTMLInputElement).value })} />
          <span class="muted">throttle</span>
          <input aria-label="Throttle" value={rule.throttle} size={6} onInput={(e) => set({ throttle: (e.target as HTMLInputElement).value })} />
          <label class="toggle">
            <input type="checkbox" checked={rule.notifyRecovery} onChange={(e) => set({ notifyRecovery: (e.target as HTMLInputElement).checked })} /> notify recovery
          </label>
          <label class="toggle">
            <input type="checkbox" checked={rule.enabled} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} /> enabled
          </label>
        </div>
        <label for="rule-description">Description</label>
        <input id="rule-description" value={rule.description ?? ''} maxLength={2000} onInput={(e) => set({ description: (e.target as HTMLInputElement).value || undefined })} />
        <label>Channels</label>
        <Channels channels={rule.channels} onChange={(channels) => set({ channels })} />
      </div>
      {preview && (
        <section class="panel preview" aria-label="Preview">
          <h3>
            Preview: would have fired <b data-testid="preview-firings">{preview.firings}</b> {preview.firings === 1 ? 'time' : 'times'} in the last 24 h{' '}
            <span class="muted">
              ({formatCount(preview.matches)} matching events; {preview.exact ? 'windows aligned to the window size' : 'estimate'})
            </span>
          </h3>
          {preview.note && <p class="muted small">{preview.note}</p>}
          <Histogram
            buckets={preview.windows.map((w) => ({ start: w.start, count: w.count }))}
            intervalMs={preview.windowMs}
            highlight={fired}
            threshold={c.type === 'count_above' || c.type === 'count_below' ? threshold : undefined}
            height={110}
            label="Matches per window"
          />
          {preview.firings > 0 && (
            <table class="list compact" aria-label="Windows that fire">
              <thead>
                <tr>
                  <th>Window (UTC)</th>
                  <th>Matches</th>
                  <th>Groups / values</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {preview.windows
                  .filter((w) => w.fired)
                  .slice(-20)
                  .reverse()
                  .map((w) => (
                    <tr key={w.start} class="fired">
                      <td class="mono nowrap">
                        {formatTime(w.start, { ms: false })} → {formatTime(w.end, { ms: false }).slice(11)}
                      </td>
                      <td>{formatCount(w.count)}</td>
                      <td class="mono small">{w.groups.map((g) => `${g.group || '(all)'}: ${g.value}`).join(' · ')}</td>
                      <td>
                        <a href={searchHref({ q: rule.query, from: w.start, to: w.end, cols: DEFAULT_COLUMNS })}>events</a>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </form>
  );
}

function Channels({ channels, onChange }: { channels: Channel[]; onChange: (c: Channel[]) => void }) {
  const update = (i: number, c: Channel) => onChange(channels.map((x, j) => (j === i ? c : x)));
  return (
    <div class="channels">
      {channels.length === 0 && <p class="muted small">No channel: firings are recorded in the rule's history only.</p>}
      {channels.map((ch, i) => (
        <div class="inline" key={ch.id ?? i}>
          <span class="badge">{ch.type}</span>
          {ch.type === 'email' ? (
            <input
              aria-label="Email recipients"
              placeholder="a@example.com, b@example.com"
              value={ch.to.join(', ')}
              onInput={(e) => update(i, { ...ch, to: (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean) })}
            />
          ) : (
            <input aria-label={`${ch.type} URL`} class="mono wide" placeholder="https://…" value={ch.url} onInput={(e) => update(i, { ...ch, url: (e.target as HTMLInputElement).value })} />
          )}
          {ch.type === 'webhook' && (
            <input
              aria-label="Webhook secret"
              type="password"
              placeholder={ch.hasSecret ? 'secret kept (type to replace)' : 'signing secret (optional)'}
              value={ch.secret ?? ''}
              onInput={(e) => {
                const v = (e.target as HTMLInputElement).value;
                const { secret: _s, ...rest } = ch;
                update(i, v ? { ...rest, secret: v } : rest);
              }}
            />
          )}
          <button type="button" class="icon" aria-label="Remove channel" onClick={() => onChange(channels.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <div class="inline">
        <button type="button" onClick={() => onChange([...channels, { type: 'webhook', url: '' }])}>
          + Webhook
        </button>
        <button type="button" onClick={() => onChange([...channels, { type: 'slack', url: '' }])}>
          + Slack
        </button>
        <button type="button" onClick={() => onChange([...channels, { type: 'email', to: [] }])}>
          + Email
        </button>
      </div>
    </div>
  );
}

