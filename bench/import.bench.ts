/**
 * `auditlog import` of a CloudTrail export (`{"Records": [...]}`): peak memory and speed of the
 * streamed reading against reading the file whole (what import did before), at two sizes, and
 * a whole local import of the large file into SQLite. Each measurement runs in a child process
 * of its own, so its peak RSS is its own.
 *
 * BENCH_IMPORT_MB (default 200) is the large file's size; the small one is a tenth of it.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Mode = 'stream' | 'whole' | 'import';

async function child(mode: Mode, file: string): Promise<void> {
  const started = performance.now();
  let events = 0;
  if (mode === 'stream') {
    const { openEventFile } = await import('../src/cli/read-events.ts');
    for await (const text of (await openEventFile(file)).texts()) if (text) events++;
  } else if (mode === 'whole') {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { Records: unknown[] };
    for (const item of parsed.Records) if (JSON.stringify(item)) events++;
  } else {
    const { loadConfig } = await import('../src/config.ts');
    const { createRuntime } = await import('../src/runtime.ts');
    const { importFile, localTarget } = await import('../src/cli/import.ts');
    const rt = await createRuntime(loadConfig());
    await rt.teams.createTeam({ id: 'bench' as never });
    const counts = await importFile(await localTarget(rt, 'bench' as never), { file, batchSize: 1000, resumeFrom: 0 });
    events = counts.stored;
    await rt.close();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ events, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function writeExport(file: string, megabytes: number): Promise<number> {
  const out = createWriteStream(file);
  const now = Date.now();
  let written = 0;
  let n = 0;
  out.write('{"Records": [');
  while (written < megabytes * 1024 * 1024) {
    const event = {
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', principalId: `AIDA${n % 977}`, arn: `arn:aws:iam::123456789012:user/u${n % 977}`, accountId: '123456789012', userName: `u${n % 977}` },
      eventTime: new Date(now - (n % 3600) * 1000).toISOString(),
      eventSource: n % 3 ? 'signin.amazonaws.com' : 'iam.amazonaws.com',
      eventName: n % 3 ? 'ConsoleLogin' : 'CreateAccessKey',
      awsRegion: 'us-east-1',
      sourceIPAddress: `198.51.100.${n % 250}`,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      requestParameters: null,
      responseElements: { ConsoleLogin: n % 7 ? 'Success' : 'Failure' },
      eventID: `5b1a7d2e-0000-4000-8000-${String(n).padStart(12, '0')}`,
      eventType: 'AwsConsoleSignIn',
    };
    const s = `${n ? ',' : ''}\n${JSON.stringify(event)}`;
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += s.length;
    n++;
  }
  out.end('\n]}\n');
  await new Promise<void>((r) => out.once('finish', () => r()));
  return n;
}

function run(mode: Mode, file: string, env: NodeJS.ProcessEnv = {}): Promise<{ events: number; seconds: number; maxRssMb: number } | { failed: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [fileURLToPath(import.meta.url), 'child', mode, file],
      { env: { ...process.env, AUDITLOG_LOG_LEVEL: 'silent', ...env }, maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        if (err) resolve({ failed: (stderr.split('\n').find((l) => /heap|memory|Error/i.test(l)) ?? err.message).trim() });
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}

async function main() {
  const large = Number(process.env.BENCH_IMPORT_MB ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-bench-import-'));
  try {
    for (const mb of [Math.max(1, Math.round(large / 10)), large]) {
      const file = join(dir, `export-${mb}.json`);
      const n = await writeExport(file, mb);
      console.log(`\nCloudTrail export of ${mb} MB, ${n} events`);
      const stream = await run('stream', file);
      const whole = await run('whole', file);
      const show = (name: string, r: Awaited<ReturnType<typeof run>>) =>
        console.log(
          'failed' in r
            ? `  ${name.padEnd(30)} failed: ${r.failed}`
            : `  ${name.padEnd(30)} peak RSS ${r.maxRssMb.toFixed(0).padStart(5)} MB  ${r.seconds.toFixed(1).padStart(6)} s  ${Math.round(r.events / r.seconds)} events/s`,
        );
      show('read whole (JSON.parse, before)', whole);
      show('read streamed (stream-json)', stream);
      if (!('failed' in stream) && !('failed' in whole)) {
        console.log(`  streamed / whole: peak RSS ${(stream.maxRssMb / whole.maxRssMb).toFixed(2)}x, time ${(stream.seconds / whole.seconds).toFixed(2)}x`);
      }
      if (mb === large) {
        const data = join(dir, 'data');
        const imported = await run('import', file, { AUDITLOG_DATA_DIR: data, AUDITLOG_STORE: 'sqlite' });
        show('whole import into SQLite', imported);
        rmSync(data, { recursive: true, force: true });
      }
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] as Mode, process.argv[4]!);
else await main();
