/**
 * ElasticsearchStore: the AuditStore on an Elasticsearch 9 cluster (docs/elasticsearch.md).
 *
 * Layout: one index per team and period, `<prefix>-<team>.<YYYY[.MM[.DD]]>` (naming.ts), made
 * from a per-team composable template over the component templates in index-templates/.
 * Reads address `<prefix>-<team>.*` and also filter on `auditlog.team`, so isolation holds even
 * if someone creates an index by hand under another team's pattern.
 *
 * Retention: with ILM (detected at connect) each team's indices carry a delete policy; whether
 * or not, deleteOlderThan drops every index whose whole period is older than the cutoff and
 * trims the index that straddles it (#trim), so retention is exact to the event on any cluster.
 */
import type { Client, estypes } from '@elastic/elasticsearch';
import { type StoredEvent, TeamId } from '../../events/event.ts';
import { conflictEventId, contentHash, MAX_CONFLICT_STEPS } from '../../events/identity.ts';
import { StoreUnavailableError, ValidationError } from '../../errors.ts';
import type {
  AppendItemResult,
  AppendOptions,
  AuditStore,
  ChangesLag,
  ChangesPage,
  ChangesRequest,
  Facet,
  FacetRequest,
  Histogram,
  HistogramRequest,
  OriginalField,
  QueryRequest,
  ReadOptions,
  SearchPage,
  SearchRequest,
  StoreStats,
  TeamPolicy,
} from '../interface.ts';
import { type Extent, fillBuckets, needsExtent, planBuckets } from '../histogram.ts';
import { checkTeam, type FacetField, facetField, facetSize, otherTeam, pageSize } from '../rules.ts';
import { createElasticsearchClient } from './client.ts';
import { bulkAppend, DEFAULT_BULK_OPTIONS, type BulkOptions } from './bulk.ts';
import { compileQuery, esPath } from './compile-es.ts';
import { MsearchBatcher, type ReadExecutor } from './msearch.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { fromSource, storedContentHash } from './document.ts';
import { listOriginalFields } from './original-fields.ts';
import { toAppError } from './errors.ts';
import { checkClauseCount } from './query-limits.ts';
import { changesLag, readChanges, startPosition } from './changes.ts';
import { ReadBudget } from './read-budget.ts';
import { checkPrefix, indexName, indexSpan, periodEnd, periodForRetention, teamPattern, type Period } from './naming.ts';
import {
  COMPONENTS,
  componentBody,
  metaProperties,
  installComponent,
  installIndexTemplate,
  installLifecyclePolicy,
  lifecyclePolicyBody,
  teamTemplateBody,
} from './templates.ts';

export interface ElasticsearchStoreOptions {
  /** Cluster URL, e.g. http://127.0.0.1:9200. */
  node: string;
  username?: string;
  password?: string;
  /** Prefix of every index, template and policy name. Default `auditlog`. */
  prefix?: string;
  /** Replicas per index. Default: 0 on a one-data-node cluster, else 1. */
  replicas?: number;
  /** A team's retention, which picks its index period and ILM policy. Default 90 days. */
  retentionDays?: (team: TeamId) => number | Promise<number>;
  /** A team's retention and legal hold; takes precedence over `retentionDays`. */
  teamPolicy?: (team: TeamId) => TeamPolicy | Promise<TeamPolicy>;
  /** Refresh after writes: `wait_for` makes them visible to the next search (tests). Default false. */
  refresh?: estypes.Refresh;
  bulk?: Partial<Omit<BulkOptions, 'refresh'>>;
  requestTimeoutMs?: number;
  /** Time budget of every read, in ms (AUDITLOG_QUERY_TIMEOUT_MS). Default 10,000. */
  queryTimeoutMs?: number;
  /** Use this client instead of making one (its URL and auth options are then ignored). */
  client?: Client;
  /** How long after its receipt an acknowledged event is sure to be searchable, for streams (changes.ts). Default 60,000. */
  changesSettleMs?: number;
}

export interface ClusterCapabilities {
  version: string;
  ilm: boolean;
  deleteByQuery: boolean;
  dataNodes: number;
}

interface TeamSetup {
  period: Period;
  lifecyclePolicy: string | null;
}

