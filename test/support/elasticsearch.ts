/**
 * The Elasticsearch node for tests (started by scripts/elasticsearch.sh, which exports ES_URL).
 * Without it the suites are skipped locally, but fail under CI=true: a skipped Elasticsearch
 * suite must never pass CI.
 */
import { Client } from '@elastic/elasticsearch';
import { it } from 'vitest';

export const ES_URL = process.env.ES_URL;

export function elasticsearchClient(): Client {
  if (!ES_URL) throw new Error('ES_URL is not set');
  return new Client({
    node: ES_URL,
    ...(process.env.ES_USERNAME ? { auth: { username: process.env.ES_USERNAME, password: process.env.ES_PASSWORD ?? '' } } : {}),
  });
}

/** True when suites may run; registers a failing test under CI when they may not. */
export function requireElasticsearch(what: string): boolean {
  if (ES_URL) return true;
  if (process.env.CI === 'true') {
    it(`${what} needs Elasticsearch (ES_URL is not set under CI=true)`, () => {
      throw new Error('ES_URL is not set: run the tests through ./dev.sh test or .ci/run, which start Elasticsearch');
    });
  }
  return false;
}
