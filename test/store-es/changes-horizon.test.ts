/**
 * A stream's position is shared by every instance that reads it, and they need not agree on
 * how far the settle horizon is (settle time, clock). One whose horizon is behind the position
 * must leave it where it is: moving it to its own horizon skipped the rest of the position's
 * millisecond.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamId } from '../../src/events/event.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { connectionOptions, describeElasticsearch } from '../support/elasticsearch.ts';
import { makeEvent, useStore } from './harness.ts';

describeElasticsearch('changes across instances with different horizons', () => {
  const ctx = useStore({ changesSettleMs: 1_000 });
  let behind: ElasticsearchStore;
  beforeAll(async () => {
    behind = await ElasticsearchStore.connect({ ...connectionOptions(), refresh: 'wait_for', prefix: ctx.prefix, changesSettleMs: 3_600_000 });
  });
  afterAll(async () => {
    await behind?.close();
  });

  describe('a position in the middle of one millisecond', () => {
    it('is left where it is by an instance whose horizon is behind it, and the rest is read later', async () => {
      const team = 'horizon' as TeamId;
      const received = Date.now() - 10_000;
      const events = Array.from({ length: 6 }, () => makeEvent(team, { received, timestamp: received }));
      await ctx.store.append(team, events);
      const start = await ctx.store.changesStart(team, received - 1_000);

      const first = await ctx.store.changes(team, { query: null, after: start, size: 3 });
      expect(first.events.map((e) => e.id)).toEqual(events.slice(0, 3).map((e) => e.id));

      const stalled = await behind.changes(team, { query: null, after: first.position, size: 3 });
      expect(stalled).toEqual({ events: [], position: first.position });

      const rest = await ctx.store.changes(team, { query: null, after: stalled.position, size: 10 });
      expect(rest.events.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));
    });
  });
});