/** An event on its way into the store: under its own id, or after `step` id conflicts under a derived one. */
interface Work {
  /** Position in the caller's batch. */
  at: number;
  event: StoredEvent;
  /** The id the event came with. */
  sentId: string;
  hash: string;
  index: string;
  step: number;
}

/** The indices a read of one team searches. */
interface IndexTarget {
  index: string;
  ignore_unavailable: boolean;
  allow_no_indices: boolean;
}

const TRIM_PAGE = 1000;
/** At most this many pages per retention pass and index set (a million events). */
const TRIM_MAX_ROUNDS = 1000;

export class ElasticsearchStore implements AuditStore {
  readonly kind = 'elasticsearch' as const;
  get retention(): 'ilm' | 'scheduled' {
    return this.capabilities.ilm ? 'ilm' : 'scheduled';
  }
  readonly client: Client;
  readonly prefix: string;
  readonly capabilities: ClusterCapabilities;
  readonly #teamPolicy: (team: TeamId) => Promise<TeamPolicy>;
  readonly #refresh: estypes.Refresh;
  readonly #bulk: BulkOptions;
  readonly #replicas: number;
  readonly #queryTimeoutMs: number;
  readonly #changesSettleMs: number;
  readonly #teams = new Map<TeamId, Promise<TeamSetup>>();
  /** Reads one at a time: the client itself (batched() runs them through _msearch). */
  readonly #reads: ReadExecutor;
  /** Indices created with their ILM origination date by this process. */
  readonly #created = new Set<string>();

  private constructor(client: Client, options: ElasticsearchStoreOptions, capabilities: ClusterCapabilities) {
    this.client = client;
    this.prefix = checkPrefix(options.prefix ?? 'auditlog');
    this.capabilities = capabilities;
    const retentionDays = options.retentionDays ?? (() => 90);
    this.#teamPolicy = async (team) => (options.teamPolicy ? options.teamPolicy(team) : { retentionDays: await retentionDays(team), legalHold: false });
    this.#refresh = options.refresh ?? false;
    this.#bulk = { ...DEFAULT_BULK_OPTIONS, ...options.bulk, refresh: this.#refresh };
    this.#replicas = options.replicas ?? (capabilities.dataNodes > 1 ? 1 : 0);
    this.#queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
    this.#changesSettleMs = options.changesSettleMs ?? 60_000;
    this.#reads = { search: (params, options) => client.search(params, options) };
  }

  /**
   * Connects, checks the cluster answers, detects ILM and `_delete_by_query`, and installs the
   * component templates (only those that changed). Throws StoreUnavailableError when the
   * cluster cannot be reached or refuses the credentials.
   */
  static async connect(options: ElasticsearchStoreOptions): Promise<ElasticsearchStore> {
    checkPrefix(options.prefix ?? 'auditlog');
    const client =
      options.client ??
      createElasticsearchClient({ node: options.node, username: options.username, password: options.password, requestTimeoutMs: options.requestTimeoutMs });
    try {
      const capabilities = await detectCapabilities(client);
      const store = new ElasticsearchStore(client, options, capabilities);
      await store.installTemplates();
      return store;
    } catch (err) {
      if (!options.client) await client.close().catch(() => undefined);
      throw toAppError(err, 'connect');
    }
  }

