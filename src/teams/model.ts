import { z } from 'zod';
import { TeamId } from '../events/event.ts';

/** What a key may do. `admin` includes `read` and `ingest`; `read` and `ingest` are disjoint. */
export const Role = z.enum(['ingest', 'read', 'admin']);
export type Role = z.infer<typeof Role>;

export const Team = z.object({
  id: TeamId,
  name: z.string().min(1).max(200),
  retentionDays: z.number().int().min(1).max(36500),
  /** Daily ingest quota in bytes of raw event text; null = unlimited. */
  dailyQuotaBytes: z.number().int().positive().nullable(),
  createdAt: z.string(),
});
export type Team = z.infer<typeof Team>;

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
