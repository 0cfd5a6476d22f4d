/**
 * The fault suite's ledger: producers that send numbered events, retry a batch until it is
 * acknowledged (as a correct client does after a dropped connection or a 503), and write down
 * every id the server acknowledged; then a check, through the search API, that every one of
 * them is stored, once.
 */
import { expect } from 'vitest';

export interface Target {
  /** The server's current base URL (a restarted server may listen elsewhere). */
  url(): string;
  ingestKey: string;
  readKey: string;
}

interface Ack {
  id: string;
  /** Which attempt of its batch was acknowledged (1 = the first). */
  attempt: number;
  duplicate: boolean;
}

export class Ledger {
  readonly run: string;
  /** Acknowledged events by their sequence number. */
  readonly acked = new Map<number, Ack>();
  sent = 0;
  /** Attempts that got no answer (the connection died with the server, or was refused). */
  noAnswer = 0;
  /** Attempts answered 503, and how many of those carried Retry-After. */
  unavailable = 0;
  unavailableWithRetryAfter = 0;
  /** Requests on the wire right now. */
  inFlight = 0;

  constructor(run: string) {
    this.run = run;
  }

  /** Events acknowledged as duplicates: stored by an attempt whose answer was lost, found again by the retry. */
  get duplicates(): Ack[] {
    return [...this.acked.values()].filter((a) => a.duplicate);
  }

  summary() {
    return {
      sent: this.sent,
      acknowledged: this.acked.size,
      duplicates: this.duplicates.length,
      attemptsWithoutAnswer: this.noAnswer,
      answered503: this.unavailable,
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A batch of numbered events; the body is the same on every attempt, so each event keeps its id. */
function batchBody(ledger: Ledger, seqs: number[]): string {
  const now = new Date().toISOString();
  return seqs
    .map((seq) => JSON.stringify({ '@timestamp': now, event_id: `${ledger.run}-${seq}`, seq, action: 'fault-suite', message: `event ${seq} of ${ledger.run}` }))
    .join('\n');
}

/**
 * One producer: `batches` batches of `size` events numbered from `first`, each retried until
 * acknowledged. Anything but 200, 503 or a dead connection fails the test.
 */
export async function produce(target: Target, ledger: Ledger, { first, batches, size }: { first: number; batches: number; size: number }): Promise<void> {
  for (let b = 0; b < batches; b++) {
    const seqs = Array.from({ length: size }, (_, i) => first + b * size + i);
    const body = batchBody(ledger, seqs);
    ledger.sent += size;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      ledger.inFlight++;
      try {
        res = await fetch(`${target.url()}/api/v1/events?format=generic`, {
          method: 'POST',
          headers: { authorization: `Bearer ${target.ingestKey}`, 'content-type': 'application/x-ndjson' },
          body,
          signal: AbortSignal.timeout(60_000),
        });
      } catch {
        ledger.noAnswer++;
        await sleep(100);
        continue;
      } finally {
        ledger.inFlight--;
      }
      if (res.status === 503) {
        ledger.unavailable++;
        const retryAfter = Number(res.headers.get('retry-after'));
        if (retryAfter > 0) ledger.unavailableWithRetryAfter++;
        await res.body?.cancel();
        // Retry-After is in whole seconds; a test waits less so that it sees the end of the outage soon.
        await sleep(Math.min(retryAfter > 0 ? retryAfter * 1000 : 500, 500));
        continue;
      }
      const text = await res.text().catch(() => null);
      if (text === null) {
        // The server died between the status line and the body: no acknowledgement.
        ledger.noAnswer++;
        continue;
      }
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${text}`);
      const answer = JSON.parse(text) as { accepted: Array<{ index: number; id: string; duplicate?: boolean }>; rejected: unknown[] };
      expect(answer.rejected).toEqual([]);
      expect(answer.accepted).toHaveLength(size);
      for (const a of answer.accepted) ledger.acked.set(seqs[a.index]!, { id: a.id, attempt, duplicate: a.duplicate === true });
      break;
    }
  }
}

/**
 * Pages through everything the team holds and checks the ledger against it: every acknowledged
 * event is stored under its acknowledged id, no event is stored twice, nothing unsent is stored,
 * and a duplicate was only ever answered to a retry.
 */
export async function verify(target: Target, ledger: Ledger): Promise<{ stored: number }> {
  const read = async (path: string) => {
    const res = await fetch(`${target.url()}${path}`, { headers: { authorization: `Bearer ${target.readKey}` } });
    expect(res.status, path).toBe(200);
    return res.json();
  };
  // Elasticsearch shows writes within its refresh interval.
  const deadline = Date.now() + 60_000;
  while (((await read('/api/v1/events?size=1')) as { total: number }).total < ledger.acked.size && Date.now() < deadline) await sleep(500);

  const stored = new Map<number, string[]>();
  let cursor: string | null = null;
  do {
    const page = (await read(`/api/v1/events?size=1000&sort=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as {
      hits: Array<{ id: string; original: { seq: number } }>;
      cursor: string | null;
    };
    for (const hit of page.hits) stored.set(hit.original.seq, [...(stored.get(hit.original.seq) ?? []), hit.id]);
    cursor = page.cursor;
  } while (cursor);

  const lost = [...ledger.acked].filter(([seq, ack]) => !stored.get(seq)?.includes(ack.id)).map(([seq]) => seq);
  expect(lost, `acknowledged events not found (of ${ledger.acked.size})`).toEqual([]);
  const twice = [...stored].filter(([, ids]) => ids.length > 1);
  expect(twice, 'events stored more than once').toEqual([]);
  const unsent = [...stored.keys()].filter((seq) => !ledger.acked.has(seq));
  expect(unsent, 'stored events that no acknowledged batch holds').toEqual([]);
  // A duplicate on a first attempt would mean an id deduplicated an event it had never seen.
  expect(ledger.duplicates.filter((d) => d.attempt === 1)).toEqual([]);
  return { stored: stored.size };
}
