import { expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/event.ts';
import { StoreUnavailableError, ValidationError } from '../../src/errors.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { makeEvent, useStore } from './harness.ts';
import { connectionOptions, describeElasticsearch } from '../support/elasticsearch.ts';

describeElasticsearch('Elasticsearch store: round trip and reads', () => {
  const ctx = useStore();
  const team = 'roundtrip';

  it('returns a stored event exactly as appended (every ECS field, nested and dotted original, raw text)', async () => {
    const original = {
      'action_details.operation': { action: 'POST:/api/v1/user/login' },
      actor: { user: { email: 'ana@example.com' } },
      status: 200,
      ok: true,
      ratio: 1.5,
      tags: ['a', 'b'],
      nested: [{ k: 1 }, { k: 'x' }],
      nothing: null,
      text: 'Grüße, 世界 — "quoted"',
    };
    const event: StoredEvent = makeEvent(team, {
      id: '01JD0000000000000000000001',
      timestamp: Date.UTC(2026, 2, 1, 8, 30, 15, 123),
      received: Date.UTC(2026, 2, 1, 8, 30, 16, 7),
      format: 'coralogix',
      flags: ['timestamp_missing'],
      ecs: {
        'event.action': 'user.login',
        'event.outcome': 'success',
        'event.category': ['authentication'],
        'event.type': ['start'],
        'event.id': 'e-1',
        'event.provider': 'coralogix',
        message: 'User logged in',
        'user.id': 'u-1',
        'user.name': 'ana',
        'user.email': 'ana@example.com',
        'organization.id': 'o-1',
        'organization.name': 'Org',
        'source.ip': '203.0.113.9',
        'source.geo.country_iso_code': 'FR',
        'source.geo.city_name': 'Paris',
        'user_agent.original': 'Mozilla/5.0',
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'url.path': '/api/v1/user/login',
        'url.original': 'https://x.example/api/v1/user/login?a=1',
      },
      original,
      raw: ` ${JSON.stringify(original)} `,
    });
    expect(await ctx.store.append(team, [event])).toEqual([{ status: 'created', id: event.id }]);
    expect(await ctx.store.get(team, event.id)).toEqual(event);
    const page = await ctx.store.search(team, { query: null, size: 10 });
    expect(page.hits).toEqual([event]);
    expect(page.total).toBe(1);
    expect(page.cursor).toBeNull();
  });

  it('returns null for an id it does not hold', async () => {
    expect(await ctx.store.get(team, 'no-such-id')).toBeNull();
  });

  it('pages with an opaque cursor in both orders, ties broken by id, without gaps or repeats', async () => {
    const t = 'paging';
    const base = Date.UTC(2026, 0, 10);
    // Groups of three share a timestamp, so the id tiebreaker decides inside each group.
    const events = Array.from({ length: 25 }, (_, i) =>
      makeEvent(t, { id: `p-${String(i).padStart(3, '0')}`, timestamp: base + Math.floor(i / 3) * 1000 }),
    );
    await ctx.store.append(t, events);
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await ctx.store.search(t, { query: null, size: 10, sort: order, ...(cursor ? { cursor } : {}) });
        expect(page.total).toBe(25);
        seen.push(...page.hits.map((h) => h.id));
        cursor = page.cursor ?? undefined;
        pages++;
      } while (cursor);
      const expected = events.map((e) => e.id);
      expect(seen).toEqual(order === 'asc' ? expected : [...expected].reverse());
      expect(pages).toBe(3);
    }
    const first = await ctx.store.search(t, { query: null, size: 10, sort: 'asc' });
    await expect(ctx.store.search(t, { query: null, size: 10, sort: 'desc', cursor: first.cursor! })).rejects.toThrow(ValidationError);
    await expect(ctx.store.search(t, { query: null, size: 10, cursor: 'not-a-cursor' })).rejects.toThrow(ValidationError);
    await expect(ctx.store.search(t, { query: null, size: 0 })).rejects.toThrow(ValidationError);
  });

  it('counts, buckets and facets within a half-open time range', async () => {
    const t = 'aggs';
    const h = 3_600_000;
    const base = Date.UTC(2026, 4, 1);
    const events = [
      makeEvent(t, { timestamp: base, ecs: { 'user.name': 'ana', 'source.ip': '10.0.0.1' }, original: { status: 200, tags: ['x', 'y'] } }),
      makeEvent(t, { timestamp: base + h, ecs: { 'user.name': 'ana', message: 'hello world' }, original: { status: '200', tags: ['x'] } }),
      makeEvent(t, { timestamp: base + 3 * h, ecs: { 'user.name': 'bob' }, original: { status: 500 } }),
      makeEvent(t, { timestamp: base + 4 * h, ecs: {}, original: {} }),
    ];
    await ctx.store.append(t, events);
    expect(await ctx.store.count(t, { query: null })).toBe(4);
    expect(await ctx.store.count(t, { query: null, from: base + h, to: base + 4 * h })).toBe(2);

    const hist = await ctx.store.histogram(t, { query: null, from: base, to: base + 5 * h, intervalMs: h });
    expect(hist.buckets).toEqual([0, 1, 2, 3, 4].map((i) => ({ start: base + i * h, count: i === 2 ? 0 : 1 })));
    const auto = await ctx.store.histogram(t, { query: null });
    expect(auto.buckets.reduce((n, b) => n + b.count, 0)).toBe(4);
    expect(auto.buckets.length).toBeLessThanOrEqual(60);

    const users = await ctx.store.facets(t, { query: null, field: 'user.name' });
    expect(users).toEqual({ field: 'user.name', buckets: [{ value: 'ana', count: 2 }, { value: 'bob', count: 1 }], other: 1 });
    // 200 and "200" are one keyword value in the original.
    const status = await ctx.store.facets(t, { query: null, field: 'status', size: 1 });
    expect(status).toEqual({ field: 'status', buckets: [{ value: '200', count: 2 }], other: 2 });
    // An event with both top values counts once in `other`'s complement.
    const tags = await ctx.store.facets(t, { query: null, field: 'original.tags', size: 2 });
    expect(tags).toEqual({ field: 'original.tags', buckets: [{ value: 'x', count: 2 }, { value: 'y', count: 1 }], other: 2 });
    const text = await ctx.store.facets(t, { query: null, field: 'message' });
    expect(text.buckets).toEqual([{ value: 'hello world', count: 1 }]);
    const ip = await ctx.store.facets(t, { query: null, field: 'source.ip' });
    expect(ip.buckets).toEqual([{ value: '10.0.0.1', count: 1 }]);
    await expect(ctx.store.facets(t, { query: null, field: 'user.*' })).rejects.toThrow(/concrete field/);
    await expect(ctx.store.facets(t, { query: null, field: '@timestamp' })).rejects.toThrow(/histogram/);
  });

  it('answers ping, and reports an unreachable cluster or wrong password as StoreUnavailableError', async () => {
    await ctx.store.ping();
    await expect(
      ElasticsearchStore.connect({ node: 'http://127.0.0.1:1', requestTimeoutMs: 2_000 }),
    ).rejects.toThrow(StoreUnavailableError);
    const options = connectionOptions();
    if (options.username) {
      await expect(ElasticsearchStore.connect({ ...options, password: 'wrong-password' })).rejects.toThrow(StoreUnavailableError);
    }
  });
});
