/**
 * Elasticsearch stopped in the middle of an ingest, on a node of this test's own: while it is
 * down every route answers 503 with Retry-After (authentication included, since keys live in
 * the cluster), /healthz stays 200 and /readyz says not ready; producers retry on 503, and once
 * the node is back nothing they were told was stored is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OPERATOR_KEY, startHarness } from '../http/harness.ts';
import { requireElasticsearch } from '../support/elasticsearch.ts';
import { type OwnNode, startOwnElasticsearch } from '../support/own-elasticsearch.ts';
import { Ledger, produce, type Target, verify } from './ledger.ts';

const PRODUCERS = 3;
const BATCHES = 60;
const BATCH_SIZE = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (requireElasticsearch('fault: Elasticsearch outage')) {
  describe('Elasticsearch stopped mid-ingest', () => {
    let node: OwnNode | undefined;
    let h: Harness | undefined;
    beforeAll(async () => {
      node = await startOwnElasticsearch();
      h = await startHarness('elasticsearch', { ES_URL: node.url, ES_USERNAME: node.username, ES_PASSWORD: node.password, AUDITLOG_ALERTS: 'off' });
    }, 300_000);
    afterAll(async () => {
      await h?.close();
      await node?.destroy();
    }, 120_000);

    it(
      'answers 503 with Retry-After everywhere while it is down, and loses no acknowledged event',
      async () => {
        const harness = h!;
        const target: Target = { url: () => harness.url, ingestKey: harness.teams.a.keys.ingest, readKey: harness.teams.a.keys.read };
        const routes = await apiRoutes(harness);
        const ledger = new Ledger(harness.teams.a.team);
        const total = PRODUCERS * BATCHES * BATCH_SIZE;
        let failure: unknown;
        const producers = Array.from({ length: PRODUCERS }, (_, p) =>
          produce(target, ledger, { first: p * BATCHES * BATCH_SIZE, batches: BATCHES, size: BATCH_SIZE }).catch((err: unknown) => {
            failure ??= err;
          }),
        );
        const until = async (done: () => boolean, what: string, ms = 120_000) => {
          const deadline = Date.now() + ms;
          while (!done()) {
            if (failure !== undefined) throw failure;
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(ledger.summary())}`);
            await sleep(20);
          }
        };

        const t0 = Date.now();
        const phases: Record<string, number> = {};
        const phase = (name: string) => (phases[name] = Math.round((Date.now() - t0) / 100) / 10);
        await until(() => ledger.acked.size >= total / 4, 'a quarter of the events');
        phase('quarter');
        const beforeOutage = ledger.acked.size;
        await node!.stop();
        phase('stopped');
        await until(() => ledger.unavailable >= 2 * PRODUCERS, 'producers to be answered 503');
        phase('503s');

        expect((await harness.call('/healthz')).status).toBe(200);
        const ready = await harness.call('/readyz');
        expect(ready.status).toBe(503);
        expect(ready.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await ready.json()).toMatchObject({ status: 'not ready', store: 'elasticsearch' });
        const calls = [harness.teams.a.keys.admin, OPERATOR_KEY].flatMap((key) => routes.map((route) => ({ ...route, key })));
        await Promise.all(
          calls.map(async ({ method, path, key }) => {
            const res = await harness.call(path, { method, key, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });
            const who = `${method} ${path} with the ${key === OPERATOR_KEY ? 'operator' : 'admin'} key`;
            expect(res.status, who).toBe(503);
            expect(res.headers.get('retry-after'), who).toMatch(/^\d+$/);
            expect(((await res.json()) as { error: { code: string } }).error.code, who).toBe('STORE_UNAVAILABLE');
          }),
        );
        const duringOutage = ledger.acked.size;
        phase('swept');

        await node!.restart();
        phase('restarted');
        await until(() => ledger.acked.size > duringOutage, 'the first acknowledgement after the restart', 300_000);
        phase('first ack after restart');
        await Promise.all(producers);
        phase('produced');
        if (failure !== undefined) throw failure;
        expect((await harness.call('/readyz')).status).toBe(200);

        const { stored } = await verify(target, ledger);
        expect(stored).toBe(total);
        expect(ledger.unavailableWithRetryAfter).toBe(ledger.unavailable);
        phase('verified');
        console.info('Elasticsearch outage:', JSON.stringify({ phases, beforeOutage, duringOutage, routesChecked: routes.length, ...ledger.summary(), stored }));
      },
      600_000,
    );
  });
}

/**
 * Every route of the API that takes a key, from its own OpenAPI document, with its path
 * parameters filled in (the health probes, which take none, are checked on their own).
 */
async function apiRoutes(h: Harness): Promise<Array<{ method: string; path: string }>> {
  const doc = (await (await h.call('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const out: Array<{ method: string; path: string }> = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if ((op.security ?? []).length === 0) continue;
      out.push({ method: method.toUpperCase(), path: path.replace('{team}', h.teams.a.team).replace(/\{[^}]+\}/g, 'x') });
    }
  }
  expect(out.length).toBeGreaterThan(20);
  return out;
}
