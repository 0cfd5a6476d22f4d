/**
 * The state of a team's alert rules as the alerts page shows it: ok or firing (and which
 * groups), how far the scheduler has evaluated, the last error and the last firing. Read from
 * the persisted alert state, so every instance answers the same.
 */
import type { AlertService } from './service.ts';

export interface RuleState {
  ruleId: string;
  status: 'ok' | 'firing';
  firingGroups: Array<{ group: string; since: string | null; value: number }>;
  /** End of the last evaluated window (the scheduler evaluates up to now minus its delay). */
  lastEvaluatedAt: string | null;
  lastError: { at: string; message: string } | null;
  lastFiredAt: string | null;
}

/** History entries read per rule to find its last error and firing. */
const HISTORY_LOOKBACK = 200;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export async function ruleStates(alerts: AlertService, team: string): Promise<RuleState[]> {
  const rules = await alerts.listRules(team);
  return Promise.all(
    rules.map(async (rule): Promise<RuleState> => {
      const [cursor, groups, history] = await Promise.all([
        alerts.state.getCursor(rule.id),
        alerts.state.getGroupStates(rule.id),
        alerts.state.listHistory(team, rule.id, { limit: HISTORY_LOOKBACK }),
      ]);
      const firing = groups.filter((g) => g.status === 'firing');
      const error = history.find((h) => h.kind === 'error');
      const fired = history.find((h) => h.kind === 'fired' || h.kind === 'reminder');
      return {
        ruleId: rule.id,
        status: firing.length > 0 ? 'firing' : 'ok',
        firingGroups: firing.map((g) => ({ group: g.group, since: iso(g.since), value: g.value })),
        lastEvaluatedAt: iso(cursor.watermark),
        lastError: error ? { at: new Date(error.at).toISOString(), message: error.message } : null,
        lastFiredAt: fired ? new Date(fired.at).toISOString() : null,
      };
    }),
  );
}
