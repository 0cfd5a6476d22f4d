/**
 * Views of the store, the ingest service and the alert state that count into Metrics as calls
 * pass through. They wrap the objects the runtime hands to each service, so ingest counts only
 * ingest's appends (not the audit trail's) and search latency only the search API's reads (not
 * the alert engine's).
 */
import { QueryTimeoutError } from '../errors.ts';
import type { AlertRule } from '../alerts/model.ts';
import type { AlertStateStore, EvaluationCommit, HistoryEntry } from '../alerts/state-store.ts';
import type { IngestService } from '../ingest/service.ts';
import type { AuditStore } from '../store/interface.ts';
import type { Metrics } from './registry.ts';

const READS = ['search', 'count', 'histogram', 'facets'] as const;
type Read = (typeof READS)[number];

/**
 * The store with its reads timed. `operation` labels every read (the export's pages are
 * `search` calls, labelled `export`); without it each read is labelled by its method.
 */
export function timedReads(store: AuditStore, metrics: Metrics, operation?: 'export'): AuditStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || !(READS as readonly PropertyKey[]).includes(property)) return value;
      const label = operation ?? (property as Read);
      return async (...args: unknown[]) => {
        const end = metrics.searchDuration.startTimer({ operation: label });
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          if (err instanceof QueryTimeoutError) metrics.searchTimeouts.inc({ operation: label });
          throw err;
        } finally {
          end();
        }
      };
    },
  });
}

/** The store with its appends counted per team and format. */
export function countedAppends(store: AuditStore, metrics: Metrics): AuditStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'append' || typeof value !== 'function') return value;
      const append: AuditStore['append'] = async (team, events, options) => {
        const results = await target.append(team, events, options);
        results.forEach((r, i) => {
          if (r.status === 'rejected') return;
          const event = events[i]!;
          metrics.ingestEvents.inc({ team, format: event.format, result: r.status });
          metrics.ingestBytes.inc({ team, format: event.format }, Buffer.byteLength(event.raw));
        });
        return results;
      };
      return append;
    },
  });
}

/** Ingest with its per-event rejections counted (validation and store alike). */
export function countedRejections(ingest: IngestService, metrics: Metrics): IngestService {
  return new Proxy(ingest, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'ingest' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      const run: IngestService['ingest'] = async (req) => {
        const result = await target.ingest(req);
        if (result.rejected.length > 0) metrics.ingestRejected.inc({ team: req.team.id }, result.rejected.length);
        return result;
      };
      return run;
    },
  });
}

/**
 * The alert state with evaluations, firings and deliveries counted where they are persisted:
 * an evaluation counts once its commit is applied (a commit lost to another instance is that
 * instance's evaluation), a failure when its `error` history entry is written. A commit names
 * its rule, not its team: the team comes from the rules read through this view (the scheduler
 * and the engine read every rule they evaluate).
 */
export function countedAlertState(state: AlertStateStore, metrics: Metrics): AlertStateStore {
  const teamOfRule = new Map<string, string>();
  const remember = <T extends AlertRule | null>(rule: T): T => {
    if (rule) teamOfRule.set(rule.id, rule.team);
    return rule;
  };
  const onHistory = (entries: readonly HistoryEntry[]) => {
    for (const { team, kind } of entries) {
      if (kind === 'fired') metrics.alertFirings.inc({ team });
      else if (kind === 'error') metrics.alertEvaluations.inc({ team, result: 'error' });
    }
  };
  const countCommit = (commit: EvaluationCommit) => {
    const team = teamOfRule.get(commit.ruleId) ?? commit.history[0]?.team;
    if (team !== undefined) metrics.alertEvaluations.inc({ team, result: 'ok' });
    onHistory(commit.history);
  };
  const overrides: Partial<AlertStateStore> = {
    getRule: async (team, id) => remember(await state.getRule(team, id)),
    getRuleById: async (id) => remember(await state.getRuleById(id)),
    listRules: async (team) => (await state.listRules(team)).map(remember),
    listEnabledRules: async () => (await state.listEnabledRules()).map(remember),
    async commitEvaluation(commit, now) {
      const applied = await state.commitEvaluation(commit, now);
      if (applied) countCommit(commit);
      return applied;
    },
    async commitEvaluations(commits, now) {
      const applied = await state.commitEvaluations(commits, now);
      commits.forEach((c, i) => applied[i] && countCommit(c));
      return applied;
    },
    async appendHistory(entries) {
      await state.appendHistory(entries);
      onHistory(entries);
    },
    async finishDelivery(id, owner, result, history) {
      const recorded = await state.finishDelivery(id, owner, result, history);
      if (recorded) {
        const outcome = result.status === 'delivered' ? 'delivered' : result.status === 'pending' ? 'retry' : 'gave_up';
        metrics.alertDeliveries.inc({ team: history.team, result: outcome });
      }
      return recorded;
    },
  };
  return new Proxy(state, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof AlertStateStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
