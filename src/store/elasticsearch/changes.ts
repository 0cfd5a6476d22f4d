/**
 * Events in store order for outbound streams (src/streams/), on Elasticsearch. There is no
 * sequence across a team's indices, so the order is the receipt time, ties broken by id, read
 * with `search_after`. An event becomes searchable up to a refresh after its bulk request
 * ends, and that request began after the event was stamped as received: a read therefore looks
 * only at events received more than `settleMs` ago, by which time every event received then
 * and acknowledged has become visible. The bound is the operator's (AUDITLOG_STREAM_SETTLE_MS):
 * an append slower than it (a cluster retrying for longer) could be passed over by a stream.
 */
import type { estypes } from '@elastic/elasticsearch';
import type { StoredEvent, TeamId } from '../../events/event.ts';
import { ValidationError } from '../../errors.ts';
import type { ChangesLag, ChangesPage } from '../interface.ts';
import { fromSource } from './document.ts';

/**
 * After the receipt time `received` and, with `id`, after that id at that time; without `id`,
 * every event received at `received` has been looked at.
 */
interface Position {
  received: number;
  id: string | null;
}

const POSITION = /^es:(0|[1-9][0-9]{0,15})(?::(.*))?$/s;

export function decodePosition(text: string): Position {
  const m = POSITION.exec(text);
  if (!m) throw new ValidationError('invalid stream position: not one this store issued', { field: 'position' });
  return { received: Number(m[1]), id: m[2] ?? null };
}

export function encodePosition(p: Position): string {
  return p.id === null ? `es:${p.received}` : `es:${p.received}:${p.id}`;
}

/** The start position: events received at or after `since`. */
export function startPosition(since: number): string {
  return encodePosition({ received: Math.max(0, since - 1), id: null });
}

/** Events after the position, as a filter. */
function afterFilter(p: Position): estypes.QueryDslQueryContainer {
  if (p.id === null) return { range: { 'auditlog.received': { gt: p.received, format: 'epoch_millis' } } };
  return {
    bool: {
      should: [
        { range: { 'auditlog.received': { gt: p.received, format: 'epoch_millis' } } },
        { bool: { filter: [{ term: { 'auditlog.received': p.received } }, { range: { 'auditlog.id': { gt: p.id } } }] } },
      ],
      minimum_should_match: 1,
    },
  };
}

const SORT: estypes.SortCombinations[] = [{ 'auditlog.received': { order: 'asc' } }, { 'auditlog.id': { order: 'asc', unmapped_type: 'keyword' } }];

type Search = (params: estypes.SearchRequest) => Promise<estypes.SearchResponse<Record<string, unknown>>>;

export async function readChanges(
  search: Search,
  team: TeamId,
  base: estypes.QueryDslQueryContainer,
  after: string,
  size: number,
  horizon: number,
): Promise<ChangesPage> {
  const from = decodePosition(after);
  // Nothing received after the horizon is read yet: it may not all be visible.
  const settled = horizon - 1;
  // A horizon behind the position (another instance's longer settle time, its clock, or a
  // restart with a shorter one) reads nothing yet; moving the position to the horizon would
  // skip the events of `from.received` after `from.id`.
  if (settled < from.received || (settled === from.received && from.id === null)) return { events: [], position: after };
  const response = await search({
    query: {
      bool: {
        must: [base],
        filter: [afterFilter(from), { range: { 'auditlog.received': { lte: settled, format: 'epoch_millis' } } }],
      },
    },
    sort: SORT,
    size,
    track_total_hits: false,
  });
  const hits = response.hits.hits;
  const events: StoredEvent[] = hits.map((h) => fromSource(h._source ?? {}, team));
  const last = hits.at(-1);
  if (hits.length === size && last?.sort) {
    return { events, position: encodePosition({ received: Number(last.sort[0]), id: String(last.sort[1]) }) };
  }
  // Fewer than asked: everything up to the horizon has been looked at.
  return { events, position: encodePosition({ received: settled, id: null }) };
}

export async function changesLag(search: Search, after: string): Promise<ChangesLag> {
  const response = await search({
    query: afterFilter(decodePosition(after)),
    sort: SORT,
    size: 1,
    _source: ['auditlog.received'],
    track_total_hits: true,
  });
  const total = response.hits.total;
  const events = typeof total === 'number' ? total : (total?.value ?? 0);
  const first = response.hits.hits[0];
  return { events, oldestReceived: first?.sort ? Number(first.sort[0]) : null };
}
