/**
 * Turns a table of queries into the differential tests (see query-string.test.ts for what is
 * compared): per query, (a) our Elasticsearch store against Elasticsearch's query_string, on
 * our parse printed with storage field names and, where the query already names only storage
 * fields, on the text as typed; (b) the SQLite store against the Elasticsearch store; (c) the
 * in-memory matcher (src/query/match.ts), run over every event as the Elasticsearch store
 * returns it, against the Elasticsearch store. Each query runs once per engine (memoized);
 * its tests read the same outcomes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StoredEvent } from '../../src/events/event.ts';
import { requireElasticsearch } from '../support/elasticsearch.ts';
import { difference, matcherIds, namesStorageFields, openStores, type Outcome, queryStringIds, readAll, storageQuery, storeIds, type Stores } from './harness.ts';

export interface Case {
  q: string;
  /** (a) differs from query_string, and why. */
  queryString?: string;
  /** (a) differs from query_string given the text as typed (only queries naming storage fields), and why. */
  rawText?: string;
  /** (b) SQLite differs from Elasticsearch, and why. */
  sqlite?: string;
  /** (c) the in-memory matcher differs from the Elasticsearch store, and why. */
  matcher?: string;
}

/** Groups of lines by syntax element; a line is the query, or a Case with its known differences. */
export type Table = Record<string, Array<string | Case>>;

/** A line with a documented difference: its test asserts the difference is still there. */
export const known = (q: string, why: Omit<Case, 'q'>): Case => ({ q, ...why });

interface Outcomes {
  es: Outcome;
  queryString: Outcome;
  raw: Outcome | null;
  sqlite: Outcome;
  matcher: Outcome;
}

export interface DifferentialOptions {
  title: string;
  team: string;
  /** The events (read while tests are collected); null skips the suite, e.g. a missing corpus. */
  events: () => StoredEvent[] | null;
  table: Table;
  minCases: number;
  /** Share of queries that must find some events but not all (default 0.7). */
  minTelling?: number;
}

export function runDifferentialTable({ title, team, events, table, minCases, minTelling = 0.7 }: DifferentialOptions): void {
  const cases = Object.entries(table).flatMap(([group, lines]) =>
    lines.map((line): Case & { group: string } => ({ group, ...(typeof line === 'string' ? { q: line } : line) })),
  );
  if (!requireElasticsearch(title)) return;
  const loaded = events();

  describe.skipIf(loaded === null)(title, () => {
    let stores: Stores | null = null;
    let stored: StoredEvent[] = [];
    const memo = new Map<string, Promise<Outcomes>>();
    const outcomes = (q: string): Promise<Outcomes> => {
      let p = memo.get(q);
      if (!p) {
        const s = stores!;
        p = (async () => {
          const [es, queryString, raw, sqlite] = await Promise.all([
            storeIds(s.es, q, team),
            queryStringIds(s.es, q, { team }),
            namesStorageFields(q) ? queryStringIds(s.es, q, { raw: true, team }) : null,
            storeIds(s.sqlite, q, team),
          ]);
          return { es, queryString, raw, sqlite, matcher: matcherIds(stored, q) };
        })();
        memo.set(q, p);
      }
      return p;
    };

    beforeAll(async () => {
      stores = await openStores(team, loaded!);
      // What the alert engine and the live tail match: events as the store gives them back.
      stored = await readAll(stores.es, team);
      expect(stored.length).toBe(loaded!.length);
    });
    afterAll(async () => {
      await stores?.close();
    });

    test(`the table has at least ${minCases} queries, each once`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(minCases);
      expect(new Set(cases.map((c) => c.q)).size).toBe(cases.length);
    });

    describe('(a) Elasticsearch store == query_string', () => {
      for (const group of Object.keys(table)) {
        describe(group, () => {
          for (const c of cases.filter((x) => x.group === group)) {
            test(c.q, async () => {
              const o = await outcomes(c.q);
              const diff = difference(o.es, o.queryString, stores!.events, ['ours', 'query_string']);
              if (c.queryString) expect(diff, `known difference no longer there: ${c.queryString}`).not.toBeNull();
              else expect(diff, `query_string got: ${safeStorageQuery(c.q)}`).toBeNull();
              if (o.raw === null) return;
              const rawDiff = difference(o.es, o.raw, stores!.events, ['ours', 'query_string on the raw text']);
              if (c.rawText) expect(rawDiff, `known difference no longer there: ${c.rawText}`).not.toBeNull();
              else expect(rawDiff).toBeNull();
            });
          }
        });
      }
    });

    describe('(b) SQLite store == Elasticsearch store', () => {
      for (const group of Object.keys(table)) {
        describe(group, () => {
          for (const c of cases.filter((x) => x.group === group)) {
            test(c.q, async () => {
              const o = await outcomes(c.q);
              const diff = difference(o.sqlite, o.es, stores!.events, ['sqlite', 'elasticsearch']);
              if (c.sqlite) expect(diff, `known difference no longer there: ${c.sqlite}`).not.toBeNull();
              else expect(diff).toBeNull();
            });
          }
        });
      }
    });

    describe('(c) in-memory matcher == Elasticsearch store', () => {
      for (const group of Object.keys(table)) {
        describe(group, () => {
          for (const c of cases.filter((x) => x.group === group)) {
            test(c.q, async () => {
              const o = await outcomes(c.q);
              const diff = difference(o.matcher, o.es, stores!.events, ['matcher', 'elasticsearch']);
              if (c.matcher) expect(diff, `known difference no longer there: ${c.matcher}`).not.toBeNull();
              else expect(diff).toBeNull();
            });
          }
        });
      }
    });

    // Equal answers prove little if they are all empty, all events, or all errors.
    test(`the table discriminates: more than ${minTelling * 100}% of queries find some events but not all`, async () => {
      const total = stores!.events.size;
      let telling = 0;
      for (const c of cases) {
        const o = await outcomes(c.q);
        if ('ids' in o.es && o.es.ids.length > 0 && o.es.ids.length < total) telling++;
      }
      expect(telling / cases.length).toBeGreaterThan(minTelling);
    });
  });
}

function safeStorageQuery(q: string): string {
  try {
    return storageQuery(q);
  } catch (err) {
    return `(does not parse: ${err instanceof Error ? err.message : String(err)})`;
  }
}
