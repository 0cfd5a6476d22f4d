/**
 * Time ranges and times as the page shows them. Ranges stay as the API takes them (date math
 * such as `now-24h`, or ISO 8601), so a link keeps meaning "the last 24 hours". Times are
 * shown in UTC, the same as the export and the API, so what one sees can be compared with
 * any of them.
 */
export const PRESETS: Array<{ label: string; from: string }> = [
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 4 hours', from: 'now-4h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 7 days', from: 'now-7d' },
  { label: 'Last 30 days', from: 'now-30d' },
  { label: 'Last 90 days', from: 'now-90d' },
  { label: 'Last 1 year', from: 'now-1y' },
];

export const DEFAULT_FROM = 'now-7d';
export const DEFAULT_TO = 'now';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2026-11-20 09:15:02.123` (UTC). */
export function formatTime(iso: string | number, { ms = true } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return ms ? `${base}.${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** `2026-11-20T09:15` for a datetime-local input (UTC). */
export function toInputValue(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A datetime-local value read as UTC, as ISO 8601. */
export function fromInputValue(value: string): string | null {
  const t = Date.parse(`${value}:00Z`);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** Is this an absolute time (ISO 8601 or epoch ms) rather than date math? */
export function isAbsolute(t: string): boolean {
  return !t.startsWith('now') && !Number.isNaN(Date.parse(t));
}

export function describeBound(t: string): string {
  if (t === 'now') return 'now';
  return isAbsolute(t) ? formatTime(t, { ms: false }) : t;
}

export function describeRange(from: string, to: string): string {
  if (to === 'now') {
    const preset = PRESETS.find((p) => p.from === from);
    if (preset) return preset.label;
  }
  if (from === '' && to === '') return 'All time';
  return `${from ? describeBound(from) : 'beginning'} → ${to ? describeBound(to) : 'now'}`;
}

/** `3 min ago`, `2 h ago`, `in 5 min`. */
export function relative(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const diff = now - Date.parse(iso);
  const abs = Math.abs(diff);
  const text =
    abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');
