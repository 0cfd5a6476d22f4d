/**
 * The one bench entry point (`npm run bench`): runs each benchmark as its own child process,
 * one after the other (they would skew each other's timings if run together), streaming their
 * output, then prints a summary. The environment passes through, so BENCH_EVENTS and the
 * other knobs reach every bench; the Elasticsearch bench runs only when ES_URL is set.
 *
 * `node bench/run.ts query sqlite` runs only the named benches.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Entry {
  name: string;
  file: string;
  /** Why it cannot run here, or null. */
  skip: () => string | null;
}

const ENTRIES: Entry[] = [
  { name: 'query', file: 'query.bench.ts', skip: () => null },
  { name: 'sqlite', file: 'sqlite.bench.ts', skip: () => null },
  { name: 'elasticsearch', file: 'elasticsearch.bench.ts', skip: () => (process.env.ES_URL ? null : 'ES_URL is not set') },
  { name: 'alerts', file: 'alerts.bench.ts', skip: () => null },
  { name: 'export', file: 'export.bench.ts', skip: () => null },
  { name: 'concurrency', file: 'concurrency.bench.ts', skip: () => null },
  { name: 'geoip', file: 'geoip.bench.ts', skip: () => null },
  { name: 'metrics', file: 'metrics.bench.ts', skip: () => null },
  { name: 'import', file: 'import.bench.ts', skip: () => null },
  { name: 'checkpoint', file: 'checkpoint.bench.ts', skip: () => null },
];

interface Outcome {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  seconds: number;
}

function runChild(path: string): Promise<number | string> {
  return new Promise((resolve) => {
    // Inherited stdio streams the bench's output as it comes, colours and all.
    const child = spawn(process.execPath, [path], { stdio: 'inherit', env: process.env });
    child.once('error', (err) => resolve(`could not start: ${err.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : (code ?? 1)));
  });
}

const only = new Set(process.argv.slice(2));
const unknown = [...only].filter((name) => !ENTRIES.some((e) => e.name === name));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${ENTRIES.map((e) => e.name).join(', ')}`);
  process.exit(2);
}

const outcomes: Outcome[] = [];
for (const entry of ENTRIES) {
  if (only.size > 0 && !only.has(entry.name)) continue;
  const path = fileURLToPath(new URL(entry.file, import.meta.url));
  const reason = existsSync(path) ? entry.skip() : `bench/${entry.file} is not there`;
  if (reason) {
    console.log(`\n=== ${entry.name}: skipped (${reason})`);
    outcomes.push({ name: entry.name, status: 'skipped', detail: reason, seconds: 0 });
    continue;
  }
  console.log(`\n=== ${entry.name}: node bench/${entry.file}\n`);
  const t0 = performance.now();
  const result = await runChild(path);
  const seconds = (performance.now() - t0) / 1000;
  outcomes.push(
    result === 0
      ? { name: entry.name, status: 'ok', detail: '', seconds }
      : { name: entry.name, status: 'failed', detail: typeof result === 'number' ? `exit code ${result}` : result, seconds },
  );
}

console.log('\n=== summary\n');
console.log('| bench | result | time |');
console.log('|---|---|---:|');
for (const o of outcomes) {
  const result = o.status === 'ok' ? 'ok' : `${o.status}${o.detail ? ` (${o.detail})` : ''}`;
  console.log(`| ${o.name} | ${result} | ${o.status === 'skipped' ? '-' : `${o.seconds.toFixed(1)} s`} |`);
}
const env = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'));
if (env.length > 0) console.log(`\nwith ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`);
process.exitCode = outcomes.some((o) => o.status === 'failed') ? 1 : 0;
