/**
 * Retention: deletes each team's events older than its retention. Stores with native
 * retention (Elasticsearch ILM) may make this a no-op for them; running it is still safe.
 */
import type { Logger } from 'pino';
import type { TeamId } from '../events/event.ts';
import type { AuditStore } from '../store/interface.ts';
import type { TeamService } from './service.ts';

const DAY_MS = 86_400_000;

export async function applyRetention(store: AuditStore, teams: TeamService, now = Date.now()): Promise<Map<string, number>> {
  const deleted = new Map<string, number>();
  for (const team of await teams.listTeams()) {
    // A legal hold stops every deletion of the team's events (on Elasticsearch with ILM, the
    // hold also takes the delete policy off the team's indices: ElasticsearchStore.applyTeamPolicy).
    if (team.legalHold) continue;
    deleted.set(team.id, await store.deleteOlderThan(team.id as TeamId, now - team.retentionDays * DAY_MS));
  }
  return deleted;
}

/** Runs retention now and then every `intervalMs`; returns a function that stops it. */
export function scheduleRetention(store: AuditStore, teams: TeamService, intervalMs: number, logger: Logger): () => void {
  let running = false;
  const run = async () => {
    if (running) return; // a slow pass must not overlap the next
    running = true;
    try {
      const deleted = await applyRetention(store, teams);
      const total = [...deleted.values()].reduce((a, b) => a + b, 0);
      if (total > 0) logger.info({ deleted: Object.fromEntries(deleted) }, 'retention deleted expired events');
    } catch (err) {
      logger.error({ err }, 'retention pass failed; it runs again at the next interval');
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
