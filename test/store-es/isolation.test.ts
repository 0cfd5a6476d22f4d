/**
 * Team isolation. `-` is in the team-id alphabet, so `a` is a prefix of `a-b`: the index
 * naming must keep every read, count, aggregation, retention pass and drop of team `a` off
 * team `a-b`'s indices (and the other way round).
 */
import { beforeAll, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import type { TeamId } from '../../src/events/event.ts';
import { makeEvent, useStore } from './harness.ts';
import { describeElasticsearch } from '../support/elasticsearch.ts';

describeElasticsearch('Elasticsearch store: team isolation', () => {
  const ctx = useStore();
  const teams: TeamId[] = ['a', 'a-b', 'a_b', 'ab'];
  const ts = Date.UTC(2026, 0, 20);

  beforeAll(async () => {
    for (const team of teams) {
      const results = await ctx.store.append(team, [
        makeEvent(team, { id: `${team}-1`, timestamp: ts, ecs: { 'user.name': team }, original: { owner: team } }),
        makeEvent(team, { id: 'shared-id', timestamp: ts + 1, ecs: { 'user.name': team }, original: { owner: team } }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['created', 'created']);
    }
  });

  it('reads, counts and aggregates only the team’s own events', async () => {
    for (const team of teams) {
      const page = await ctx.store.search(team, { query: null, size: 100 });
      expect(page.total).toBe(2);
      expect(new Set(page.hits.map((h) => h.original.owner))).toEqual(new Set([team]));
      expect(await ctx.store.count(team, { query: null })).toBe(2);
      const facet = await ctx.store.facets(team, { query: null, field: 'owner' });
      expect(facet.buckets).toEqual([{ value: team, count: 2 }]);
      const hist = await ctx.store.histogram(team, { query: null, from: ts, to: ts + 1000, intervalMs: 1000 });
      expect(hist.buckets).toEqual([{ start: ts, count: 2 }]);
    }
  });

  it('gets by id only within the team, even when another team uses the same id', async () => {
    expect((await ctx.store.get('a', 'shared-id'))?.original.owner).toBe('a');
    expect((await ctx.store.get('a-b', 'shared-id'))?.original.owner).toBe('a-b');
    expect(await ctx.store.get('a', 'a-b-1')).toBeNull();
  });

  it('ignores a foreign document placed by hand under the team’s index pattern', async () => {
    // Defense in depth: reads also filter on auditlog.team, not only on the index pattern.
    const index = `${ctx.prefix}-a.2026.01`;
    await ctx.store.client.index({
      index,
      id: 'intruder',
      document: { '@timestamp': new Date(ts).toISOString(), auditlog: { id: 'intruder', team: 'a-b' }, original: { owner: 'a-b' } },
      refresh: 'wait_for',
    });
    expect(await ctx.store.count('a', { query: null })).toBe(2);
    expect(await ctx.store.get('a', 'intruder')).toBeNull();
    await ctx.store.client.delete({ index, id: 'intruder', refresh: 'wait_for' });
  });

  it('refuses an event of another team and a team id outside the alphabet', async () => {
    const [result] = await ctx.store.append('a', [makeEvent('a-b')]);
    expect(result).toMatchObject({ status: 'rejected' });
    expect(await ctx.store.count('a', { query: null })).toBe(2);
    for (const bad of ['a*', 'a,b', '*', 'A', '', '_all', 'a.b', '-a']) {
      await expect(ctx.store.search(bad as TeamId, { query: null, size: 1 })).rejects.toThrow(ValidationError);
      await expect(ctx.store.dropTeam(bad as TeamId)).rejects.toThrow(ValidationError);
    }
  });

  it('retention and drop of team a leave a-b untouched', async () => {
    expect(await ctx.store.deleteOlderThan('a', Date.UTC(2027, 0, 1))).toBe(2);
    expect(await ctx.store.count('a', { query: null })).toBe(0);
    expect(await ctx.store.count('a-b', { query: null })).toBe(2);
    await ctx.store.append('a', [makeEvent('a', { timestamp: ts })]);
    await ctx.store.dropTeam('a');
    expect(await ctx.store.count('a', { query: null })).toBe(0);
    for (const team of ['a-b', 'a_b', 'ab'] as TeamId[]) expect(await ctx.store.count(team, { query: null })).toBe(2);
    const left = await ctx.store.client.indices.resolveIndex({ name: `${ctx.prefix}-*` });
    expect(left.indices.map((i) => i.name).sort()).toEqual([`${ctx.prefix}-a-b.2026.01`, `${ctx.prefix}-a_b.2026.01`, `${ctx.prefix}-ab.2026.01`]);
  });
});
