/**
 * The data directory keeps auditlog's own state apart from team event files, every internal
 * name is reserved, and an old flat directory is moved into the layout at start, WAL and all,
 * even after a start that was interrupted half-way.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../src/backend.ts';
import { loadConfig } from '../../src/config.ts';
import { migrateDataDir } from '../../src/data-dir.ts';
import type { StoredEvent, TeamId } from '../../src/events/event.ts';
import { createLogger } from '../../src/runtime.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { SqliteAlertStateStore } from '../../src/alerts/sqlite-state-store.ts';
import { SqliteControlStore } from '../../src/teams/sqlite-control-store.ts';
import { TeamService } from '../../src/teams/service.ts';
import { RESERVED_TEAM_IDS } from '../../src/teams/reserved.ts';
import { OPERATOR_KEY, startHarness, storeKinds } from '../http/harness.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'auditlog-layout-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const config = (dir: string) => loadConfig({ AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent' });
const topLevelDatabases = (dir: string) => readdirSync(dir).filter((f) => /\.db(-wal|-shm)?$/.test(f));

function event(team: string, i: number): StoredEvent {
  const original = { seq: i, action: 'layout-test' };
  return {
    id: `layout-${i}`,
    team: team as TeamId,
    timestamp: Date.UTC(2026, 0, 1, 0, i),
    received: Date.UTC(2026, 0, 1, 0, i),
    format: 'generic',
    flags: [],
    ecs: { 'event.action': 'layout-test' },
    original,
    raw: JSON.stringify(original),
  };
}

/**
 * An old flat directory as a crash leaves it: the files are copied while their connections are
 * still open, so the committed changes sit in the write-ahead logs, not yet in the main files.
 */
async function oldLayoutDirectory(): Promise<{ dir: string; secret: string }> {
  const live = tempDir();
  const control = new SqliteControlStore(join(live, 'control.db'));
  const alerts = new SqliteAlertStateStore(join(live, 'alerts.db'));
  const events = new SqliteStore({ dataDir: live });
  const teams = new TeamService(control);
  await teams.createTeam({ id: 'acme' as TeamId });
  const { secret } = await teams.createKey('acme', 'read');
  await alerts.insertSavedSearch({ id: 's1', team: 'acme', name: 'logins', query: 'event.action:login', createdAt: 'x', updatedAt: 'x' });
  expect((await events.append('acme' as TeamId, [event('acme', 1), event('acme', 2)])).every((r) => r.status === 'created')).toBe(true);

  const dir = tempDir();
  for (const f of readdirSync(live)) cpSync(join(live, f), join(dir, f));
  await events.close();
  await alerts.close();
  await control.close();
  for (const wal of ['control.db-wal', 'alerts.db-wal', 'acme.db-wal']) expect(statSync(join(dir, wal)).size, wal).toBeGreaterThan(0);
  return { dir, secret };
}

/** Opens the directory as the server does at start, then checks where everything is and that nothing was lost. */
async function expectMigrated(dir: string, secret: string) {
  const backend = await openBackend(config(dir), createLogger(config(dir)));
  try {
    expect(topLevelDatabases(dir)).toEqual([]);
    for (const f of ['state/control.db', 'state/alerts.db', 'teams/acme.db']) expect(existsSync(join(dir, f)), f).toBe(true);
    const principal = await new TeamService(backend.control).authenticate(secret);
    expect(principal).toMatchObject({ kind: 'key', key: { team: 'acme', role: 'read' } });
    expect((await backend.alertState.listSavedSearches('acme')).map((s) => s.name)).toEqual(['logins']);
    const page = await backend.store.search('acme' as TeamId, { query: null, size: 10 });
    expect(page.hits.map((e) => e.id).sort()).toEqual(['layout-1', 'layout-2']);
  } finally {
    await backend.close();
  }
}

describe('data directory layout', () => {
  it('keeps internal state in state/ and team events in teams/', async () => {
    const dir = tempDir();
    const backend = await openBackend(config(dir), createLogger(config(dir)));
    await new TeamService(backend.control).createTeam({ id: 'acme' as TeamId });
    await backend.store.append('acme' as TeamId, [event('acme', 1)]);
    await backend.close();
    expect(readdirSync(join(dir, 'state')).filter((f) => f.endsWith('.db')).sort()).toEqual(['alerts.db', 'control.db', 'streams.db']);
    expect(readdirSync(join(dir, 'teams')).filter((f) => f.endsWith('.db'))).toEqual(['acme.db']);
    expect(topLevelDatabases(dir)).toEqual([]);
  });

  it('moves an old flat directory into the layout, write-ahead logs included, and does it once', async () => {
    const { dir, secret } = await oldLayoutDirectory();
    await expectMigrated(dir, secret);
    // Starting again changes nothing.
    expect(migrateDataDir(dir)).toEqual({ state: [], teams: [] });
    await expectMigrated(dir, secret);
  });

  it('finishes a migration that was interrupted after moving some files', async () => {
    const { dir, secret } = await oldLayoutDirectory();
    // As if the process died after the first renames: the WAL of acme and all of control.db moved, the rest did not.
    mkdirSync(join(dir, 'teams'));
    mkdirSync(join(dir, 'state'));
    renameSync(join(dir, 'acme.db-wal'), join(dir, 'teams', 'acme.db-wal'));
    for (const f of ['control.db-wal', 'control.db-shm', 'control.db']) renameSync(join(dir, f), join(dir, 'state', f));
    await expectMigrated(dir, secret);
  });

  it('refuses to overwrite a database that exists in both layouts', async () => {
    const { dir } = await oldLayoutDirectory();
    mkdirSync(join(dir, 'teams'));
    cpSync(join(dir, 'acme.db'), join(dir, 'teams', 'acme.db'));
    await expect(openBackend(config(dir), createLogger(config(dir)))).rejects.toThrow(/acme\.db exists both/);
  });
});

describe.each(storeKinds('reserved team ids'))('reserved team ids on %s', (kind) => {
  it('refuses every internal name as a team id, naming the field', async () => {
    const h = await startHarness(kind);
    try {
      expect([...RESERVED_TEAM_IDS].sort()).toEqual(['alerts', 'control', 'state', 'system', 'teams']);
      for (const id of RESERVED_TEAM_IDS) {
        const res = await h.call('/api/v1/teams', { method: 'POST', key: OPERATOR_KEY, json: { id } });
        expect(res.status, id).toBe(400);
        const body = (await res.json()) as { error: { message: string; details: { field: string } } };
        expect(body.error.details.field).toBe('id');
        expect(body.error.message).toMatch(/reserved/);
      }
      const teams = (await (await h.call('/api/v1/teams', { key: OPERATOR_KEY })).json()) as { teams: Array<{ id: string }> };
      expect(teams.teams.some((t) => RESERVED_TEAM_IDS.has(t.id))).toBe(false);
    } finally {
      await h.close();
    }
  });
});
