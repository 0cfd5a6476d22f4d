/**
 * What a query value means on a long, date or ip field, one rule for every compiler: which
 * texts are numbers (Elasticsearch's: no spaces, no hex, exponents allowed), what a term
 * beyond the range of a long matches (nothing) and what a bound beyond it is (an error), which
 * dates and addresses parse. A value the type cannot take is the catalogue's fieldTypeError.
 */
import { AppError } from '../errors.ts';
import type { FieldNode } from './ast.ts';
import { evalDateMath } from './date-math.ts';
import { fieldTypeError } from './fields.ts';
import { ipKey, ipKeyRange } from './ip.ts';

export type NumericType = 'long' | 'double';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Long.MAX_VALUE: Elasticsearch's long fields hold nothing beyond it. */
export const LONG_LIMIT = 9_223_372_036_854_775_807;

function parseNumber(value: string): number | null {
  if (!NUMBER.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function kind(type: NumericType): string {
  return type === 'long' ? 'an integer' : 'a number';
}

/**
 * The number a term on a numeric field matches, or null when it matches nothing: on a long,
 * a value with a fraction or beyond the range of a long (Elasticsearch answers no hits).
 */
export function numericTerm(node: FieldNode, name: string, type: NumericType, value: string): number | null {
  const n = parseNumber(value);
  if (n === null) throw fieldTypeError(node, name, type, `${JSON.stringify(value)} is not ${kind(type)}`);
  if (type === 'long' && (!Number.isInteger(n) || Math.abs(n) > LONG_LIMIT)) return null;
  return n;
}

/** A range bound on a numeric field; beyond the range of a long it is an error, as in Elasticsearch. */
export function numericBound(node: FieldNode, name: string, type: NumericType, value: string): number {
  const n = parseNumber(value);
  if (n === null) throw fieldTypeError(node, name, type, `range bound ${JSON.stringify(value)} is not ${kind(type)}`);
  if (type === 'long' && Math.abs(n) > LONG_LIMIT) throw fieldTypeError(node, name, type, `${value} is outside the range of a long`);
  return n;
}

/**
 * A date value or bound as epoch ms: date math against `now`, rounded per `roundUp` (gte and
 * lt round down, gt and lte up; a term is the range from its start to its rounded-up end).
 */
export function dateValue(node: FieldNode, name: string, value: string, now: number, roundUp: boolean): number {
  try {
    return evalDateMath(value, now, roundUp);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw fieldTypeError(node, name, 'date', `${JSON.stringify(value)} is not a date (use 2026-01-31, 2026-01-31T12:00:00Z, epoch milliseconds or date math like now-15m)`);
  }
}

/** The inclusive range of address keys (ip.ts) a term on an ip field covers: one address or a CIDR block. */
export function ipTermRange(node: FieldNode, name: string, value: string): { lo: string; hi: string } {
  const r = ipKeyRange(value);
  if ('invalid' in r) throw fieldTypeError(node, name, 'ip', r.invalid);
  return r;
}

/** A range bound on an ip field, as an address key. */
export function ipBound(node: FieldNode, name: string, value: string): string {
  const key = ipKey(value);
  if (key === null) throw fieldTypeError(node, name, 'ip', `range bound ${JSON.stringify(value)} is not an IP address`);
  return key;
}
