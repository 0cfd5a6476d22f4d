/**
 * The `auditlog` command as a user runs it: a real process on a fresh data directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_QUERIES } from '../../src/demo/generate.ts';

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
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent' },
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
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({ eventTime: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(), eventName: i % 2 ? 'ConsoleLogin' : 'CreateAccessKey', seq: i }),
    );
    writeFileSync(file, `${lines.join('\n')}\n{not json\n`);
    const imported = run(dir, ['import', file, '--team', 'acme', '--batch-size', '7']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toMatch(/imported 30 events into team acme, rejected 1/);

    // Importing again is idempotent: batch ids come from the file and the line.
    expect(run(dir, ['import', file, '--team', 'acme', '--batch-size', '7']).code).toBe(0);

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

  it('loads the demo team, and every example query finds events', () => {
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
