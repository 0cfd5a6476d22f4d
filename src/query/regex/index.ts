/**
 * Linear-time matching of Lucene regular expressions and wildcards, store-neutral.
 *
 *   const m = compileRegex('user-(login|logout)');   // throws on a bad or too complex pattern
 *   m.test('user-login');                             // true: whole value, one pass, no backtracking
 *
 * A pattern becomes a deterministic automaton (as Lucene does for Elasticsearch's `regexp`
 * and `wildcard` queries), so `test` costs one step per code point of the value, whatever the
 * pattern. Patterns are refused as Elasticsearch refuses them:
 * - syntax errors: ValidationError with Lucene's message and position (`details.position`);
 * - `max_determinized_states` (default 10,000): QueryLimitError, when the automaton would
 *   cost more to build than that limit allows (`(a|b)*a(a|b){13}`, `*a` followed by 20 `?`);
 * - `index.max_regex_length` (1,000 characters): QueryLimitError.
 * Compiling costs up to tens of milliseconds for a pattern near the limit: cache matchers.
 */
import { QueryLimitError, ValidationError } from '../../errors.ts';
import { determinize, isDeterministic, TooComplexError, trim } from './automaton.ts';
import { regexAutomaton, wildcardAutomaton } from './build.ts';
import { parseLuceneRegexp, RegexSyntaxError } from './lucene-regexp.ts';
import { DfaMatcher, type Matcher } from './matcher.ts';

export type { Matcher } from './matcher.ts';

/** Elasticsearch's default `max_determinized_states` for regexp and wildcard queries. */
export const MAX_DETERMINIZED_STATES = 10_000;
/** Elasticsearch's default `index.max_regex_length`. */
export const MAX_REGEX_LENGTH = 1_000;

export interface CompileOptions {
  /** Work limit of determinization; default MAX_DETERMINIZED_STATES. */
  maxDeterminizedStates?: number;
}

/** Compiles a Lucene regular expression (the text between the slashes of `/.../`). */
export function compileRegex(pattern: string, options: CompileOptions = {}): Matcher {
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new QueryLimitError(
      'index.max_regex_length',
      MAX_REGEX_LENGTH,
      `the regular expression is ${pattern.length} characters long, more than the limit of ${MAX_REGEX_LENGTH} (index.max_regex_length)`,
    );
  }
  const limit = options.maxDeterminizedStates ?? MAX_DETERMINIZED_STATES;
  let tree;
  try {
    tree = parseLuceneRegexp(pattern);
  } catch (err) {
    if (err instanceof RegexSyntaxError) {
      throw new ValidationError(`invalid regular expression /${pattern}/: ${err.message}`, { position: err.position });
    }
    throw err;
  }
  return toMatcher(() => regexAutomaton(tree, limit), limit, `regular expression /${pattern}/`);
}

/** Compiles a Lucene wildcard pattern (`*` any string, `?` any character, `\` escapes). */
export function compileWildcard(pattern: string, options: CompileOptions = {}): Matcher {
  const limit = options.maxDeterminizedStates ?? MAX_DETERMINIZED_STATES;
  return toMatcher(() => wildcardAutomaton(pattern, limit), limit, `wildcard ${pattern}`);
}

function toMatcher(build: () => ReturnType<typeof regexAutomaton>, limit: number, what: string): Matcher {
  try {
    const nfa = trim(build());
    if (isDeterministic(nfa)) nfa.deterministic = true;
    return new DfaMatcher(trim(determinize(nfa, limit)));
  } catch (err) {
    if (err instanceof TooComplexError) {
      throw new QueryLimitError(
        'max_determinized_states',
        limit,
        `the ${what} is too complex: ${err.message} (max_determinized_states is ${limit}); simplify it, e.g. fewer repetitions of alternatives or of '?'`,
      );
    }
    throw err;
  }
}
