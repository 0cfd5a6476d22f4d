/**
 * The `auditlog` command as a user runs it: a real process on a fresh data directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DEMO_QUERIES } from '../../src/demo/generate.ts';
import type { TeamId } from '../../src/events/event.ts';
import { createRuntime } from '../../src/runtime.ts';
import { eventually, type StoreKind, storeKinds } from '../http/harness.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const dirs: string[] = [];
function dataDir() {
  const d = mkdtempSync(join(tmpdir(), 'auditlog-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(dir: string, args: string[]) {
  return runOn('sqlite', dir, args);
}

function runOn(store: StoreKind, dir: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent', AUDITLOG_STORE: store },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('auditlog CLI', () => {
  it('creates a team and a key, imports NDJSON, and searches it', () => {
    const dir = dataDir();
    expect(run(dir, ['teams', 'create', 'acme', '--retention-days', '30']).code).toBe(0);
    const key = run(dir, ['keys', 'create', '--team', 'acme', '--role', 'read']);
    expect(key.code).toBe(0);
    expect(key.stdout.trim()).toMatch(/^alk_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/);

    const file = join(dir, 'events.ndjson');
    const start = Date.now() - 3_600_000;
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ eventTime: new Date(start + i * 60_000).toISOString(), eventName: i % 2 ? 'ConsoleLogin' : 'CreateAccessKey', seq: i }),
    );
    writeFileSync(file, `${lines.join('\n')}\n{not json\n`);
    const imported = run(dir, ['import', file, '--team', 'acme', '--batch-size', '7']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/into team acme: 30 stored, 0 stored under a new id \(id conflict\), 0 duplicates \(already stored\), 1 rejected/);
    expect(imported.stderr).toMatch(/^line 31: not valid JSON/m);

    // Importing again is idempotent: ids come from each line's content.
    const again = run(dir, ['import', file, '--team', 'acme', '--batch-size', '7']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/: 0 stored, 0 stored under a new id \(id conflict\), 30 duplicates \(already stored\), 1 rejected/);

    const found = run(dir, ['search', 'eventName:ConsoleLogin', '--team', 'acme', '--output', 'ndjson', '--size', '100']);
    expect(found.code, found.stderr).toBe(0);
    const hits = found.stdout.trim().split('\n').map((l) => JSON.parse(l) as { original: { seq: number } });
    expect(hits).toHaveLength(15);
    expect(hits.every((e) => e.original.seq % 2 === 1)).toBe(true);

    const table = run(dir, ['search', 'eventName:CreateAccessKey', '--team', 'acme']);
    expect(table.stdout).toMatch(/15 of 15 events/);
  });

  it('explains a bad query, a missing option and an unknown command', () => {
    const dir = dataDir();
    run(dir, ['teams', 'create', 'acme']);
    const bad = run(dir, ['search', 'a:(b', '--team', 'acme']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/column/);
    const missing = run(dir, ['keys', 'create', '--role', 'read']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--team is required/);
    expect(run(dir, ['frobnicate']).code).toBe(2);
  });

  it('loads the demo team, and every example query finds events', { timeout: 180_000 }, () => {
    const dir = dataDir();
    const demo = run(dir, ['demo']);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stderr).toMatch(/Loaded \d+ demo events and the built-in alert rules/);
    for (const q of DEMO_QUERIES) {
      const r = run(dir, ['search', q, '--team', 'demo', '--output', 'json']);
      expect(r.code, `${q}: ${r.stderr}`).toBe(0);
      expect((JSON.parse(r.stdout) as { total: number }).total, q).toBeGreaterThan(0);
    }
    // The demo installed the built-in rules; installing again updates them in place.
    const rules = run(dir, ['rules', 'install', '--team', 'demo']);
    expect(rules.code, rules.stderr).toBe(0);
    const installed = JSON.parse(rules.stdout) as { created: string[]; updated: string[] };
    expect(installed.created).toEqual([]);
    expect(installed.updated.length).toBeGreaterThanOrEqual(8);
    // Every step is a process of its own; `demo` also opens the GeoIP databases (seconds on a loaded box).
  });

  it('`serve --demo` (the README start command) answers the search API on demo data', async () => {
    const dir = dataDir();
    const child = spawn(process.execPath, [CLI, 'serve', '--demo', '--port', '0'], {
      env: { ...process.env, AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent' },
    });
    try {
      let stderr = '';
      const ready = await new Promise<{ url: string; key: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
          const key = /(alk_[0-9a-z]{16}_[A-Za-z0-9_-]{43})/.exec(stderr)?.[1];
          if (url && key) {
            clearTimeout(timer);
            resolve({ url, key });
          }
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/Operator key/);
      const res = await fetch(`${ready.url}/api/v1/events?${new URLSearchParams({ q: DEMO_QUERIES[0] })}`, {
        headers: { authorization: `Bearer ${ready.key}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { total: number }).total).toBeGreaterThan(0);
      // The page's address and the keys to sign in with, printed last.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no sign-in hint: ${stderr}`)), 10_000);
        const check = () => {
          if (/demo admin key:\n {2}alk_/.test(stderr)) {
            clearTimeout(timer);
            resolve();
          } else setTimeout(check, 50);
        };
        check();
      });
      const hint = /Open (http:\/\/\S+\/) in a browser and sign in with the demo read key:\n {2}(alk_\S+)\n.*\n {2}(alk_\S+)/.exec(stderr);
      expect(hint, stderr).not.toBeNull();
      expect(hint![1]).toBe(`${ready.url}/`);
      const page = await fetch(hint![1]!);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="app">/);
      for (const [key, role] of [[hint![2]!, 'read'], [hint![3]!, 'admin']] as const) {
        const signIn = await fetch(`${ready.url}/ui/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
        expect(signIn.status).toBe(200);
        expect(await signIn.json()).toMatchObject({ team: 'demo', role });
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe.each(storeKinds('CLI import'))('auditlog import on %s', (kind) => {
  it('keys imports on content: other batch sizes store nothing twice, a changed file at the same path stores what is new', async () => {
    const dir = dataDir();
    // Elasticsearch outlives the test: a team id of its own.
    const team = `acme-${randomBytes(4).toString('hex')}`;
    const run = (d: string, args: string[]) => runOn(kind, d, args);
    expect(run(dir, ['teams', 'create', team]).code).toBe(0);
    const file = join(dir, 'audit.ndjson');
    const start = Date.now() - 3_600_000;
    const login = (i: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ eventTime: new Date(start + i * 1000).toISOString(), eventName: 'ConsoleLogin', user: `u${i}`, ...extra });
    const ecs = (action: string) => JSON.stringify({ '@timestamp': new Date(start).toISOString(), event: { id: 'ecs-7', action } });
    // Two identical lines are two events (two logins in one second); a producer id (ECS event.id).
    const first = [...Array.from({ length: 8 }, (_, i) => login(i)), login(3), ecs('created')];
    writeFileSync(file, `${first.join('\n')}\n`);
    // Elasticsearch makes writes searchable within a second.
    const total = async (expected: number) =>
      eventually(async () => {
        const r = run(dir, ['search', '', '--team', team, '--output', 'json']);
        expect((JSON.parse(r.stdout) as { total: number }).total, r.stderr).toBe(expected);
      });
    const counts = (r: { stderr: string }) => new RegExp(`into team ${team}: (.*)$`, 'm').exec(r.stderr)?.[1];

    expect(counts(run(dir, ['import', file, '--team', team, '--batch-size', '4']))).toBe(
      '10 stored, 0 stored under a new id (id conflict), 0 duplicates (already stored), 0 rejected',
    );
    await total(10);
    for (const size of ['3', '1000']) {
      expect(counts(run(dir, ['import', file, '--team', team, '--batch-size', size]))).toBe(
        '0 stored, 0 stored under a new id (id conflict), 10 duplicates (already stored), 0 rejected',
      );
    }

    // The same path, changed: a line edited, one inserted at the top, one appended, and the
    // ECS event's content changed under its id (kept beside the first, flagged id_conflict).
    const changed = [login(100), ...first.slice(0, 5), login(5, { eventName: 'ConsoleLogout' }), ...first.slice(6, 9), ecs('deleted'), login(200)];
    writeFileSync(file, `${changed.join('\n')}\n`);
    const second = run(dir, ['import', file, '--team', team]);
    expect(second.code, second.stderr).toBe(0);
    expect(counts(second)).toBe('3 stored, 1 stored under a new id (id conflict), 8 duplicates (already stored), 0 rejected, 1 with warnings');
    expect(second.stderr).toMatch(/line 11: warning id_conflict: id ecs\.ecs-7 already holds a different event/);
    await total(14);

    // Resuming part-way gives every line the id a whole import gives it.
    expect(counts(run(dir, ['import', file, '--team', team, '--resume-from', '6']))).toBe(
      '0 stored, 0 stored under a new id (id conflict), 6 duplicates (already stored), 0 rejected, 1 with warnings',
    );
    await total(14);
    if (kind === 'elasticsearch') {
      // The node outlives the test: drop the team's indices.
      const rt = await createRuntime(loadConfig({ ...process.env, AUDITLOG_STORE: kind, AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent' }));
      await rt.store.dropTeam(team as TeamId);
      await rt.close();
    }
    // Eight runs of the CLI, each a fresh process that connects to its store.
  }, 180_000);
});
