/**
 * `append` over `_bulk`: one `create` per event with the event id as `_id` (a retried batch
 * finds its events already there: `duplicate`), results per item in input order.
 *
 * - 429 / 5xx on an item (or on the whole request): retried, only the failed items, with full
 *   jitter exponential backoff. An item still failing after the last attempt is `rejected`; a
 *   whole request that never gets through throws StoreUnavailableError (nothing acknowledged;
 *   the ids make the client's retry safe).
 * - 400 on an item (a mapping conflict: object vs value, field-count or depth limit, a value
 *   an ECS type cannot parse): the event is retried without the field the error names (or,
 *   when it names none, without its whole original, then without its normalized fields), and
 *   flagged `mapping_conflict`. It is never lost for being unindexable: `raw` and
 *   `auditlog.unindexed` keep all of it, and the rest stays searchable.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import type { StoredEvent } from '../../events/event.ts';
import { StoreUnavailableError } from '../../errors.ts';
import type { AppendItemResult } from '../interface.ts';
import { conflictingField, NO_PRUNING, toDocument, type Pruning } from './document.ts';
import { backoffMs, esReason, isRetryableStatus, isUnavailable, sleep } from './errors.ts';

export interface BulkOptions {
  refresh: estypes.Refresh;
  /** Attempts per item for 429 / 5xx (and per request for transport failures). */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Bytes of NDJSON per `_bulk` request. */
  maxRequestBytes: number;
}

export const DEFAULT_BULK_OPTIONS: BulkOptions = {
  refresh: false,
  maxAttempts: 6,
  backoffBaseMs: 100,
  backoffCapMs: 5_000,
  maxRequestBytes: 8 * 1024 * 1024,
};

interface Pending {
  /** Position in the caller's batch. */
  at: number;
  event: StoredEvent;
  index: string;
  pruning: Pruning;
  /** Mapping errors met so far; each leaves out one more path (or everything). */
  conflicts: number;
  attempts: number;
  /** Set when the item is pending because the cluster was busy: the next round waits. */
  busy: boolean;
}

/** Whatever happened that keeps this item from being indexed as is. */
type ItemOutcome = { kind: 'done'; result: AppendItemResult } | { kind: 'retry'; reason: string } | { kind: 'conflict'; reason: string };

function classify(item: estypes.BulkResponseItem, id: string): ItemOutcome {
  const status = item.status;
  if (status === 201 || status === 200) return { kind: 'done', result: { status: 'created', id } };
  if (status === 409) return { kind: 'done', result: { status: 'duplicate', id } };
  const reason = item.error ? esReason({ error: item.error }) : `status ${status}`;
  if (isRetryableStatus(status)) return { kind: 'retry', reason };
  if (status === 400) return { kind: 'conflict', reason };
  return { kind: 'done', result: { status: 'rejected', id, reason } };
}

/** Conflicts resolved one path at a time before giving up on indexing the whole part. */
const MAX_PATH_CONFLICTS = 16;

/**
 * The next pruning after a mapping error: leave out the one field it names; when it names
 * none (field-count or depth limits, an empty key) or too many were needed, the whole
 * original, then the normalized fields too. `null` when nothing is left to leave out.
 */
function prune(current: Pruning, reason: string, conflicts: number): Pruning | null {
  const field = conflictingField(reason);
  if (field && conflicts < MAX_PATH_CONFLICTS) {
    const paths = current[field.part];
    if (paths !== '*' && !paths.has(field.path)) return { ...current, [field.part]: new Set([...paths, field.path]) };
  }
  if (current.original !== '*') return { ...current, original: '*' };
  if (current.ecs !== '*') return { ...current, ecs: '*' };
  return null;
}

function serialize(p: Pending): string | Error {
  try {
    // The action line by hand: the same text JSON.stringify gives, without building its object.
    return `{"create":{"_index":${JSON.stringify(p.index)},"_id":${JSON.stringify(p.event.id)}}}\n${JSON.stringify(toDocument(p.event, p.pruning))}\n`;
  } catch (err) {
    return err as Error;
  }
}

/**
 * Splits into requests of at most maxBytes (one oversized event goes alone). A string's UTF-8
 * size is between its length and three times it, so the exact count (a scan of every
 * character) is only taken when the cheap bounds cannot decide.
 */
