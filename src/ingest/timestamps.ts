/**
 * One logical "event time", many encodings. Producers send epoch numbers in four units,
 * ISO 8601 with or without a zone, the space-separated SQL form, US `m/d/Y h:mm:ss AM`,
 * RFC 2822 and the Apache access-log form (see the corpus' SOURCES.md). Everything ends as
 * epoch milliseconds, or a reason a person can read.
 */

/** Unit of a numeric epoch. `ticks` are .NET ticks (100 ns since 0001-01-01). */
export type EpochUnit = 's' | 'ms' | 'us' | 'ns' | 'ticks';

export type TimestampResult = { ms: number } | { error: string };

/** Accepted range: years 1970 to 2200 inclusive. Anything outside is a unit or data error. */
export const MIN_TIMESTAMP_MS = 0;
export const MAX_TIMESTAMP_MS = Date.UTC(2201, 0, 1) - 1;

const TICKS_AT_EPOCH = 621_355_968_000_000_000;

/**
 * Parse a timestamp. Numbers and numeric strings are epochs; without `unit`, the unit is
 * told by magnitude: below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds,
 * else nanoseconds (each boundary is in early 1973 for the next unit, so any date after
 * that is read right). .NET ticks overlap nanoseconds in magnitude and need `unit: 'ticks'`.
 * Strings without a zone are taken as UTC, which is what producers that omit it mean
 * (O365 `CreationTime`, Panther `p_event_time`).
 */
export function parseTimestamp(value: unknown, { unit }: { unit?: EpochUnit } = {}): TimestampResult {
  if (typeof value === 'number') return fromEpoch(value, unit);
  if (typeof value !== 'string') return { error: `expected a date string or an epoch number, got ${describeType(value)}` };
  const text = value.trim();
  if (text === '') return { error: 'empty string' };
  if (/^-?\d+(?:\.\d+)?$/.test(text)) return fromEpoch(Number(text), unit);
  for (const parse of STRING_PARSERS) {
    const result = parse(text);
    if (result !== undefined) return result;
  }
  return { error: 'not a recognised date format' };
}

/** Epoch ms, or undefined when `value` is not a timestamp in range. */
export function timestampMs(value: unknown, options?: { unit?: EpochUnit }): number | undefined {
  const result = parseTimestamp(value, options);
  return 'ms' in result ? result.ms : undefined;
}

function fromEpoch(n: number, unit: EpochUnit | undefined): TimestampResult {
  if (!Number.isFinite(n)) return { error: 'not a finite number' };
  const u = unit ?? inferUnit(n);
  let ms: number;
  switch (u) {
    case 's':
      ms = n * 1000;
      break;
    case 'ms':
      ms = n;
      break;
    case 'us':
      ms = n / 1000;
      break;
    case 'ns':
      ms = n / 1_000_000;
      break;
    case 'ticks':
      ms = (n - TICKS_AT_EPOCH) / 10_000;
      break;
  }
  return inRange(Math.floor(ms));
}

function inferUnit(n: number): EpochUnit {
  const a = Math.abs(n);
  if (a < 1e11) return 's';
  if (a < 1e14) return 'ms';
  if (a < 1e17) return 'us';
  return 'ns';
}

function inRange(ms: number): TimestampResult {
  if (Number.isNaN(ms)) return { error: 'not a valid date' };
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) return { error: 'outside the years 1970 to 2200' };
  return { ms };
}

type StringParser = (text: string) => TimestampResult | undefined;

// Date and time fields shared by the forms below, as captured strings.
interface Parts {
  year: string;
  month: number;
  day: string;
  hour?: string | undefined;
  minute?: string | undefined;
  second?: string | undefined;
  fraction?: string | undefined;
  zone?: string | undefined;
}

