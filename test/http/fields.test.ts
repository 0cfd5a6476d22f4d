/**
 * The fields API over real HTTP on both stores: fixed and original fields with types, counts
 * over the newest matching events, unknown fields of a query with suggestions, team isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/parse.ts';
import { originalFieldName, unknownFields } from '../../src/search/fields.ts';
import { type Harness, startHarness, storeKinds } from './harness.ts';

let h: Harness;

interface FieldList {
  fields: Array<{ name: string; type: string; kind: string; count: number }>;
  sample: { events: number; total: number };
  unknown: Array<{ field: string; start: number; end: number; message: string; suggestions: string[] }>;
}

async function fields(params: Record<string, string> = {}, team: 'a' | 'b' = 'a'): Promise<FieldList> {
  const res = await h.call(`/api/v1/fields?${new URLSearchParams(params)}`, { key: h.teams[team].keys.read });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as FieldList;
}

describe('unknownFields', () => {
  const paths = new Set(['actor.user.email', 'crud', 'message', 'action_details.operation.action']);
  const unknown = (q: string) => unknownFields(parseQuery(q), paths);

  it('accepts fixed fields, known original paths and patterns that match', () => {
    expect(unknown('user.email:a AND event.outcome:failure AND @timestamp:>now-1h AND auditlog.format:ecs AND message.keyword:x')).toEqual([]);
    expect(unknown('actor.user.email:a OR crud:c OR original.message:x OR original.crud:c')).toEqual([]);
    expect(unknown('actor.*:a OR _exists_:action_details.* OR free text')).toEqual([]);
  });

  it('names each unknown field once, with its span and close names', () => {
    const q = 'user.emial:a AND NOT actr.user.email:b AND user.emial:c';
    const out = unknown(q);
    expect(out.map((u) => u.field)).toEqual(['user.emial', 'actr.user.email']);
    expect(q.slice(out[0]!.start, out[0]!.end)).toBe('user.emial:a');
    expect(out[0]!.suggestions[0]).toBe('user.email');
    expect(out[0]!.message).toBe('no event of this team has the field "user.emial"; did you mean user.email?');
    expect(out[1]!.suggestions).toContain('actor.user.email');
    expect(unknown('email:x')[0]!.suggestions).toEqual(expect.arrayContaining(['user.email', 'actor.user.email']));
    expect(unknown('nothing.*:x')[0]!.message).toBe('no field of this team matches "nothing.*"');
  });

  it('types original paths that a reserved name would take with the original. prefix', () => {
    expect(originalFieldName('message')).toBe('original.message');
    expect(originalFieldName('original.x')).toBe('original.original.x');
    expect(originalFieldName('crud')).toBe('crud');
  });
});

describe.each(storeKinds('fields API'))('fields API on %s', (kind) => {
  beforeAll(async () => {
    h = await startHarness(kind);
    const events = [
      { '@timestamp': '2026-10-01T10:00:00Z', event: { action: 'login', outcome: 'failure' }, user: { email: 'a@example.com' }, crud: 'r', result: 'fail' },
      { '@timestamp': '2026-10-01T11:00:00Z', event: { action: 'login', outcome: 'success' }, user: { email: 'b@example.com' }, crud: 'r' },
      { '@timestamp': '2026-10-02T10:00:00Z', event: { action: 'logout' }, nested: { deep: { key: 'v' } }, message: 'hello' },
    ];
    const res = await h.call('/api/v1/events?refresh=wait_for&format=generic', { method: 'POST', key: h.teams.a.keys.ingest, json: events });
    expect(res.status).toBe(200);
    const other = await h.call('/api/v1/events?refresh=wait_for', {
      method: 'POST',
      key: h.teams.b.keys.ingest,
      json: { '@timestamp': '2026-10-01T10:00:00Z', only_in_team_b: 'x' },
    });
    expect(other.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists fixed and original fields with their types and counts over the matches', async () => {
    const all = await fields();
    const byName = new Map(all.fields.map((f) => [f.name, f]));
    expect(all.sample).toEqual({ events: 3, total: 3 });
    expect(byName.get('@timestamp')).toEqual({ name: '@timestamp', type: 'date', kind: 'timestamp', count: 3 });
    expect(byName.get('source.ip')).toMatchObject({ type: 'ip', kind: 'normalized', count: 0 });
    expect(byName.get('event.action')).toMatchObject({ type: 'keyword', kind: 'normalized', count: 3 });
    expect(byName.get('auditlog.format')).toMatchObject({ kind: 'meta', count: 3 });
    expect(byName.get('crud')).toEqual({ name: 'crud', type: 'keyword', kind: 'original', count: 2 });
    expect(byName.get('nested.deep.key')).toMatchObject({ kind: 'original', count: 1 });
    // The original `message` is typed original.message: `message` is the normalized field.
    expect(byName.get('original.message')).toMatchObject({ kind: 'original', count: 1 });
    expect(byName.get('message')).toMatchObject({ kind: 'normalized', type: 'text' });
    expect(byName.has('only_in_team_b')).toBe(false);

    const failures = await fields({ q: 'event.outcome:failure' });
    expect(failures.sample).toEqual({ events: 1, total: 1 });
    expect(failures.fields.find((f) => f.name === 'result')!.count).toBe(1);
    // Known fields stay listed when no match has them, so completion still offers them.
    expect(failures.fields.find((f) => f.name === 'nested.deep.key')!.count).toBe(0);

    const ranged = await fields({ from: '2026-10-02T00:00:00Z', sample: '1' });
    expect(ranged.sample).toEqual({ events: 1, total: 1 });
  });

  it('warns about a field no event of the team has, instead of silently matching nothing', async () => {
    const out = await fields({ q: 'crud:r AND user.emial:"a@example.com"' });
    expect(out.unknown).toEqual([
      {
        field: 'user.emial',
        start: 11,
        end: 37,
        message: 'no event of this team has the field "user.emial"; did you mean user.email?',
        suggestions: ['user.email'],
      },
    ]);
    // Team B's own field is unknown to team A.
    expect((await fields({ q: 'only_in_team_b:x' })).unknown.map((u) => u.field)).toEqual(['only_in_team_b']);
    expect((await fields({ q: 'only_in_team_b:x' }, 'b')).unknown).toEqual([]);
  });

  it('answers a bad query with its position and needs a read key', async () => {
    const res = await h.call(`/api/v1/fields?q=${encodeURIComponent('crud:(r OR')}`, { key: h.teams.a.keys.read });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('QUERY_SYNTAX');
    expect((await h.call('/api/v1/fields')).status).toBe(401);
    expect((await h.call('/api/v1/fields', { key: h.teams.a.keys.ingest })).status).toBe(403);
  });
});
