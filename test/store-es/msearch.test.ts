/**
 * The store's batched view (`batched()`, msearch.ts): reads asked for together go out as one
 * `_msearch` and each gets the answer the store gives it alone; a query the cluster refuses
 * fails only itself; team isolation holds inside one multi-search.
 */
import { beforeAll, expect, it } from 'vitest';
import type { TeamId } from '../../src/events/event.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { makeEvent, useStore } from './harness.ts';
import { describeElasticsearch } from '../support/elasticsearch.ts';

describeElasticsearch('Elasticsearch store: reads batched into _msearch', () => {
  const ctx = useStore();
  const ts = Date.UTC(2026, 0, 20);
  const teams: TeamId[] = ['m', 'm-b'];

  beforeAll(async () => {
    for (const team of teams) {
      await ctx.store.append(
        team,
        Array.from({ length: 12 }, (_, i) =>
          makeEvent(team, { id: `${team}-${i}`, timestamp: ts + i * 1000, ecs: { 'event.action': i % 3 === 0 ? 'login' : 'read', 'user.name': `u${i % 4}` }, original: { owner: team, i } }),
        ),
      );
    }
  });

  /** HTTP requests the store's client sends while `fn` runs. */
  async function requests(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const listener = (_err: unknown, event: { meta: { request: { params: { method: string; path: string } } } } | null) => {
      if (event) seen.push(`${event.meta.request.params.method} ${event.meta.request.params.path}`);
    };
    ctx.store.client.diagnostic.on('request', listener as never);
    try {
      await fn();
    } finally {
      ctx.store.client.diagnostic.off('request', listener as never);
    }
    return seen;
  }

  it('counts, searches and facets asked for at once are one request, with the answers each gets alone', async () => {
    const queries = ['event.action:login', 'event.action:read', 'user.name:u1', '*:*', 'nothing'];
    const alone = await Promise.all(
      teams.flatMap((team) =>
        queries.map(async (q) => ({
          count: await ctx.store.count(team, { query: parseQuery(q), from: ts, to: ts + 10_000 }),
          page: (await ctx.store.search(team, { query: parseQuery(q), size: 3, sort: 'desc' })).hits.map((h) => h.id),
        })),
      ),
    );
    const batched = ctx.store.batched();
    let together: typeof alone = [];
    const sent = await requests(async () => {
      const counts = teams.flatMap((team) => queries.map((q) => batched.count(team, { query: parseQuery(q), from: ts, to: ts + 10_000 })));
      const pages = teams.flatMap((team) => queries.map((q) => batched.search(team, { query: parseQuery(q), size: 3, sort: 'desc' })));
      const [c, p] = await Promise.all([Promise.all(counts), Promise.all(pages)]);
      together = c.map((count, i) => ({ count, page: p[i]!.hits.map((h) => h.id) }));
    });
    expect(together).toEqual(alone);
    expect(sent).toEqual([expect.stringMatching(/^POST \/_msearch/)]);

    const facet = await ctx.store.facets('m', { query: null, field: 'user.name', size: 2 });
    expect(await batched.facets('m', { query: null, field: 'user.name', size: 2 })).toEqual(facet);
  });

  it('a query the cluster refuses fails alone; the others of the same request are answered', async () => {
    const batched = ctx.store.batched();
    // A regular expression Elasticsearch cannot determinize within its limit: a 400 for that search only.
    const bad = batched.count('m', { query: parseQuery('owner:/[ab]*a[ab]{20}/') });
    const good = batched.count('m', { query: parseQuery('event.action:login') });
    await expect(bad).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await good).toBe(4);
  });
});
