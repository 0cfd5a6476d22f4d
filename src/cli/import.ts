/**
 * `auditlog import <file>`: NDJSON (streamed line by line) or a JSON array file, in batches
 * through the same ingest path as the API.
 *
 * Events without an id of their own get one from their content: the hash of the line and how
 * many times that same line came before it in the file (ingest/ids.ts importEventId). So
 * importing a file again, resuming it, or importing it in other batch sizes stores nothing
 * twice, while a changed line, or a file changed at the same path, stores what is new. Two
 * identical lines are two events (audit logs repeat: two logins in one second).
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { EventFormat, TeamId } from '../events/event.ts';
import { contentHash } from '../events/identity.ts';
import { importEventId } from '../ingest/ids.ts';
import type { Runtime } from '../runtime.ts';
import type { IngestResult } from '../ingest/service.ts';

export interface ImportOptions {
  file: string;
  team: TeamId;
  format?: EventFormat;
  batchSize: number;
  /** 0-based line (NDJSON) or element (array) to start from. */
  resumeFrom: number;
}

/** What an import did, each event counted once. */
export interface ImportCounts {
  /** Stored under their own id. */
  stored: number;
  /** Stored under an id derived from theirs, which already held another event (flagged id_conflict). */
  conflicts: number;
  /** Already stored with the same content: nothing written. */
  duplicates: number;
  rejected: number;
  /** Accepted with a warning (a timestamp not taken as sent, an id conflict). */
  warnings: number;
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

/**
 * Counts each line's earlier occurrences. Keyed by a prefix of the content hash: a collision
 * would only merge two lines' counts (their ids still differ by the full hash), and it keeps
 * a file of millions of lines in tens of megabytes.
 */
class Occurrences {
  readonly #seen = new Map<string, number>();
  next(hash: string): number {
    const key = hash.slice(0, 16);
    const n = this.#seen.get(key) ?? 0;
    this.#seen.set(key, n + 1);
    return n;
  }
}

export function countResult(counts: ImportCounts, result: IngestResult): void {
  for (const a of result.accepted) {
    if (a.duplicate) counts.duplicates++;
    else if (a.conflictsWith) counts.conflicts++;
    else counts.stored++;
  }
  counts.rejected += result.rejected.length;
  counts.warnings += new Set(result.warnings.map((w) => w.index)).size;
}

export function describeCounts(counts: ImportCounts): string {
  const parts = [
    `${counts.stored} stored`,
    `${counts.conflicts} stored under a new id (id conflict)`,
    `${counts.duplicates} duplicates (already stored)`,
    `${counts.rejected} rejected`,
  ];
  if (counts.warnings > 0) parts.push(`${counts.warnings} with warnings`);
  return parts.join(', ');
}

export async function importFile(rt: Runtime, opts: ImportOptions): Promise<ImportCounts> {
  const team = await rt.teams.getTeam(opts.team);
  const tty = process.stderr.isTTY;
  const occurrences = new Occurrences();
  const counts: ImportCounts = { stored: 0, conflicts: 0, duplicates: 0, rejected: 0, warnings: 0 };
  let position = 0;
  let batch: Array<{ line: string; id: string; lineNumber: number }> = [];
  let batchStart = opts.resumeFrom;

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await rt.ingest.ingest({
      team,
      body: Buffer.from(batch.map((b) => b.line).join('\n')),
      contentType: 'application/x-ndjson',
      format: opts.format,
      eventIds: batch.map((b) => b.id),
    });
    countResult(counts, result);
    // A reason may name the line within the batch's body; the file's line number replaces it.
    for (const r of result.rejected) console.error(`line ${batch[r.index]!.lineNumber}: ${r.reason.replace(/^line \d+: /, '')}`);
    for (const w of result.warnings) console.error(`line ${batch[w.index]!.lineNumber}: warning ${w.code}: ${w.message}`);
    batch = [];
    batchStart = position;
    if (tty) process.stderr.write(`\rline ${position}: ${describeCounts(counts)}`);
  };

  try {
    for await (const line of lines(opts.file)) {
      position++;
      const text = line.trim();
      if (text === '') {
        if (batch.length === 0) batchStart = position;
        continue;
      }
      // Lines before the resume point are counted too, so a resumed import gives every line the id a whole one would.
      const hash = contentHash(text);
      const id = importEventId(hash, occurrences.next(hash));
      if (position <= opts.resumeFrom) continue;
      batch.push({ line: text, id, lineNumber: position });
      if (batch.length >= opts.batchSize) await flush();
    }
    await flush();
  } catch (err) {
    if (tty) process.stderr.write('\n');
    console.error(`import stopped at line ${batchStart + 1}; nothing after it was stored. Resume with --resume-from ${batchStart}`);
    throw err;
  }
  if (tty) process.stderr.write('\n');
  console.error(`imported ${opts.file} into team ${opts.team}: ${describeCounts(counts)}`);
  return counts;
}
