/**
 * Delivers every active stream: reads the events after its position (AuditStore.changes),
 * POSTs them as one signed NDJSON batch, and moves the position only once the endpoint
 * answered 2xx. So delivery is at least once: a batch is sent again only when its answer was
 * not recorded (a failure, or a crash between the answer and the write), and then whole and
 * under the same delivery id.
 *
 * Streams are read from the stream state on each pass, so several instances share the work:
 * an instance claims a stream (compare-and-set of a lease in its record) only for the time of
 * one send. Retries back off exponentially with jitter and honour Retry-After; a 4xx other
 * than 408/429, a redirect or a refused address marks the stream `failing` until a person
 * changes or resumes it. Streams never hold up ingest (they only read, under the store's
 * query time budget) or each other (at most `concurrency` sends at once, each with a timeout).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { DELIVERY_HEADER, DeliveryError, post, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from '../alerts/channels.ts';
import { EgressPolicy } from '../alerts/egress.ts';
import { newId } from '../alerts/ids.ts';
import { AppError } from '../errors.ts';
import type { StoredEvent, TeamId } from '../events/event.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore, ChangesPage } from '../store/interface.ts';
import type { StreamRecord } from './model.ts';
import type { StreamStateStore, VersionedStream } from './state-store.ts';
import { eventView } from '../events/view.ts';

export const STREAM_HEADER = 'x-auditlog-stream';

export interface StreamRunnerOptions {
  state: StreamStateStore;
  store: AuditStore;
  egress?: EgressPolicy;
  logger?: Logger;
  owner?: string;
  /** Time between passes. Default 1 s. */
  pollMs?: number;
  /** Most sends at once on this instance. Default 4. */
  concurrency?: number;
  /** Time an endpoint has to answer a batch. Default 10 s. */
  timeoutMs?: number;
  /** First retry delay; doubles per failure up to maxBackoffMs. Default 1 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  random?: () => number;
}

/** One line of a batch: the event as the search API shows it, with its team and its raw text. */
export function streamLine(e: StoredEvent): string {
  const { id, ...rest } = eventView(e, { withRaw: true });
  return JSON.stringify({ id, team: e.team, ...rest });
}

const CAS_ATTEMPTS = 10;
const IDLE_SAVE_MS = 10_000;

export class StreamRunner {
  readonly owner: string;
  readonly #o: StreamRunnerOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #egress: EgressPolicy;
  #timer: NodeJS.Timeout | null = null;
  #pass: Promise<void> | null = null;
  #stopped = true;

  constructor(o: StreamRunnerOptions) {
    this.#o = o;
    this.owner = o.owner ?? `streams-${newId()}`;
    this.#now = o.now ?? Date.now;
    this.#random = o.random ?? Math.random;
    this.#egress = o.egress ?? new EgressPolicy();
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#pass;
  }

