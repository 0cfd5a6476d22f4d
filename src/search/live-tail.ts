/**
 * The live tail: events matching a query, as they arrive. Knows nothing of HTTP.
 *
 * New events are found by polling the store for the events received since the last poll,
 * not by listening to this process's ingest: with several instances on one Elasticsearch
 * cluster (or a CLI import beside the SQLite server) the events a tail must show are ingested
 * elsewhere, and the store is where every one of them lands. One poller per team serves every
 * tail of that team on this instance: one read per poll, each tail's query matched in memory
 * (src/query/match.ts). A poll re-reads the last `overlapMs` of receipt times (an event
 * becomes searchable on Elasticsearch up to a refresh after it was received) and drops the ids
 * it already delivered.
 *
 * Bounds: a poll reads at most `maxPerPoll` events (beyond that, the tails are told how many
 * they missed and the poller moves on); an event whose @timestamp is more than `lookbackMs`
 * before its arrival (an import of old history) is not tailed, which keeps a poll on SQLite,
 * whose receipt times have no index, to a short range of its time index.
 */
import { AppError } from '../errors.ts';
import type { StoredEvent, TeamId } from '../events/event.ts';
import type { QueryNode } from '../query/ast.ts';
import { EventView } from '../query/event-view.ts';
import type { Matcher } from '../query/match.ts';
import { compareTerms } from '../query/terms.ts';
import type { AuditStore } from '../store/interface.ts';

export interface LiveTailOptions {
  store: AuditStore;
  /** Time between two polls of a team. Default 1 s. */
  pollMs?: number;
  /** Receipt times re-read by each poll. Default 10 s. */
  overlapMs?: number;
  /** Most events read by one poll. Default 10,000. */
  maxPerPoll?: number;
  /** How long before its arrival an event's @timestamp may be, to be tailed. Default 1 h. */
  lookbackMs?: number;
  /** Most tails open at once on this instance. Default 100. */
  maxTails?: number;
  now?: () => number;
}

export interface TailListener {
  /** Matching events of one poll, in order of arrival. */
  events(events: StoredEvent[]): void;
  /** A poll found more events than it reads: `skipped` were not looked at. */
  gap(skipped: number): void;
  /** A poll failed (the next one tries again). */
  error(err: AppError): void;
}

export interface Tail {
  close(): void;
}

interface Subscriber {
  matcher: Matcher;
  /** Receipt time from which it wants events. */
  from: number;
  listener: TailListener;
}

const PAGE = 1000;
const loc = { start: 0, end: 0 };

export class LiveTail {
  readonly #o: Required<Omit<LiveTailOptions, 'store' | 'now'>> & Pick<LiveTailOptions, 'store'>;
  readonly #now: () => number;
  readonly #teams = new Map<TeamId, TeamPoller>();
  #open = 0;

  constructor(o: LiveTailOptions) {
    this.#o = {
      store: o.store,
      pollMs: o.pollMs ?? 1_000,
      overlapMs: o.overlapMs ?? 10_000,
      maxPerPoll: o.maxPerPoll ?? 10_000,
      lookbackMs: o.lookbackMs ?? 3_600_000,
      maxTails: o.maxTails ?? 100,
    };
    this.#now = o.now ?? Date.now;
  }

  /** Starts a tail of the team's events the matcher accepts, received from now on. */
  open(team: TeamId, matcher: Matcher, listener: TailListener): Tail {
    if (this.#open >= this.#o.maxTails) {
      throw new AppError('QUOTA_EXCEEDED', `this server has ${this.#o.maxTails} live tails open, the most it serves; try again later`, { limit: this.#o.maxTails });
    }
    let poller = this.#teams.get(team);
    if (!poller) {
      poller = new TeamPoller(team, this.#o, this.#now, () => this.#teams.delete(team));
      this.#teams.set(team, poller);
    }
    const sub: Subscriber = { matcher, from: this.#now(), listener };
    poller.add(sub);
    this.#open++;
    let closed = false;
    return {
      close: () => {
        if (closed) return;
        closed = true;
        this.#open--;
        poller.remove(sub);
      },
    };
  }

  /** Tails open on this instance. */
  get size(): number {
    return this.#open;
  }

  close(): void {
    for (const p of this.#teams.values()) p.stop();
    this.#teams.clear();
  }
}

class TeamPoller {
  readonly #team: TeamId;
  readonly #o: Required<Omit<LiveTailOptions, 'now'>>;
  readonly #now: () => number;
  readonly #onIdle: () => void;
  readonly #subs = new Set<Subscriber>();
  /** Ids delivered, with their receipt times, for the overlap. */
  readonly #seen = new Map<string, number>();
  #since: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(team: TeamId, o: Required<Omit<LiveTailOptions, 'now'>>, now: () => number, onIdle: () => void) {
    this.#team = team;
    this.#o = o;
    this.#now = now;
    this.#onIdle = onIdle;
    this.#since = now();
  }

  add(sub: Subscriber): void {
    this.#subs.add(sub);
    if (this.#timer === null && !this.#stopped) this.#schedule();
  }

  remove(sub: Subscriber): void {
    this.#subs.delete(sub);
    if (this.#subs.size === 0) {
      this.stop();
      this.#onIdle();
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#poll(), this.#o.pollMs);
    this.#timer.unref();
  }

  /** The events received since the last poll (with the overlap), page by page, oldest first by receipt. */
  async #poll(): Promise<void> {
    const now = this.#now();
    const lower = this.#since - this.#o.overlapMs;
    const query: QueryNode = { type: 'range', field: 'auditlog.received', lower: String(lower), upper: null, includeLower: true, includeUpper: true, loc };
    try {
      const events: StoredEvent[] = [];
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await this.#o.store.search(this.#team, {
          query,
          from: lower - this.#o.lookbackMs,
          size: PAGE,
          sort: 'asc',
          ...(cursor ? { cursor } : {}),
        });
        total = page.total;
        events.push(...page.hits);
        cursor = page.cursor ?? undefined;
      } while (cursor && events.length < this.#o.maxPerPoll && !this.#stopped);
      if (this.#stopped) return;
      const fresh = events
        .filter((e) => !this.#seen.has(e.id))
        .sort((a, b) => a.received - b.received || a.timestamp - b.timestamp || compareTerms(a.id, b.id));
      for (const e of fresh) this.#seen.set(e.id, e.received);
      this.#deliver(fresh);
      if (total > events.length) for (const s of this.#subs) s.listener.gap(total - events.length);
      // The next poll reads from this one's start, less the overlap.
      this.#since = now;
      for (const [id, received] of this.#seen) if (received < now - this.#o.overlapMs) this.#seen.delete(id);
    } catch (err) {
      const appErr = err instanceof AppError ? err : new AppError('INTERNAL', 'the live tail could not read new events');
      for (const s of this.#subs) s.listener.error(appErr);
    } finally {
      if (!this.#stopped) this.#schedule();
    }
  }

  #deliver(events: StoredEvent[]): void {
    if (events.length === 0) return;
    const views = events.map((e) => new EventView(e));
    for (const s of this.#subs) {
      const out = views.filter((v) => v.event.received >= s.from && s.matcher.test(v)).map((v) => v.event);
      if (out.length > 0) s.listener.events(out);
    }
  }
}