  /** Installs (or updates) the component templates. Idempotent. Returns the names written. */
  async installTemplates(): Promise<string[]> {
    const written: string[] = [];
    for (const name of COMPONENTS) {
      const full = `${this.prefix}-${name}`;
      if (await installComponent(this.client, full, componentBody(name, { replicas: this.#replicas, prefix: this.prefix }))) {
        written.push(full);
      }
    }
    return written;
  }

  /** The team's index template and (with ILM) retention policy, installed once per process. */
  #setupTeam(team: TeamId): Promise<TeamSetup> {
    let setup = this.#teams.get(team);
    if (!setup) {
      setup = this.#teamPolicy(team).then((policy) => this.#reconcile(team, policy));
      this.#teams.set(team, setup);
      setup.catch(() => this.#teams.delete(team));
    }
    return setup;
  }

  /**
   * Makes what the cluster enforces match a team's retention: its index template and, with ILM,
   * the delete policy on the template and on each of its existing indices. A legal hold installs
   * the template without a policy and takes the policy off the team's indices (`_ilm/remove`),
   * so ILM deletes nothing of the team until the hold is lifted; lifting it puts the policy
   * back, and indices already past their retention then go at ILM's next poll. Called on every
   * change of a team's retention or hold (src/teams/service.ts) and once per process per team.
   */
  async applyTeamPolicy(team: TeamId, policy: TeamPolicy): Promise<void> {
    checkTeam(team);
    const setup = this.#reconcile(team, policy);
    this.#teams.set(team, setup);
    setup.catch(() => this.#teams.delete(team));
    try {
      await setup;
    } catch (err) {
      throw toAppError(err, 'retention policy');
    }
  }

  async #reconcile(team: TeamId, { retentionDays: days, legalHold }: TeamPolicy): Promise<TeamSetup> {
    if (!Number.isInteger(days) || days < 1) throw new ValidationError(`retention of team ${team} must be a positive number of days`);
    let lifecyclePolicy: string | null = null;
    if (this.capabilities.ilm && !legalHold) {
      lifecyclePolicy = `${this.prefix}-retention-${days}d`;
      await installLifecyclePolicy(this.client, lifecyclePolicy, lifecyclePolicyBody(days));
    }
    await installIndexTemplate(this.client, `${this.prefix}-team-${team}`, teamTemplateBody({ prefix: this.prefix, team }, lifecyclePolicy));
    // Templates shape new indices only: the team's existing ones (written by an older version)
    // get the metadata fields added since (auditlog.hash), which strict mapping would refuse.
    await this.client.indices.putMapping({
      index: teamPattern(this.prefix, team),
      allow_no_indices: true,
      ignore_unavailable: true,
      properties: metaProperties(),
    });
    if (this.capabilities.ilm) {
      for (const names of batches((await this.#indices(team)).map((i) => i.name), 50)) {
        if (lifecyclePolicy === null) await this.client.ilm.removePolicy({ index: names.join(',') });
        else await this.client.indices.putSettings({ index: names.join(','), settings: { 'index.lifecycle.name': lifecyclePolicy } });
      }
    }
    return { period: periodForRetention(days), lifecyclePolicy };
  }

  /** With ILM, an index's age counts from the end of its period, so it is created explicitly. */
  async #createIndex(index: string, period: Period, timestamp: number): Promise<void> {
    if (this.#created.has(index)) return;
    try {
      await this.client.indices.create({
        index,
        settings: { 'index.lifecycle.origination_date': periodEnd(period, timestamp) },
      });
    } catch (err) {
      const type = (err as { body?: { error?: { type?: string } } }).body?.error?.type;
      if (type !== 'resource_already_exists_exception') throw err;
    }
    this.#created.add(index);
  }

  async append(team: TeamId, events: StoredEvent[], options: AppendOptions = {}): Promise<AppendItemResult[]> {
    checkTeam(team);
    if (events.length === 0) return [];
    try {
      const setup = await this.#setupTeam(team);
      const bulkOptions: BulkOptions = options.waitForSearch ? { ...this.#bulk, refresh: 'wait_for' } : this.#bulk;
      const results: AppendItemResult[] = new Array(events.length);
      let work: Work[] = [];
      events.forEach((event, at) => {
        const foreign = otherTeam(event, team);
        if (foreign) {
          results[at] = foreign;
          return;
        }
        try {
          work.push({ at, event, sentId: event.id, hash: contentHash(event.raw), index: indexName(this.prefix, team, setup.period, event.timestamp), step: 0 });
        } catch (err) {
          results[at] = { status: 'rejected', id: event.id, reason: `@timestamp cannot be stored: ${(err as Error).message}` };
        }
      });
      // The content hash under each id this call has met (written, or found taken).
      const known = new Map<string, string | undefined>();
      const settle = (w: Work, storedHash: string | undefined, next: Work[]) => {
        const conflict = w.step > 0 ? { conflictsWith: w.sentId } : {};
        if (storedHash === w.hash) {
          results[w.at] = { status: 'duplicate', id: w.event.id, ...conflict };
        } else if (w.step >= MAX_CONFLICT_STEPS) {
          results[w.at] = { status: 'rejected', id: w.sentId, reason: `id ${w.sentId} and the ids derived from it hold other events` };
        } else {
          const flags = w.event.flags.includes('id_conflict') ? w.event.flags : [...w.event.flags, 'id_conflict' as const];
          next.push({ ...w, event: { ...w.event, id: conflictEventId(w.event.id, w.hash), flags }, step: w.step + 1 });
        }
      };
      while (work.length > 0) {
        // `create` finds an id taken only within one index; the same id may sit in another
        // period's index (a retried event without a timestamp gets a new received time).
        const found = await this.#storedHashes(team, work.flatMap((w) => (known.has(w.event.id) ? [] : [w.event.id])));
        for (const [id, hash] of found) known.set(id, hash);
        const next: Work[] = [];
        const toWrite: Work[] = [];
        const writing = new Set<string>();
        for (const w of work) {
          if (known.has(w.event.id)) settle(w, known.get(w.event.id), next);
          // One id twice in a batch: the second waits a round, to be compared with the first.
          else if (writing.has(w.event.id)) next.push(w);
          else {
            writing.add(w.event.id);
            toWrite.push(w);
          }
        }
        // Also under a legal hold (no policy now): the origination date must be right when the hold is lifted.
        if (this.capabilities.ilm) for (const w of toWrite) await this.#createIndex(w.index, setup.period, w.event.timestamp);
        const written = await bulkAppend(
          this.client,
          toWrite.map((w) => ({ event: w.event, index: w.index, hash: w.hash })),
          bulkOptions,
        );
        written.forEach((r, i) => {
          const w = toWrite[i]!;
          if (r.status === 'exists') {
            known.set(w.event.id, r.storedHash);
            settle(w, r.storedHash, next);
          } else if (r.status === 'created') {
            known.set(w.event.id, w.hash);
            results[w.at] = w.step > 0 ? { ...r, conflictsWith: w.sentId } : r;
          } else {
            results[w.at] = r;
          }
        });
        work = next;
      }
      return results;
    } catch (err) {
      throw toAppError(err, 'append');
    }
  }

  /**
   * The content hash stored under each of these ids the team already holds, in any of its
   * indices (undefined for a document without one). A search, so it sees what was written up
   * to the last refresh; a `create` into the same index sees the rest (bulk.ts).
   */
  async #storedHashes(team: TeamId, ids: string[]): Promise<Map<string, string | undefined>> {
    const found = new Map<string, string | undefined>();
    const search = (values: string[], fields: string[]) =>
      this.client.search<Record<string, unknown>>({
        ...this.#target(team),
        query: { bool: { filter: [{ ids: { values } }, { term: { 'auditlog.team': team } }] } },
        _source: fields,
        size: values.length,
        // Runs before every append: nothing to count, nothing else to write or parse.
        track_total_hits: false,
        filter_path: ['hits.hits._id', 'hits.hits._source'],
      });
    for (const chunk of batches([...new Set(ids)], 1000)) {
      const older: string[] = [];
      // With filter_path, a search that found nothing answers `{}`.
      for (const hit of (await search(chunk, ['auditlog.hash'])).hits?.hits ?? []) {
        if (hit._id === undefined) continue;
        const hash = storedContentHash(hit._source);
        if (hash === undefined) older.push(hit._id);
        found.set(hit._id, hash);
      }
      // Documents written before there were hashes: the hash of their raw text.
      if (older.length > 0) {
        for (const hit of (await search(older, ['auditlog.hash', 'event.original'])).hits?.hits ?? []) {
          if (hit._id !== undefined) found.set(hit._id, storedContentHash(hit._source));
        }
      }
    }
    return found;
  }

  /** The bool query every read runs: the compiled query, the time range, and the team. */
  #query(team: TeamId, request: QueryRequest): estypes.QueryDslQueryContainer {
    const filter: estypes.QueryDslQueryContainer[] = [{ term: { 'auditlog.team': team } }];
    if (request.from !== undefined || request.to !== undefined) {
      filter.push({
        range: {
          '@timestamp': {
            ...(request.from !== undefined ? { gte: request.from } : {}),
            ...(request.to !== undefined ? { lt: request.to } : {}),
            format: 'epoch_millis',
          },
        },
      });
    }
    const compiled = compileQuery(request.query);
    checkClauseCount(compiled);
    return { bool: { must: [compiled], filter } };
  }

  #target(team: TeamId): IndexTarget {
    return { index: teamPattern(this.prefix, checkTeam(team)), ignore_unavailable: true, allow_no_indices: true };
  }

  async changes(team: TeamId, request: ChangesRequest): Promise<ChangesPage> {
    pageSize(request.size);
    const base = this.#query(team, { query: request.query });
    return this.#budgeted('changes', team, request.signal, (search) =>
      readChanges(search, team, base, request.after, request.size, Date.now() - this.#changesSettleMs),
    );
  }

  async changesStart(team: TeamId, since?: number): Promise<string> {
    checkTeam(team);
    return startPosition(since ?? Date.now());
  }

  async changesLag(team: TeamId, after: string, options: ReadOptions = {}): Promise<ChangesLag> {
    return this.#budgeted('changes lag', team, options.signal, (search) => changesLag(search, after));
  }

  /** A read of the team's indices under the query time budget. */
  async #budgeted<T>(
    op: string,
    team: TeamId,
    signal: AbortSignal | undefined,
    read: (search: (params: estypes.SearchRequest) => Promise<estypes.SearchResponse<Record<string, unknown>>>) => Promise<T>,
  ): Promise<T> {
    const target = this.#target(team);
    const budget = new ReadBudget(this.#queryTimeoutMs, signal);
    try {
      return await read(async (params) =>
        budget.complete(await this.client.search<Record<string, unknown>>({ ...target, ...params, timeout: budget.searchTimeout() }, budget.options())),
      );
    } catch (err) {
      throw budget.errorOf(err) ?? toAppError(err, op);
    } finally {
      budget.done();
    }
  }

  async search(team: TeamId, request: SearchRequest): Promise<SearchPage> {
    return this.#search(this.#reads, team, request);
  }

  async #search(exec: ReadExecutor, team: TeamId, request: SearchRequest): Promise<SearchPage> {
    const size = pageSize(request.size);
    const order = request.sort ?? 'desc';
    const after = request.cursor ? decodeCursor(request.cursor, order) : null;
    const target = this.#target(team);
    const query = this.#query(team, request);
    const budget = new ReadBudget(this.#queryTimeoutMs, request.signal);
    try {
      const response = budget.complete(
        await exec.search<Record<string, unknown>>(
          {
            ...target,
            query,
            sort: [{ '@timestamp': { order } }, { 'auditlog.id': { order, unmapped_type: 'keyword' } }],
            size: size + 1,
            track_total_hits: true,
            timeout: budget.searchTimeout(),
            ...(after ? { search_after: [after.timestamp, after.id] } : {}),
          },
          budget.options(),
        ),
      );
      const raw = response.hits.hits;
      const page = raw.slice(0, size);
      const hits = page.map((h) => fromSource(h._source ?? {}, team));
      const last = page.at(-1);
      const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
      let cursor: string | null = null;
      if (raw.length > size && last?.sort) {
        cursor = encodeCursor({ order, timestamp: Number(last.sort[0]), id: String(last.sort[1]) });
      }
      return { hits, total, cursor };
    } catch (err) {
      throw budget.errorOf(err) ?? toAppError(err, 'search');
    } finally {
      budget.done();
    }
  }

  async count(team: TeamId, request: QueryRequest): Promise<number> {
    return this.#count(this.#reads, team, request);
  }

  async #count(exec: ReadExecutor, team: TeamId, request: QueryRequest): Promise<number> {
    const target = this.#target(team);
    const query = this.#query(team, request);
    const budget = new ReadBudget(this.#queryTimeoutMs, request.signal);
    try {
      return await this.#total(exec, target, query, budget);
    } catch (err) {
      throw budget.errorOf(err) ?? toAppError(err, 'count');
    } finally {
      budget.done();
    }
  }

  /** Matching events, exact: a search of no hits, which (unlike `_count`) takes a `timeout`. */
  async #total(
    exec: ReadExecutor,
    target: IndexTarget,
    query: estypes.QueryDslQueryContainer,
    budget: ReadBudget,
  ): Promise<number> {
    const response = budget.complete(
      await exec.search({ ...target, query, size: 0, track_total_hits: true, timeout: budget.searchTimeout() }, budget.options()),
    );
    const total = response.hits.total;
    return typeof total === 'number' ? total : (total?.value ?? 0);
  }

  /** Buckets planned by the shared rule (histogram.ts), so both stores give the same buckets. */
  async histogram(team: TeamId, request: HistogramRequest): Promise<Histogram> {
    const target = this.#target(team);
    const query = this.#query(team, request);
    const budget = new ReadBudget(this.#queryTimeoutMs, request.signal);
    try {
      const plan = planBuckets(request, needsExtent(request) ? await this.#extent(target, query, budget) : null);
      if ('buckets' in plan) return plan;
      const { from, to, intervalMs } = plan;
      const response = budget.complete(
        await this.client.search(
          {
            ...target,
            query: { bool: { must: [query], filter: [{ range: { '@timestamp': { gte: from, lt: to, format: 'epoch_millis' } } }] } },
            size: 0,
            timeout: budget.searchTimeout(),
            aggs: {
              // Epoch-aligned fixed buckets, as the plan's.
              h: { date_histogram: { field: '@timestamp', fixed_interval: `${intervalMs}ms`, min_doc_count: 1 } },
            },
          },
          budget.options(),
        ),
      );
      const agg = response.aggregations?.h as estypes.AggregationsDateHistogramAggregate | undefined;
      const counted = ((agg?.buckets ?? []) as estypes.AggregationsDateHistogramBucket[]).map((b) => ({ start: Number(b.key), count: b.doc_count }));
      return fillBuckets(plan, counted);
    } catch (err) {
      throw budget.errorOf(err) ?? toAppError(err, 'histogram');
    } finally {
      budget.done();
    }
  }

  /** Least and greatest `@timestamp` of the matching events, null when none match. */
  async #extent(target: IndexTarget, query: estypes.QueryDslQueryContainer, budget: ReadBudget): Promise<Extent | null> {
    const response = budget.complete(
      await this.client.search(
        {
          ...target,
          query,
          size: 0,
          timeout: budget.searchTimeout(),
          aggs: { lo: { min: { field: '@timestamp' } }, hi: { max: { field: '@timestamp' } } },
        },
        budget.options(),
      ),
    );
    const lo = (response.aggregations?.lo as estypes.AggregationsMinAggregate | undefined)?.value ?? null;
    const hi = (response.aggregations?.hi as estypes.AggregationsMaxAggregate | undefined)?.value ?? null;
    return lo === null || hi === null ? null : { min: lo, max: hi };
  }

  async facets(team: TeamId, request: FacetRequest): Promise<Facet> {
    return this.#facets(this.#reads, team, request);
  }

  async #facets(exec: ReadExecutor, team: TeamId, request: FacetRequest): Promise<Facet> {
    const size = facetSize(request.size);
    const field = aggregatable(facetField(request.field));
    const target = this.#target(team);
    const query = this.#query(team, request);
    const budget = new ReadBudget(this.#queryTimeoutMs, request.signal);
    try {
      const search = {
        ...target,
        query,
        size: 0,
        track_total_hits: true,
        timeout: budget.searchTimeout(),
        aggs: {
          top: {
            terms: {
              field,
              size,
              // Several indices (periods) each return their own top list; a larger shard_size makes the merge exact in practice.
              shard_size: Math.max(100, size * 5),
              order: [{ _count: 'desc' as const }, { _key: 'asc' as const }],
            },
          },
        },
      };
      const response = budget.complete(await exec.search(search, budget.options()));
      const total = typeof response.hits.total === 'number' ? response.hits.total : (response.hits.total?.value ?? 0);
      const agg = response.aggregations?.top as estypes.AggregationsStringTermsAggregate | undefined;
      const raw = (agg?.buckets ?? []) as Array<{ key: string | number; key_as_string?: string; doc_count: number }>;
      const buckets = raw.map((b) => ({ value: b.key_as_string ?? String(b.key), count: b.doc_count }));
      let covered = 0;
      if (raw.length > 0) {
        // Events, not values: an event with two top values (arrays) counts once, as in the SQLite store.
        covered = await this.#total(exec, target, { bool: { must: [query], filter: [{ terms: { [field]: raw.map((b) => b.key) } }] } }, budget);
      }
      return { field: request.field, buckets, other: Math.max(0, total - covered) };
    } catch (err) {
      throw budget.errorOf(err) ?? toAppError(err, 'facets');
    } finally {
      budget.done();
    }
  }

  async get(team: TeamId, id: string, options: ReadOptions = {}): Promise<StoredEvent | null> {
    const target = this.#target(team);
    const budget = new ReadBudget(this.#queryTimeoutMs, options.signal);
    try {
      const response = budget.complete(
        await this.client.search<Record<string, unknown>>(
          {
            ...target,
            query: { bool: { filter: [{ ids: { values: [id] } }, { term: { 'auditlog.team': team } }] } },
            size: 1,
            timeout: budget.searchTimeout(),
          },
          budget.options(),
        ),
      );
      const hit = response.hits.hits[0];
      return hit ? fromSource(hit._source ?? {}, team) : null;
    } catch (err) {
      throw budget.errorOf(err) ?? toAppError(err, 'get');
    } finally {
      budget.done();
    }
  }

  async originalFields(team: TeamId): Promise<OriginalField[]> {
    try {
      return await listOriginalFields(this.client, this.#target(team).index, team);
    } catch (err) {
      throw toAppError(err, 'field list');
    }
  }

  /**
   * A view of this store whose searches, counts and facets asked for at once travel in one
   * `_msearch` (msearch.ts); everything else is this store's. For a caller with many reads in
   * flight together (the alert engine's cycle).
   */
  batched(): AuditStore {
    const exec = new MsearchBatcher(this.client, (err) => toAppError(err, 'multi-search'));
    return {
      kind: this.kind,
      retention: this.retention,
      append: (team, events, options) => this.append(team, events, options),
      search: (team, request) => this.#search(exec, team, request),
      count: (team, request) => this.#count(exec, team, request),
      facets: (team, request) => this.#facets(exec, team, request),
      histogram: (team, request) => this.histogram(team, request),
      get: (team, id, options) => this.get(team, id, options),
      originalFields: (team) => this.originalFields(team),
      changes: (team, request) => this.changes(team, request),
      changesStart: (team, since) => this.changesStart(team, since),
      changesLag: (team, after, options) => this.changesLag(team, after, options),
      deleteOlderThan: (team, cutoff) => this.deleteOlderThan(team, cutoff),
      dropTeam: (team) => this.dropTeam(team),
      ping: () => this.ping(),
      close: () => this.close(),
    };
  }

  /** This team's indices with the span each covers (names we did not make are left out). */
  async #indices(team: TeamId): Promise<Array<{ name: string; start: number; end: number }>> {
    const resolved = await this.client.indices.resolveIndex({ name: teamPattern(this.prefix, team), expand_wildcards: ['open', 'closed'] });
    const out: Array<{ name: string; start: number; end: number }> = [];
    for (const index of resolved.indices) {
      const span = indexSpan(this.prefix, team, index.name);
      if (span) out.push({ name: index.name, ...span });
    }
    return out;
  }

  async deleteOlderThan(team: TeamId, cutoff: number): Promise<number> {
    checkTeam(team);
    try {
      const indices = await this.#indices(team);
      const expired = indices.filter((i) => i.end <= cutoff).map((i) => i.name);
      const straddling = indices.filter((i) => i.start < cutoff && i.end > cutoff).map((i) => i.name);
      let deleted = 0;
      for (const names of batches(expired, 50)) {
        deleted += (await this.client.count({ index: names.join(','), ignore_unavailable: true })).count;
        await this.client.indices.delete({ index: names.join(','), ignore_unavailable: true });
      }
      if (straddling.length > 0) deleted += await this.#trim(straddling, cutoff);
      return deleted;
    } catch (err) {
      throw toAppError(err, 'retention delete');
    }
  }

  /**
   * Deletes the expired events of indices that straddle the cutoff: server-side with
   * `_delete_by_query` when the cluster has it, else by pages of ids and `_bulk` deletes (the
   * integ-test distribution lacks the reindex module). A retention pass runs every hour or so,
   * so a pass trims about an hour of events; a larger backlog is bounded per pass and the rest
   * goes in the next one.
   */
  async #trim(indices: string[], cutoff: number): Promise<number> {
    const index = indices.join(',');
    const query: estypes.QueryDslQueryContainer = { range: { '@timestamp': { lt: cutoff, format: 'epoch_millis' } } };
    if (this.capabilities.deleteByQuery) {
      const response = await this.client.deleteByQuery({ index, query, conflicts: 'proceed', refresh: true, ignore_unavailable: true });
      return response.deleted ?? 0;
    }
    let deleted = 0;
    for (let round = 0; round < TRIM_MAX_ROUNDS; round++) {
      const page = await this.client.search({ index, query, size: TRIM_PAGE, _source: false, ignore_unavailable: true });
      const hits = page.hits.hits;
      if (hits.length === 0) break;
      const response = await this.client.bulk({
        operations: hits.map((h) => ({ delete: { _index: h._index, _id: h._id! } })),
        // Visible at once, so the next page does not find the same ids again.
        refresh: true,
      });
      deleted += response.items.filter((i) => i.delete?.status === 200).length;
      if (hits.length < TRIM_PAGE) break;
    }
    return deleted;
  }

  async stats(): Promise<StoreStats> {
    const bytesByTeam = new Map<string, number>();
    try {
      const response = await this.client.indices.stats({ index: `${this.prefix}-*`, metric: 'store', expand_wildcards: 'open' });
      for (const [name, index] of Object.entries(response.indices ?? {})) {
        // `<prefix>-<team>.<period>`: a team id has no dot, so the first dot ends it (naming.ts).
        const dot = name.indexOf('.', this.prefix.length + 1);
        if (dot < 0) continue;
        const team = name.slice(this.prefix.length + 1, dot);
        if (!TeamId.safeParse(team).success) continue;
        bytesByTeam.set(team, (bytesByTeam.get(team) ?? 0) + (index.total?.store?.size_in_bytes ?? 0));
      }
    } catch (err) {
      throw toAppError(err, 'index stats');
    }
    return { bytesByTeam };
  }

  async dropTeam(team: TeamId): Promise<void> {
    checkTeam(team);
    try {
      const resolved = await this.client.indices.resolveIndex({ name: teamPattern(this.prefix, team), expand_wildcards: ['open', 'closed'] });
      // Concrete names: clusters refuse wildcard deletes (action.destructive_requires_name).
      for (const names of batches(resolved.indices.map((i) => i.name), 50)) {
        await this.client.indices.delete({ index: names.join(','), ignore_unavailable: true });
      }
      await this.client.indices.deleteIndexTemplate({ name: `${this.prefix}-team-${team}` }, { ignore: [404] });
      this.#teams.delete(team);
      for (const name of this.#created) if (name.startsWith(`${this.prefix}-${team}.`)) this.#created.delete(name);
    } catch (err) {
      throw toAppError(err, 'drop team');
    }
  }

  async ping(): Promise<void> {
    let health: estypes.ClusterHealthResponse;
    try {
      health = await this.client.cluster.health({ timeout: '5s' }, { requestTimeout: 10_000, maxRetries: 0 });
    } catch (err) {
      throw toAppError(err, 'health check');
    }
    if (health.status === 'red') throw new StoreUnavailableError('Elasticsearch cluster health is red', 10);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The aggregatable field behind a facet's field. */
function aggregatable(f: FacetField): string {
  // A text field's values are counted by its keyword sub-field.
  return f.kind === 'normalized' && f.type === 'text' ? `${f.name}.keyword` : esPath(f);
}

function* batches<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function detectCapabilities(client: Client): Promise<ClusterCapabilities> {
  const health = await client.cluster.health({ timeout: '5s' }, { maxRetries: 0 });
  // The modules list says what this distribution has: the integ-test zip lacks x-pack-ilm and reindex.
  const info = await client.nodes.info({ metric: 'plugins' });
  const nodes = Object.values(info.nodes);
  const has = (module: string) =>
    nodes.length > 0 && nodes.every((n) => (n.modules ?? []).some((m) => m.name === module) || (n.plugins ?? []).some((p) => p.name === module));
  return {
    version: nodes[0]?.version ?? 'unknown',
    ilm: has('x-pack-ilm'),
    deleteByQuery: has('reindex'),
    dataNodes: health.number_of_data_nodes,
  };
}
