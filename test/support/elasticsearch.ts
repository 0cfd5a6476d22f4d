/**
 * The one Elasticsearch helper of the tests: the node scripts/elasticsearch.sh started (it
 * exports ES_URL, ES_USERNAME, ES_PASSWORD), and the one skip policy. Without ES_URL a suite
 * that needs the node is skipped on a developer machine, but under CI=true it registers a
 * failing test instead: a skipped Elasticsearch suite must never pass CI. Every suite that
 * needs the node asks `requireElasticsearch` (test/README.md).
 */
import { Client } from '@elastic/elasticsearch';
import { describe, it } from 'vitest';

export const ES_URL = process.env.ES_URL;

/** Where the node is and how to sign in, as the stores' options and the client take them. */
export function connectionOptions(): { node: string; username?: string; password?: string } {
  if (!ES_URL) throw new Error('ES_URL is not set: run the tests through ./dev.sh test or .ci/run, which start Elasticsearch');
  return { node: ES_URL, ...(process.env.ES_USERNAME ? { username: process.env.ES_USERNAME, password: process.env.ES_PASSWORD ?? '' } : {}) };
}

export function elasticsearchClient(): Client {
  const { node, username, password } = connectionOptions();
  return new Client({ node, ...(username !== undefined ? { auth: { username, password: password ?? '' } } : {}) });
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

/** A `describe` whose suite needs the node: run, skipped, or failed under CI as requireElasticsearch says. */
export function describeElasticsearch(title: string, fn: () => void): void {
  describe.runIf(requireElasticsearch(title))(title, fn);
}
