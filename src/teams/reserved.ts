/**
 * Team ids no team may take: the audit trail's own team, and every name the data directory's
 * layout uses (src/data-dir.ts) or used before it. With the layout a team id can no longer name
 * an internal file; reserving the names as well keeps an old directory's migration unambiguous
 * and keeps a team from being confused with auditlog's own state in listings and logs.
 */
import { STATE_DATABASES, STATE_DIR, TEAMS_DIR } from '../data-dir.ts';

/** Holds auditlog's own audit trail (src/audit/trail.ts). */
export const SYSTEM_TEAM_ID = 'system';

export const RESERVED_TEAM_IDS: ReadonlySet<string> = new Set([SYSTEM_TEAM_ID, ...STATE_DATABASES, STATE_DIR, TEAMS_DIR]);

export function isReservedTeamId(id: string): boolean {
  return RESERVED_TEAM_IDS.has(id);
}
