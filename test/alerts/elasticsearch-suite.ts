/**
 * The alert evaluation suite on Elasticsearch: events in the Elasticsearch store, alert state
 * in the Elasticsearch state store, both under a fresh prefix. Two files run it, one per
 * engine path, so their (slow, refresh-bound) cases run in parallel. Skipped without ES_URL on
 * a developer machine; under CI=true a missing node fails instead.
 */
import { afterAll } from 'vitest';
import { ElasticsearchAlertStateStore } from '../../src/alerts/elasticsearch-state-store.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { cleanPrefix, uniquePrefix } from '../store-es/harness.ts';
import { connectionOptions, describeElasticsearch } from '../support/elasticsearch.ts';
import { type AlertSuiteOptions, runAlertSuite } from './common.ts';

export function runElasticsearchAlertSuite(paths: NonNullable<AlertSuiteOptions['paths']>): void {
  describeElasticsearch('elasticsearch', () => {
    const prefix = uniquePrefix();
    let admin: ElasticsearchStore | undefined;
    afterAll(async () => {
      if (!admin) return;
      await cleanPrefix(admin, prefix);
      await admin.close();
    });

    runAlertSuite('elasticsearch', {
      paths,
      async createStore() {
        const options = { ...connectionOptions(), prefix, refresh: 'wait_for' as const };
        admin ??= await ElasticsearchStore.connect(options);
        return ElasticsearchStore.connect(options);
      },
      async openState() {
        // Every open is a new instance over the same indices: a restart, or a second server.
        return ElasticsearchAlertStateStore.open(admin!.client, { prefix: `${prefix}-alert-` });
      },
    });
  });
}
