/** Alert rules (admin): each with its state, last evaluation and last error; enable, disable, open, create. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Rule, type RuleState } from '../api.ts';
import { formatTime, relative } from '../time.ts';

export function describeCondition(r: Pick<Rule, 'condition' | 'window' | 'groupBy'>): string {
  const c = r.condition;
  const per = r.groupBy ? ` per ${r.groupBy}` : '';
  switch (c.type) {
    case 'any':
      return `any match${per}`;
    case 'count_above':
      return `more than ${c.threshold} in ${r.window}${per}`;
    case 'count_below':
      return `fewer than ${c.threshold} in ${r.window}${per}`;
    case 'cardinality':
      return `more than ${c.threshold} distinct ${c.field} in ${r.window}${per}`;
    case 'new_term':
      return `new ${c.field} (not seen in ${c.lookback ?? '30d'})${per}`;
  }
}

export function StateBadge({ rule, state }: { rule: Rule; state: RuleState | undefined }) {
  if (!rule.enabled) return <span class="badge off">disabled</span>;
  if (!state) return <span class="badge">…</span>;
  return <span class={`badge ${state.status}`}>{state.status}</span>;
}

export function AlertsPage() {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [states, setStates] = useState<Map<string, RuleState>>(new Map());
  const [error, setError] = useState<string | null>(null);

  const load = async () => {
    try {
      const [r, s] = await Promise.all([api.rules(), api.ruleStates()]);
      setRules(r.rules);
      setStates(new Map(s.states.map((x) => [x.ruleId, x])));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const firing = rules?.filter((r) => r.enabled && states.get(r.id)?.status === 'firing').length ?? 0;
  return (
    <div class="alerts-page">
      <div class="pagehead">
        <h2>Alert rules</h2>
        {rules && (
          <span class="muted">
            {rules.length} rules · <span class={firing > 0 ? 'bad' : ''}>{firing} firing</span>
          </span>
        )}
        <span class="spacer" />
        <a class="button primary" href="/alerts/new">
          New rule
        </a>
      </div>
      {error && (
        <div class="panel error" role="alert">
          {error}
        </div>
      )}
      {rules && rules.length === 0 && <div class="panel empty">No alert rules yet.</div>}
      {rules && rules.length > 0 && (
        <table class="list" aria-label="Alert rules">
          <thead>
            <tr>
              <th>State</th>
              <th>Rule</th>
              <th>Severity</th>
              <th>Condition</th>
              <th>Evaluated up to</th>
              <th>Last fired</th>
              <th>Last error</th>
              <th>Enabled</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const s = states.get(r.id);
              return (
                <tr key={r.id} data-rule={r.name}>
                  <td>
                    <StateBadge rule={r} state={s} />
                  </td>
                  <td>
                    <a href={`/alerts/${encodeURIComponent(r.id)}`} class="strong">
                      {r.name}
                    </a>
                    <div class="mono small muted query-cell">{r.query || '*'}</div>
                  </td>
                  <td>
                    <span class={`sev sev-${r.severity}`}>{r.severity}</span>
                  </td>
                  <td class="small">{describeCondition(r)}</td>
                  <td class="nowrap small" title={s?.lastEvaluatedAt ? `${formatTime(s.lastEvaluatedAt)} UTC` : ''}>
                    {s ? relative(s.lastEvaluatedAt) : '…'}
                  </td>
                  <td class="nowrap small">{s ? relative(s.lastFiredAt) : '…'}</td>
                  <td class="small error-cell" title={s?.lastError?.message}>
                    {s?.lastError ? `${relative(s.lastError.at)}: ${s.lastError.message}` : ''}
                  </td>
                  <td>
                    <label class="switch">
                      <input
                        type="checkbox"
                        aria-label={`Enable ${r.name}`}
                        checked={r.enabled}
                        onChange={async (e) => {
                          try {
                            await api.setRuleEnabled(r.id, (e.target as HTMLInputElement).checked);
                            await load();
                          } catch (err) {
                            setError((err as Error).message);
                          }
                        }}
                      />
                    </label>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
