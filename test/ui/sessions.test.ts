/**
 * Page sign-in sessions on both control stores: a key that may read opens a session, which
 * resolves to the key's principal until it expires, is signed out, or its key is revoked.
 * On Elasticsearch two instances (two control stores on one cluster) share every session.
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
import { SessionService } from '../../src/ui/sessions.ts';
import { elasticsearchClient, requireElasticsearch } from '../support/elasticsearch.ts';

const HOUR = 3_600_000;

interface Backend {
  /** Two control stores on the same state, as two server instances would have. */
  stores: [ControlStore, ControlStore];
  cleanup(): Promise<void>;
}

function runSessionSuite(name: string, open: () => Promise<Backend>) {
  describe(`sessions: ${name}`, () => {
    let backend: Backend;
    let teams: TeamService;
    let clock = Date.parse('2026-11-20T09:00:00Z');
    const now = () => clock;
    const service = (i: 0 | 1 = 0) => new SessionService({ teams: new TeamService(backend.stores[i]), control: backend.stores[i], ttlMs: 12 * HOUR, now });
    const team = `s${randomUUID().slice(0, 8)}`;
    const keys: Record<'read' | 'admin' | 'ingest', { id: string; secret: string }> = {} as never;

    beforeAll(async () => {
      backend = await open();
      teams = new TeamService(backend.stores[0]);
      await teams.createTeam({ id: team });
      for (const role of ['read', 'admin', 'ingest'] as const) {
        const { key, secret } = await teams.createKey(team, role);
        keys[role] = { id: key.id, secret };
      }
    });
    afterAll(async () => {
      await backend?.cleanup();
    });

    it('opens a session for a read or admin key, with a fresh random token and CSRF token each time', async () => {
      const s = service();
      const a = await s.signIn(keys.read.secret);
      const b = await s.signIn(keys.read.secret);
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.token).not.toBe(b.token);
      expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
      // Only a hash of the token is stored.
      expect(a.session.id).not.toContain(a.token);
      expect(a.session).toMatchObject({ team, keyId: keys.read.id, role: 'read', revokedAt: null, expiresAt: clock + 12 * HOUR });
      const resolved = await s.resolve(a.token);
      expect(resolved?.principal).toMatchObject({ kind: 'key', key: { id: keys.read.id, team, role: 'read' } });
      expect((await s.signIn(`  ${keys.admin.secret}\n`)).session.role).toBe('admin');
    });

    it('refuses an ingest key, the operator key and a wrong key', async () => {
      const s = service();
      await expect(s.signIn(keys.ingest.secret)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await teams.ensureOperatorKey(`operator-key-for-session-tests-${team}`);
      await expect(s.signIn(`operator-key-for-session-tests-${team}`)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const wrong = keys.read.secret.slice(0, -1) + (keys.read.secret.endsWith('z') ? 'y' : 'z');
      await expect(s.signIn(wrong)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(s.signIn('')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('ignores tokens it never issued, whatever their shape', async () => {
      const s = service();
      for (const t of [undefined, '', 'x', 'A'.repeat(43), `${'A'.repeat(42)}!`, 'a'.repeat(10_000)]) expect(await s.resolve(t)).toBeNull();
    });

    it('ends a session at its expiry', async () => {
      const s = service();
      const { token } = await s.signIn(keys.read.secret);
      clock += 12 * HOUR - 1;
      expect(await s.resolve(token)).not.toBeNull();
      clock += 1;
      expect(await s.resolve(token)).toBeNull();
    });

    it('ends a session on sign-out, for every instance', async () => {
      const [one, two] = [service(0), service(1)];
      const { token } = await one.signIn(keys.admin.secret);
      expect((await two.resolve(token))?.principal).toMatchObject({ key: { id: keys.admin.id } });
      await two.signOut(token);
      expect(await one.resolve(token)).toBeNull();
      expect(await two.resolve(token)).toBeNull();
    });

    it("ends every session of a key when the key is revoked", async () => {
      const s = service();
      const { key, secret } = await teams.createKey(team, 'read', 'to revoke');
      const a = await s.signIn(secret);
      const b = await s.signIn(secret);
      await teams.revokeKey(team, key.id);
      expect(await s.resolve(a.token)).toBeNull();
      expect(await s.resolve(b.token)).toBeNull();
      await expect(s.signIn(secret)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });
  });
}

runSessionSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-sessions-'));
  const file = join(dir, 'control.db');
  const stores: [ControlStore, ControlStore] = [new SqliteControlStore(file), new SqliteControlStore(file)];
  return {
    stores,
    cleanup: async () => {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (requireElasticsearch('sessions: elasticsearch')) {
  runSessionSuite('elasticsearch', async () => {
    const es = elasticsearchClient();
    // Its own prefix: this suite replaces the operator key, which the HTTP suites on the same cluster rely on.
    const prefix = `auditlogtest${randomUUID().slice(0, 8)}`;
    const stores: [ControlStore, ControlStore] = [await ElasticsearchControlStore.open(es, { prefix }), await ElasticsearchControlStore.open(es, { prefix })];
    return {
      stores,
      cleanup: async () => {
        const names = ['settings', 'teams', 'keys', 'usage', 'sessions'].map((n) => `${prefix}_control-${n}`);
        await es.indices.delete({ index: names.join(',') });
        await es.close();
      },
    };
  });
}
