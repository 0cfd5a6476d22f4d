/** SQL functions the compiled queries call (registered on every team connection). */
import type Database from 'better-sqlite3';
import { sloppyPhraseMatches } from '../../query/analysis.ts';
import { compileRegex, type Matcher } from '../../query/regex/index.ts';
import { fuzzyScore, withinDistance } from '../../query/fuzzy.ts';
import { type FtsColumn, ftsValues } from './text.ts';

/**
 * Called every few hundred rows while a statement runs (by the functions below and by the
 * `al_tick()` conditions compiled into scans): it throws to stop the statement, when the
 * read is over its time budget or cancelled (read-control.ts). SQLite then aborts the
 * statement with that error.
 */
export type Checkpoint = () => void;

const CHECK_EVERY = 256;
const MAX_CACHED_MATCHERS = 500;

export function registerFunctions(db: Database.Database, checkpoint: Checkpoint = () => {}): void {
  let calls = 0;
  const tick = () => {
    if (++calls % CHECK_EVERY === 0) checkpoint();
  };
  // Compiled once per pattern: compiling can take tens of milliseconds, matching is one pass.
  const matchers = new Map<string, Matcher>();
  const matcher = (pattern: string): Matcher => {
    let m = matchers.get(pattern);
    if (!m) {
      m = compileRegex(pattern);
      if (matchers.size >= MAX_CACHED_MATCHERS) matchers.clear();
      matchers.set(pattern, m);
    }
    return m;
  };
  db.function('al_tick', () => {
    checkpoint();
    return 1;
  });
  db.function('al_regexp', { deterministic: true }, (pattern: unknown, value: unknown) => {
    tick();
    return value === null || value === undefined ? 0 : matcher(String(pattern)).test(String(value)) ? 1 : 0;
  });
  // Scans read the values of a field in index order, so the same value comes many times in a row.
  let last = { value: '', term: '', distance: -1, result: 0 };
  db.function('al_fuzzy', { deterministic: true }, (value: unknown, term: unknown, distance: unknown) => {
    tick();
    if (value === null || value === undefined) return 0;
    const v = String(value);
    const t = String(term);
    const d = Number(distance);
    if (v !== last.value || t !== last.term || d !== last.distance) last = { value: v, term: t, distance: d, result: withinDistance(v, t, d) ? 1 : 0 };
    return last.result;
  });
  db.function('al_fuzzy_score', { deterministic: true }, (value: unknown, term: unknown, distance: unknown) => {
    tick();
    return value === null || value === undefined ? -1 : fuzzyScore(String(value), String(term), Number(distance));
  });
  db.function(
    'al_slop',
    { deterministic: true },
    (original: unknown, ecs: unknown, column: unknown, tokens: unknown, slop: unknown) => {
      tick();
      const values = ftsValues({ original: JSON.parse(String(original)), ecs: JSON.parse(String(ecs)) })[column as FtsColumn];
      return sloppyPhraseMatches(values ?? [], JSON.parse(String(tokens)) as string[], Number(slop)) ? 1 : 0;
    },
  );
}
