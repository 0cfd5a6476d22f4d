/**
 * Index names: one index per team and time period, `<prefix>-<team>.<period>`, so that
 * retention drops whole indices and a team's reads address only its own indices.
 *
 * Why a dot before the period: `-` is in the team-id alphabet, so with `<prefix>-<team>-2026.01`
 * team `a`'s pattern `auditlog-a-*` would also match team `a-b`'s `auditlog-a-b-2026.01`. A dot
 * can never occur in a team id, so `auditlog-a.*` matches exactly the indices of team `a`, and
 * two teams' per-team index templates never overlap (Elasticsearch refuses overlapping
 * patterns of equal priority).
 */
import type { TeamId } from '../../events/event.ts';
import { ValidationError } from '../../errors.ts';

export type Period = 'day' | 'month' | 'year';

/** A prefix is part of index, template and policy names: the team-id alphabet, no dots. */
const PREFIX = /^[a-z0-9][a-z0-9_-]{0,40}$/;

export function checkPrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) throw new ValidationError(`index prefix ${JSON.stringify(prefix)}: 1-41 of a-z, 0-9, _ and -`);
  return prefix;
}

/**
 * The period of a team's indices, from its retention. Shards are the scarce resource (each
 * index is one shard; a node holds about 1,000 by default), and an event may outlive its
 * retention by up to one period when whole indices are dropped. Monthly indices for a 90-day
 * retention keep at most 4 indices per team; daily ones would be 91.
 */
export function periodForRetention(retentionDays: number): Period {
  if (retentionDays < 28) return 'day';
  if (retentionDays < 730) return 'month';
  return 'year';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** UTC start of the period holding `timestamp`. */
export function periodStart(period: Period, timestamp: number): number {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) throw new RangeError(`timestamp ${timestamp} is out of range`);
  const y = d.getUTCFullYear();
  if (period === 'year') return Date.UTC(y, 0, 1);
  if (period === 'month') return Date.UTC(y, d.getUTCMonth(), 1);
  return Date.UTC(y, d.getUTCMonth(), d.getUTCDate());
}

function suffix(period: Period, timestamp: number): string {
  const d = new Date(timestamp);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new RangeError(`timestamp ${new Date(timestamp).toISOString()} is outside years 0-9999`);
  const year = pad(y, 4);
  if (period === 'year') return year;
  if (period === 'month') return `${year}.${pad(d.getUTCMonth() + 1)}`;
  return `${year}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}

export function indexName(prefix: string, team: TeamId, period: Period, timestamp: number): string {
  return `${prefix}-${team}.${suffix(period, timestamp)}`;
}

/** Every index of one team, and only of that team. */
export function teamPattern(prefix: string, team: TeamId): string {
  return `${prefix}-${team}.*`;
}

/** The time span an index covers, from its name; `null` for a name we did not make. */
export function indexSpan(prefix: string, team: TeamId, name: string): { start: number; end: number } | null {
  const head = `${prefix}-${team}.`;
  if (!name.startsWith(head)) return null;
  const m = /^(\d{4})(?:\.(\d{2})(?:\.(\d{2}))?)?$/.exec(name.slice(head.length));
  if (!m) return null;
  const y = Number(m[1]);
  if (m[3] !== undefined) {
    const start = Date.UTC(y, Number(m[2]) - 1, Number(m[3]));
    return { start, end: start + 86_400_000 };
  }
  if (m[2] !== undefined) {
    const month = Number(m[2]) - 1;
    return { start: Date.UTC(y, month, 1), end: Date.UTC(y, month + 1, 1) };
  }
  return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
}

/** When the period holding `timestamp` ends (exclusive), for ILM's origination date. */
export function periodEnd(period: Period, timestamp: number): number {
  const start = new Date(periodStart(period, timestamp));
  const y = start.getUTCFullYear();
  if (period === 'year') return Date.UTC(y + 1, 0, 1);
  if (period === 'month') return Date.UTC(y, start.getUTCMonth() + 1, 1);
  return start.getTime() + 86_400_000;
}
