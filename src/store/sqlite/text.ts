/**
 * Free text as the SQLite store indexes it. Tokens are made here, in JavaScript, to follow
 * Elasticsearch's standard analyzer (which FTS5's unicode61 alone does not: it would split
 * `10.0.0.1` into four tokens); FTS5 gets the tokens separated by spaces and its unicode61
 * tokenizer (remove_diacritics 0: the standard analyzer keeps accents; tokenchars for the
 * joining punctuation) keeps each one whole. Query values go through the same function.
 */
import type { StoredEvent } from '../../events/event.ts';
import { flattenOriginal } from '../../events/fields.ts';

/** FTS5 columns: `text` is `auditlog.text`; the others are the normalized text fields. */
export const FTS_COLUMNS = { text: 'text', message: 'message', 'user_agent.original': 'ua' } as const;
export type FtsColumn = (typeof FTS_COLUMNS)[keyof typeof FTS_COLUMNS];

/**
 * Written between two values of a column so that a phrase never spans two values
 * (Elasticsearch puts a position gap of 100 between values of a text field). A private-use
 * character is a token for unicode61 but nothing a user types.
 */
export const VALUE_GAP = '\uE000';
/** A token that is never indexed: `MATCH` on it matches nothing. */
export const NO_TOKEN = '\uE001';

// Classes of UAX #29 word breaking (the joining punctuation is the subset FTS5 is told to keep
// inside tokens, see schema.ts). Han and Hiragana characters are tokens of their own.
const SINGLE = '[\\p{sc=Han}\\p{sc=Hiragana}]';
const LETTER = '[[\\p{L}\\p{M}]--[\\p{sc=Han}\\p{sc=Hiragana}]]';
const WORD = '[[\\p{L}\\p{N}\\p{M}\\p{Co}_]--[\\p{sc=Han}\\p{sc=Hiragana}\\uE000]]';
const TOKEN = new RegExp(
  `${WORD}(?:${WORD}|(?<=${LETTER})[.'\\u2019\\u2018:\\u00B7](?=${LETTER})|(?<=\\p{N})[.'\\u2019\\u2018,;](?=\\p{N}))*|${SINGLE}`,
  'gv',
);

/**
 * Tokens the way Elasticsearch's standard analyzer makes them (UAX #29 word boundaries,
 * lowercased): letters and digits run together (`v1`), `_` joins (`user_name`), `.` and `'`
 * join letters to letters and digits to digits (`example.com`, `10.0.0.1`, `don't`), `:`
 * joins letters, `,` joins digits (`1,000`), each Han or Hiragana character is a token.
 * Emoji are not indexed (the standard tokenizer keeps them; documented difference).
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

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
  for (const v of Object.values(event.ecs)) {
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

/** Position gap between two values, as Elasticsearch's `position_increment_gap` for text fields. */
const POSITION_GAP = 100;

/**
 * Lucene's sloppy phrase rule: each phrase term i found at position p_i gives p_i - i; the
 * phrase matches when the spread (max - min) of those offsets is at most `slop` (so a swap of
 * two terms costs 2). Values of a multi-valued field are 100 positions apart.
 */
export function sloppyPhraseMatches(values: string[], phrase: string[], slop: number): boolean {
  if (phrase.length === 0) return false;
  const positions = new Map<string, number[]>();
  let pos = 0;
  for (const value of values) {
    for (const token of tokenize(value)) {
      let list = positions.get(token);
      if (!list) positions.set(token, (list = []));
      list.push(pos++);
    }
    pos += POSITION_GAP;
  }
  const lists: number[][] = [];
  for (let i = 0; i < phrase.length; i++) {
    const list = positions.get(phrase[i]!);
    if (!list) return false;
    lists.push(list.map((p) => p - i));
  }
  // Smallest range that takes one offset from every list (lists are sorted ascending).
  const idx = new Array<number>(lists.length).fill(0);
  for (;;) {
    let min = Infinity;
    let max = -Infinity;
    let minList = 0;
    for (let k = 0; k < lists.length; k++) {
      const v = lists[k]![idx[k]!]!;
      if (v < min) {
        min = v;
        minList = k;
      }
      if (v > max) max = v;
    }
    if (max - min <= slop) return true;
    idx[minList]!++;
    if (idx[minList]! >= lists[minList]!.length) return false;
  }
}
