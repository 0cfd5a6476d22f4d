/**
 * What a user sees when something is wrong, through the real bin/auditlog: one line that says
 * what and what to do, never a stack trace; a usage error also prints the usage.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../http/harness.ts';
import { BIN, runBin } from './run-bin.ts';

const TIMEOUT = 240_000;
const STACK = /\n\s+at /;

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

describe('auditlog errors', () => {
  let dir: string;
  let h: Harness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'auditlog-cli-errors-'));
    h = await startHarness('sqlite', { AUDITLOG_ALERTS: 'off' });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const local = (args: string[]) => runBin(args, { AUDITLOG_DATA_DIR: dir });

  it('a missing or unreadable import file', async () => {
    expect((await local(['teams', 'create', 'acme'])).code).toBe(0);
    const missing = await local(['import', join(dir, 'nope.ndjson'), '--team', 'acme']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`auditlog: cannot read ${join(dir, 'nope.ndjson')}: no such file`);
    mkdirSync(join(dir, 'folder'));
    const folder = await local(['import', join(dir, 'folder'), '--team', 'acme']);
    expect(folder.code).toBe(1);
    expect(folder.stderr.trim()).toBe(`auditlog: cannot read ${join(dir, 'folder')}: it is a directory`);
    // Remote mode reads the file before it calls the server.
    const remote = await runBin(['import', join(dir, 'nope.ndjson'), '--url', h.url, '--key', h.teams.a.keys.ingest]);
    expect(remote.stderr.trim()).toBe(`auditlog: cannot read ${join(dir, 'nope.ndjson')}: no such file`);
  }, TIMEOUT);

  it('a port in use on serve', async () => {
    const holder = createServer();
    const port = await listen(holder);
    try {
      const r = await runBin(['serve', '--port', String(port)], { AUDITLOG_DATA_DIR: join(dir, 'serve'), AUDITLOG_OPERATOR_KEY: 'op-0123456789abcdefghijklmnop' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^auditlog: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use .*--port or AUDITLOG_PORT$`, 'm'));
      expect(r.stderr).not.toMatch(STACK);
    } finally {
      holder.close();
    }
  }, TIMEOUT);

  it('an unreachable server, a wrong key, a key of the wrong kind, remote mode without a key', async () => {
    const gone = createServer();
    const port = await listen(gone);
    await new Promise((r) => gone.close(r));
    const unreachable = await runBin(['teams', 'list', '--url', `http://127.0.0.1:${port}`, '--key', 'x'.repeat(30)]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim()).toBe(
      `auditlog: cannot reach the auditlog server at http://127.0.0.1:${port} (ECONNREFUSED); is it running, and is --url (or AUDITLOG_URL) right?`,
    );
    const wrongKey = await runBin(['teams', 'list', '--url', h.url, '--key', 'alk_0000000000000000_notakey']);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr.trim()).toMatch(/^auditlog: the server refused GET \/api\/v1\/teams with 401: .+ \(check --key or AUDITLOG_KEY\)$/);
    const wrongKind = await runBin(['teams', 'list'], { AUDITLOG_URL: h.url, AUDITLOG_KEY: h.teams.a.keys.admin });
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr.trim()).toMatch(/^auditlog: the server refused GET \/api\/v1\/teams with 403: .*operator/);
    const noKey = await runBin(['teams', 'list', '--url', h.url]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr.trim()).toBe('auditlog: remote mode (--url or AUDITLOG_URL) needs a key: --key or AUDITLOG_KEY');
    const badUrl = await runBin(['teams', 'list', '--url', 'localhost-8080', '--key', 'k']);
    expect(badUrl.stderr.trim()).toMatch(/^auditlog: --url "localhost-8080" is not a URL/);
    for (const r of [unreachable, wrongKey, wrongKind, noKey, badUrl]) expect(r.stderr).not.toMatch(STACK);
  }, TIMEOUT);

  it('an unknown command or flag exits 2 with the usage, which names each command\'s mode', async () => {
    const unknown = await local(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^auditlog: unknown command "frobnicate"\n\nusage: auditlog <command>/);
    const flag = await local(['search', 'x', '--team', 'acme', '--colour', 'red']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^auditlog: Unknown option '--colour'/);
    expect(flag.stderr).toMatch(/usage: auditlog/);
    const help = await local(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Local \(L\)/);
    expect(help.stdout).toMatch(/Remote \(R\)/);
    expect(help.stdout).toMatch(/^ {2}serve .* L {2}start/m);
    expect(help.stdout).toMatch(/^ {2}teams update <id> \[SETTINGS\] +L R \(operator key\)/m);
  }, TIMEOUT);
});

describe('auditlog serve --demo --port N', () => {
  it('prints that port in its curl and CLI hints, and the printed commands work as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditlog-cli-hints-'));
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const child = spawn(BIN, ['serve', '--demo', '--port', String(port)], {
      env: { ...process.env, AUDITLOG_DATA_DIR: dir, AUDITLOG_LOG_LEVEL: 'silent', AUDITLOG_OPERATOR_KEY: undefined },
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no sign-in hint: ${stderr}`)), 180_000);
        const check = () => (/demo admin key:\n {2}alk_/.test(stderr) ? (clearTimeout(timer), resolve()) : setTimeout(check, 100));
        child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
        check();
      });
      const base = `http://127.0.0.1:${port}`;
      const curls = stderr.split('\n').filter((l) => l.trim().startsWith('curl '));
      expect(curls.length).toBeGreaterThan(0);
      for (const c of curls) expect(c).toContain(`${base}/api/v1/events`);
      const cli = stderr.split('\n').find((l) => l.trim().startsWith('npm run cli -- search'))!;
      expect(cli).toContain(`--url ${base} --key alk_`);
      const operator = stderr.split('\n').find((l) => l.startsWith('Try it: '))!;
      expect(operator).toContain(`--url ${base} --key alop_`);
      expect(stderr).toContain(`Open ${base}/ in a browser`);
      // The hints run as printed, from the repository (where `npm run cli` works).
      const repo = join(import.meta.dirname, '../..');
      for (const [line, expected] of [
        [curls[0]!.trim(), /"total":[1-9]/],
        [cli.trim(), /[1-9]\d* of [1-9]\d* events/],
        [operator.replace('Try it: ', ''), /"id": "demo"/],
      ] as const) {
        const out = await new Promise<string>((resolve) => {
          const sh = spawn('bash', ['-c', line], { cwd: repo, env: { ...process.env, AUDITLOG_LOG_LEVEL: 'silent' } });
          let text = '';
          sh.stdout.on('data', (c: Buffer) => (text += c.toString()));
          sh.stderr.on('data', (c: Buffer) => (text += c.toString()));
          sh.once('exit', () => resolve(text));
        });
        expect(out, line).toMatch(expected);
      }
    } finally {
      // The wrapper execs node, so the group is the server alone.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);
});
