/**
 * The rules every store keeps, written once above the stores (issue 13, point 3): the team id
 * a store may put in a file or index name, an event sent for another team, page and facet
 * sizes, and which fields a facet can count. Each store calls them first thing and then only answers raw pages and counts in its
 * own terms; the histogram's planning is in histogram.ts. Both stores therefore refuse the same
 * requests with the same error and message (test/store/common.ts pins them).
 */
import { UnsupportedQueryError, ValidationError } from '../errors.ts';
import { TeamId } from '../events/event.ts';
import type { AppendItemResult } from './interface.ts';
import { geoPointFacetError, isFieldPattern, type QueryField, resolveQueryField } from '../query/fields.ts';

/** Most hits in one page. */
export const MAX_PAGE_SIZE = 1000;
/** Most top values of one facet, and how many when the request does not say. */
export const MAX_FACET_SIZE = 100;
export const DEFAULT_FACET_SIZE = 10;

/**
 * A team id as a store may use it in a file or index name: an id outside the team-id alphabet
 * (`../etc`, `*`) never reaches a path or an index pattern.
 */
export function checkTeam(team: string): TeamId {
  const r = TeamId.safeParse(team);
  if (!r.success) throw new ValidationError(`invalid team id ${JSON.stringify(team)}: ${r.error.issues[0]?.message}`, { field: 'team' });
  return r.data;
}

/** The refusal of an event of a batch sent for another team than its own; null when it is the batch's. */
export function otherTeam(event: { id: string; team: string }, team: TeamId): AppendItemResult | null {
  if (event.team === team) return null;
  return { status: 'rejected', id: event.id, reason: `event belongs to team ${JSON.stringify(event.team)}, not ${JSON.stringify(team)}` };
}

function checkSize(size: number, max: number, what: string): number {
  if (!Number.isInteger(size) || size < 1 || size > max) throw new ValidationError(`${what} must be an integer from 1 to ${max}`, { field: 'size' });
  return size;
}

/** A search's page size, 1 to MAX_PAGE_SIZE. */
export function pageSize(size: number): number {
  return checkSize(size, MAX_PAGE_SIZE, 'page size');
}

/** A facet's number of top values, 1 to MAX_FACET_SIZE, DEFAULT_FACET_SIZE when absent. */
export function facetSize(size: number | undefined): number {
  return checkSize(size ?? DEFAULT_FACET_SIZE, MAX_FACET_SIZE, 'facet size');
}

/** A field a facet can count: one concrete field, not a date, not the free-text field. */
export type FacetField = Exclude<QueryField, { kind: 'timestamp' | 'received' | 'freeText' }>;

/** The field a facet counts, resolved; refuses a pattern, a date (the histogram counts those) and free text. */
export function facetField(name: string): FacetField {
  if (isFieldPattern(name)) throw new UnsupportedQueryError(`facets need one concrete field, not the pattern ${name}`, { field: name });
  const f = resolveQueryField(name);
  switch (f.kind) {
    case 'timestamp':
    case 'received':
      throw new UnsupportedQueryError(`facets on the date field ${name} are not supported; use the histogram`, { field: name });
    case 'freeText':
      throw new UnsupportedQueryError(`facets are not supported on ${name}`, { field: name });
    case 'normalized':
      if (f.type === 'geo_point') throw geoPointFacetError(name);
      return f;
    default:
      return f;
  }
}
