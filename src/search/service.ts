/**
 * Search: query string → AST, time bounds → epoch ms, then the store. Knows nothing of HTTP.
 */
import { ValidationError } from '../errors.ts';
import type { TeamId } from '../events/event.ts';
import type { QueryNode } from '../query/ast.ts';
import { evalDateMath } from '../query/date-math.ts';
import { parseQuery } from '../query/parse.ts';
import type { AuditStore, Facet, Histogram, SearchPage, SortOrder } from '../store/interface.ts';

export interface SearchParams {
  q?: string;
  /** Stops the read early (the HTTP client went away); every read also has the store's time budget. */
  signal?: AbortSignal;
  /** ISO 8601, epoch milliseconds, or date math (`now-1h`, `now/d`). Inclusive. */
  from?: string;
  /** Same forms as `from`. Exclusive. */
  to?: string;
}

export class SearchService {
  readonly #store: AuditStore;
  readonly #now: () => number;

  constructor(store: AuditStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** Parses the common parameters; errors name the parameter (and the query position). */
  prepare(params: SearchParams): { query: QueryNode | null; from?: number; to?: number; signal?: AbortSignal } {
    const query = params.q && params.q.trim() !== '' ? parseQuery(params.q) : null;
    const now = this.#now();
    // Both bounds round down, as Elasticsearch does for gte and lt: `to=now/d` ends at midnight.
    const from = params.from === undefined ? undefined : timeBound('from', params.from, now);
    const to = params.to === undefined ? undefined : timeBound('to', params.to, now);
    if (from !== undefined && to !== undefined && from > to) {
      throw new ValidationError(`from (${new Date(from).toISOString()}) is after to (${new Date(to).toISOString()})`, { field: 'from' });
    }
    return {
      query,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      ...(params.signal ? { signal: params.signal } : {}),
    };
  }

  search(team: TeamId, params: SearchParams & { size: number; cursor?: string; sort?: SortOrder }): Promise<SearchPage> {
    return this.#store.search(team, { ...this.prepare(params), size: params.size, cursor: params.cursor, sort: params.sort });
  }

  count(team: TeamId, params: SearchParams): Promise<number> {
    return this.#store.count(team, this.prepare(params));
  }

  histogram(team: TeamId, params: SearchParams & { intervalMs?: number }): Promise<Histogram> {
    return this.#store.histogram(team, { ...this.prepare(params), intervalMs: params.intervalMs });
  }

  facets(team: TeamId, params: SearchParams & { field: string; size?: number }): Promise<Facet> {
    return this.#store.facets(team, { ...this.prepare(params), field: params.field, size: params.size });
  }
}

function timeBound(name: string, text: string, now: number): number {
  try {
    return evalDateMath(text, now, false);
  } catch (err) {
    throw new ValidationError(`${name}: ${JSON.stringify(text)} is not a time (use ISO 8601, epoch ms or date math such as now-1h)`, {
      field: name,
      cause: err instanceof Error ? err.message : String(err),
    });
  }
}
