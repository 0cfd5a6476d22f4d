/**
 * Reading and checking values for the normalized (ECS) fields. Every converter returns
 * undefined when the value does not fit the field, so an adapter never stores a value of
 * the wrong type; `strict` turns that into a ValidationError that names the field, for the
 * formats whose schema says what the field must be.
 */
import { isIP } from 'node:net';
import type { EventOutcome, JsonObject } from '../../events/event.ts';
import { ValidationError } from '../../errors.ts';
import { parseTimestamp, type EpochUnit } from '../timestamps.ts';
import type { InvalidTimestamp } from './types.ts';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path. Keys may themselves contain dots (`{"event.action": …}` and
 * `{"event": {"action": …}}` are the same path, as in Elasticsearch).
 */
export function lookup(obj: unknown, path: string): unknown {
  if (!isJsonObject(obj)) return undefined;
  if (Object.hasOwn(obj, path)) return obj[path];
  for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
    const head = path.slice(0, dot);
    if (!Object.hasOwn(obj, head)) continue;
    const found = lookup(obj[head], path.slice(dot + 1));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A non-blank string, or a finite number / boolean as its JSON text (ids are often numbers). */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** Only a real string (not a number): for names, messages, user agents. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function asEmail(value: unknown): string | undefined {
  return typeof value === 'string' && EMAIL.test(value) ? value : undefined;
}

/**
 * A valid IP address in the form the `ip` field type stores. Producers wrap addresses in
 * many ways (see corpus SOURCES.md): IPv4-mapped IPv6 (`::ffff:10.1.2.3` is 10.1.2.3),
 * `ip:port`, `[v6]:port`, IPv6 zone ids. Hostnames, CIDRs and placeholders are not IPs.
 */
export function asIp(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const ip = asIp(item);
      if (ip !== undefined) return ip;
    }
    return undefined;
  }
  if (typeof value !== 'string') return undefined;
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else {
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
    if (withPort) text = withPort[1]!;
  }
  text = text.replace(/%[\w.-]+$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(text);
  if (mapped) text = mapped[1]!;
  const version = isIP(text);
  if (version === 4) return text;
  if (version === 6) return text.toLowerCase();
  return undefined;
}

/** An HTTP status code, from a number or a numeric string. */
export function asStatusCode(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{3}$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);

export function asHttpMethod(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return METHODS.has(upper) ? upper : undefined;
}

const SUCCESS = new Set(['success', 'succeeded', 'successful', 'succeed', 'pass', 'passed', 'ok', 'true', 'allow', 'allowed']);
const FAILURE = new Set(['failure', 'failed', 'fail', 'false', 'error', 'deny', 'denied', 'rejected', 'unsuccessful']);

/** ECS event.outcome from the words producers use; anything else (SKIPPED, CHALLENGE) is not guessed. */
export function asOutcome(value: unknown): EventOutcome | undefined {
  if (typeof value === 'boolean') return value ? 'success' : 'failure';
  if (typeof value !== 'string') return undefined;
  const word = value.trim().toLowerCase();
  if (SUCCESS.has(word)) return 'success';
  if (FAILURE.has(word)) return 'failure';
  if (word === 'unknown') return 'unknown';
  return undefined;
}

/** A URL's path, from an absolute URL or a path with an optional query. */
export function urlPath(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text.startsWith('/')) return text.split(/[?#]/)[0] || undefined;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  try {
    return new URL(text).pathname;
  } catch {
    return undefined;
  }
}


/** Show a bad value in an error message without echoing a whole payload back. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * For formats with a schema: a present value that does not convert is an error naming the
 * field (`context.responseCode: "abc" is not an HTTP status code`); absent or null is fine.
 */
export function strict<T>(field: string, value: unknown, convert: (v: unknown) => T | undefined, what: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  const converted = convert(value);
  if (converted === undefined) throw new ValidationError(`${field}: ${show(value)} is not ${what}`, { field });
  return converted;
}

/**
 * A timestamp field of a format with a schema: absent gives nothing, a date in range its time,
 * anything else why it is not one. Unlike other fields a wrong value does not reject the event:
 * the receive time stands in and the value sent stays in the original (prepare.ts flags it).
 */
export function readTimestamp(field: string, value: unknown, unit?: EpochUnit): { timestamp?: number; invalidTimestamp?: InvalidTimestamp } {
  if (value === undefined || value === null) return {};
  const result = parseTimestamp(value, unit ? { unit } : {});
  if ('error' in result) return { invalidTimestamp: { field, reason: `${show(value)} is not a timestamp (${result.error})` } };
  return { timestamp: result.ms };
}

/** Drop undefined entries so the result is a clean NormalizedFields object. */
export function compact<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Record<string, unknown> = {};
  // for-in rather than Object.entries: this runs per event, and the pairs are garbage at once.
  for (const k in fields) {
    if (!Object.hasOwn(fields, k)) continue;
    const v = fields[k];
    if (v !== undefined) out[k] = v;
  }
  return out as Partial<T>;
}
