/**
 * `auditlog import <file>`: NDJSON, a JSON array or a CloudTrail export, streamed
 * (read-events.ts), in batches through the store's ingest path (local mode) or the ingest API
 * (remote mode), with a progress bar.
 *
 * Events without an id of their own get one from their content: the hash of the line and how
 * many times that same line came before it in the file (ingest/ids.ts importEventId). So
 * importing a file again, resuming it, or importing it in other batch sizes stores nothing
 * twice, while a changed line, or a file changed at the same path, stores what is new. Two
 * identical lines are two events (audit logs repeat: two logins in one second).
 */
import type { EventFormat, TeamId } from '../events/event.ts';
import { contentHash } from '../events/identity.ts';
import { importEventId } from '../ingest/ids.ts';
import type { IngestResult } from '../ingest/service.ts';
import type { Runtime } from '../runtime.ts';
import { Progress } from './progress.ts';
import { openEventFile } from './read-events.ts';
import type { ApiClient } from './remote.ts';

export interface ImportOptions {
  file: string;
  format?: EventFormat;
  batchSize: number;
  /** 0-based line (NDJSON) or element (array) to start from. */
  resumeFrom: number;
  /** How often a plain progress line is written when stderr is not a terminal. */
  progressIntervalMs?: number;
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

/** One batch of the file on its way to the store. */
export interface ImportBatch {
  items: Array<{ line: string; id: string; lineNumber: number }>;
  /** The 0-based position of the batch's first event in the file. */
  start: number;
  format?: EventFormat;
}

/** Where batches go: the store itself (local mode) or the ingest API (remote mode). */
export interface ImportTarget {
  team: TeamId;
  send(batch: ImportBatch): Promise<IngestResult>;
}

export async function localTarget(rt: Runtime, teamId: TeamId): Promise<ImportTarget> {
  const team = await rt.teams.getTeam(teamId);
  return {
    team: team.id as TeamId,
    send: ({ items, format }) =>
      rt.ingest.ingest({
        team,
        body: Buffer.from(items.map((b) => b.line).join('\n')),
        contentType: 'application/x-ndjson',
        format,
        eventIds: items.map((b) => b.id),
      }),
  };
}

/**
 * The API takes no event ids from a client, so each batch carries an Idempotency-Key made from
 * its content and place in the file: importing the file again, or resuming it, with the same
 * batch size sends the same keys, and the server stores nothing twice (its events' ids derive
 * from the key, so this holds after the key's 24 hours too).
 */
export async function remoteTarget(api: ApiClient, teamId: TeamId | undefined): Promise<ImportTarget> {
  const own = await api.call<{ id: TeamId }>('GET', '/api/v1/team');
  if (teamId !== undefined && teamId !== own.id) {
    throw new RemoteImportError(`--team ${teamId} does not match the key's team ${own.id}: in remote mode the key says the team`);
  }
  return {
    team: own.id,
    send: async ({ items, start, format }) => {
      const body = items.map((b) => b.line).join('\n');
      const key = `import-${contentHash(`${start}\n${format ?? 'auto'}\n${body}`)}`;
      const { status, json } = await api.send('POST', '/api/v1/events', {
        body,
        headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key },
        query: { format },
        // Every event rejected is an answer about the events, not a failure of the call.
        expect: [200, 400],
      });
      if (status === 400 && !(json && typeof json === 'object' && 'rejected' in json)) {
        throw new RemoteImportError(`the server refused a batch with 400: ${JSON.stringify(json)}`);
      }
      return json as IngestResult;
    },
  };
}

export class RemoteImportError extends Error {}

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

export async function importFile(target: ImportTarget, opts: ImportOptions): Promise<ImportCounts> {
  const source = await openEventFile(opts.file);
  const progress = new Progress({ totalBytes: source.totalBytes, lineIntervalMs: opts.progressIntervalMs });
  const occurrences = new Occurrences();
  const counts: ImportCounts = { stored: 0, conflicts: 0, duplicates: 0, rejected: 0, warnings: 0 };
  let position = 0;
  let events = 0;
  let batch: ImportBatch['items'] = [];
  let batchStart = opts.resumeFrom;

  const flush = async () => {
    if (batch.length === 0) return;
    const result = await target.send({ items: batch, start: batchStart, format: opts.format });
    countResult(counts, result);
    events += batch.length;
    if (result.rejected.length > 0 || result.warnings.length > 0) progress.clear();
    // A reason may name the line within the batch's body; the file's line number replaces it.
    for (const r of result.rejected) console.error(`line ${batch[r.index]!.lineNumber}: ${r.reason.replace(/^line \d+: /, '')}`);
    for (const w of result.warnings) console.error(`line ${batch[w.index]!.lineNumber}: warning ${w.code}: ${w.message}`);
    batch = [];
    batchStart = position;
    progress.update(source.bytesRead(), events);
  };

  try {
    for await (const line of source.texts()) {
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
    progress.clear();
    const unit = source.shape === 'ndjson' ? 'line' : 'element';
    console.error(`import stopped at ${unit} ${batchStart + 1}; nothing after it was stored. Resume with --resume-from ${batchStart}`);
    throw err;
  }
  progress.finish(source.bytesRead(), events);
  console.error(`imported ${opts.file} into team ${target.team}: ${describeCounts(counts)}`);
  return counts;
}