  /** One pass over the streams that are due; passes never overlap. */
  runOnce(): Promise<void> {
    this.#pass ??= this.#runPass().finally(() => {
      this.#pass = null;
    });
    return this.#pass;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runOnce().finally(() => this.#schedule());
    }, this.#o.pollMs ?? 1_000);
    this.#timer.unref();
  }

  async #runPass(): Promise<void> {
    let due: VersionedStream[];
    try {
      due = (await this.#o.state.list()).filter(({ record }) => this.#due(record));
    } catch (err) {
      this.#o.logger?.error({ err }, 'streams: could not read the stream state');
      return;
    }
    const queue = [...due];
    const worker = async () => {
      for (let v = queue.shift(); v && !this.#stopped; v = queue.shift()) {
        try {
          // The list may trail the latest writes; the record by id does not.
          const fresh = await this.#o.state.get(v.record.id);
          if (fresh && this.#due(fresh.record)) await this.#step(fresh);
        } catch (err) {
          this.#o.logger?.error({ err, stream: v.record.id, team: v.record.team }, 'streams: a delivery step failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 4, queue.length) }, worker));
  }

  #due(r: StreamRecord): boolean {
    const now = this.#now();
    return r.state === 'active' && r.nextAttemptAt <= now && !(r.leaseOwner !== null && r.leaseOwner !== this.owner && r.leaseUntil > now);
  }

  /** Reads the stream's next batch and, when it is ready, sends it. */
  async #step(v: VersionedStream): Promise<void> {
    const r = v.record;
    let page: ChangesPage;
    try {
      page = await this.#o.store.changes(r.team as TeamId, { query: r.query === '' ? null : parseQuery(r.query), after: r.position, size: r.batchSize });
    } catch (err) {
      const message = err instanceof AppError ? err.message : 'the events could not be read';
      await this.#finish(v, { ok: false, message: `reading events: ${message}`, retryable: true });
      return;
    }
    if (page.events.length === 0) {
      // Past events the query did not match (or, on Elasticsearch, past a quiet time): saving the
      // move spares the next reads that span, but an idle stream need not write on every pass.
      const now = this.#now();
      if (page.position !== r.position && now - r.idleMovedAt >= IDLE_SAVE_MS) {
        await this.#o.state.replace({ ...r, position: page.position, idleMovedAt: now }, v.version);
      }
      return;
    }
    const oldest = page.events[0]!.received;
    if (page.events.length < r.batchSize && this.#now() - oldest < r.maxWaitSeconds * 1000) return;
    const timeoutMs = this.#o.timeoutMs ?? 10_000;
    const claimed = { ...r, leaseOwner: this.owner, leaseUntil: this.#now() + timeoutMs * 3 };
    const version = await this.#o.state.replace(claimed, v.version);
    if (version === null) return; // someone else (an admin, another instance) wrote first
    // The same batch sent again carries the same id, so a receiver can drop the repeat.
    const deliveryId = createHash('sha256')
      .update(`${r.id}\n${r.position}\n${page.events.map((e) => e.id).join('\n')}`)
      .digest('hex')
      .slice(0, 32);
    const body = page.events.map(streamLine).join('\n') + '\n';
    const timestamp = String(this.#now());
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson',
      'user-agent': 'auditlog-streams/1',
      [DELIVERY_HEADER]: deliveryId,
      [TIMESTAMP_HEADER]: timestamp,
      [STREAM_HEADER]: r.id,
    };
    if (r.secret) headers[SIGNATURE_HEADER] = signBody(r.secret, timestamp, body);
    try {
      await post(r.url, headers, body, timeoutMs, this.#egress);
    } catch (err) {
      const e = err instanceof DeliveryError ? err : new DeliveryError(`unexpected: ${(err as Error).message}`);
      await this.#finish({ record: claimed, version }, { ok: false, message: e.message, retryable: e.retryable, retryAfterMs: e.retryAfterMs });
      return;
    }
    await this.#finish({ record: claimed, version }, { ok: true, position: page.position, count: page.events.length });
  }

  /** Records the outcome; when someone wrote in between, applies it to what they wrote. */
  async #finish(
    v: VersionedStream,
    outcome: { ok: true; position: string; count: number } | { ok: false; message: string; retryable: boolean; retryAfterMs?: number | undefined },
  ): Promise<void> {
    const now = this.#now();
    let current: VersionedStream | null = v;
    for (let i = 0; i < CAS_ATTEMPTS && current; i++) {
      const r = current.record;
      let next: StreamRecord;
      if (outcome.ok) {
        next = { ...r, position: outcome.position, delivered: r.delivered + outcome.count, lastDeliveryAt: now, failures: 0, nextAttemptAt: 0 };
      } else {
        const failures = r.failures + 1;
        next = { ...r, lastError: outcome.message, lastErrorAt: now, failures, nextAttemptAt: now + this.#delay(failures, outcome.retryAfterMs) };
        if (!outcome.retryable && r.state === 'active') next.state = 'failing';
        this.#o.logger?.warn({ stream: r.id, team: r.team, failures, error: outcome.message }, 'streams: a batch was not delivered');
      }
      if (next.leaseOwner === this.owner) next = { ...next, leaseOwner: null, leaseUntil: 0 };
      if ((await this.#o.state.replace(next, current.version)) !== null) return;
      current = await this.#o.state.get(r.id);
    }
  }

  /** Exponential backoff with jitter (half fixed, half random), or the endpoint's Retry-After when longer. */
  #delay(failures: number, retryAfterMs: number | undefined): number {
    const max = this.#o.maxBackoffMs ?? 300_000;
    const exp = Math.min((this.#o.backoffMs ?? 1_000) * 2 ** (failures - 1), max);
    const jittered = exp / 2 + (this.#random() * exp) / 2;
    return Math.min(Math.max(jittered, retryAfterMs ?? 0), max);
  }
}
