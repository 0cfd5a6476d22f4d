/**
 * The event store (docs/architecture.md, "Stores"): one interface, an SQLite and an
 * Elasticsearch implementation, one shared test suite (test/store/common.ts). The rules every
 * store keeps (team ids, sizes, facet fields, histogram planning) are written once in
 * rules.ts and histogram.ts. Stores know nothing of HTTP; they take a parsed query AST, never
 * a query string.
 *
 * Every method takes the team first: a store must make it impossible for one call to see
 * another team's events (a file per team in SQLite, an index set per team in Elasticsearch).
 * Time ranges are half-open: `from` inclusive, `to` exclusive, epoch milliseconds.
 */
import type { StoredEvent, TeamId } from '../events/event.ts';
import type { FieldType } from '../events/field-types.ts';
import type { QueryNode } from '../query/ast.ts';

export interface TimeRange {
  from?: number;
  to?: number;
}

/**
 * Every read has a time budget (AUDITLOG_QUERY_TIMEOUT_MS): past it the store stops the read
 * and throws QueryTimeoutError. `signal` stops it earlier (QueryCancelledError), e.g. when the
 * HTTP client goes away.
 */
export interface ReadOptions {
  signal?: AbortSignal;
}

export interface QueryRequest extends TimeRange, ReadOptions {
  /** `null` matches every event in the range. */
  query: QueryNode | null;
}

export type SortOrder = 'desc' | 'asc';

export interface SearchRequest extends QueryRequest {
  /** By `@timestamp`, ties broken by id, so paging is stable. Default `desc`. */
  sort?: SortOrder;
  /** Page size, 1 to MAX_PAGE_SIZE (rules.ts). */
  size: number;
  /** Opaque cursor from a previous page of the same request. */
  cursor?: string;
}

export interface SearchPage {
  hits: StoredEvent[];
  /** Matching events in the range (exact). */
  total: number;
  /** Cursor of the next page, `null` on the last page. */
  cursor: string | null;
}

export interface HistogramRequest extends QueryRequest {
  /** Bucket width in ms; when absent, the smallest nice width giving at most 60 buckets (histogram.ts). */
  intervalMs?: number;
}

export interface Histogram {
  intervalMs: number;
  /** Buckets in time order, empty ones included, `start` aligned to the interval. */
  buckets: Array<{ start: number; count: number }>;
}

export interface FacetRequest extends QueryRequest {
  field: string;
  /** Number of top values, 1 to MAX_FACET_SIZE, default DEFAULT_FACET_SIZE (rules.ts). */
  size?: number;
}

export interface Facet {
  field: string;
  /** Top values, most frequent first; values are rendered as strings. */
  buckets: Array<{ value: string; count: number }>;
  /** Matching events whose value is not among the top values (or missing). */
  other: number;
}

/** An original field path a team's events hold, as users type it (`actor.user.email`), with its type. */
export interface OriginalField {
  path: string;
  type: FieldType;
}

/**
 * What happened to each event of an `append`, in input order. `conflictsWith` is set when the
 * event's own id already held a different event: `id` is then the id it was stored under
 * (derived from both, the event flagged `id_conflict`; events/identity.ts).
 */
export type AppendItemResult =
  | { status: 'created'; id: string; conflictsWith?: string }
  | { status: 'duplicate'; id: string; conflictsWith?: string }
  | { status: 'rejected'; id: string; reason: string };

export interface AppendOptions {
  /**
   * Return only once the events are visible to search (Elasticsearch `refresh=wait_for`).
   * Without it an acknowledged event is durable at once and searchable within the refresh
   * interval (about a second); SQLite makes every write visible at once anyway.
   */
  waitForSearch?: boolean;
}

/** A team's retention as a store enforces it. */
export interface TeamPolicy {
  retentionDays: number;
  /** No deletion of the team's events while set. */
  legalHold: boolean;
}

/** What /metrics reports about a store (src/metrics/). */
export interface StoreStats {
  /** Bytes on disk per team (SQLite: the team's file and its write-ahead log; Elasticsearch: its indices, replicas included). */
  bytesByTeam: Map<string, number>;
  /** Reads waiting for a worker (SQLite's read pool); absent where reads do not queue in auditlog. */
  readQueueDepth?: number;
}

