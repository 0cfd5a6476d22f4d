/**
 * Streams as a team sees them: create, read, change, pause, resume, delete, each change
 * recorded in the audit trail with its values before and after (never the secret). Knows
 * nothing of HTTP; delivery is the runner's (runner.ts).
 */
import type { z } from 'zod';
import { ALLOW_HINT, type EgressPolicy } from '../alerts/egress.ts';
import { REDACTED, webhookUrlView } from '../alerts/model.ts';
import { newId } from '../alerts/ids.ts';
import { type ChangeRecorder, changedFields } from '../audit/trail.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { TeamId } from '../events/event.ts';
import { canonicalQuery } from '../saved-searches/service.ts';
import type { AuditStore } from '../store/interface.ts';
import { StreamInput, type StreamRecord, StreamUpdate, type StreamView } from './model.ts';
import type { StreamStateStore, VersionedStream } from './state-store.ts';

export interface StreamServiceOptions {
  state: StreamStateStore;
  store: AuditStore;
  /** Where endpoints may be (AUDITLOG_ALERT_ALLOWED_TARGETS, shared with alert webhooks). */
  egress: EgressPolicy;
  changes?: ChangeRecorder;
  /** Most streams per team. Default 20. */
  maxPerTeam?: number;
  now?: () => number;
}

/** One stream's lag, for a metrics gauge. */
export interface StreamLag {
  team: string;
  id: string;
  name: string;
  state: StreamRecord['state'];
  events: number | null;
  seconds: number | null;
}

