/**
 * Durations as people write them in rules (`30s`, `5m`, `1h`, `7d`), to milliseconds.
 */
import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string): number | null {
  const m = /^\s*(\d{1,9})\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNITS[m[2]!]!;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A zod string that must be a duration between `min` and `max` ms (kept as text in the rule). */
export function Duration(min: number, max: number) {
  return z.string().superRefine((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 30s, 5m, 1h or 7d` });
    } else if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `${text} must be between ${formatDuration(min)} and ${formatDuration(max)}` });
    }
  });
}

/** A duration already validated by `Duration`. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new Error(`unvalidated duration ${text}`);
  return ms;
}