/**
 * A read of a team's events in the order they were stored, for outbound streams
 * (src/streams/): `after` is a position a previous read (or `changesStart`) returned, opaque to
 * callers. Positions only move forward, and an event stored later than another, once both are
 * visible, comes after it; so a consumer that keeps the position of what it has handed on
 * misses nothing and repeats nothing.
 */
export interface ChangesRequest extends ReadOptions {
  /** `null`: every event. */
  query: QueryNode | null;
  after: string;
  /** Most events returned, 1..1000. */
  size: number;
}

export interface ChangesPage {
  /** Matching events after `after`, oldest stored first. */
  events: StoredEvent[];
  /**
   * Where the next read starts: after the last event returned, or further when the read looked
   * at events the query did not match (so a rare match does not mean re-reading them).
   */
  position: string;
}

/** How far a position is behind the newest event it can see. */
export interface ChangesLag {
  /** Events stored after the position (whether or not a stream's query matches them). */
  events: number;
  /** Receipt time of the oldest of them, null when there are none. */
  oldestReceived: number | null;
}

export interface AuditStore {
  readonly kind: 'sqlite' | 'elasticsearch';
  /**
   * How expired events go: the cluster's ILM deletes them, or auditlog's scheduled retention
   * job does (SQLite, and Elasticsearch clusters without ILM). Detected at start-up.
   */
  readonly retention: 'ilm' | 'scheduled';
  /**
   * Durably stores a batch. An event whose id is already stored with the same content (the same
   * raw text) is a `duplicate` and is not changed (idempotent retries); with other content it
   * is stored under a derived id (see AppendItemResult), so an id never hides an event. Every
   * stored event keeps its content hash for that comparison. Per-event failures are
   * `rejected`, never thrown; a throw means nothing of the batch was acknowledged.
   */
  append(team: TeamId, events: StoredEvent[], options?: AppendOptions): Promise<AppendItemResult[]>;
  search(team: TeamId, request: SearchRequest): Promise<SearchPage>;
  count(team: TeamId, request: QueryRequest): Promise<number>;
  histogram(team: TeamId, request: HistogramRequest): Promise<Histogram>;
  facets(team: TeamId, request: FacetRequest): Promise<Facet>;
  get(team: TeamId, id: string, options?: ReadOptions): Promise<StoredEvent | null>;
  /**
   * Every original field path indexed for the team (SQLite: every path ever stored; Elasticsearch:
   * the mapped `original.*` fields of the team's indices), sorted by path. Field completion and
   * unknown-field warnings read it; it costs one small read, not a scan of the events.
   */
  originalFields(team: TeamId): Promise<OriginalField[]>;
  /** Deletes events with `@timestamp` before `cutoff`; returns how many (or an estimate). */
  deleteOlderThan(team: TeamId, cutoff: number): Promise<number>;
  /**
   * Brings what the backend enforces by itself in line with a team's retention: Elasticsearch
   * with ILM attaches a delete policy to the team's indices, and a legal hold takes it off.
   * Absent where auditlog's own retention pass is the only deletion (SQLite).
   */
  applyTeamPolicy?(team: TeamId, policy: TeamPolicy): Promise<void>;
  /** Removes every event of a team. */
  dropTeam(team: TeamId): Promise<void>;
  /**
   * A view of the store whose reads asked for together are sent together (Elasticsearch:
   * `_msearch`), for callers with many reads in flight at once; stores without it are used as
   * they are.
   */
  batched?(): AuditStore;
  /** Sizes and queue depth for /metrics; one cheap call (file sizes, one index-stats request). */
  stats?(): Promise<StoreStats>;
  /** Events in store order after a position (see ChangesRequest). */
  changes(team: TeamId, request: ChangesRequest): Promise<ChangesPage>;
  /**
   * The position from which `changes` returns the events received at or after `since`, or,
   * without it, only those stored from now on.
   */
  changesStart(team: TeamId, since?: number): Promise<string>;
  changesLag(team: TeamId, after: string, options?: ReadOptions): Promise<ChangesLag>;
  /** Throws StoreUnavailableError when the backend cannot serve requests. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
