import { z } from 'zod';
import { TeamId } from '../events/event.ts';

/** What a key may do. `admin` includes `read` and `ingest`; `read` and `ingest` are disjoint. */
export const Role = z.enum(['ingest', 'read', 'admin']);
export type Role = z.infer<typeof Role>;

export const RetentionDays = z.number().int().min(1).max(36500);
export const MAX_RETENTION_DAYS = 36500;

export const Team = z.object({
  id: TeamId,
  name: z.string().min(1).max(200),
  retentionDays: RetentionDays,
  /** Daily ingest quota in bytes of raw event text; null = unlimited. Set by the operator only. */
  dailyQuotaBytes: z.number().int().positive().nullable(),
  createdAt: z.string(),
  /**
   * The range the retention must stay in, set by the operator. A team admin may lengthen the
   * retention up to the maximum, never shorten it; the operator may set any value in the range.
   */
  minRetentionDays: RetentionDays.default(1),
  maxRetentionDays: RetentionDays.default(MAX_RETENTION_DAYS),
  /** While set, no event of the team is deleted: not by the retention pass, not by ILM. Operator only. */
  legalHold: z.boolean().default(false),
});
export type Team = z.infer<typeof Team>;

/** What the operator may change after creation. */
export type TeamPatch = Partial<Pick<Team, 'name' | 'retentionDays' | 'dailyQuotaBytes' | 'minRetentionDays' | 'maxRetentionDays' | 'legalHold'>>;

export const ApiKey = z.object({
  id: z.string(),
  team: TeamId,
  role: Role,
  name: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** Who is calling: a team key, or the operator (who manages teams but reads no events). */
export type Principal = { kind: 'operator' } | { kind: 'key'; key: ApiKey };

export function roleAllows(have: Role, need: Role): boolean {
  return have === need || have === 'admin';
}
