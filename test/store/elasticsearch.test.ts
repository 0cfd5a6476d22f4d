/**
 * The shared store suite against the Elasticsearch store on the node that
 * scripts/elasticsearch.sh started (ES_URL). Skipped without ES_URL on a developer machine;
 * in CI (CI=true) a missing node fails the suite instead.
 */
import { afterAll } from 'vitest';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { cleanPrefix, uniquePrefix } from '../store-es/harness.ts';
import { connectionOptions, describeElasticsearch } from '../support/elasticsearch.ts';
import { runStoreSuite } from './common.ts';

describeElasticsearch('elasticsearch', () => {
  const prefix = uniquePrefix();
  let cleanup: ElasticsearchStore | undefined;
  afterAll(async () => {
    // The suite closes its store; a second client removes the prefix's templates and indices.
    if (!cleanup) return;
    await cleanPrefix(cleanup, prefix);
    await cleanup.close();
  });

  runStoreSuite('elasticsearch', {
    async create() {
      const options = { ...connectionOptions(), prefix, refresh: 'wait_for' as const, changesSettleMs: 1_000 };
      cleanup = await ElasticsearchStore.connect(options);
      return ElasticsearchStore.connect(options);
    },
  });
});
