/**
 * One suite for both control stores: SQLite (embedded) and Elasticsearch system indices.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlStore } from '../../src/teams/control-store.ts';
import { ElasticsearchControlStore } from '../../src/teams/elasticsearch-control-store.ts';
import { TeamService } from '../../src/teams/service.ts';
import { SqliteControlStore } from '../../src/teams/sqlite-control-store.ts';
import { elasticsearchClient, requireElasticsearch } from '../support/elasticsearch.ts';

function runControlSuite(name: string, open: () => Promise<{ store: ControlStore; cleanup(): Promise<void> }>) {
  describe(`control store: ${name}`, () => {
    let store: ControlStore;
    let cleanup: () => Promise<void>;
    let teams: TeamService;
    const suffix = randomUUID().slice(0, 8);
    const id = (base: string) => `${base}-${suffix}`;

    beforeAll(async () => {
      ({ store, cleanup } = await open());
      teams = new TeamService(store, { defaultRetentionDays: 30 });
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('creates, reads, lists and updates teams; a second create conflicts', async () => {
      const t = await teams.createTeam({ id: id('t1'), dailyQuotaBytes: 1000 });
      expect(t.retentionDays).toBe(30);
      await expect(teams.createTeam({ id: id('t1') })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await teams.getTeam(id('t1'))).toEqual(t);
      expect((await teams.listTeams()).map((x) => x.id)).toContain(id('t1'));
      const u = await teams.updateTeam(id('t1'), { retentionDays: 7, dailyQuotaBytes: null });
      expect(u).toMatchObject({ retentionDays: 7, dailyQuotaBytes: null });
      expect(await teams.getTeam(id('t1'))).toEqual(u);
      await expect(teams.updateTeam(id('nope'), { retentionDays: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('issues keys that authenticate until revoked, and only within their team', async () => {
      await teams.createTeam({ id: id('t2') });
      await teams.createTeam({ id: id('t3') });
      const { key, secret } = await teams.createKey(id('t2'), 'read');
      expect(await teams.authenticate(secret)).toEqual({ kind: 'key', key });
      expect(await teams.authenticate(secret.slice(0, -1) + (secret.endsWith('x') ? 'y' : 'x'))).toBeNull();
      await expect(teams.revokeKey(id('t3'), key.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await teams.listKeys(id('t2'))).map((k) => k.id)).toEqual([key.id]);
      expect(await teams.listKeys(id('t3'))).toEqual([]);
      await teams.revokeKey(id('t2'), key.id);
      expect(await teams.authenticate(secret)).toBeNull();
      await expect(teams.revokeKey(id('t2'), key.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('keeps the first operator key and replaces it only when configured', async () => {
      const first = await teams.ensureOperatorKey();
      const again = await teams.ensureOperatorKey();
      expect(again.generated).toBeNull();
      if (first.generated) expect(await teams.authenticate(first.generated)).toEqual({ kind: 'operator' });
      const configured = `configured-operator-key-${suffix}-0000`;
      await teams.ensureOperatorKey(configured);
      expect(await teams.authenticate(configured)).toEqual({ kind: 'operator' });
      if (first.generated) expect(await teams.authenticate(first.generated)).toBeNull();
    });

    it('binds an Idempotency-Key to one content per team until the binding expires, also when claims race', async () => {
      const [t, other] = [id('idem'), id('idem-other')];
      const now = Date.UTC(2026, 10, 23, 12);
      const since = now - 86_400_000;
      expect(await store.claimIdempotencyKey(t, 'k1', 'content-a', now, since)).toBe('content-a');
      expect(await store.claimIdempotencyKey(t, 'k1', 'content-a', now + 1, since)).toBe('content-a');
      expect(await store.claimIdempotencyKey(t, 'k1', 'content-b', now + 2, since)).toBe('content-a');
      // Keys are per team.
      expect(await store.claimIdempotencyKey(other, 'k1', 'content-b', now, since)).toBe('content-b');
      // A day later the old binding has expired: new content may take the key.
      const later = now + 86_400_001;
      expect(await store.claimIdempotencyKey(t, 'k1', 'content-b', later, later - 86_400_000)).toBe('content-b');
      expect(await store.claimIdempotencyKey(t, 'k1', 'content-a', later + 1, later - 86_400_000)).toBe('content-b');
      // Racing claims of one free key: one content wins and every claimant is told the same.
      const raced = await Promise.all(['x', 'y', 'z', 'x', 'y'].map((c) => store.claimIdempotencyKey(t, 'race', c, now, since)));
      expect(new Set(raced).size).toBe(1);
      // Any text up to the header's limit is a key.
      const long = 'ключ/ with spaces & "quotes"'.repeat(7);
      expect(await store.claimIdempotencyKey(t, long, 'content-a', now, since)).toBe('content-a');
      expect(await store.claimIdempotencyKey(t, `${long}.`, 'content-b', now, since)).toBe('content-b');
    });

    it('adds usage per team and day, also when writers race', async () => {
      const t = id('t4');
      await Promise.all(Array.from({ length: 10 }, () => store.addUsage(t, '2026-11-23', 5)));
      expect(await store.getUsage(t, '2026-11-23')).toBe(50);
      expect(await store.getUsage(t, '2026-11-24')).toBe(0);
    });
  });
}

runControlSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-control-'));
  const store = new SqliteControlStore(join(dir, 'control.db'));
  return { store, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
});

if (requireElasticsearch('control store: elasticsearch')) {
  runControlSuite('elasticsearch', async () => {
    const es = elasticsearchClient();
    // Its own prefix: this suite replaces the operator key, which the HTTP suites on the same cluster rely on.
    const prefix = `auditlogtest${randomUUID().slice(0, 8)}`;
    const store = await ElasticsearchControlStore.open(es, { prefix });
    return {
      store,
      cleanup: async () => {
        await es.indices.delete({
          index: `${prefix}_control-settings,${prefix}_control-teams,${prefix}_control-keys,${prefix}_control-usage,${prefix}_control-idempotency,${prefix}_control-sessions`,
        });
        await es.close();
      },
    };
  });
}
