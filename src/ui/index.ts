/**
 * The web page ("the Audit Log page"): served by the same server at `/`, signed in with an API
 * key exchanged for a session. `createUi` builds what the HTTP app needs from the runtime.
 */
import type { Runtime } from '../runtime.ts';
import { loadBundle } from './bundle.ts';
import type { UiDeps } from './routes.ts';
import { SessionService } from './sessions.ts';

export type { UiDeps } from './routes.ts';
export { registerUiRoutes } from './routes.ts';
export { sessionAuthentication, usesSession } from './session-auth.ts';

export function createUi(rt: Pick<Runtime, 'teams' | 'control' | 'config' | 'logger'>): UiDeps {
  // Built now, so the first page view does not wait for it; a failure is logged and retried then.
  loadBundle().catch((err: unknown) => rt.logger.error({ err }, 'could not build the web page bundle'));
  return {
    sessions: new SessionService({ teams: rt.teams, control: rt.control, ttlMs: rt.config.AUDITLOG_SESSION_HOURS * 3_600_000 }),
    baseUrl: rt.config.AUDITLOG_BASE_URL,
  };
}
