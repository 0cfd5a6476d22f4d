/**
 * Boolean algebra over compiled query parts, in SQL. A part is either a SET (a SELECT of
 * event seqs answered from an index: fields, FTS) or a FILTER (a condition on the slim
 * `events e` row: time, id). Sets combine with INTERSECT / UNION / EXCEPT, which SQLite
 * answers by merging index scans: far faster than testing `e.seq IN (...)` conditions one
 * event at a time (bench: a two-field AND over a million events went from 906 to 78 ms p95).
 */

export type Part =
  | { kind: 'all' }
  | { kind: 'none' }
  /** `probe`: the same leaf as a condition on one event (`e.seq`), when an index seek answers it. */
  | { kind: 'set'; sql: string; params: unknown[]; compound: boolean; probe?: Probe }
  | { kind: 'filter'; sql: string; params: unknown[] };

export interface Probe {
  sql: string;
  params: unknown[];
}

/**
 * How parts combine. `sets` (the default) answers each leaf as a whole set from its index.
 * `probe` is for a narrow time range: the query runs over the range's rows of the (ts, id)
 * index and tests each event, so a frequent value costs a seek per event in the range rather
 * than a read of its whole posting list. Sets that remain (leaves without a probe) are then
 * written `+e.seq IN (...)`: the unary plus keeps SQLite from driving the scan from them
 * instead of from the time range.
 */
export type Plan = 'sets' | 'probe';

export const NOTHING: Part = { kind: 'none' };
export const EVERYTHING: Part = { kind: 'all' };

type SetPart = Extract<Part, { kind: 'set' }>;
type FilterPart = Extract<Part, { kind: 'filter' }>;

export function set(sql: string, params: unknown[], probe?: Probe): Part {
  return probe ? { kind: 'set', sql, params, compound: false, probe } : { kind: 'set', sql, params, compound: false };
}

/** In the probe plan, a leaf that can be probed becomes its probe. */
export function forPlan(p: Part, plan: Plan): Part {
  return plan === 'probe' && p.kind === 'set' && p.probe ? filter(p.probe.sql, p.probe.params) : p;
}

export function filter(sql: string, params: unknown[]): Part {
  return { kind: 'filter', sql, params };
}

/**
 * SQLite allows 500 terms in one compound SELECT and an expression 1,000 levels deep, while a
 * query may hold 1,024 clauses: long runs are written as nested groups of at most GROUP.
 */
const GROUP = 200;

/** Sets joined by UNION or INTERSECT, nested in groups when there are many. */
function compound(sets: SetPart[], op: 'UNION' | 'INTERSECT'): SetPart {
  if (sets.length === 1) return sets[0]!;
  if (sets.length <= GROUP) {
    return { kind: 'set', sql: sets.map(operand).join(` ${op} `), params: sets.flatMap((p) => p.params), compound: true };
  }
  const groups: SetPart[] = [];
  for (let i = 0; i < sets.length; i += GROUP) groups.push(compound(sets.slice(i, i + GROUP), op));
  return compound(groups, op);
}

/** Conditions joined by OR or AND, parenthesized in nested groups when there are many. */
function joined(conds: Array<{ sql: string; params: unknown[] }>, op: 'OR' | 'AND'): { sql: string; params: unknown[] } {
  if (conds.length <= GROUP) return { sql: `(${conds.map((c) => c.sql).join(` ${op} `)})`, params: conds.flatMap((c) => c.params) };
  const groups: Array<{ sql: string; params: unknown[] }> = [];
  for (let i = 0; i < conds.length; i += GROUP) groups.push(joined(conds.slice(i, i + GROUP), op));
  return joined(groups, op);
}

/** A set as an operand of a compound SELECT (compound ones are wrapped to keep their grouping). */
function operand(p: SetPart): string {
  return p.compound ? `SELECT * FROM (${p.sql})` : p.sql;
}

export function toSet(p: Part): SetPart {
  switch (p.kind) {
    case 'set':
      return p;
    case 'filter':
      return { kind: 'set', sql: `SELECT e.seq FROM events e WHERE ${p.sql}`, params: p.params, compound: false };
    case 'all':
      return { kind: 'set', sql: 'SELECT seq FROM events', params: [], compound: false };
    case 'none':
      return { kind: 'set', sql: 'SELECT seq FROM events WHERE 0', params: [], compound: false };
  }
}

export function toFilter(p: Part, plan: Plan = 'sets'): { sql: string; params: unknown[] } {
  switch (p.kind) {
    case 'set':
      return { sql: `${plan === 'probe' ? '+' : ''}e.seq IN (${p.sql})`, params: p.params };
    case 'filter':
      return p;
    case 'all':
      return { sql: '1', params: [] };
    case 'none':
      return { sql: '0', params: [] };
  }
}

export function or(parts: Part[], plan: Plan = 'sets'): Part {
  const live = parts.filter((p) => p.kind !== 'none');
  if (live.some((p) => p.kind === 'all')) return EVERYTHING;
  if (live.length === 0) return NOTHING;
  if (live.length === 1) return live[0]!;
  if (live.every((p) => p.kind === 'filter')) {
    const j = joined(live as FilterPart[], 'OR');
    return filter(j.sql, j.params);
  }
  if (plan === 'probe' && live.some((p) => p.kind === 'filter')) {
    // A filter turned into a set would scan every event: keep the filters as conditions and
    // test membership in the union of the sets.
    const filters = live.filter((p): p is FilterPart => p.kind === 'filter');
    const sets = or(live.filter((p) => p.kind === 'set'));
    const j = joined([...filters, toFilter(sets, plan)], 'OR');
    return filter(j.sql, j.params);
  }
  return compound(live.map(toSet), 'UNION');
}

/** Every required part and none of the prohibited ones. */
export function and(required: Part[], prohibited: Part[], plan: Plan = 'sets'): Part {
  if (required.some((p) => p.kind === 'none') || prohibited.some((p) => p.kind === 'all')) return NOTHING;
  const sets = required.filter((p): p is SetPart => p.kind === 'set');
  const filters = required.filter((p): p is FilterPart => p.kind === 'filter');
  const notSets = prohibited.filter((p): p is SetPart => p.kind === 'set');
  const notFilters = prohibited.filter((p): p is FilterPart => p.kind === 'filter');
  const conds: Array<{ sql: string; params: unknown[] }> = [];
  let positive: SetPart | null = null;
  if (sets.length > 0) {
    const all = compound(sets, 'INTERSECT');
    // EXCEPT one union of the prohibited sets: one compound term, whatever their number.
    const none = notSets.length > 0 ? compound(notSets, 'UNION') : null;
    positive = none
      ? { kind: 'set', sql: `${operand(all)} EXCEPT ${operand(none)}`, params: [...all.params, ...none.params], compound: true }
      : all;
  } else {
    for (const n of notSets) conds.push({ sql: `e.seq NOT IN (${n.sql})`, params: n.params });
  }
  for (const f of filters) conds.push(f);
  for (const n of notFilters) conds.push({ sql: `NOT (${n.sql})`, params: n.params });
  if (positive && conds.length === 0) return positive;
  if (positive) conds.unshift(toFilter(positive, plan));
  if (conds.length === 0) return EVERYTHING;
  if (conds.length === 1) return filter(conds[0]!.sql, conds[0]!.params);
  const j = joined(conds, 'AND');
  return filter(j.sql, j.params);
}

