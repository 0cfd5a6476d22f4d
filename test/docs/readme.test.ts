/**
 * The README's shell examples run as written, in order, in one bash session, against a server
 * started the README's way (`npm start`), so the README cannot drift from what auditlog does.
 * The only change made to them is the port: the check's server listens on a free one, not 8080.
 *
 * They run with every Node of 24 or later taken off PATH, as on a machine whose own Node is
 * older (Node 20 here): `npm start` and `npm run cli` must bring Node 24 themselves.
 *
 * A block preceded by `<!-- docs-check: skip (why) -->` is not run. A `# → text` comment in a
 * block is an output the block must print (`…` stands for anything).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');

export interface ShellBlock {
  line: number;
  code: string;
  skip?: string;
}

/** The README's ```sh blocks with the line each starts on and the reason it is skipped, if it is. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```sh') continue;
    const end = lines.indexOf('```', i + 1);
    const skip = /^<!-- docs-check: skip \((.+)\) -->$/.exec(lines[i - 1] ?? '')?.[1];
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), ...(skip ? { skip } : {}) });
    i = end;
  }
  return blocks;
}

/** PATH without the directories whose `node` is 24 or later. */
function pathWithoutNode24(path: string): { path: string; node: string | undefined } {
  const kept = path.split(delimiter).filter((dir) => {
    const node = join(dir, 'node');
    if (!existsSync(node)) return true;
    try {
      return Number(execFileSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim()) < 24;
    } catch {
      return true;
    }
  });
  const first = kept.map((dir) => join(dir, 'node')).find((n) => existsSync(n));
  const node = first ? execFileSync(first, ['--version'], { encoding: 'utf8' }).trim() : undefined;
  return { path: kept.join(delimiter), node };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('README', () => {
  it('finds the shell blocks and which are skipped', () => {
    const blocks = shellBlocks(readFileSync(join(REPO, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.filter((b) => b.skip).map((b) => b.skip)).toEqual([expect.stringMatching(/npm start/), 'needs Docker']);
    // No example carries a fixed date that would fall out of retention or out of a relative range.
    for (const b of blocks) expect(b.code, `README.md:${b.line}`).not.toMatch(/\b20[0-9]{2}-[01][0-9]-[0-3][0-9]/);
  });

  it('every shell example runs as written against `npm start`, with Node 20 first on PATH', async () => {
    const blocks = shellBlocks(readFileSync(join(REPO, 'README.md'), 'utf8')).filter((b) => !b.skip);
    const older = pathWithoutNode24(process.env.PATH ?? '');
    // On this machine the Node left is Debian's 20. A machine with no other Node has no npm
    // without Node 24 either: there the examples run with the PATH as it is.
    const path = older.node === undefined ? process.env.PATH : older.path;
    if (older.node !== undefined) expect(Number(older.node.slice(1).split('.')[0])).toBeLessThan(24);
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'auditlog-readme-'));
    // What the examples write under $TMPDIR (the backup and its restored copy) goes away with the test.
    const scratch = mkdtempSync(join(tmpdir(), 'auditlog-readme-tmp-'));
    const operatorKey = `readme-operator-${Date.now()}-0123456789`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: path,
      npm_config_nodedir: undefined,
      AUDITLOG_DATA_DIR: dataDir,
      TMPDIR: scratch,
      AUDITLOG_OPERATOR_KEY: operatorKey,
      AUDITLOG_LOG_LEVEL: 'silent',
      AUDITLOG_URL: undefined,
      AUDITLOG_KEY: undefined,
    };
    const server = spawn('npm', ['start', '--', '--port', String(port)], { cwd: REPO, env, detached: true });
    let serverOutput = '';
    server.stdout.on('data', (c: Buffer) => (serverOutput += c.toString()));
    server.stderr.on('data', (c: Buffer) => (serverOutput += c.toString()));
    const created = ['events.ndjson'].map((f) => join(REPO, f)).filter((f) => !existsSync(f));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${serverOutput}`)), 240_000);
        server.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${serverOutput}`)));
        const check = () => (/listening on/.test(serverOutput) ? (clearTimeout(timer), resolve()) : setTimeout(check, 100));
        check();
      });
      expect(serverOutput).toContain(`127.0.0.1:${port}`);

      // One session: variables set by one block (OP, ADMIN, KEY, READ) are there for the next.
      const script = blocks
        .map((b) => `echo '=== README.md:${b.line}'\n${b.code.replaceAll('localhost:8080', `localhost:${port}`)}\necho`)
        .join('\n');
      const transcript = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const sh = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: REPO, env });
        let out = '';
        sh.stdout.on('data', (c: Buffer) => (out += c.toString()));
        sh.stderr.on('data', (c: Buffer) => (out += c.toString()));
        sh.once('exit', (code) => resolve({ code, out }));
      });
      const out = transcript.out;
      expect(transcript.code, out).toBe(0);
      expect(out.match(/^=== README\.md:\d+$/gm)).toHaveLength(blocks.length);

      // No API error answer, no CLI error.
      expect(out, out).not.toMatch(/"error":\{"code"/);
      expect(out, out).not.toMatch(/^auditlog: /m);
      // The key creations gave secrets and no block left a variable empty in a request.
      expect(out).not.toMatch(/Authorization: Bearer \s/);
      // What the README says a block prints, it prints.
      for (const b of blocks) {
        for (const [, expected] of b.code.matchAll(/^# → (.+)$/gm)) {
          const pattern = expected!
            .split('…')
            .map((part) => part.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*');
          expect(out, `README.md:${b.line}: ${expected}`).toMatch(new RegExp(pattern));
        }
      }
      // The ingest examples were accepted and the searches found them.
      expect(out.match(/"accepted":\[\{"index":0/g)?.length).toBeGreaterThanOrEqual(3);
      expect(out).toMatch(/"total":[1-9]/);
      expect(out).toMatch(/^1 of 1 events$/m);
    } finally {
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
      for (const f of created) rmSync(f, { force: true });
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 600_000);
});