function chunks(lines: Array<{ p: Pending; body: string }>, maxBytes: number) {
  const out: Array<Array<{ p: Pending; body: string }>> = [];
  let current: Array<{ p: Pending; body: string }> = [];
  // Exact bytes of the lines before `upperFrom`, then at most 3 bytes per UTF-16 unit.
  let exact = 0;
  let upper = 0;
  let upperFrom = 0;
  for (const line of lines) {
    const length = line.body.length;
    if (current.length > 0 && exact + upper + 3 * length > maxBytes) {
      // Might not fit: count the pending lines exactly, then this one.
      for (let i = upperFrom; i < current.length; i++) exact += Buffer.byteLength(current[i]!.body);
      upper = 0;
      upperFrom = current.length;
      const size = Buffer.byteLength(line.body);
      if (exact + size > maxBytes) {
        out.push(current);
        current = [];
        exact = 0;
        upperFrom = 0;
      }
      current.push(line);
      exact += size;
      upperFrom = current.length;
      continue;
    }
    current.push(line);
    upper += 3 * length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const BULK_RESPONSE_FIELDS = ['items.*.status', 'items.*.error'];

/**
 * Sends one request, again after a transport failure. `uncertain`: an earlier attempt failed
 * without an answer (a timeout, a dropped connection), so it may have stored some items, and a
 * 409 for them now is this call's own write, not an earlier event's.
 */
async function sendChunk(client: Client, chunk: Array<{ p: Pending; body: string }>, options: BulkOptions) {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await client.bulk(
        // Only what classify reads: the full item (index, id, version, shards, seq_no) is most of a
        // response ES must write and we must parse, per event.
        { refresh: options.refresh, filter_path: BULK_RESPONSE_FIELDS, body: chunk.map((c) => c.body).join('') } as estypes.BulkRequest,
        {
          // The client's own retries would resend items that already succeeded; ours resend only failures.
          maxRetries: 0,
        },
      );
      return { response, uncertain: attempt > 0 };
    } catch (err) {
      if (!isUnavailable(err) || attempt + 1 >= options.maxAttempts) {
        throw new StoreUnavailableError(`Elasticsearch did not take the batch: ${(err as Error).message}`, 5, { cause: err });
      }
      await sleep(backoffMs(attempt, options.backoffBaseMs, options.backoffCapMs));
    }
  }
}

export async function bulkAppend(
  client: Client,
  events: Array<{ event: StoredEvent; index: string } | { event: StoredEvent; rejected: string } | { event: StoredEvent; duplicate: true }>,
  options: BulkOptions,
): Promise<AppendItemResult[]> {
  const results: AppendItemResult[] = new Array(events.length);
  let pending: Pending[] = [];
  events.forEach((e, at) => {
    if ('rejected' in e) results[at] = { status: 'rejected', id: e.event.id, reason: e.rejected };
    else if ('duplicate' in e) results[at] = { status: 'duplicate', id: e.event.id };
    else pending.push({ at, event: e.event, index: e.index, pruning: NO_PRUNING, conflicts: 0, attempts: 0, busy: false });
  });

  let busyRounds = 0;
  while (pending.length > 0) {
    // Conflict retries go at once; a busy cluster gets time.
    if (pending.some((p) => p.busy)) await sleep(backoffMs(busyRounds++, options.backoffBaseMs, options.backoffCapMs));
    const lines: Array<{ p: Pending; body: string }> = [];
    for (const p of pending) {
      const body = serialize(p);
      if (body instanceof Error) results[p.at] = { status: 'rejected', id: p.event.id, reason: `cannot encode event: ${body.message}` };
      else lines.push({ p, body });
    }
    const next: Pending[] = [];
    for (const chunk of chunks(lines, options.maxRequestBytes)) {
      const { response, uncertain } = await sendChunk(client, chunk, options);
      if (!Array.isArray(response.items) || response.items.length !== chunk.length) {
        throw new StoreUnavailableError(`Elasticsearch answered a batch of ${chunk.length} with ${response.items?.length ?? 0} results`, 5);
      }
      response.items.forEach((entry, i) => {
        const p = chunk[i]!.p;
        const item = entry.create ?? Object.values(entry)[0]!;
        const outcome = classify(item, p.event.id);
        if (outcome.kind === 'done') {
          // Ids already stored were answered `duplicate` before the bulk (the caller searches for
          // them); a 409 after an unanswered attempt is that attempt's own write. (An id another
          // request stored within the last refresh interval would be called created too; it is
          // stored either way.)
          results[p.at] = uncertain && outcome.result.status === 'duplicate' ? { status: 'created', id: p.event.id } : outcome.result;
        } else if (outcome.kind === 'conflict') {
          const pruning = prune(p.pruning, outcome.reason, p.conflicts);
          if (pruning) next.push({ ...p, pruning, conflicts: p.conflicts + 1, busy: false });
          else results[p.at] = { status: 'rejected', id: p.event.id, reason: `not indexable: ${outcome.reason}` };
        } else if (p.attempts + 1 >= options.maxAttempts) {
          results[p.at] = { status: 'rejected', id: p.event.id, reason: `Elasticsearch busy after ${p.attempts + 1} attempts: ${outcome.reason}` };
        } else {
          next.push({ ...p, attempts: p.attempts + 1, busy: true });
        }
      });
    }
    pending = next;
  }
  return results;
}
