/**
 * The built-in saved queries and alert rules (queries/*.json) are stored as query strings:
 * each must parse, compile for Elasticsearch, and survive the canonical print unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compileToElasticsearch } from '../../src/store/elasticsearch/compile-es.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { printQuery } from '../../src/query/print.ts';
import { stripLoc } from './helpers.ts';

const dir = new URL('../../queries/', import.meta.url);

/** Every string under a key named `query`, however deep. */
function queryStrings(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) queryStrings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'query' && typeof v === 'string') out.push(v);
      else queryStrings(v, out);
    }
  }
  return out;
}

const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe.skipIf(files.length === 0)('built-in queries', () => {
  for (const file of files) {
    const queries = queryStrings(JSON.parse(readFileSync(new URL(file, dir), 'utf8')));
    for (const query of queries) {
      test(`${file}: ${query.trim() || '(empty)'}`, () => {
        const ast = parseQuery(query);
        expect(() => compileToElasticsearch(ast)).not.toThrow();
        expect(stripLoc(parseQuery(printQuery(ast)))).toEqual(stripLoc(ast));
      });
    }
  }
});
