/**
 * What one evaluation writes, in one compare-and-set (AlertStateStore.commitEvaluation): the
 * new watermark, the groups whose state changed, one grouped notification per channel in the
 * outbox (delivered later by the deliverer), and the history.
 */
import type { Decisions } from './decide.ts';
import { newId } from './ids.ts';
import type { AlertRule } from './model.ts';
import { buildNotification } from './notification.ts';
import type { EvaluationCommit, OutboxEntry, RuleCursor } from './state-store.ts';

export function buildCommit(rule: AlertRule, owner: string, cursor: RuleCursor, watermark: number, d: Decisions, now: number): EvaluationCommit {
  const outbox: OutboxEntry[] = [];
  if (d.groups.length > 0) {
    const notification = buildNotification(newId(), rule, watermark, d.groups);
    for (const ch of rule.channels) {
      outbox.push({
        id: newId(),
        team: rule.team,
        ruleId: rule.id,
        channelId: ch.id!,
        payload: notification as unknown as Record<string, unknown>,
        attempts: 0,
        nextAttemptAt: now,
        status: 'pending',
        lastError: null,
        createdAt: now,
      });
    }
  }
  return { ruleId: rule.id, owner, expectedVersion: cursor.version, watermark, states: [...d.changed.values()], outbox, history: d.history };
}
