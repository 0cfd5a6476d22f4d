/**
 * A rule whose reads fail is marked failing in its history (shown by the alert API) and holds
 * no other rule back: failures are real store conditions, no mock. A query the store refuses
 * when the rule runs (the rule parses; its value does not fit the field's type), on both
 * engine paths; and a team whose events the store cannot read at all (a damaged database file
 * on SQLite, an index the cluster refuses to query on Elasticsearch), while another team's
 * rules in the same tick fire as usual.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { AlertRule } from '../../src/alerts/model.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import type { ElasticsearchStore } from '../../src/store/elasticsearch/store.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { storeKinds } from '../http/harness.ts';
import { type AlertHarness, startAlertHarness } from './harness.ts';

// biome-ignore lint: response bodies are checked field by field below
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

describe.each(storeKinds('failing alert rules'))('on %s', (kind) => {
  let h: AlertHarness;
  beforeAll(async () => {
    h = await startAlertHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const login = (team: string, id: string, at: number): StoredEvent => ({
    id,
    team,
    timestamp: at,
    received: at,
    format: 'ecs',
    flags: [],
    ecs: { 'event.action': 'login', 'http.response.status_code': 401 },
    original: { id },
    raw: '{}',
  });
  const create = async (key: string, body: Record<string, unknown>) => {
    const res = await h.call('/api/v1/alerts', { method: 'POST', key, json: { name: 'r', window: '5m', condition: { type: 'any' }, ...body } });
    expect(res.status).toBe(201);
    return (await h.alerting.state.getRuleById((await json(res)).id)) as AlertRule;
  };
  const history = async (key: string, rule: AlertRule) => (await json(h.call(`/api/v1/alerts/${rule.id}/history`, { key }))).history as Array<{ kind: string; message: string; detail?: Record<string, unknown> }>;

  for (const path of [
    { label: 'shared read', windowMaxEvents: 50_000 },
    { label: 'per rule', windowMaxEvents: 0 },
  ]) {
    it(`${path.label}: a query the store refuses fails its rule, recorded with its code; the team's other rule fires`, async () => {
      const { team, keys } = h.teams.a;
      const bad = await create(keys.admin, { name: 'bad', query: 'http.response.status_code:abc' });
      const good = await create(keys.admin, { name: 'good', query: 'event.action:login' });
      await h.rt.store.append(team as never, [login(team, `ok-${path.windowMaxEvents}`, Date.now() - 60_000)], { waitForSearch: true });
      const engine = new AlertEngine({ store: h.rt.store, state: h.alerting.state, ingestDelayMs: 0, windowMaxEvents: path.windowMaxEvents });
      const results = await engine.runCycle([bad, good]);
      expect(results.get(bad.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('http.response.status_code') });
      expect(results.get(good.id)).toMatchObject({ status: 'done', notifications: 1 });
      const badHistory = await history(keys.admin, bad);
      expect(badHistory[0]).toMatchObject({ kind: 'error', detail: { code: 'UNSUPPORTED_QUERY' } });
      expect(badHistory[0]!.message).toContain('is a long field');
      expect((await history(keys.admin, good))[0]).toMatchObject({ kind: 'fired' });
      // Nothing of the failed window was committed: the next tick tries it again.
      expect((await h.alerting.state.getCursor(bad.id)).watermark).toBeNull();
    });
  }

  it('a team the store cannot read fails its rules; another team’s rules in the same tick fire', async () => {
    const broken = `${h.teams.a.team}-x`;
    await h.rt.teams.createTeam({ id: broken as never });
    const { key, secret } = await h.rt.teams.createKey(broken, 'admin');
    expect(key.role).toBe('admin');
    let expectedCode: string;
    if (kind === 'sqlite') {
      // A damaged database file: the store opens a team's file on first use.
      writeFileSync(join((h.rt.store as SqliteStore).dataDir, `${broken}.db`), 'this is not an SQLite database '.repeat(200));
      expectedCode = 'STORE_UNAVAILABLE';
    } else {
      // An index under the team's pattern on which the cluster refuses the team filter.
      const es = h.rt.store as ElasticsearchStore;
      await es.client.indices.create({ index: `${es.prefix}-${broken}.0000`, mappings: { properties: { auditlog: { properties: { team: { type: 'long' } } } } } });
      expectedCode = 'BAD_REQUEST';
    }
    const failing = await create(secret, { name: 'unreadable', query: 'event.action:login' });
    const { team, keys } = h.teams.b;
    const fine = await create(keys.admin, { name: 'fine', query: 'event.action:login' });
    await h.rt.store.append(team as never, [login(team, 'fine-1', Date.now() - 60_000)], { waitForSearch: true });
    // A scheduler tick with both teams' rules.
    await h.alerting.scheduler.runRules([failing, fine]);
    const failed = await history(secret, failing);
    expect(failed[0]).toMatchObject({ kind: 'error', detail: { code: expectedCode } });
    expect((await history(keys.admin, fine))[0]).toMatchObject({ kind: 'fired' });
  });
});
