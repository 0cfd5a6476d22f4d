/**
 * `auditlog backup` / `auditlog restore` as an operator runs them: a real server process takes
 * ingest while the backup runs; the backup must be consistent (every file passes
 * integrity_check, every event acknowledged before it started is in it), and a server started
 * on the restored directory must answer searches as the original does.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Manifest } from '../../src/backup/manifest.ts';
import { Ledger, produce, type Target } from '../fault/ledger.ts';
import { postJson, type ServerProcess, startServerProcess } from '../fault/server-process.ts';
import { OPERATOR_KEY } from '../http/harness.ts';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'auditlog-backup-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The CLI as a child process, asynchronously: the test's producers keep sending meanwhile. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, AUDITLOG_LOG_LEVEL: 'silent', AUDITLOG_STORE: 'sqlite', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

async function read(url: string, key: string, path: string): Promise<unknown> {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status, path).toBe(200);
  return res.json();
}

/** Every stored event's `seq` → id, paging through the search API. */
async function storedIds(url: string, key: string): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  let cursor: string | null = null;
  do {
    const page = (await read(url, key, `/api/v1/events?size=1000&sort=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as {
      hits: Array<{ id: string; original: { seq: number } }>;
      cursor: string | null;
    };
    for (const hit of page.hits) ids.set(hit.original.seq, hit.id);
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

/** Fixed bounds: `now` would differ between the two servers' answers. */
const searches = (from: string, to: string) => [
  '/api/v1/events?q=seq:[100 TO 400]&size=50',
  '/api/v1/events?q=message:"event 7"&size=20&sort=asc',
  '/api/v1/events?q=action:backup-suite&size=1',
  `/api/v1/events/histogram?q=action:backup-suite&from=${from}&to=${to}`,
  `/api/v1/events/facets?field=seq&size=5&from=${from}&to=${to}`,
];

describe('auditlog backup and restore (SQLite)', () => {
  it(
    'backs up a directory while the server ingests, and a server on the restored copy answers the same',
    async () => {
      const dataDir = join(tempDir(), 'data');
      const env = { AUDITLOG_DATA_DIR: dataDir, AUDITLOG_OPERATOR_KEY: OPERATOR_KEY, AUDITLOG_STORE: 'sqlite' };
      const server = await startServerProcess(env);
      let restored: ServerProcess | undefined;
      try {
        const team = `backup${randomBytes(4).toString('hex')}`;
        await postJson(server, '/api/v1/teams', OPERATOR_KEY, { id: team });
        const ingestKey = ((await postJson(server, `/api/v1/teams/${team}/keys`, OPERATOR_KEY, { role: 'ingest' })) as { secret: string }).secret;
        const readKey = ((await postJson(server, `/api/v1/teams/${team}/keys`, OPERATOR_KEY, { role: 'read' })) as { secret: string }).secret;
        const target: Target = { url: () => server.url, ingestKey, readKey };
        const ledger = new Ledger('backup-suite');
        const from = new Date(Date.now() - 60_000).toISOString();

        // Two producers keep sending during the whole backup.
        let stop = false;
        const producers = [0, 1].map(async (p) => {
          for (let round = 0; !stop; round++) await produce(target, ledger, { first: (p * 10_000 + round) * 50, batches: 1, size: 50 });
        });
        while (ledger.acked.size < 1000) await new Promise((r) => setTimeout(r, 10));

        const before = new Map(ledger.acked);
        const backupDir = join(tempDir(), 'backup');
        const backup = await cli(['backup', backupDir], env);
        const during = ledger.acked.size - before.size;
        stop = true;
        await Promise.all(producers);
        expect(backup.code, backup.stderr).toBe(0);
        // The backup ran while events were being acknowledged, or this would test nothing.
        expect(during).toBeGreaterThan(0);

        // Each file is whole, and what the manifest says.
        const manifest = Manifest.parse(JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')));
        expect(manifest.files.map((f) => f.path).sort()).toEqual(['state/alerts.db', 'state/control.db', `teams/${team}.db`, 'teams/system.db'].sort());
        for (const file of manifest.files) {
          const db = new Database(join(backupDir, file.path), { readonly: true });
          try {
            expect(db.pragma('integrity_check', { simple: true }), file.path).toBe('ok');
            if (file.events !== undefined) expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(file.events);
          } finally {
            db.close();
          }
        }
        const teamFile = manifest.files.find((f) => f.path === `teams/${team}.db`)!;
        expect(teamFile.events).toBeGreaterThanOrEqual(before.size);
        console.info('backup under ingest:', JSON.stringify({ ackedBefore: before.size, ackedDuring: during, inBackup: teamFile.events }));

        // Refusals: the running server's directory, even with --force; a non-empty directory without it.
        const held = await cli(['restore', backupDir, '--force'], env);
        expect(held.code).toBe(1);
        expect(held.stderr).toMatch(/open in a running auditlog server/);
        const occupied = tempDir();
        writeFileSync(join(occupied, 'notes.txt'), 'an operator\'s file\n');
        const notEmpty = await cli(['restore', backupDir], { ...env, AUDITLOG_DATA_DIR: occupied });
        expect(notEmpty.stderr).toMatch(/not empty/);
        expect(notEmpty.code).toBe(1);
        expect(readFileSync(join(occupied, 'notes.txt'), 'utf8')).toMatch(/operator/);

        // A server on the restored copy: every event acknowledged before the backup began, under its id.
        const restoredDir = join(tempDir(), 'restored');
        const restore = await cli(['restore', backupDir], { ...env, AUDITLOG_DATA_DIR: restoredDir });
        expect(restore.code, restore.stderr).toBe(0);
        restored = await startServerProcess({ ...env, AUDITLOG_DATA_DIR: restoredDir });
        const ids = await storedIds(restored.url, readKey);
        const lost = [...before].filter(([seq, ack]) => ids.get(seq) !== ack.id).map(([seq]) => seq);
        expect(lost, `of ${before.size} events acknowledged before the backup`).toEqual([]);
        expect(ids.size).toBe(teamFile.events);
        await restored.kill9();

        // With ingest stopped, a second backup restored over the first copy (--force) answers exactly as the original.
        const quiet = join(tempDir(), 'quiet');
        expect((await cli(['backup', quiet], env)).code).toBe(0);
        const again = await cli(['restore', quiet, '--force'], { ...env, AUDITLOG_DATA_DIR: restoredDir });
        expect(again.code, again.stderr).toBe(0);
        await restored.restart();
        for (const path of searches(from, new Date(Date.now() + 60_000).toISOString())) {
          expect(await read(restored.url, readKey, path), path).toEqual(await read(server.url, readKey, path));
        }
        expect((await storedIds(restored.url, readKey)).size).toBe(ledger.acked.size);
      } finally {
        await restored?.kill9();
        await server.kill9();
      }
    },
    180_000,
  );

  it('refuses a damaged backup, naming the file', { timeout: 120_000 }, async () => {
    const dataDir = join(tempDir(), 'data');
    const env = { AUDITLOG_DATA_DIR: dataDir };
    expect((await cli(['teams', 'create', 'acme'], env)).code).toBe(0);
    const events = join(tempDir(), 'events.ndjson');
    writeFileSync(events, '{"action":"a"}\n{"action":"b"}\n');
    expect((await cli(['import', events, '--team', 'acme'], env)).code).toBe(0);
    const backupDir = join(tempDir(), 'backup');
    expect((await cli(['backup', backupDir], env)).code).toBe(0);
    const file = join(backupDir, 'teams/acme.db');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    writeFileSync(file, bytes);
    const target = join(tempDir(), 'restored');
    const r = await cli(['restore', backupDir], { AUDITLOG_DATA_DIR: target });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/teams\/acme\.db in the backup does not match its manifest/);
    // Nothing was written.
    expect(() => readFileSync(join(target, 'state/control.db'))).toThrow();
  });

  it('says that Elasticsearch is backed up with snapshots', { timeout: 120_000 }, async () => {
    for (const verb of ['backup', 'restore']) {
      const r = await cli([verb, tempDir()], { AUDITLOG_STORE: 'elasticsearch', ES_URL: 'http://127.0.0.1:9' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Elasticsearch.*snapshot repositories: see docs\/operations\.md/);
    }
  });
});
