/**
 * Text analysis as Elasticsearch's standard analyzer does it, shared by every compiler that
 * works on values (the SQLite store's full-text index and the in-memory matcher): tokens, and
 * Lucene's sloppy-phrase rule over the positions of those tokens.
 */

/**
 * Written between two values of a column by the SQLite store so that a phrase never spans
 * two values (Elasticsearch puts a position gap of 100 between values of a text field). A
 * private-use character is a token for FTS5's unicode61 but nothing a user types, and never a
 * token here.
 */
export const VALUE_GAP = '\uE000';

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

/** Position gap between two values, as Elasticsearch's `position_increment_gap` for text fields. */
const POSITION_GAP = 100;

/** Positions of each token over a field's values, values 100 positions apart (ascending lists). */
export type Positions = Map<string, number[]>;

export function positionsOf(values: readonly string[]): Positions {
  const positions: Positions = new Map();
  let pos = 0;
  for (const value of values) {
    for (const token of tokenize(value)) {
      let list = positions.get(token);
      if (!list) positions.set(token, (list = []));
      list.push(pos++);
    }
    pos += POSITION_GAP;
  }
  return positions;
}

/**
 * Lucene's sloppy phrase rule: each phrase term i found at position p_i gives p_i - i; the
 * phrase matches when the spread (max - min) of those offsets is at most `slop` (so a swap of
 * two terms costs 2; slop 0 is the exact phrase). Values of a multi-valued field are 100
 * positions apart.
 */
export function sloppyPhraseMatches(values: readonly string[] | Positions, phrase: readonly string[], slop: number): boolean {
  if (phrase.length === 0) return false;
  const positions = values instanceof Map ? values : positionsOf(values);
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
