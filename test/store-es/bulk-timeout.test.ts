/**
 * A `_bulk` request that Elasticsearch carried out but whose answer came too late: the store
 * sends it again, Elasticsearch answers 409 for every event the first attempt stored, and those
 * are this call's own writes, so `created`, not `duplicate`. A real proxy in front of the test
 * node holds back the first bulk answer past the client's timeout.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { cleanPrefix, makeEvent, uniquePrefix } from './harness.ts';
import { connectionOptions, describeElasticsearch, ES_URL } from '../support/elasticsearch.ts';

describeElasticsearch('Elasticsearch store: a bulk answer lost to a timeout', () => {
  let proxy: Server;
  let held = 0;
  let store: ElasticsearchStore;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    const upstream = new URL(ES_URL!);
    let first = true;
    proxy = createServer((req, res) => {
      const hold = first && req.url?.startsWith('/_bulk') === true;
      if (hold) first = false;
      const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          if (hold) held++;
          // Past the client's timeout: Elasticsearch has stored the events, the client never hears it.
          setTimeout(() => {
            if (res.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          }, hold ? 8_000 : 0);
        });
      });
      req.pipe(out);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    store = await ElasticsearchStore.connect({
      ...connectionOptions(),
      node: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      prefix,
      // Room for every other request (templates at connect, index creation) on a loaded node.
      requestTimeoutMs: 4_000,
    });
  });
  afterAll(async () => {
    if (store) {
      await cleanPrefix(store, prefix);
      await store.close();
    }
    proxy?.closeAllConnections();
    proxy?.close();
  });

  it('answers created for the events its own unanswered attempt stored, and stores each once', async () => {
    const team = 'timeout';
    const events = Array.from({ length: 20 }, () => makeEvent(team));
    const results = await store.append(team, events, { waitForSearch: true });
    expect(held).toBe(1);
    expect(results).toEqual(events.map((e) => ({ status: 'created', id: e.id })));
    expect(await store.count(team, { query: null })).toBe(20);
    // A later call with the same ids: those really are duplicates.
    expect((await store.append(team, events.slice(0, 2))).map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
  });
});
