/**
 * Free text as the SQLite store indexes it. Tokens are made in JavaScript by the shared
 * analysis (src/query/analysis.ts, Elasticsearch's standard analyzer, which FTS5's unicode61
 * alone does not follow: it would split `10.0.0.1` into four tokens); FTS5 gets the tokens
 * separated by spaces and its unicode61 tokenizer (remove_diacritics 0: the standard analyzer
 * keeps accents; tokenchars for the joining punctuation) keeps each one whole. Query values
 * go through the same function.
 */
import type { StoredEvent } from '../../events/event.ts';
import { flattenOriginal } from '../../events/fields.ts';
import { FREE_TEXT_ECS_FIELDS } from '../../events/field-types.ts';
import { tokenize, VALUE_GAP } from '../../query/analysis.ts';

/** FTS5 columns: `text` is `auditlog.text`; the others are the normalized text fields. */
export const FTS_COLUMNS = { text: 'text', message: 'message', 'user_agent.original': 'ua' } as const;
export type FtsColumn = (typeof FTS_COLUMNS)[keyof typeof FTS_COLUMNS];

/** A token that is never indexed: `MATCH` on it matches nothing. */
export const NO_TOKEN = '\uE001';

/** A token (or phrase) as an FTS5 string literal: user text never reaches FTS5 syntax unquoted. */
export function ftsQuote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The values each full-text column holds for an event, in a stable order. */
export function ftsValues(event: Pick<StoredEvent, 'original' | 'ecs'>): Record<FtsColumn, string[]> {
  const text: string[] = [];
  for (const [, v] of flattenOriginal(event.original).leaves) {
    if (typeof v === 'string' || typeof v === 'number') text.push(String(v));
  }
  for (const [name, v] of Object.entries(event.ecs)) {
    if (!FREE_TEXT_ECS_FIELDS.has(name)) continue;
    if (Array.isArray(v)) for (const item of v) text.push(String(item));
    else if (v !== undefined && v !== null) text.push(String(v));
  }
  const message = event.ecs.message === undefined ? [] : [event.ecs.message];
  const ua = event.ecs['user_agent.original'] === undefined ? [] : [event.ecs['user_agent.original']];
  return { text, message, ua };
}

/** A column's text for FTS5: the values' tokens, a gap token between two values. */
export function ftsDocument(values: string[]): string {
  return values.map((v) => tokenize(v).join(' ')).join(` ${VALUE_GAP} `);
}
