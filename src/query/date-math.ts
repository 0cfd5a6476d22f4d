/**
 * Elasticsearch date math for `@timestamp` values (shared by both store compilers, so a
 * query means the same instant on both): an anchor (`now`, an ISO-8601 date, or epoch
 * milliseconds) optionally followed by `||` and operations `+1d`, `-15m`, `/d`.
 * All computations are in UTC, like Elasticsearch without a `time_zone` parameter.
 *
 * Rounding follows Elasticsearch's range rules: with `roundUp` a rounded date (`now/d`) becomes
 * the LAST millisecond of its unit, otherwise the first. Callers pick it per bound: `gte` and
 * `lt` round down, `gt` and `lte` round up. So `[now/d TO now/d]` is today and
 * `@timestamp:2026-01-01` is the whole day. A partial date rounds up only its missing time of
 * day (checked against Elasticsearch 9.5): `[* TO 2026-02]` ends with 2026-02-01, so a month
 * is `[2026-02 TO 2026-03}`.
 */
import { ValidationError } from '../errors.ts';

export type DateUnit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's';

const UNIT_ALIASES: Record<string, DateUnit> = { y: 'y', M: 'M', w: 'w', d: 'd', h: 'h', H: 'h', m: 'm', s: 's' };

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses an anchor date; a missing month or day is 1, a missing time of day its start (or, with `roundUp`, its end). */
export function parseDate(text: string, roundUp = false): number {
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso;
    const year = Number(y);
    const month = mo === undefined ? undefined : Number(mo) - 1;
    const day = d === undefined ? undefined : Number(d);
    if (month !== undefined && (month < 0 || month > 11)) throw invalid(text, 'month out of range');
    if (day !== undefined && (day < 1 || day > daysInMonth(year, month!))) throw invalid(text, 'day out of range');
    if (h !== undefined && Number(h) > 23) throw invalid(text, 'hour out of range');
    if (mi !== undefined && Number(mi) > 59) throw invalid(text, 'minute out of range');
    if (s !== undefined && Number(s) > 59) throw invalid(text, 'second out of range');
    const ms = frac === undefined ? undefined : Number(frac.slice(0, 3).padEnd(3, '0'));
    let t = Date.UTC(year, month ?? 0, day ?? 1, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms ?? 0);
    if (Number.isNaN(t)) throw invalid(text, 'not a date');
    if (roundUp) {
      // As Elasticsearch's round-up parser: a missing month or day stays 1 and only the missing
      // time of day goes to its end, so `2026-02` rounds up to the end of 2026-02-01.
      const missing: DateUnit | null =
        h === undefined ? 'd' : mi === undefined ? 'h' : s === undefined ? 'm' : frac === undefined ? 's' : null;
      if (missing !== null) t = roundDate(t, missing, true);
    }
    if (zone && zone !== 'Z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offset = (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
      t -= sign * offset;
    }
    return t;
  }
  if (/^-?\d{1,16}$/.test(text)) return Number(text);
  throw invalid(text, 'expected an ISO-8601 date (2026-01-31T12:00:00Z), epoch milliseconds or now');
}

/**
 * Evaluates a date-math expression. `now` is epoch ms of the request; `roundUp` decides how
 * `/unit` rounding and partial dates resolve (see module comment).
 */
export function evalDateMath(expression: string, now: number, roundUp = false): number {
  const text = expression.trim();
  let anchor: number;
  let ops: string;
  if (text.startsWith('now')) {
    anchor = now;
    ops = text.slice(3);
  } else {
    const sep = text.indexOf('||');
    if (sep === -1) return parseDate(text, roundUp);
    anchor = parseDate(text.slice(0, sep), false);
    ops = text.slice(sep + 2);
  }
  let t = anchor;
  let i = 0;
  while (i < ops.length) {
    const op = ops[i]!;
    if (op === '/') {
      const unit = UNIT_ALIASES[ops[i + 1] ?? ''];
      if (!unit) throw invalid(expression, `rounding needs a unit (y M w d h m s) at offset ${i + 1}`);
      t = roundDate(t, unit, roundUp);
      i += 2;
    } else if (op === '+' || op === '-') {
      const m = /^(\d*)([yMwdhHms])/.exec(ops.slice(i + 1));
      if (!m) throw invalid(expression, `expected a number and a unit (y M w d h m s) after ${op}`);
      const amount = (m[1] === '' ? 1 : Number(m[1])) * (op === '-' ? -1 : 1);
      t = addUnits(t, amount, UNIT_ALIASES[m[2]!]!);
      i += 1 + m[0].length;
    } else {
      throw invalid(expression, `unexpected ${JSON.stringify(op)} at offset ${i}`);
    }
  }
  return t;
}

function invalid(text: string, why: string): ValidationError {
  return new ValidationError(`invalid date ${JSON.stringify(text)}: ${why}`, { value: text });
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function addUnits(t: number, amount: number, unit: DateUnit): number {
  const d = new Date(t);
  switch (unit) {
    case 'y':
      return addMonths(d, amount * 12);
    case 'M':
      return addMonths(d, amount);
    case 'w':
      return t + amount * 7 * 86_400_000;
    case 'd':
      return t + amount * 86_400_000;
    case 'h':
      return t + amount * 3_600_000;
    case 'm':
      return t + amount * 60_000;
    case 's':
      return t + amount * 1_000;
  }
}

/** Calendar month arithmetic clamps the day like java.time (Jan 31 + 1M = Feb 28/29). */
function addMonths(d: Date, months: number): number {
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** Start of the unit containing `t`, or its last millisecond when `up`. Weeks start on Monday (ISO). */
function roundDate(t: number, unit: DateUnit, up: boolean): number {
  const d = new Date(t);
  let start: number;
  let next: number;
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case 'y':
      start = Date.UTC(y, 0, 1);
      next = Date.UTC(y + 1, 0, 1);
      break;
    case 'M':
      start = Date.UTC(y, mo, 1);
      next = Date.UTC(y, mo + 1, 1);
      break;
    case 'w': {
      const dow = (d.getUTCDay() + 6) % 7;
      start = Date.UTC(y, mo, day - dow);
      next = start + 7 * 86_400_000;
      break;
    }
    case 'd':
      start = Date.UTC(y, mo, day);
      next = start + 86_400_000;
      break;
    case 'h':
      start = Math.floor(t / 3_600_000) * 3_600_000;
      next = start + 3_600_000;
      break;
    case 'm':
      start = Math.floor(t / 60_000) * 60_000;
      next = start + 60_000;
      break;
    case 's':
      start = Math.floor(t / 1_000) * 1_000;
      next = start + 1_000;
      break;
  }
  return up ? next - 1 : start;
}
