/** One alert rule: its definition, state per group, and the history of firings and deliveries. */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_COLUMNS } from '../../../events/columns.ts';
import { api, type HistoryEntry, type Rule, type RuleState } from '../api.ts';
import { navigate } from '../router.ts';
import { formatTime, relative } from '../time.ts';
import { describeCondition, StateBadge } from './Alerts.tsx';
import { searchHref } from './Search.tsx';

export function AlertDetailPage({ id }: { id: string }) {
  const [rule, setRule] = useState<Rule | null>(null);
  const [state, setState] = useState<RuleState | undefined>(undefined);
  const [history, setHistory] = useState<HistoryEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const [r, s, h] = await Promise.all([api.rule(id), api.ruleStates(), api.ruleHistory(id)]);
      setRule(r);
      setState(s.states.find((x) => x.ruleId === id));
      setHistory(h.history);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, [id]);

  if (error) {
    return (
      <div class="panel error" role="alert">
        {error} <a href="/alerts">All rules</a>
      </div>
    );
  }
  if (!rule) return <div class="panel muted">Loading rule…</div>;

  return (
    <div class="alert-detail">
      <div class="pagehead">
        <a href="/alerts" class="muted">
          Alert rules
        </a>
        <span class="muted">/</span>
        <h2>{rule.name}</h2>
        <StateBadge rule={rule} state={state} />
        <span class="spacer" />
        <a class="button" href={searchHref({ q: rule.query, from: 'now-24h', to: 'now', cols: DEFAULT_COLUMNS })}>
          Open query in search
        </a>
        <a class="button primary" href={`/alerts/${encodeURIComponent(rule.id)}/edit`}>
          Edit
        </a>
        <button
          type="button"
          onClick={async () => {
            await api.setRuleEnabled(rule.id, !rule.enabled);
            await load();
          }}
        >
          {rule.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          class="danger"
          onClick={async () => {
            if (!window.confirm(`Delete the rule “${rule.name}”? Its history is kept.`)) return;
            await api.deleteRule(rule.id);
            navigate('/alerts');
          }}
        >
          Delete
        </button>
      </div>
      <div class="detail-grid">
        <section class="panel">
          <h3>Definition</h3>
          {rule.description && <p>{rule.description}</p>}
          <dl class="summary">
            <dt>Query</dt>
            <dd class="mono">{rule.query || '*'}</dd>
            <dt>Condition</dt>
            <dd>{describeCondition(rule)}</dd>
            <dt>Window</dt>
            <dd>{rule.window}</dd>
            <dt>Schedule</dt>
            <dd class="mono">{rule.schedule}</dd>
            <dt>Throttle</dt>
            <dd>{rule.throttle}</dd>
            <dt>Severity</dt>
            <dd>
              <span class={`sev sev-${rule.severity}`}>{rule.severity}</span>
            </dd>
            <dt>Channels</dt>
            <dd>{rule.channels.length === 0 ? 'none (recorded in history only)' : rule.channels.map((c) => (c.type === 'email' ? `email ${c.to.join(', ')}` : `${c.type} ${c.url}`)).join(' · ')}</dd>
          </dl>
        </section>
        <section class="panel">
          <h3>State</h3>
          <dl class="summary">
            <dt>Status</dt>
            <dd>{rule.enabled ? (state?.status ?? '…') : 'disabled'}</dd>
            <dt>Evaluated up to</dt>
            <dd>{state?.lastEvaluatedAt ? `${formatTime(state.lastEvaluatedAt, { ms: false })} UTC (${relative(state.lastEvaluatedAt)})` : 'not yet'}</dd>
            <dt>Last fired</dt>
            <dd>{state?.lastFiredAt ? `${formatTime(state.lastFiredAt, { ms: false })} UTC` : 'never'}</dd>
            <dt>Last error</dt>
            <dd class={state?.lastError ? 'bad' : ''}>{state?.lastError ? `${formatTime(state.lastError.at, { ms: false })} UTC: ${state.lastError.message}` : 'none'}</dd>
          </dl>
          {state && state.firingGroups.length > 0 && (
            <>
              <h4>Firing groups</h4>
              <table class="list compact">
                <tbody>
                  {state.firingGroups.map((g) => (
                    <tr key={g.group}>
                      <td class="mono">{g.group || '(all)'}</td>
                      <td>value {g.value}</td>
                      <td class="muted">since {g.since ? formatTime(g.since, { ms: false }) : '?'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      </div>
      <section class="panel">
        <h3>History: firings and deliveries</h3>
        {history && history.length === 0 && <p class="muted">Nothing yet.</p>}
        {history && history.length > 0 && (
          <table class="list compact" aria-label="Rule history">
            <thead>
              <tr>
                <th>Time (UTC)</th>
                <th>Kind</th>
                <th>Group</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id}>
                  <td class="mono nowrap">{formatTime(h.at, { ms: false })}</td>
                  <td>
                    <span class={`kind kind-${h.kind}`}>{h.kind}</span>
                  </td>
                  <td class="mono">{h.group}</td>
                  <td class="small">{h.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
