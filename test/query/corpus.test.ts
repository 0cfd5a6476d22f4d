/**
 * Real field paths and values (test/fixtures/corpus): a query for any leaf of any
 * event, written with our own quoting and escaping, parses back to that exact field and
 * value, and compiles. Catches escaping mistakes on the characters real producers send
 * (colons in ARNs, slashes in paths, spaces, quotes, brackets, unicode).
 */
import { describe, expect, test } from 'vitest';
import { flattenOriginal } from '../../src/events/fields.ts';
import type { QueryNode } from '../../src/query/ast.ts';
import { compileToElasticsearch } from '../../src/store/elasticsearch/compile-es.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { printQuery } from '../../src/query/print.ts';
import { corpusFiles, corpusLines } from '../support/corpus.ts';
import { stripLoc } from './helpers.ts';

const files = corpusFiles();

describe('queries over the corpus field paths and values', () => {
  test('field:"value" and field:value round-trip for every leaf of every event', () => {
    let checked = 0;
    for (const file of files) {
      for (const line of corpusLines(file)) {
        let event: unknown;
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        for (const [path, value] of flattenOriginal(event).leaves) {
          if (value === null) continue;
          const text = String(value);
          const loc = { start: 0, end: 0 };
          const phrase: QueryNode = { type: 'phrase', field: path, value: text, loc };
          expect(stripLoc(parseQuery(printQuery(phrase), { maxLength: 1_000_000 }))).toEqual(stripLoc(phrase));
          if (text !== '' && !/^[<>]./.test(text) && path !== '_exists_') {
            const term: QueryNode = { type: 'term', field: path, value: text, loc };
            const printed = printQuery(term);
            expect(stripLoc(parseQuery(printed, { maxLength: 1_000_000 })), printed).toEqual(stripLoc(term));
            compileToElasticsearch(term);
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });
});