const CAS_ATTEMPTS = 10;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class StreamService {
  readonly #o: StreamServiceOptions;
  readonly #now: () => number;

  constructor(o: StreamServiceOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  async list(team: TeamId): Promise<StreamView[]> {
    return Promise.all((await this.#o.state.list(team)).map((v) => this.#view(v.record)));
  }

  async get(team: TeamId, id: string): Promise<StreamView> {
    return this.#view((await this.#get(team, id)).record);
  }

  async create(team: TeamId, input: StreamInput): Promise<StreamView> {
    const spec = parse(StreamInput, input);
    const query = validQuery(spec.query);
    this.#checkUrl(spec.url);
    const max = this.#o.maxPerTeam ?? 20;
    if ((await this.#o.state.list(team)).length >= max) throw new ValidationError(`a team may have at most ${max} streams`, { limit: max });
    const since = spec.startAt === 'now' ? undefined : Date.parse(spec.startAt);
    const position = await this.#o.store.changesStart(team, since);
    const now = this.#now();
    const record: StreamRecord = {
      id: newId().toLowerCase(),
      team,
      name: spec.name,
      url: spec.url,
      ...(spec.secret !== undefined ? { secret: spec.secret } : {}),
      query,
      batchSize: spec.batchSize,
      maxWaitSeconds: spec.maxWaitSeconds,
      createdAt: now,
      updatedAt: now,
      state: 'active',
      position,
      idleMovedAt: 0,
      delivered: 0,
      lastDeliveryAt: null,
      lastError: null,
      lastErrorAt: null,
      failures: 0,
      nextAttemptAt: 0,
      leaseOwner: null,
      leaseUntil: 0,
    };
    await this.#o.state.create(record);
    await this.#record('stream.create', record, null, { ...definition(record), ...(spec.startAt !== 'now' ? { startAt: spec.startAt } : {}) });
    return this.#view(record);
  }

  async update(team: TeamId, id: string, input: StreamUpdate): Promise<StreamView> {
    const patch = parse(StreamUpdate, input);
    if (patch.query !== undefined) patch.query = validQuery(patch.query);
    // The API shows a URL's query string as REDACTED: sent back, it means the stored one.
    if (patch.url !== undefined && patch.url.includes(REDACTED)) {
      const stored = (await this.#get(team, id)).record.url;
      if (patch.url !== webhookUrlView(stored)) {
        throw new ValidationError(`url: ${REDACTED} stands for the stored query string; send the whole URL`, { field: 'url' });
      }
      patch.url = stored;
    }
    if (patch.url !== undefined) this.#checkUrl(patch.url);
    return this.#change(team, id, 'stream.update', (r) => {
      const next = { ...r, ...patch };
      // A new endpoint or secret is the usual cure for a failing stream: it is tried again at once.
      const fixes = r.state === 'failing' && (patch.url !== undefined || patch.secret !== undefined);
      return fixes ? { ...next, state: 'active', failures: 0, nextAttemptAt: 0 } : next;
    });
  }

  async pause(team: TeamId, id: string): Promise<StreamView> {
    return this.#change(team, id, 'stream.pause', (r) => ({ ...r, state: 'paused' }));
  }

  /** Back to active, a failing stream too: its batch is tried again at once. */
  async resume(team: TeamId, id: string): Promise<StreamView> {
    return this.#change(team, id, 'stream.resume', (r) => ({ ...r, state: 'active', failures: 0, nextAttemptAt: 0 }));
  }

  async delete(team: TeamId, id: string): Promise<void> {
    const { record } = await this.#get(team, id);
    if (!(await this.#o.state.delete(id))) throw new NotFoundError('stream', id);
    await this.#record('stream.delete', record, definition(record), null);
  }

  /** Every stream's lag (for the metrics gauge; a read of each team's store, under its time budget). */
  async lags(): Promise<StreamLag[]> {
    const out: StreamLag[] = [];
    for (const { record } of await this.#o.state.list()) {
      const lag = await this.#lag(record);
      out.push({ team: record.team, id: record.id, name: record.name, state: record.state, ...lag });
    }
    return out;
  }

  async #get(team: TeamId, id: string): Promise<VersionedStream> {
    const v = await this.#o.state.get(id);
    // Another team's stream is as absent as one that never existed.
    if (!v || v.record.team !== team) throw new NotFoundError('stream', id);
    return v;
  }

  /** A read-modify-write that retries when the runner (or another admin) wrote in between. */
  async #change(team: TeamId, id: string, action: string, edit: (r: StreamRecord) => StreamRecord): Promise<StreamView> {
    for (let i = 0; i < CAS_ATTEMPTS; i++) {
      const v = await this.#get(team, id);
      const next = { ...edit(v.record), updatedAt: this.#now() };
      if ((await this.#o.state.replace(next, v.version)) === null) continue;
      const before = definition(v.record);
      const after = definition(next);
      const values = changedFields(before, after);
      if (v.record.secret !== next.secret) {
        values.old.secret = v.record.secret === undefined ? null : REDACTED;
        values.new.secret = next.secret === undefined ? null : `${REDACTED} (replaced)`;
      }
      await this.#record(action, next, values.old, values.new);
      return this.#view(next);
    }
    throw new ConflictError(`stream ${id} is being changed by others; try again`);
  }

  async #record(action: string, r: StreamRecord, old: Record<string, unknown> | null, now: Record<string, unknown> | null): Promise<void> {
    await this.#o.changes?.recordChange({ action, team: r.team, target: { type: 'stream', id: r.id }, old, new: now });
  }

  #checkUrl(url: string): void {
    const why = this.#o.egress.literalRefusal(url);
    if (why) {
      throw new ValidationError(
        `url: refused, ${why}; streams may not reach loopback, private, link-local, multicast or metadata addresses (${ALLOW_HINT})`,
        { field: 'url' },
      );
    }
  }

  async #lag(r: StreamRecord): Promise<{ events: number | null; seconds: number | null }> {
    try {
      const lag = await this.#o.store.changesLag(r.team as TeamId, r.position);
      return { events: lag.events, seconds: lag.oldestReceived === null ? 0 : Math.max(0, (this.#now() - lag.oldestReceived) / 1000) };
    } catch {
      // A status read must answer while the store is slow or down; the lag is then unknown.
      return { events: null, seconds: null };
    }
  }

  async #view(r: StreamRecord): Promise<StreamView> {
    return {
      id: r.id,
      name: r.name,
      url: webhookUrlView(r.url),
      hasSecret: r.secret !== undefined,
      query: r.query,
      batchSize: r.batchSize,
      maxWaitSeconds: r.maxWaitSeconds,
      state: r.state,
      createdAt: iso(r.createdAt)!,
      updatedAt: iso(r.updatedAt)!,
      delivered: r.delivered,
      lastDeliveryAt: iso(r.lastDeliveryAt),
      lastError: r.lastError,
      lastErrorAt: iso(r.lastErrorAt),
      nextAttemptAt: r.state === 'active' && r.failures > 0 ? iso(r.nextAttemptAt) : null,
      lag: await this.#lag(r),
    };
  }
}

/** What the audit trail shows of a stream: its definition, never its secret. */
function definition(r: StreamRecord): Record<string, unknown> {
  return {
    name: r.name,
    url: webhookUrlView(r.url),
    hasSecret: r.secret !== undefined,
    query: r.query,
    batchSize: r.batchSize,
    maxWaitSeconds: r.maxWaitSeconds,
    state: r.state,
  };
}

/** The canonical query, or '' for every event; a bad query is a 400 with its position. */
function validQuery(text: string): string {
  return text.trim() === '' ? '' : canonicalQuery(text);
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    throw new ValidationError(`field ${field || '(root)'}: ${issue.message}`, { field });
  }
  return parsed.data;
}