function build(p: Parts): TimestampResult {
  const year = Number(p.year);
  const day = Number(p.day);
  const hour = p.hour === undefined ? 0 : Number(p.hour);
  const minute = p.minute === undefined ? 0 : Number(p.minute);
  // A leap second (:60) is folded into :59 rather than rolling into the next minute.
  const second = p.second === undefined ? 0 : Math.min(Number(p.second), 59);
  const millis = p.fraction ? Number(p.fraction.slice(0, 3).padEnd(3, '0')) : 0;
  if (p.month < 1 || p.month > 12) return { error: `month ${p.month} does not exist` };
  if (day < 1 || day > daysInMonth(year, p.month)) return { error: `day ${day} does not exist in month ${p.month}` };
  if (hour > 23 || minute > 59 || Number(p.second ?? 0) > 60) return { error: 'time of day out of range' };
  const offset = zoneOffsetMinutes(p.zone);
  if (offset === undefined) return { error: `unknown time zone ${JSON.stringify(p.zone)}` };
  return inRange(Date.UTC(year, p.month - 1, day, hour, minute, second, millis) - offset * 60_000);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// Named zones are limited to the unambiguous UTC names and the US ones RFC 2822 defines.
const NAMED_ZONES: Record<string, number> = {
  Z: 0, UT: 0, UTC: 0, GMT: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

/** Minutes east of UTC; no zone means UTC. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === '') return 0;
  const named = NAMED_ZONES[zone.toUpperCase()];
  if (named !== undefined) return named;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (Number(m[2]) > 23 || Number(m[3] ?? 0) > 59) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

const ZONE = String.raw`(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)`;

// ISO 8601 and the SQL-ish `YYYY-MM-DD HH:MM:SS.fff`. Digits glued to the seconds
// (`00:00:00000000`, seen in Panther fixtures) are read as the fraction: seconds are
// always two digits, so nothing else can be meant.
const ISO = new RegExp(
  String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]?(\d{1,9}))?)?)?\s*${ZONE}?$`,
);

function parseIso(text: string): TimestampResult | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  return build({ year: m[1]!, month: Number(m[2]), day: m[3]!, hour: m[4], minute: m[5], second: m[6], fraction: m[7], zone: m[8] });
}

// `4/11/2025 6:21:02 PM` (Intune, Entra, CyberArk). Month first, as Microsoft writes it;
// when the first number cannot be a month (13/4/2025), it is read day first instead.
const SLASHED = new RegExp(
  String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp][Mm])?)?\s*${ZONE}?$`,
);

function parseSlashed(text: string): TimestampResult | undefined {
  const m = SLASHED.exec(text);
  if (!m) return undefined;
  let month = Number(m[1]);
  let day = m[2]!;
  if (month > 12) [month, day] = [Number(m[2]), m[1]!];
  let hour = m[4] === undefined ? undefined : Number(m[4]);
  const meridiem = m[8]?.toUpperCase();
  if (hour !== undefined && meridiem) {
    if (hour < 1 || hour > 12) return { error: `hour ${hour} with ${meridiem}` };
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  return build({ year: m[3]!, month, day, hour: hour?.toString(), minute: m[5], second: m[6], fraction: m[7], zone: m[9] });
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthNumber(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

// RFC 2822 (`Mon, 23 Nov 2026 15:51:42 +0000`), as e-mail and HTTP headers write dates.
const RFC2822 = /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,3})?$/;

function parseRfc2822(text: string): TimestampResult | undefined {
  const m = RFC2822.exec(text);
  if (!m) return undefined;
  const month = monthNumber(m[2]!);
  if (month === 0) return undefined;
  return build({ year: m[3]!, month, day: m[1]!, hour: m[4], minute: m[5], second: m[6], zone: m[7] });
}

// Apache / NCSA access-log time: `10/Oct/2000:13:55:36 -0700`.
const CLF = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})\s*([+-]\d{4})?$/;

function parseClf(text: string): TimestampResult | undefined {
  const m = CLF.exec(text);
  if (!m) return undefined;
  const month = monthNumber(m[2]!);
  if (month === 0) return undefined;
  return build({ year: m[3]!, month, day: m[1]!, hour: m[4], minute: m[5], second: m[6], zone: m[7] });
}

const STRING_PARSERS: StringParser[] = [parseIso, parseSlashed, parseRfc2822, parseClf];

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
