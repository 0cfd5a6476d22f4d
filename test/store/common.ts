/**
 * The shared store suite: every AuditStore implementation runs these same cases, so SQLite
 * and Elasticsearch give the same answers to the same queries. A store that cannot do
 * something lists the test names in `skip` with the reason (and throws UnsupportedQueryError
 * for it rather than answering wrongly).
 *
 * Each test works in its own fresh team and drops it afterwards, so one store instance
 * serves the whole suite (cheap for Elasticsearch, where creating a store costs a client).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import { conflictEventId, contentHash } from '../../src/events/identity.ts';
import { flattenOriginal } from '../../src/events/fields.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';
import type { Clause, QueryNode } from '../../src/query/ast.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { printQuery } from '../../src/query/print.ts';
import type { AuditStore, QueryRequest } from '../../src/store/interface.ts';
import { corpusFiles, corpusLines } from '../support/corpus.ts';
import { geoCases } from './geo-cases.ts';

export interface StoreSuiteOptions {
  create(): Promise<AuditStore>;
  skip?: Array<{ reason: string; tests: string[] }>;
}

// --- AST builders: the query string each case stands for is the test title. ---
const loc = { start: 0, end: 0 };
type F = string | null;
export const q = {
  all: (): QueryNode => ({ type: 'matchAll', loc }),
  term: (field: F, value: string): QueryNode => ({ type: 'term', field, value, loc }),
  phrase: (field: F, value: string, slop?: number): QueryNode =>
    slop === undefined ? { type: 'phrase', field, value, loc } : { type: 'phrase', field, value, slop, loc },
  wildcard: (field: F, pattern: string): QueryNode => ({ type: 'wildcard', field, pattern, loc }),
  regex: (field: F, pattern: string): QueryNode => ({ type: 'regex', field, pattern, loc }),
  fuzzy: (field: F, value: string, distance: number | 'auto' = 'auto'): QueryNode => ({ type: 'fuzzy', field, value, distance, loc }),
  range: (field: F, lower: string | null, upper: string | null, includeLower = true, includeUpper = true): QueryNode => ({
    type: 'range',
    field,
    lower,
    upper,
    includeLower,
    includeUpper,
    loc,
  }),
  exists: (field: string): QueryNode => ({ type: 'exists', field, loc }),
  bool: (...clauses: Clause[]): QueryNode => ({ type: 'bool', clauses, loc }),
  must: (query: QueryNode): Clause => ({ occur: 'must', query }),
  should: (query: QueryNode): Clause => ({ occur: 'should', query }),
  not: (query: QueryNode): Clause => ({ occur: 'mustNot', query }),
};

export const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const MIN = 60_000;

export function makeEvent(
  team: string,
  id: string,
  timestamp: number,
  original: Record<string, unknown>,
  ecs: StoredEvent['ecs'] = {},
  extra: Partial<StoredEvent> = {},
): StoredEvent {
  return {
    id,
    team,
    timestamp,
    received: timestamp + 1_000,
    format: 'generic',
    flags: [],
    ecs,
    original,
    raw: JSON.stringify(original),
    ...extra,
  };
}

/** The fixture every query case runs against: e1..e10, one minute apart after T0. */
export function fixture(team: string): StoredEvent[] {
  const at = (i: number) => T0 + i * MIN;
  return [
    makeEvent(
      team,
      'e1',
      at(1),
      {
        action_details: { operation: { action: 'POST:/api/v1/user/login' } },
        user: { email: 'alice@example.com', name: 'Alice' },
        status: 200,
        result: 'success',
        tags: ['admin', 'sso'],
        message: 'Failed login from Paris',
      },
      {
        'event.action': 'login',
        'event.outcome': 'success',
        'event.category': ['authentication', 'iam'],
        'user.name': 'alice',
        'source.ip': '10.1.2.3',
        'http.response.status_code': 200,
        message: 'User alice logged in successfully',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0',
      },
      { format: 'coralogix' },
    ),
    makeEvent(
      team,
      'e2',
      at(2),
      { crud: 'c', result: 'fail', source: 'API', user: 'bob', status: '200' },
      {
        'event.action': 'create',
        'event.outcome': 'failure',
        'user.name': 'bob',
        'source.ip': '192.168.0.7',
        'http.response.status_code': 403,
        message: 'failed login for bob',
      },
      { format: 'threatstack', flags: ['timestamp_missing'] },
    ),
    makeEvent(
      team,
      'e3',
      at(3),
      { actor: { user: { email: 'carol@example.org' }, type: 'user' }, action: 'incident.resolve', count: 20 },
      { 'user.email': 'carol@example.org', 'event.action': 'resolve', 'source.ip': '2001:db8::1', message: 'Incident resolved by carol' },
      { format: 'bigpanda' },
    ),
    makeEvent(
      team,
      'e4',
      at(4),
      { note: 'Größe café naïve 東京 emoji 🎉', user: { name: 'Zoë' } },
      { 'user.name': 'zoë', message: 'Zoë changed the café settings' },
    ),
    makeEvent(team, 'e5', at(5), {
      'a.b': 'dotted',
      'path/with/slash': 'slashy',
      'key with space': 'spacey',
      'ok?': 'yes',
      deep: { l1: { l2: { l3: { l4: { l5: 'bottom' } } } } },
    }),
    makeEvent(team, 'e6', at(6), {
      items: [
        { name: 'x1', qty: 1 },
        { name: 'x2', qty: 2 },
      ],
      ids: [1, 2, 3],
      flag: true,
      nothing: null,
    }),
    makeEvent(team, 'e7', at(7), { x: 20 }),
    makeEvent(team, 'e8', at(8), { x: '20' }),
    makeEvent(team, 'e9', at(9), { x: '200' }),
    makeEvent(
      team,
      'e10',
      at(10),
      { actor: { id: 'u-1', name: 'dave' }, event: 'admin.key.create', message: 'API key created' },
      { 'event.action': 'key.create', 'user.name': 'dave', 'http.response.status_code': 201, 'source.ip': '10.200.0.1' },
    ),
  ];
}

