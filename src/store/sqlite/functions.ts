/** SQL functions the compiled queries call (registered on every team connection). */
import type Database from 'better-sqlite3';
import { sloppyPhraseMatches } from '../../query/analysis.ts';
import { withinDistance } from '../../query/fuzzy.ts';
import { luceneRegex } from './lucene-regex.ts';
import { type FtsColumn, ftsValues } from './text.ts';

export function registerFunctions(db: Database.Database): void {
  db.function('al_regexp', { deterministic: true }, (pattern: unknown, value: unknown) =>
    value === null || value === undefined ? 0 : luceneRegex(String(pattern)).test(String(value)) ? 1 : 0,
  );
  db.function('al_fuzzy', { deterministic: true }, (value: unknown, term: unknown, distance: unknown) =>
    value === null || value === undefined ? 0 : withinDistance(String(value), String(term), Number(distance)) ? 1 : 0,
  );
  db.function(
    'al_slop',
    { deterministic: true },
    (original: unknown, ecs: unknown, column: unknown, tokens: unknown, slop: unknown) => {
      const values = ftsValues({ original: JSON.parse(String(original)), ecs: JSON.parse(String(ecs)) })[column as FtsColumn];
      return sloppyPhraseMatches(values ?? [], JSON.parse(String(tokens)) as string[], Number(slop)) ? 1 : 0;
    },
  );
}
