/**
 * Shared set-up for the Elasticsearch store tests, on the node of test/support/elasticsearch.ts
 * (which also decides when they are skipped).
 *
 * Each test file works under its own random prefix and removes everything under it afterwards,
 * so files can run in parallel against one node.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { StoredEvent, TeamId } from '../../src/events/event.ts';
import { ElasticsearchStore, type ElasticsearchStoreOptions } from '../../src/store/elasticsearch/index.ts';
import { connectionOptions } from '../support/elasticsearch.ts';

export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Opens a store for the file under a fresh prefix; removes the prefix's indices and templates after. */
export function useStore(options: Partial<ElasticsearchStoreOptions> = {}) {
  const state: { store: ElasticsearchStore; prefix: string } = {} as never;
  const opened: ElasticsearchStore[] = [];
  beforeAll(async () => {
    state.prefix = options.prefix ?? uniquePrefix();
    state.store = await ElasticsearchStore.connect({ ...connectionOptions(), refresh: 'wait_for', ...options, prefix: state.prefix });
    opened.push(state.store);
  });
  afterAll(async () => {
    if (!state.store) return;
    await cleanPrefix(state.store, state.prefix);
    for (const s of opened) await s.close();
  });
  return state;
}

export async function cleanPrefix(store: ElasticsearchStore, prefix: string): Promise<void> {
  const client = store.client;
  const resolved = await client.indices.resolveIndex({ name: `${prefix}-*`, expand_wildcards: ['open', 'closed'] });
  const names = resolved.indices.map((i) => i.name);
  for (let i = 0; i < names.length; i += 50) {
    await client.indices.delete({ index: names.slice(i, i + 50).join(','), ignore_unavailable: true });
  }
  const templates = await client.indices.getIndexTemplate({ name: `${prefix}-*` }, { ignore: [404] });
  for (const t of templates.index_templates ?? []) await client.indices.deleteIndexTemplate({ name: t.name });
  const components = await client.cluster.getComponentTemplate({ name: `${prefix}-*` }, { ignore: [404] });
  for (const c of components.component_templates ?? []) await client.cluster.deleteComponentTemplate({ name: c.name });
}

let seq = 0;
/** A valid StoredEvent; ids sort in creation order. */
export function makeEvent(team: TeamId, overrides: Partial<StoredEvent> = {}): StoredEvent {
  seq++;
  const original = overrides.original ?? { action: 'login', n: seq };
  return {
    id: `ev-${String(seq).padStart(6, '0')}-${randomBytes(3).toString('hex')}`,
    team,
    timestamp: Date.UTC(2026, 0, 15, 12, 0, 0),
    received: Date.UTC(2026, 0, 15, 12, 0, 1),
    format: 'generic',
    flags: [],
    ecs: {},
    original,
    raw: JSON.stringify(original),
    ...overrides,
  };
}
