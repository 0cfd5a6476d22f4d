/**
 * What the differential tests run against: the fixture corpus (the seeds, the demo in all
 * four formats, hand-written edge events) prepared by the real ingest path; both stores
 * holding the same events under one team; and the three ways of asking for the ids a query
 * matches (our DSL through the Elasticsearch store, Elasticsearch's own `query_string` on the
 * same indices, the SQLite store).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedQueryError } from '../../src/errors.ts';
import type { JsonObject, StoredEvent } from '../../src/events/event.ts';
import { generateDemo } from '../../src/demo/generate.ts';
import { geoEnricher, openGeoDatabases } from '../../src/geo/index.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';
import type { FieldNode, QueryNode } from '../../src/query/ast.ts';
import { expandFieldPattern, FREE_TEXT_FIELD, isFieldPattern, resolveQueryField } from '../../src/query/fields.ts';
import { compileMatcher } from '../../src/query/match.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { printQuery } from '../../src/query/print.ts';
import { compileToElasticsearch, esPath } from '../../src/store/elasticsearch/compile-es.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { teamPattern } from '../../src/store/elasticsearch/naming.ts';
import { SqliteStore } from '../../src/store/sqlite/index.ts';
import type { AuditStore } from '../../src/store/interface.ts';
import { BIGPANDA_EXAMPLE, CORALOGIX_EXAMPLE, THREATSTACK_EXAMPLE } from '../fixtures/seed-events.ts';
import { cleanPrefix, uniquePrefix } from '../store-es/harness.ts';
import { connectionOptions } from '../support/elasticsearch.ts';

export const TEAM = 'differential';
/** The demo's clock: fixed, so the demo events (and the queries that name their days) never move. */
export const DEMO_NOW = Date.UTC(2026, 0, 20, 12, 0, 0);

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Events the seeds and the demo do not have: numbers and strings that print alike, dotted
 * keys, arrays of objects, values full of query syntax, a field name with a space, IPv6,
 * a leaf and a child of it under one name, an event without time, and three events placed
 * relative to the real clock so that `now-1h` and friends have something to find.
 */
function edgeEvents(now: number): JsonObject[] {
  return [
    {
      '@timestamp': new Date(now - 5 * MIN).toISOString(),
      event: { action: 'edge-recent', outcome: 'success', category: ['iam'] },
      user: { name: 'edge-one', email: 'edge.one@example.org' },
      source: { ip: '2001:db8::1' },
      http: { response: { status_code: 500 } },
      message: 'Edge event: say "hi" to café users',
    },
    {
      '@timestamp': new Date(now - 2 * HOUR).toISOString(),
      event: { action: 'edge-hours', outcome: 'failure' },
      user: { name: 'edge-two' },
      source: { ip: '::1' },
      http: { response: { status_code: 404 } },
      message: 'foo-bar baz: Failed LOGIN attempt',
    },
    {
      '@timestamp': '2026-01-17T00:00:00Z',
      event: { action: 'edge-long-message' },
      message: `${'long message '.repeat(100)}end`,
      user_agent: { original: `Agent/${'x'.repeat(1100)}` },
    },
    {
      '@timestamp': new Date(now - 3 * 24 * HOUR).toISOString(),
      event: { action: 'edge-days', outcome: 'unknown' },
      user: { name: 'Édith Ünal' },
      source: { ip: '10.1.2.3' },
      http: { response: { status_code: 302 } },
      message: 'Ärger über 10.1.2.3 and alice@example.com',
    },
    {
      time: '2026-01-18T08:00:00Z',
      kind: 'edge',
      'first name': 'Alice',
      'is_admin?': true,
      note: 'say "hi"',
      path: 'C:\\temp\\x',
      'a.b': 'dotted',
      items: [{ k: 1 }, { k: 2 }],
      tags: ['x', 'y'],
      status: 200,
      code: '200',
      n: 1000,
      n2: '999',
      ratio: 1.5,
      neg: -3,
      flag: true,
      empty: '',
      nothing: null,
      paren: '(paren)',
      plus: 'a+b',
      star: '*',
      emoji: '🙂 smile',
      unicode: 'Ärger café',
    },
    {
      time: '2026-01-18T09:00:00Z',
      kind: 'edge',
      status: '200',
      code: 404,
      n: 200,
      x: 'leaf',
      'x.y': 'child',
      tags: ['y', 'z'],
      flag: false,
      long: `${'abc '.repeat(2500)}tail`,
      words: 'The quick brown fox jumps over the lazy dog',
      prose: "O'Reilly's 1,000 items v1.2.3 user_name a:b 中文 ひらがな カタカナ 한국어",
    },
    { kind: 'edge-untimed', note: 'no time at all', status: 'OK' },
  ];
}

