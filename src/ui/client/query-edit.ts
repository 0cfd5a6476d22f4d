/**
 * Editing the query text from clicks: a `field:value` clause added (or excluded) so that it
 * keeps the meaning of what was there, printed with the query language's own escaping; and
 * the field name under the caret, for completion. Uses the same parser as the server.
 */
import type { QueryNode } from '../../query/ast.ts';
import { parseQuery } from '../../query/parse.ts';
import { printQuery } from '../../query/print.ts';

const loc = { start: 0, end: 0 };

/** `field:value` as the query language writes it: a bare term when no escape is needed, else a phrase. */
export function clauseFor(field: string, value: string): string {
  const term = printQuery({ type: 'term', field, value, loc });
  if (!term.includes('\\') && !/\s/.test(value) && value !== '' && !/^(AND|OR|NOT|TO)$/.test(value)) return term;
  return printQuery({ type: 'phrase', field, value, loc });
}

/** The query with one more clause ANDed (or ANDed as NOT) to it. */
export function addClause(q: string, field: string, value: string, exclude = false): string {
  const clause = clauseFor(field, value);
  const part = exclude ? `NOT ${clause}` : clause;
  const text = q.trim();
  if (text === '' || text === '*' || text === '*:*') return part;
  let root: QueryNode;
  try {
    root = parseQuery(text);
  } catch {
    return `(${text}) AND ${part}`;
  }
  if (root.type === 'matchAll') return part;
  // `a OR b AND c` is not `(a OR b) AND c` in Lucene: a query with OR keeps its own group.
  const grouped = root.type === 'bool' && root.clauses.some((c) => c.occur === 'should');
  return grouped ? `(${text}) AND ${part}` : `${text} AND ${part}`;
}

const FIELD_CHAR = /[A-Za-z0-9_.@*]/;

/** The field name being typed at `caret`, or null when the caret is in a value, a phrase or an operator. */
export function fieldAtCaret(q: string, caret: number): { start: number; prefix: string } | null {
  let start = caret;
  while (start > 0 && FIELD_CHAR.test(q[start - 1]!)) start--;
  const prefix = q.slice(start, caret);
  if (prefix === '' || /^(AND|OR|NOT|TO)$/.test(prefix)) return null;
  if (start > 0 && (q[start - 1] === ':' || q[start - 1] === '\\')) return null;
  if (FIELD_CHAR.test(q[caret] ?? '')) return null;
  let quotes = 0;
  for (let i = 0; i < start; i++) {
    if (q[i] === '\\') i++;
    else if (q[i] === '"') quotes++;
  }
  if (quotes % 2 === 1) return null;
  return { start, prefix };
}

/** Fields matching a typed prefix: names that start with it first, then names containing it. */
export function completions<T extends { name: string; count: number }>(fields: T[], prefix: string, limit = 12): T[] {
  const p = prefix.toLowerCase();
  const starts: T[] = [];
  const contains: T[] = [];
  for (const f of fields) {
    const n = f.name.toLowerCase();
    if (n === p) continue;
    if (n.startsWith(p) || n.split('.').some((seg) => seg.startsWith(p))) starts.push(f);
    else if (n.includes(p)) contains.push(f);
  }
  const order = (a: T, b: T) => b.count - a.count || (a.name < b.name ? -1 : 1);
  return [...starts.sort(order), ...contains.sort(order)].slice(0, limit);
}

export interface SyntaxProblem {
  message: string;
  offset: number;
  line: number;
  column: number;
}

/** The parser's error for a query, or null when it parses. */
export function syntaxProblem(q: string): SyntaxProblem | null {
  try {
    parseQuery(q);
    return null;
  } catch (err) {
    const e = err as { message: string; offset?: number; line?: number; column?: number };
    return { message: e.message, offset: e.offset ?? 0, line: e.line ?? 1, column: e.column ?? 1 };
  }
}