const ALL = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10'];

/** [query string, ids expected, why (optional)]: each runs as parsed by src/query/parse.ts. */
export const QUERY_CASES: Array<[query: string, expected: string[], note?: string]> = [
  // free text (auditlog.text, analysed like the standard analyzer)
  ['alice', ['e1']],
  ['login', ['e1', 'e2']],
  ['LOGIN', ['e1', 'e2'], 'free text is case-insensitive'],
  ['café', ['e4']],
  ['cafe', [], 'accents are kept, like the standard analyzer'],
  ['ZOË', ['e4']],
  ['東京', ['e4']],
  ['200', ['e1', 'e2', 'e9'], '10.200.0.1 is one token, not four'],
  ['10.200.0.1', ['e10']],
  ['example.com', ['e1'], 'the standard analyzer keeps example.com whole'],
  ['"failed login"', ['e1', 'e2']],
  ['"login failed"', []],
  ['"login failed"~1', [], 'a swap costs 2 in Lucene'],
  ['"login failed"~2', ['e1', 'e2']],
  ['"failed from"~1', ['e1']],
  ['"failed from"', []],
  ['"admin sso"', [], 'a phrase never spans two values of an array'],
  ['adm*', ['e1', 'e10']],
  ['*ogin', ['e1', 'e2']],
  ['l?gin', ['e1', 'e2']],
  ['/log.n/', ['e1', 'e2']],
  ['logn~1', ['e1', 'e2']],
  // keyword fields: exact, case-sensitive
  ['user.name:alice', ['e1']],
  ['user.name:Alice', []],
  ['original.user.name:Alice', ['e1']],
  ['user:bob', ['e2']],
  ['event.category:iam', ['e1'], 'arrays: any value matches'],
  ['auditlog.format:bigpanda', ['e3']],
  ['auditlog.flags:timestamp_missing', ['e2']],
  ['auditlog.id:e3', ['e3']],
  ['action_details.operation.action:"POST:/api/v1/user/login"', ['e1']],
  ['original.message:"Failed login from Paris"', ['e1']],
  ['original.message:Failed', [], 'keyword: whole value only'],
  // mixed types: every original leaf is a keyword of its JSON text
  ['status:200', ['e1', 'e2'], '200 and "200"'],
  ['x:20', ['e7', 'e8'], '20 and "20", not "200"'],
  ['flag:true', ['e6']],
  // arrays, nesting, odd keys
  ['items.name:x2', ['e6']],
  ['ids:2', ['e6']],
  ['deep.l1.l2.l3.l4.l5:bottom', ['e5']],
  ['a.b:dotted', ['e5'], 'a dotted key is the same path as nested objects'],
  ['path\\/with\\/slash:slashy', ['e5']],
  ['key\\ with\\ space:spacey', ['e5']],
  ['ok\\?:yes', ['e5']],
  ['ok?:yes', ['e5'], '? in a field name is an ordinary character, as in Elasticsearch'],
  ['o?:yes', []],
  ['_exists_:ok?', ['e5']],
  ['note:*東京*', ['e4']],
  // text fields (message, user_agent.original)
  ['message:alice', ['e1']],
  ['message:paris', [], 'message is the normalized field, not original.message'],
  ['message:"failed login"', ['e2']],
  ['message:succ*', ['e1']],
  ['user_agent.original:firefox', ['e1']],
  // long
  ['http.response.status_code:200', ['e1']],
  ['http.response.status_code:[200 TO 299]', ['e1', 'e10']],
  ['http.response.status_code:>=400', ['e2']],
  ['http.response.status_code:{200 TO 403}', ['e10']],
  // ip
  ['source.ip:"10.0.0.0/8"', ['e1', 'e10']],
  ['source.ip:192.168.0.7', ['e2']],
  ['source.ip:"2001:db8::1"', ['e3']],
  ['source.ip:"2001:db8::/32"', ['e3']],
  ['source.ip:[10.0.0.0 TO 10.100.0.0]', ['e1']],
  // keyword ranges compare as strings
  ['x:[20 TO 3]', ['e7', 'e8', 'e9'], 'strings: "200" sorts before "3"'],
  ['x:{20 TO *]', ['e9']],
  // dates
  ['@timestamp:[2026-01-10T00:01:00Z TO 2026-01-10T00:03:00Z}', ['e1', 'e2']],
  ['@timestamp:{* TO 2026-01-10T00:02:00Z]', ['e1', 'e2']],
  ['@timestamp:2026-01-10', ALL, 'a date term is its whole day'],
  ['@timestamp:2026-01-11', []],
  ['@timestamp:[2026-01-10||+5m TO *]', ['e5', 'e6', 'e7', 'e8', 'e9', 'e10']],
  ['@timestamp:[* TO 2026-01-10T00:09:30Z||/m]', ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9'], 'lte rounds up'],
  ['@timestamp:[* TO 2026-01-10T00:09:30Z||/m}', ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8'], 'lt rounds down'],
  ['@timestamp:{2026-01-10T00:01:30Z||/m TO *]', ['e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10'], 'gt rounds up'],
  // wildcards, regex, fuzzy on keywords
  ['actor.user.email:*@example.org', ['e3']],
  ['user.email:carol*', ['e3']],
  ['original.user.email:ALICE*', [], 'keyword wildcards are case-sensitive'],
  ['original.user.email:alice*', ['e1']],
  ['action:incident.*', ['e3']],
  ['action:incident.resolv?', ['e3']],
  ['action:incident\\.\\*', [], 'an escaped star is a literal star'],
  ['x:*', ['e7', 'e8', 'e9']],
  ['user.name:/al.*/', ['e1']],
  ['user.name:/lic/', [], 'a regex matches the whole value'],
  ['user.name:/AL.*/', []],
  ['actor.user.email:/carol@example\\.(org|com)/', ['e3']],
  ['x:/[0-9]{3}/', ['e9']],
  ['user.name:alcie~', ['e1'], 'a transposition is one edit'],
  ['user.name:bobby~1', []],
  ['user.name:bobby~2', ['e2']],
  ['user.name:bo~', [], 'auto: no edits for 2 characters'],
  // exists and wildcard field names
  ['_exists_:items.name', ['e6']],
  ['_exists_:nothing', [], 'null is no value'],
  ['_exists_:source.ip', ['e1', 'e2', 'e3', 'e10']],
  ['_exists_:actor.*', ['e3', 'e10']],
  ['actor.\\*:dave', ['e10']],
  ['user.\\*:bob', ['e2'], 'the normalized user.name; the original "user" is not under user.'],
  ['x:[* TO *]', ['e7', 'e8', 'e9']],
  // boolean logic with Lucene semantics
  ['*:*', ALL],
  ['crud:c AND result:fail', ['e2']],
  ['user:bob OR x:20', ['e2', 'e7', 'e8']],
  ['x:20 OR status:200 AND crud:c', ['e2'], 'Lucene reads x:20 +status:200 +crud:c'],
  ['NOT status:200', ['e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']],
  ['login AND NOT bob', ['e1']],
  ['login -bob x:20', ['e1', 'e7', 'e8'], 'optional clauses with a prohibited one'],
  ['(user.name:alice OR user.name:bob) AND NOT event.outcome:failure', ['e1']],
  ['user.name:(alice OR bob) +auditlog.format:coralogix', ['e1']],
  // index sets and time/id conditions mixed in every position
  ['auditlog.id:e1 OR x:20', ['e1', 'e7', 'e8']],
  ['x:20 AND NOT auditlog.id:e7', ['e8']],
  ['NOT auditlog.id:e1', ['e2', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9', 'e10']],
  ['@timestamp:[2026-01-10T00:09:00Z TO *] OR user:bob', ['e2', 'e9', 'e10']],
  ['(crud:c AND result:fail) OR (x:20 AND NOT auditlog.id:e8)', ['e2', 'e7']],
  ['login AND (user.name:alice OR x:20)', ['e1']],
  ['x:20 AND NOT (auditlog.id:e7 OR status:200)', ['e8']],
  ['-x:20 -status:200 -login', ['e3', 'e4', 'e5', 'e6', 'e9', 'e10'], 'only prohibited clauses: everything else'],
  ['x:20 OR x:200 AND NOT auditlog.id:e9', [], 'x:20 +x:200 -auditlog.id:e9'],
  ['(x:20 OR x:200) AND @timestamp:[2026-01-10T00:08:00Z TO *]', ['e8', 'e9']],
];

/** Every corpus event through the ingest pipeline (format detection, ids, normalization). */
function loadCorpus(team: string): StoredEvent[] {
  const events: StoredEvent[] = [];
  for (const file of corpusFiles()) {
    const lines = corpusLines(file);
    const items = lines.map((raw, index) => ({ index, value: JSON.parse(raw) as Record<string, unknown>, raw }));
    for (const p of prepareEvents(items, { team, received: Date.UTC(2026, 10, 23) })) {
      if ('event' in p) events.push(p.event);
      else throw new Error(`${file} line ${p.index + 1} not prepared: ${p.error.reason}`);
    }
  }
  return events;
}

/** A string leaf to look the event up by; rotating over the candidates varies paths and depths. */
function pickLeaf(original: Record<string, unknown>, n: number): [string, string] | null {
  // A path with an empty segment (Dropbox's `.tag` keys give `details..tag`) is no valid
  // Elasticsearch field name: that store keeps such leaves in the raw event only (flagged
  // mapping_conflict, see docs/elasticsearch.md), so the event is looked up by another field.
  const candidates = flattenOriginal(original).leaves.filter(
    (l): l is [string, string] =>
      typeof l[1] === 'string' && l[1].trim() !== '' && l[1].length <= 200 && !l[0].split('.').includes(''),
  );
  return candidates.length === 0 ? null : candidates[n % candidates.length]!;
}

const sorted = (ids: string[]) => [...ids].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

export function runStoreSuite(name: string, opts: StoreSuiteOptions): void {
  const skipped = new Map<string, string>();
  for (const s of opts.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);
  const test = (title: string, fn: () => Promise<void>, timeout?: number) => {
    const reason = skipped.get(title);
    if (reason) it.skip(`${title} (skipped: ${reason})`, fn);
    else it(title, fn, timeout);
  };

  describe(`store suite: ${name}`, () => {
    let store: AuditStore;
    let counter = 0;
    const teams: string[] = [];
    const newTeam = () => {
      const team = `suite-${process.pid}-${Date.now().toString(36)}-${counter++}`;
      teams.push(team);
      return team;
    };
    const ids = async (team: string, request: Omit<QueryRequest, 'query'> & { query: QueryNode | null }) => {
      const page = await store.search(team, { ...request, size: 1000, sort: 'asc' });
      return sorted(page.hits.map((h) => h.id));
    };

    beforeAll(async () => {
      store = await opts.create();
    });
    afterAll(async () => {
      for (const team of teams) await store.dropTeam(team).catch(() => {});
      await store.close();
    });

    describe('queries', () => {
      let team: string;
      beforeAll(async () => {
        team = newTeam();
        const results = await store.append(team, fixture(team));
        expect(results.every((r) => r.status === 'created')).toBe(true);
      });
      for (const [text, expected, note] of QUERY_CASES) {
        test(note ? `${text}  (${note})` : text, async () => {
          const query = parseQuery(text);
          expect(await ids(team, { query })).toEqual(sorted(expected));
          expect(await store.count(team, { query })).toBe(expected.length);
        });
      }
      // A value or query kind the field's type cannot take: one code on every store, the field named.
      const typeErrors: Array<[what: string, query: QueryNode, field: string]> = [
        ['a non-numeric value on a long field', q.term('http.response.status_code', 'abc'), 'http.response.status_code'],
        ['a range bound beyond a long', q.range('http.response.status_code', '0', '99999999999999999999'), 'http.response.status_code'],
        ['a wildcard on a long field', q.wildcard('http.response.status_code', '2*'), 'http.response.status_code'],
        ['an invalid date', q.range('@timestamp', 'yesterday-ish', null), '@timestamp'],
        ['a regular expression on a date field', q.regex('@timestamp', '2026.*'), '@timestamp'],
        ['an invalid CIDR', q.term('source.ip', '10.0.0.0/99'), 'source.ip'],
        ['a CIDR on an IPv4-mapped IPv6 address', q.term('source.ip', '::ffff:10.0.0.0/104'), 'source.ip'],
        ['an invalid address as a range bound', q.range('source.ip', 'a', null), 'source.ip'],
        ['a fuzzy term on an ip field', q.fuzzy('source.ip', '10.1.2.3', 1), 'source.ip'],
      ];
      for (const [what, query, field] of typeErrors) {
        test(`${what} is refused with UNSUPPORTED_QUERY, naming the field`, async () => {
          const err = await store.search(team, { query, size: 10 }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).code).toBe('UNSUPPORTED_QUERY');
          expect((err as AppError).message).toContain(field);
          expect((err as AppError).details).toMatchObject({ field });
        });
      }
      test('time range is half-open: from inclusive, to exclusive', async () => {
        expect(await ids(team, { query: null, from: T0 + 2 * MIN, to: T0 + 4 * MIN })).toEqual(['e2', 'e3']);
        expect(await store.count(team, { query: q.term(null, 'login'), from: T0 + 2 * MIN })).toBe(1);
      });
      test('get returns the stored event unchanged, null when unknown', async () => {
        const e1 = fixture(team)[0]!;
        expect(await store.get(team, 'e1')).toEqual(e1);
        expect(await store.get(team, 'nope')).toBeNull();
      });
      test('facets: top values with counts and other', async () => {
        const f = await store.facets(team, { query: null, field: 'event.action', size: 2 });
        expect(f.field).toBe('event.action');
        expect(f.buckets).toHaveLength(2);
        expect(f.buckets.every((b) => b.count === 1)).toBe(true);
        // 4 events have an action; 2 are shown; the 8 others (6 without an action) are `other`.
        expect(f.other).toBe(8);
        const x = await store.facets(team, { query: null, field: 'x' });
        expect(x.buckets).toEqual([
          { value: '20', count: 2 },
          { value: '200', count: 1 },
        ]);
        expect(x.other).toBe(7);
      });
      test('facets follow the query and the time range', async () => {
        const f = await store.facets(team, { query: q.term(null, 'login'), field: 'event.outcome' });
        expect(f.buckets).toEqual([
          { value: 'failure', count: 1 },
          { value: 'success', count: 1 },
        ]);
        expect(f.other).toBe(0);
        const g = await store.facets(team, { query: null, field: 'auditlog.format', from: T0 + 3 * MIN });
        expect(g.buckets[0]).toEqual({ value: 'generic', count: 7 });
      });
      test('facets on an ip field render addresses', async () => {
        const f = await store.facets(team, { query: null, field: 'source.ip', size: 10 });
        expect(f.buckets.map((b) => b.value).sort()).toEqual(['10.1.2.3', '10.200.0.1', '192.168.0.7', '2001:db8::1']);
      });
      test('histogram: fixed interval, empty buckets included', async () => {
        const h = await store.histogram(team, { query: null, from: T0, to: T0 + 20 * MIN, intervalMs: 5 * MIN });
        expect(h.intervalMs).toBe(5 * MIN);
        expect(h.buckets).toEqual([
          { start: T0, count: 4 },
          { start: T0 + 5 * MIN, count: 5 },
          { start: T0 + 10 * MIN, count: 1 },
          { start: T0 + 15 * MIN, count: 0 },
        ]);
      });
      test('histogram: automatic interval gives at most ~60 aligned, contiguous buckets', async () => {
        const h = await store.histogram(team, { query: q.term(null, 'login'), from: T0 - 3 * 60 * MIN, to: T0 + 3 * 60 * MIN });
        expect(h.buckets.length).toBeLessThanOrEqual(61);
        expect(h.buckets.length).toBeGreaterThan(10);
        for (let i = 1; i < h.buckets.length; i++) expect(h.buckets[i]!.start - h.buckets[i - 1]!.start).toBe(h.intervalMs);
        expect(h.buckets[0]!.start % h.intervalMs).toBe(0);
        expect(h.buckets.reduce((s, b) => s + b.count, 0)).toBe(2);
        const auto = await store.histogram(team, { query: null });
        expect(auto.buckets.reduce((s, b) => s + b.count, 0)).toBe(10);
      });
      test('histogram: nothing to count is an empty histogram of the same interval on every store', async () => {
        expect(await store.histogram(team, { query: q.term(null, 'no-such-word') })).toEqual({ intervalMs: MIN, buckets: [] });
        expect(await store.histogram(team, { query: null, from: T0, to: T0 })).toEqual({ intervalMs: 1_000, buckets: [] });
        expect(await store.histogram(team, { query: null, from: T0, to: T0, intervalMs: 7 })).toEqual({ intervalMs: 7, buckets: [] });
      });

      // The shared rules (src/store/rules.ts, src/store/histogram.ts): one code, one message, whatever the store.
      const refusal = async (read: Promise<unknown>) => {
        const err = await read.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        const { code, message, details } = err as AppError;
        return { code, message, details };
      };
      test('a page size outside 1 to 1000 is refused, naming size', async () => {
        for (const size of [0, 1001, 2.5]) {
          expect(await refusal(store.search(team, { query: null, size }))).toEqual({
            code: 'BAD_REQUEST',
            message: 'page size must be an integer from 1 to 1000',
            details: { field: 'size' },
          });
        }
      });
      test('a facet size outside 1 to 100 is refused, naming size', async () => {
        for (const size of [0, 101]) {
          expect(await refusal(store.facets(team, { query: null, field: 'event.action', size }))).toEqual({
            code: 'BAD_REQUEST',
            message: 'facet size must be an integer from 1 to 100',
            details: { field: 'size' },
          });
        }
      });
      const facetRefusals: Array<[string, string]> = [
        ['event.*', 'facets need one concrete field, not the pattern event.*'],
        ['@timestamp', 'facets on the date field @timestamp are not supported; use the histogram'],
        ['auditlog.received', 'facets on the date field auditlog.received are not supported; use the histogram'],
      ];
      for (const [field, message] of facetRefusals) {
        test(`a facet on ${field} is refused with UNSUPPORTED_QUERY, naming the field`, async () => {
          expect(await refusal(store.facets(team, { query: null, field }))).toEqual({ code: 'UNSUPPORTED_QUERY', message, details: { field } });
        });
      }
      test('a histogram interval that is not a positive whole number of ms is refused, naming intervalMs', async () => {
        for (const intervalMs of [0, -5, 1.5]) {
          expect(await refusal(store.histogram(team, { query: null, intervalMs }))).toEqual({
            code: 'BAD_REQUEST',
            message: 'intervalMs must be a positive integer',
            details: { field: 'intervalMs' },
          });
        }
      });
      test('a histogram of more than 10,000 buckets is refused', async () => {
        expect(await refusal(store.histogram(team, { query: null, from: T0, to: T0 + 10_001, intervalMs: 1 }))).toEqual({
          code: 'BAD_REQUEST',
          message: 'histogram bucket count exceeds the limit of 10000',
          details: { limit: 10_000 },
        });
        // Exactly at the cap is answered.
        expect((await store.histogram(team, { query: null, from: T0, to: T0 + 10_000, intervalMs: 1 })).buckets).toHaveLength(10_000);
      });
    });

    geoCases(() => store, newTeam, test);

    test('append: created, duplicate of the same content (also within a batch), rejected one by one', async () => {
      const team = newTeam();
      const a = makeEvent(team, 'a', T0, { v: 'first' });
      const bad = { ...makeEvent(team, 'bad', T0, { v: 1 }), timestamp: 'yesterday' } as unknown as StoredEvent;
      const foreign = makeEvent('someone-else', 'f', T0, { v: 1 });
      const r1 = await store.append(team, [a, { ...a }, bad, foreign, makeEvent(team, 'b', T0, { v: 2 })]);
      expect(r1.map((r) => r.status)).toEqual(['created', 'duplicate', 'rejected', 'rejected', 'created']);
      expect(r1.map((r) => r.id)).toEqual(['a', 'a', 'bad', 'f', 'b']);
      expect(r1[3]).toEqual({ status: 'rejected', id: 'f', reason: `event belongs to team "someone-else", not ${JSON.stringify(team)}` });
      // Same content, even with another receive time and flags: the same event.
      const r2 = await store.append(team, [{ ...a, received: a.received + 5_000, flags: ['timestamp_missing'] }]);
      expect(r2).toEqual([{ status: 'duplicate', id: 'a' }]);
      expect(await store.get(team, 'a')).toEqual(a);
      expect(await store.count(team, { query: null })).toBe(2);
    });

    test('append: an id that holds other content stores the event under an id derived from both, flagged id_conflict', async () => {
      const team = newTeam();
      const genuine = makeEvent(team, 'x', T0, { v: 'genuine' });
      const other = makeEvent(team, 'x', T0 + MIN, { v: 'other' });
      const derived = conflictEventId('x', contentHash(other.raw));
      expect(await store.append(team, [genuine])).toEqual([{ status: 'created', id: 'x' }]);
      expect(await store.append(team, [other])).toEqual([{ status: 'created', id: derived, conflictsWith: 'x' }]);
      expect(await store.get(team, 'x')).toEqual(genuine);
      expect(await store.get(team, derived)).toEqual({ ...other, id: derived, flags: ['id_conflict'] });
      // A retry of either stores nothing.
      expect(await store.append(team, [other, genuine])).toEqual([
        { status: 'duplicate', id: derived, conflictsWith: 'x' },
        { status: 'duplicate', id: 'x' },
      ]);
      expect(await store.count(team, { query: null })).toBe(2);
      expect(await ids(team, { query: q.term('auditlog.flags', 'id_conflict') })).toEqual([derived]);
    });

    test('append: one id with three contents in one batch keeps three events, and their repeats are duplicates', async () => {
      const team = newTeam();
      const e = (v: string) => makeEvent(team, 'y', T0, { v });
      const results = await store.append(team, [e('one'), e('two'), e('one'), e('two'), e('three')]);
      const two = conflictEventId('y', contentHash(e('two').raw));
      const three = conflictEventId('y', contentHash(e('three').raw));
      expect(results).toEqual([
        { status: 'created', id: 'y' },
        { status: 'created', id: two, conflictsWith: 'y' },
        { status: 'duplicate', id: 'y' },
        { status: 'duplicate', id: two, conflictsWith: 'y' },
        { status: 'created', id: three, conflictsWith: 'y' },
      ]);
      expect(await ids(team, { query: null })).toEqual(sorted(['y', two, three]));
    });

    test('an empty team answers with nothing', async () => {
      const team = newTeam();
      expect(await store.count(team, { query: null })).toBe(0);
      expect(await store.search(team, { query: q.term(null, 'x'), size: 10 })).toEqual({ hits: [], total: 0, cursor: null });
      expect(await store.get(team, 'x')).toBeNull();
    });

    for (const sort of ['asc', 'desc'] as const) {
      test(`cursor paging (${sort}) over ties on the timestamp: stable, no duplicates, no gaps`, async () => {
        const team = newTeam();
        const events = Array.from({ length: 31 }, (_, i) =>
          makeEvent(team, `p${String(i).padStart(2, '0')}`, T0 + Math.floor(i / 3) * 1_000, { n: i, kind: i % 2 ? 'odd' : 'even' }),
        );
        // Shuffled, so insertion order does not give the answer away.
        await store.append(team, [...events].sort((a, b) => (a.id.split('').reverse().join('') < b.id.split('').reverse().join('') ? -1 : 1)));
        const expected = [...events]
          .sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((e) => e.id);
        if (sort === 'desc') expected.reverse();
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 20; page++) {
          const res = await store.search(team, { query: null, size: 4, sort, ...(cursor ? { cursor } : {}) });
          expect(res.total).toBe(31);
          seen.push(...res.hits.map((h) => h.id));
          if (!res.cursor) break;
          cursor = res.cursor;
        }
        expect(seen).toEqual(expected);
        const evens = await store.search(team, { query: q.term('kind', 'even'), size: 5, sort });
        expect(evens.total).toBe(16);
        const rest = await store.search(team, { query: q.term('kind', 'even'), size: 100, sort, cursor: evens.cursor! });
        expect([...evens.hits, ...rest.hits].map((h) => h.id)).toEqual(expected.filter((id) => Number(id.slice(1)) % 2 === 0));
        expect(rest.cursor).toBeNull();
      });
    }

    test('search defaults to newest first', async () => {
      const team = newTeam();
      await store.append(team, [makeEvent(team, 'old', T0, {}), makeEvent(team, 'new', T0 + 1, {})]);
      const res = await store.search(team, { query: null, size: 10 });
      expect(res.hits.map((h) => h.id)).toEqual(['new', 'old']);
    });

    test('a tampered cursor is refused, not a crash', async () => {
      const team = newTeam();
      const err = await store.search(team, { query: null, size: 10, cursor: 'not-a-cursor' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('BAD_REQUEST');
    });

    test('date math relative to now', async () => {
      const team = newTeam();
      const now = Date.now();
      await store.append(team, [
        makeEvent(team, 'recent', now - 5 * MIN, { w: 1 }),
        makeEvent(team, 'hour', now - 90 * MIN, { w: 1 }),
        makeEvent(team, 'days', now - 3 * 24 * 60 * MIN, { w: 1 }),
      ]);
      expect(await ids(team, { query: q.range('@timestamp', 'now-15m', null, false, true) })).toEqual(['recent']);
      expect(await ids(team, { query: q.range('@timestamp', 'now-2h', 'now') })).toEqual(['hour', 'recent']);
      expect(await ids(team, { query: q.range('@timestamp', null, 'now-1d/d', true, false) })).toEqual(['days']);
    });

    test('retention deletes old events and their index entries', async () => {
      const team = newTeam();
      await store.append(team, [
        makeEvent(team, 'r1', T0, { who: 'old-user', msg: 'ancient text' }, { 'user.name': 'old-user', message: 'ancient text' }),
        makeEvent(team, 'r2', T0 + MIN, { who: 'old-user' }),
        makeEvent(team, 'r3', T0 + 2 * MIN, { who: 'new-user', msg: 'fresh text' }, { 'user.name': 'new-user' }),
      ]);
      const deleted = await store.deleteOlderThan(team, T0 + 2 * MIN);
      expect(deleted).toBe(2);
      expect(await ids(team, { query: null })).toEqual(['r3']);
      expect(await store.count(team, { query: q.term('who', 'old-user') })).toBe(0);
      expect(await store.count(team, { query: q.term('user.name', 'old-user') })).toBe(0);
      expect(await store.count(team, { query: q.term(null, 'ancient') })).toBe(0);
      expect(await store.count(team, { query: q.term(null, 'text') })).toBe(1);
      expect(await store.get(team, 'r1')).toBeNull();
      const f = await store.facets(team, { query: null, field: 'who' });
      expect(f.buckets).toEqual([{ value: 'new-user', count: 1 }]);
      // A deleted id can be stored again.
      expect(await store.append(team, [makeEvent(team, 'r1', T0 + 3 * MIN, { who: 'back' })])).toEqual([{ status: 'created', id: 'r1' }]);
      expect(await store.count(team, { query: q.term('who', 'back') })).toBe(1);
    });

    test('team isolation: the same ids in two teams never mix', async () => {
      const a = newTeam();
      const b = newTeam();
      await store.append(a, [makeEvent(a, 'same', T0, { owner: 'team-a', secret: 'alpha' })]);
      await store.append(b, [makeEvent(b, 'same', T0, { owner: 'team-b' })]);
      expect((await store.get(a, 'same'))?.original).toEqual({ owner: 'team-a', secret: 'alpha' });
      expect((await store.get(b, 'same'))?.original).toEqual({ owner: 'team-b' });
      expect(await store.count(b, { query: q.term('secret', 'alpha') })).toBe(0);
      expect(await store.count(b, { query: q.term(null, 'alpha') })).toBe(0);
      expect((await store.search(b, { query: null, size: 10 })).hits.map((h) => h.team)).toEqual([b]);
      expect((await store.facets(b, { query: null, field: 'owner' })).buckets).toEqual([{ value: 'team-b', count: 1 }]);
      await store.dropTeam(a);
      expect(await store.get(a, 'same')).toBeNull();
      expect(await store.count(b, { query: null })).toBe(1);
    });

    test('an invalid team id is refused by every call, naming team', async () => {
      const bad = '../etc';
      const calls: Array<() => Promise<unknown>> = [
        () => store.count(bad, { query: null }),
        () => store.search(bad, { query: null, size: 1 }),
        () => store.histogram(bad, { query: null }),
        () => store.facets(bad, { query: null, field: 'event.action' }),
        () => store.get(bad, 'x'),
        () => store.append(bad, [makeEvent(bad, 'x', T0, {})]),
        () => store.originalFields(bad),
        () => store.deleteOlderThan(bad, T0),
        () => store.dropTeam(bad),
      ];
      for (const call of calls) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('BAD_REQUEST');
        expect((err as AppError).message).toMatch(/^invalid team id "\.\.\/etc": /);
        expect((err as AppError).details).toEqual({ field: 'team' });
      }
    });

    test(
      'corpus: every real event is found again by one of its own original fields',
      async () => {
        const team = newTeam();
        const events = loadCorpus(team);
        expect(events.length).toBeGreaterThan(1000);
        const stored: StoredEvent[] = [];
        for (let i = 0; i < events.length; i += 500) {
          const batch = events.slice(i, i + 500);
          const results = await store.append(team, batch);
          results.forEach((r, j) => {
            // Every corpus event is distinct (the corpus has no exact duplicates), so none may
            // be rejected or taken for a duplicate of another: none is lost.
            expect(r.status, `${r.id}: ${'reason' in r ? r.reason : ''}`).toBe('created');
            stored.push(batch[j]!);
          });
        }
        expect(stored.length).toBe(events.length);
        expect(await store.count(team, { query: null })).toBe(events.length);
        const lost: string[] = [];
        let checked = 0;
        for (const [n, event] of stored.entries()) {
          const leaf = pickLeaf(event.original, n);
          if (!leaf) continue;
          checked++;
          // Printed and parsed back, as a saved query would be: escaping is the printer's job.
          const query = parseQuery(printQuery(q.phrase(`original.${leaf[0]}`, leaf[1])));
          const page = await store.search(team, { query, size: 1000 });
          const found =
            page.hits.some((h) => h.id === event.id) ||
            (page.total > 1000 &&
              (await store.count(team, { query: q.bool(q.must(query), q.must(q.term('auditlog.id', event.id))) })) === 1);
          if (!found) lost.push(`${event.id} by original.${leaf[0]}=${JSON.stringify(leaf[1])}`);
        }
        expect(lost).toEqual([]);
        expect(checked).toBeGreaterThan(stored.length * 0.95);
      },
      300_000,
    );

    test('originalFields lists every original leaf path of the team, and nothing of another team', async () => {
      const team = newTeam();
      const other = newTeam();
      await store.append(team, [
        makeEvent(team, 'f1', T0, { actor: { user: { email: 'a@example.com' } }, crud: 'c', tags: ['x', 'y'], 'a.b': 1, nothing: null }),
        makeEvent(team, 'f2', T0 + MIN, { actor: 'bot', result: { ok: true } }, { 'event.action': 'login' }),
      ]);
      await store.append(other, [makeEvent(other, 'g1', T0, { secret_field_of_other_team: 'x' })]);
      const fields = await store.originalFields(team);
      const paths = fields.map((f) => f.path);
      // Like Elasticsearch, a null value adds no field.
      expect(paths).toEqual(['a.b', 'actor', 'actor.user.email', 'crud', 'result.ok', 'tags']);
      expect(fields.every((f) => f.type === 'keyword')).toBe(true);
      expect((await store.originalFields(other)).map((f) => f.path)).toEqual(['secret_field_of_other_team']);
      expect(await store.originalFields(newTeam())).toEqual([]);
    });

    describe('limits shared with Elasticsearch', () => {
      const refusal = async (team: string, query: QueryNode) => {
        const err = await store.count(team, { query }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('QUERY_LIMIT');
        return err as AppError;
      };

      test('a regular expression or wildcard too complex to determinize is refused as max_determinized_states', async () => {
        const team = newTeam();
        await store.append(team, [makeEvent(team, 'x1', T0, { k: 'ab' })]);
        for (const query of [q.regex('k', '(a|b)*a(a|b){13}'), q.wildcard('k', `*a${'?'.repeat(13)}`), q.regex(null, '(a|b)*a(a|b){13}')]) {
          const err = await refusal(team, query);
          expect(err.details).toMatchObject({ limit: 'max_determinized_states', max: 10_000 });
          expect(err.message).toContain('max_determinized_states');
        }
        // One step below the limit is fine on both stores.
        expect(await store.count(team, { query: q.regex('k', '(a|b)*a(a|b){12}') })).toBe(0);
        expect(await store.count(team, { query: q.wildcard('k', `*a${'?'.repeat(12)}`) })).toBe(0);
      });

      test('a query that expands to more than 1,024 clauses is refused as indices.query.bool.max_clause_count', async () => {
        const team = newTeam();
        await store.append(team, [makeEvent(team, 'x1', T0, { k: 'ab' })]);
        const many = (n: number, leaf: (i: number) => QueryNode) => q.bool(...Array.from({ length: n }, (_, i) => q.should(leaf(i))));
        const err = await refusal(team, many(1025, (i) => q.term('k', `v${i}`)));
        expect(err.details).toMatchObject({ limit: 'indices.query.bool.max_clause_count', max: 1024 });
        // Every field a pattern reaches is a clause: 300 OR'd *:*abc* reach thousands.
        await refusal(team, many(300, () => q.wildcard('*', '*abc*')));
        expect(await store.count(team, { query: many(1024, (i) => q.term('k', `v${i}`)) })).toBe(0);
        expect(await store.count(team, { query: many(10, () => q.wildcard('*', '*ab*')) })).toBe(1);
      });

      test('a fuzzy term matches its 50 best terms per field (fuzzy_max_expansions): fewest edits, then smallest', async () => {
        const team = newTeam();
        const letters = 'abcdefg';
        const values: string[] = [];
        // 28 values one edit from mmmm, 25 two edits away: 53 candidates, 3 too many.
        for (let pos = 0; pos < 4; pos++) for (const c of letters) values.push(`${'mmmm'.slice(0, pos)}${c}${'mmmm'.slice(pos + 1)}`);
        for (const x of 'abcde') for (const y of 'abcde') values.push(`${x}${y}mm`);
        await store.append(team, values.map((v, i) => makeEvent(team, `f${i}`, T0 + i, { k: v })));
        const matched = (await store.search(team, { query: q.fuzzy('k', 'mmmm', 2), size: 100 })).hits.map((h) => h.original.k);
        expect(matched).toHaveLength(50);
        expect(new Set(values.filter((v) => !matched.includes(v)))).toEqual(new Set(['ecmm', 'edmm', 'eemm']));
      });

      test('regular expressions with intersection, complement and numeric intervals', async () => {
        const team = newTeam();
        await store.append(team, ['v1', 'v2', 'v05', 'v250', 'x1'].map((v, i) => makeEvent(team, v, T0 + i, { k: v })));
        const regexIds = async (pattern: string) => ids(team, { query: q.regex('k', pattern) });
        expect(await regexIds('.*1&v.*')).toEqual(['v1']);
        expect(await regexIds('v~(1|2)')).toEqual(sorted(['v05', 'v250']));
        expect(await regexIds('v<1-100>')).toEqual(sorted(['v05', 'v1', 'v2']));
        expect(await regexIds('v<01-99>')).toEqual(['v05']);
        expect(await regexIds('(.*.*.*.*.*.*.*.*.*.*x)')).toEqual([]);
      });
    });

    describe('changes (event streams)', () => {
      /** Events with distinct, increasing receipt times, so store order is the same on both stores. */
      const stream = (team: string, prefix: string, n: number, received: number, original: (i: number) => Record<string, unknown> = () => ({})) =>
        Array.from({ length: n }, (_, i) => makeEvent(team, `${prefix}${String(i).padStart(3, '0')}`, T0 + i, original(i), {}, { received: received + i }));
      const readAll = async (team: string, after: string, size: number, query: QueryNode | null = null) => {
        const out: string[] = [];
        let position = after;
        for (let i = 0; i < 100; i++) {
          const page = await store.changes(team, { query, after: position, size });
          out.push(...page.events.map((e) => e.id));
          if (page.events.length === 0) return { ids: out, position: page.position };
          position = page.position;
        }
        throw new Error('changes did not come to an end');
      };

      test('changes: every event in store order, page by page, none twice, none of another team', async () => {
        const team = newTeam();
        const other = newTeam();
        // Receipt times as ingest gives them: recent, and later for what is stored later.
        const now = Date.now();
        const start = await store.changesStart(team, now - 60_000);
        await store.append(other, stream(other, 'o', 5, now - 40_000));
        const first = stream(team, 'a', 7, now - 30_000);
        const second = stream(team, 'b', 6, now - 20_000);
        await store.append(team, first);
        await store.append(team, second);
        const { ids: got, position } = await readAll(team, start, 3);
        expect(got).toEqual([...first, ...second].map((e) => e.id));
        const third = stream(team, 'c', 2, Date.now());
        await store.append(team, third);
        // Elasticsearch reads events once they have settled (changesSettleMs).
        await new Promise((r) => setTimeout(r, 1_500));
        expect((await readAll(team, position, 3)).ids).toEqual(third.map((e) => e.id));
      });

      test('changes: a query passes over what it does not match, and the position moves past it', async () => {
        const team = newTeam();
        const start = await store.changesStart(team, T0);
        const events = stream(team, 'q', 12, T0 + 20_000, (i) => ({ kind: i % 3 === 0 ? 'wanted' : 'other' }));
        await store.append(team, events);
        const query = q.term('kind', 'wanted');
        const page = await store.changes(team, { query, after: start, size: 100 });
        expect(page.events.map((e) => e.id)).toEqual(events.filter((_, i) => i % 3 === 0).map((e) => e.id));
        expect((await store.changes(team, { query, after: page.position, size: 100 })).events).toEqual([]);
      });

      test('changes: a start without a time leaves out what was stored before; the lag counts what waits', async () => {
        const team = newTeam();
        await store.append(team, stream(team, 'old', 3, Date.now() - 5_000));
        const start = await store.changesStart(team);
        // Elasticsearch reads only settled events (changesSettleMs); these are received just after the start.
        const fresh = stream(team, 'new', 4, Date.now() + 1);
        await store.append(team, fresh);
        const lag = await store.changesLag(team, start);
        expect(lag.events).toBe(4);
        expect(lag.oldestReceived).toBe(fresh[0]!.received);
        await new Promise((r) => setTimeout(r, 1_500));
        const { ids: got, position } = await readAll(team, start, 2);
        expect(got).toEqual(fresh.map((e) => e.id));
        expect(await store.changesLag(team, position)).toEqual({ events: 0, oldestReceived: null });
      });

      test('changes: a position this store did not issue is refused', async () => {
        const team = newTeam();
        const err = await store.changes(team, { query: null, after: 'not-a-position', size: 10 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('BAD_REQUEST');
      });
    });

    test('ping answers while the store is open', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