/** The corpus, prepared through the real ingest path (format detection, adapters, ids, GeoIP). */
export function corpus(now: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  const enrich = geoEnricher(openGeoDatabases());
  const add = (values: JsonObject[], received: number, format?: StoredEvent['format']) => {
    const items = values.map((value, index) => ({ index, value, raw: JSON.stringify(value) }));
    for (const p of prepareEvents(items, { team: TEAM, received, format, enrich })) {
      if ('error' in p) throw new Error(`corpus event ${p.index} rejected: ${p.error.reason}`);
      events.push(p.event);
    }
  };
  add([CORALOGIX_EXAMPLE, THREATSTACK_EXAMPLE, BIGPANDA_EXAMPLE], DEMO_NOW);
  for (const batch of generateDemo({ now: DEMO_NOW, seed: 7 })) add(batch.events as JsonObject[], DEMO_NOW, batch.format);
  add(edgeEvents(now), now);
  return events;
}

export type Outcome = { error: string } | { ids: string[] };

/** Both stores holding the same events (query_string goes through `es.client`). */
export interface Stores {
  es: ElasticsearchStore;
  sqlite: SqliteStore;
  events: Map<string, StoredEvent>;
  close(): Promise<void>;
}

/** Appends the events once to each store, under one team; both must take them alike. */
export async function openStores(team: string, events: StoredEvent[]): Promise<Stores> {
  const prefix = uniquePrefix();
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-differential-'));
  const es = await ElasticsearchStore.connect({ ...connectionOptions(), prefix, refresh: 'wait_for' });
  const sqlite = new SqliteStore({ dataDir: dir });
  const close = async () => {
    await cleanPrefix(es, prefix);
    await es.close();
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Every event is distinct, so each store must create every one: none rejected, none taken for another.
    for (const store of [es, sqlite] as AuditStore[]) {
      const results = await store.append(team, events, { waitForSearch: true });
      const notCreated = results.filter((r) => r.status !== 'created');
      if (notCreated.length > 0) throw new Error(`${store.kind} did not create ${notCreated.length} events: ${JSON.stringify(notCreated.slice(0, 3))}`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { es, sqlite, events: new Map(events.map((e) => [e.id, e])), close };
}

/** Every id the store finds for the parsed query, page after page. */
export async function storeIds(store: AuditStore, query: string, team: string = TEAM): Promise<Outcome> {
  try {
    const ast = parseQuery(query);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.search(team, { query: ast, size: 1000, ...(cursor ? { cursor } : {}) });
      for (const h of page.hits) ids.push(h.id);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return { ids: ids.sort() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Every event of the team as the store returns it, oldest first. */
export async function readAll(store: AuditStore, team: string = TEAM): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search(team, { query: null, size: 1000, sort: 'asc', ...(cursor ? { cursor } : {}) });
    events.push(...page.hits);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return events;
}

/** The ids of the events the in-memory matcher accepts for the query. */
export function matcherIds(events: StoredEvent[], query: string): Outcome {
  try {
    const matcher = compileMatcher(parseQuery(query));
    return { ids: events.filter((e) => matcher.matches(e)).map((e) => e.id).sort() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The reference: Elasticsearch's own query_string over the team's indices. It gets our parse
 * printed back with each field rewritten to where our resolution puts it (storageQuery).
 * `lenient: false`: a value a concrete field's type cannot take is an error for us, and
 * query_string without lenient says so too (400); field patterns are expanded before
 * query_string sees them, to the fields whose type takes the value, which is what lenient
 * would do on its own expansion.
 */
export async function queryStringIds(es: ElasticsearchStore, query: string, { raw = false, team = TEAM } = {}): Promise<Outcome> {
  let text = query;
  // When our parser refuses the query, Elasticsearch's must refuse the text as written.
  if (!raw) {
    try {
      text = storageQuery(query);
    } catch {
      text = query;
    }
  }
  try {
    const r = await es.client.search({
      index: teamPattern(es.prefix, team),
      ignore_unavailable: true,
      allow_no_indices: true,
      query: { query_string: { query: text, default_field: FREE_TEXT_FIELD, default_operator: 'or', lenient: false } },
      // Within index.max_result_window (10,000): more than either corpus holds.
      size: 10_000,
      _source: false,
    });
    return { ids: r.hits.hits.map((h) => h._id!).sort() };
  } catch (err) {
    const reason = (err as { meta?: { body?: { error?: { root_cause?: Array<{ reason?: string }> } } } }).meta?.body?.error?.root_cause?.[0]?.reason;
    return { error: reason ?? (err instanceof Error ? err.message : String(err)) };
  }
}

/** The query text query_string gets: our parse, fields mapped to storage names, printed. */
export function storageQuery(query: string): string {
  return printQuery(toStorageFields(parseQuery(query)));
}

/**
 * Whether the query as typed already names only storage fields (no field pattern, no name
 * our resolution moves), so query_string can also be given the raw text and any difference
 * in how the two parsers read it shows.
 */
export function namesStorageFields(query: string): boolean {
  let ast: QueryNode;
  try {
    ast = parseQuery(query);
  } catch {
    // queryStringIds already gives query_string the raw text of a query we refuse.
    return false;
  }
  const walk = (node: QueryNode): boolean => {
    if (node.type === 'matchAll') return true;
    if (node.type === 'bool') return node.clauses.every((c) => walk(c.query));
    const f = node.field;
    return f === null || (!isFieldPattern(f) && esPath(resolveQueryField(f)) === f);
  };
  return walk(ast);
}

function toStorageFields(node: QueryNode): QueryNode {
  if (node.type === 'matchAll') return node;
  if (node.type === 'bool') return { ...node, clauses: node.clauses.map((c) => ({ ...c, query: toStorageFields(c.query) })) };
  return storageLeaf(node);
}

/**
 * A concrete field becomes its storage path (`crud` → `original.crud`). A field pattern
 * becomes the group of what compile-es expands it to: each normalized or metadata field it
 * names whose type takes the value, and `original.<pattern>`, which query_string expands
 * against the mapping itself. `?` in a field name is an ordinary character (printed escaped).
 */
function storageLeaf(node: FieldNode): QueryNode {
  const field = node.field;
  if (field === null) return node;
  if (!isFieldPattern(field)) return { ...node, field: esPath(resolveQueryField(field)) } as QueryNode;
  const { boost, ...bare } = node;
  const pattern = expandFieldPattern(field);
  const alternatives: QueryNode[] = [];
  for (const f of pattern.fields) {
    const leaf = { ...bare, field: esPath(f) } as QueryNode;
    try {
      compileToElasticsearch(leaf);
      alternatives.push(leaf);
    } catch (err) {
      if (!(err instanceof UnsupportedQueryError)) throw err;
    }
  }
  alternatives.push({ ...bare, field: `original.${pattern.original}` } as QueryNode);
  if (alternatives.length === 1) return { ...alternatives[0]!, ...(boost === undefined ? {} : { boost }) };
  return {
    type: 'bool',
    loc: node.loc,
    ...(boost === undefined ? {} : { boost }),
    clauses: alternatives.map((query) => ({ occur: 'should' as const, query })),
  };
}

/** Null when both outcomes agree; otherwise what differs, with a glimpse of the events. */
export function difference(ours: Outcome, theirs: Outcome, events: Map<string, StoredEvent>, names: [string, string]): string | null {
  if ('error' in ours || 'error' in theirs) {
    if ('error' in ours && 'error' in theirs) return null;
    const say = (o: Outcome) => ('error' in o ? `error: ${o.error}` : `${o.ids.length} hits`);
    return `${names[0]} ${say(ours)}; ${names[1]} ${say(theirs)}`;
  }
  const a = new Set(ours.ids);
  const b = new Set(theirs.ids);
  const onlyA = ours.ids.filter((id) => !b.has(id));
  const onlyB = theirs.ids.filter((id) => !a.has(id));
  if (onlyA.length === 0 && onlyB.length === 0) return null;
  const show = (ids: string[]) =>
    ids
      .slice(0, 3)
      .map((id) => {
        const e = events.get(id);
        return e ? `${e.format} ${JSON.stringify(e.original).slice(0, 160)}` : id;
      })
      .join('\n    ');
  return (
    `${names[0]} ${ours.ids.length} hits, ${names[1]} ${theirs.ids.length}\n` +
    `  only ${names[0]} (${onlyA.length}):\n    ${show(onlyA)}\n` +
    `  only ${names[1]} (${onlyB.length}):\n    ${show(onlyB)}`
  );
}
