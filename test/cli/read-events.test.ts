/**
 * Import files are read as a stream: a JSON array or a CloudTrail export far larger than the
 * heap it is read with goes through element by element, and the progress report says how far.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { describeProgress, Progress } from '../../src/cli/progress.ts';
import { openEventFile, shapeOf } from '../../src/cli/read-events.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-read-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function texts(file: string): Promise<string[]> {
  const out: string[] = [];
  for await (const t of (await openEventFile(file)).texts()) out.push(t);
  return out;
}

/** A file of `megabytes` MB: a top-level array, or CloudTrail's `{"Records": [...]}`. */
async function writeBig(file: string, megabytes: number, shape: 'array' | 'records'): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let n = 0;
  out.write(shape === 'records' ? '{"Records": [' : '[');
  while (written < megabytes * 1024 * 1024) {
    const s = `${n ? ',' : ''}\n  ${JSON.stringify({ eventTime: '2026-01-01T00:00:00Z', eventName: 'ConsoleLogin', userIdentity: { userName: `u${n % 997}` }, pad: 'x'.repeat(300), n })}`;
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
    written += s.length;
    n++;
  }
  out.end(shape === 'records' ? '\n]}\n' : '\n]\n');
  await new Promise<void>((r) => out.once('finish', () => r()));
  return n;
}

describe('import file reading', () => {
  it('tells NDJSON, arrays and CloudTrail exports apart', () => {
    expect(shapeOf('\uFEFF  [{"a":1}]')).toBe('array');
    expect(shapeOf('{\n  "Records" : [ {"eventName": "x"}')).toBe('records');
    expect(shapeOf('{"eventName":"x"}\n{"eventName":"y"}')).toBe('ndjson');
    expect(shapeOf('{"Recordsx": []}')).toBe('ndjson');
  });

  it('reads each element of an array, of a CloudTrail export and of concatenated exports', async () => {
    const array = join(dir, 'array.json');
    writeFileSync(array, JSON.stringify([{ a: 1 }, { b: [1, 2] }, { c: 'd' }], null, 2));
    expect(await texts(array)).toEqual(['{"a":1}', '{"b":[1,2]}', '{"c":"d"}']);
    const records = join(dir, 'cloudtrail.json');
    writeFileSync(records, `${JSON.stringify({ Records: [{ n: 1 }, { n: 2 }] })}\n${JSON.stringify({ Records: [{ n: 3 }], other: { Records: 'no' } })}\n`);
    expect(await texts(records)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    const ndjson = join(dir, 'lines.ndjson');
    writeFileSync(ndjson, '{"x":1}\r\n\n{"x":2}\n');
    expect(await texts(ndjson)).toEqual(['{"x":1}', '', '{"x":2}']);
  });

  it('a file several times the size of the heap it is read with runs through (constant memory)', async () => {
    // 48 MB read with a 24 MB old space: reading it whole (a 48 MB string, then its objects) cannot fit.
    for (const shape of ['array', 'records'] as const) {
      const file = join(dir, `big-${shape}.json`);
      const n = await writeBig(file, 48, shape);
      const script = `const { openEventFile } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/cli/read-events.ts'))});
        const f = await openEventFile(${JSON.stringify(file)}); let n = 0; let last = -1;
        for await (const t of f.texts()) { const e = JSON.parse(t); if (e.n !== last + 1) throw new Error('out of order at ' + n); last = e.n; n++; }
        console.log(JSON.stringify({ n, bytes: f.bytesRead(), total: f.totalBytes }));`;
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['--max-old-space-size=24', '--input-type=module', '-e', script], { timeout: 240_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      const result = JSON.parse(out) as { n: number; bytes: number; total: number };
      expect(result.n, shape).toBe(n);
      expect(result.bytes).toBe(result.total);
    }
  }, 300_000);
});

describe('import progress', () => {
  it('shows percentage, rate and ETA when the size is known, and no percentage when it is not', () => {
    const known = describeProgress({ bytes: 25 * 1048576, totalBytes: 100 * 1048576, events: 50_000, elapsedMs: 10_000 }, 20);
    expect(known).toBe('[#####---------------]  25.0%  25.0/100.0 MB  50,000 events  5,000 events/s, 2.5 MB/s  ETA 0:30');
    const unknown = describeProgress({ bytes: 3 * 1048576, totalBytes: undefined, events: 1200, elapsedMs: 4000 });
    expect(unknown).toBe('3.0 MB  1,200 events  300 events/s, 0.8 MB/s');
    const hours = describeProgress({ bytes: 1, totalBytes: 10_000, events: 1, elapsedMs: 1000 });
    expect(hours).toMatch(/ETA 2:46:39$/);
  });

  it('redraws one line on a terminal and writes plain lines at its pace elsewhere', () => {
    let clock = 0;
    const capture = (tty: boolean) => {
      const out = Object.assign(new PassThrough(), { isTTY: tty, columns: 120 });
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      const p = new Progress({ totalBytes: 1000, out: out as unknown as NodeJS.WriteStream, lineIntervalMs: 5000, now: () => clock });
      return { p, text: () => text };
    };
    clock = 0;
    const term = capture(true);
    for (let i = 1; i <= 10; i++) {
      clock += 100;
      term.p.update(i * 100, i * 10);
    }
    term.p.finish(1000, 100);
    // Every 200 ms: five redraws, then the last, then a newline.
    expect(term.text().match(/\r/g)).toHaveLength(6);
    expect(term.text()).toMatch(/\r\[#+\] +100\.0% .*100 events.*\x1b\[K\n$/);

    clock = 0;
    const pipe = capture(false);
    for (let i = 1; i <= 10; i++) {
      clock += 1000;
      pipe.p.update(i * 100, i * 10);
    }
    pipe.p.finish(1000, 100);
    const lines = pipe.text().trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^progress: 50\.0% .*50 events .*ETA 0:05$/);
    expect(lines[2]).toMatch(/^progress: 100\.0% .*100 events/);
    expect(pipe.text()).not.toContain('\r');
  });
});
