/**
 * `auditlog import <file>`: NDJSON (streamed line by line) or a JSON array file, in batches
 * through the same ingest path as the API. Each batch has an idempotency key derived from the
 * file and its first line, so resuming (or re-running) an import never duplicates events.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { EventFormat, TeamId } from '../events/event.ts';
import type { Runtime } from '../runtime.ts';

export interface ImportOptions {
  file: string;
  team: TeamId;
  format?: EventFormat;
  batchSize: number;
  /** 0-based line (NDJSON) or element (array) to start from. */
  resumeFrom: number;
}

async function* lines(file: string): AsyncGenerator<string> {
  const fh = await open(file, 'r');
  const { buffer, bytesRead } = await fh.read(Buffer.alloc(4096), 0, 4096, 0);
  await fh.close();
  if (buffer.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('[')) {
    // A JSON array is parsed whole: there is no portable way to stream it without a parser dependency.
    const items = JSON.parse(await readFile(file, 'utf8')) as unknown[];
    for (const item of items) yield JSON.stringify(item);
    return;
  }
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

export async function importFile(rt: Runtime, opts: ImportOptions): Promise<void> {
  const team = await rt.teams.getTeam(opts.team);
  const fileKey = createHash('sha256').update(resolve(opts.file)).digest('base64url').slice(0, 16);
  const tty = process.stderr.isTTY;
  let position = 0;
  let accepted = 0;
  let rejected = 0;
  let batch: string[] = [];
  let batchStart = opts.resumeFrom;

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await rt.ingest.ingest({
      team,
      body: Buffer.from(batch.join('\n')),
      contentType: 'application/x-ndjson',
      format: opts.format,
      idempotencyKey: `import-${fileKey}-${batchStart}`,
    });
    accepted += result.accepted.length;
    rejected += result.rejected.length;
    for (const r of result.rejected) console.error(`line ${batchStart + r.index + 1}: ${r.reason}`);
    batch = [];
    batchStart = position;
    if (tty) process.stderr.write(`\rimported ${accepted} events, rejected ${rejected}, line ${position}`);
  };

  try {
    for await (const line of lines(opts.file)) {
      position++;
      if (position <= opts.resumeFrom) continue;
      if (line.trim() === '') {
        if (batch.length === 0) batchStart = position;
        continue;
      }
      batch.push(line);
      if (batch.length >= opts.batchSize) await flush();
    }
    await flush();
  } catch (err) {
    if (tty) process.stderr.write('\n');
    console.error(`import stopped at line ${batchStart + 1}; nothing after it was stored. Resume with --resume-from ${batchStart}`);
    throw err;
  }
  if (tty) process.stderr.write('\n');
  console.error(`imported ${accepted} events into team ${opts.team}, rejected ${rejected}`);
}
