import { expect, it } from 'vitest';
import { makeEvent, useStore } from './harness.ts';
import { describeElasticsearch } from '../support/elasticsearch.ts';

const DAY = 86_400_000;

describeElasticsearch('Elasticsearch store: retention', () => {
  const monthly = useStore({ retentionDays: () => 90 });
  const daily = useStore({ retentionDays: () => 7 });

  it('puts a 90-day team in monthly indices and drops the ones wholly older than the cutoff', async () => {
    const team = 'keep90';
    const times = [Date.UTC(2025, 0, 5), Date.UTC(2025, 0, 31, 23, 59, 59, 999), Date.UTC(2025, 1, 10), Date.UTC(2025, 2, 1), Date.UTC(2025, 2, 20)];
    await monthly.store.append(team, times.map((timestamp) => makeEvent(team, { timestamp })));
    const names = async () =>
      (await monthly.store.client.indices.resolveIndex({ name: `${monthly.prefix}-${team}.*` })).indices.map((i) => i.name).sort();
    expect(await names()).toEqual(['2025.01', '2025.02', '2025.03'].map((p) => `${monthly.prefix}-${team}.${p}`));

    // The cutoff falls inside March: January and February go whole, March loses its first event.
    const deleted = await monthly.store.deleteOlderThan(team, Date.UTC(2025, 2, 10));
    expect(deleted).toBe(4);
    expect(await names()).toEqual([`${monthly.prefix}-${team}.2025.03`]);
    const left = await monthly.store.search(team, { query: null, size: 10 });
    expect(left.hits.map((h) => h.timestamp)).toEqual([Date.UTC(2025, 2, 20)]);
    expect(await monthly.store.deleteOlderThan(team, Date.UTC(2025, 2, 10))).toBe(0);
  });

  it('puts a 7-day team in daily indices, so it is trimmed to the day', async () => {
    const team = 'keep7';
    const now = Date.UTC(2026, 5, 15, 12);
    const events = Array.from({ length: 10 }, (_, i) => makeEvent(team, { timestamp: now - i * DAY }));
    await daily.store.append(team, events);
    // Events 7 to 9 days back are older than the cutoff (the one 7 days back is exactly at it: kept).
    expect(await daily.store.deleteOlderThan(team, now - 7 * DAY)).toBe(2);
    const left = await daily.store.search(team, { query: null, size: 100, sort: 'asc' });
    expect(left.total).toBe(8);
    expect(left.hits[0]!.timestamp).toBe(now - 7 * DAY);
    const indices = await daily.store.client.indices.resolveIndex({ name: `${daily.prefix}-${team}.*` });
    expect(indices.indices.length).toBe(8);
  });

  it('counts an empty or unknown team as nothing to delete', async () => {
    expect(await monthly.store.deleteOlderThan('nobody', Date.now())).toBe(0);
    await monthly.store.dropTeam('nobody');
  });
});
