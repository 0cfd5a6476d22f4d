/**
 * The Prometheus metrics (GET /metrics, src/metrics/route.ts), one registry per runtime so two
 * servers in one process (the tests) never mix their numbers.
 *
 * Label cardinality is bounded by design: `team` only ever holds ids of teams the operator
 * created (plus the reserved `system`), `route` the registered route pattern (never the raw
 * path), `operation`/`format`/`result` fixed sets. Nothing is labelled by key, query or address.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditStore } from '../store/interface.ts';

/** One stream's backlog: events ingested but not yet delivered (the streams feature supplies it). */
export interface StreamLag {
  team: string;
  stream: string;
  events: number;
}

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC): the server's; off in tests of the registry alone. */
  processMetrics?: boolean;
  /** Backlog of every outbound stream, read at each scrape; default: no streams. */
  streamLag?: () => StreamLag[] | Promise<StreamLag[]>;
}

/** What a scrape reads from the store and the teams, at scrape time. */
export interface MetricsSources {
  store: AuditStore;
  /** Ids of the teams that exist: store sizes are reported for these (and reserved ids) only. */
  teamIds: () => Promise<Set<string>>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  readonly ingestEvents = new Counter({
    name: 'auditlog_ingest_events_total',
    help: 'Events stored by ingest, by team, format and result (created, or duplicate of a stored event).',
    labelNames: ['team', 'format', 'result'] as const,
    registers: [this.registry],
  });
  readonly ingestBytes = new Counter({
    name: 'auditlog_ingest_bytes_total',
    help: 'Bytes of the raw events stored by ingest (duplicates included), by team and format.',
    labelNames: ['team', 'format'] as const,
    registers: [this.registry],
  });
  readonly ingestRejected = new Counter({
    name: 'auditlog_ingest_rejected_events_total',
    help: 'Events of accepted requests rejected one by one (invalid, or refused by the store), by team.',
    labelNames: ['team'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'auditlog_http_request_duration_seconds',
    help: 'HTTP request latency until the response starts, by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly searchDuration = new Histogram({
    name: 'auditlog_search_duration_seconds',
    help: 'Store reads of searches, by operation (search, count, histogram, facets, export pages); failed reads included.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly searchTimeouts = new Counter({
    name: 'auditlog_search_timeouts_total',
    help: 'Store reads of searches stopped by AUDITLOG_QUERY_TIMEOUT_MS, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly alertEvaluations = new Counter({
    name: 'auditlog_alert_evaluations_total',
    help: 'Alert rule evaluations committed (ok) or failed (error), by team.',
    labelNames: ['team', 'result'] as const,
    registers: [this.registry],
  });
  readonly alertFirings = new Counter({
    name: 'auditlog_alert_firings_total',
    help: 'Alerts fired (a group entering the alerting state), by team.',
    labelNames: ['team'] as const,
    registers: [this.registry],
  });
  readonly alertDeliveries = new Counter({
    name: 'auditlog_alert_deliveries_total',
    help: 'Notification delivery attempts, by team and result (delivered, retry: failed and retried later, gave_up).',
    labelNames: ['team', 'result'] as const,
    registers: [this.registry],
  });

  constructor(options: MetricsOptions = {}, sources?: MetricsSources) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const streamLag = options.streamLag ?? (() => []);
    new Gauge({
      name: 'auditlog_stream_lag_events',
      help: 'Events ingested but not yet delivered, per outbound stream.',
      labelNames: ['team', 'stream'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const s of await streamLag()) this.set({ team: s.team, stream: s.stream }, s.events);
      },
    });
    if (sources) this.#storeGauges(sources);
  }

  /** Store size per team and in total, and the read queue, read at scrape time. */
  #storeGauges({ store, teamIds }: MetricsSources) {
    // One stats call serves the three gauges of a scrape (prom-client collects them one by one).
    // A store that cannot answer (Elasticsearch down) leaves its gauges out of that scrape
    // rather than failing it: the process metrics and counters matter most then.
    let pending: Promise<{ teams: Map<string, number>; total: number; queue: number | undefined } | null> | null = null;
    const read = () =>
      (pending ??= (async () => {
        try {
          const [stats, known] = await Promise.all([store.stats!(), teamIds()]);
          const teams = new Map([...stats.bytesByTeam].filter(([team]) => known.has(team)));
          let total = 0;
          for (const bytes of stats.bytesByTeam.values()) total += bytes;
          return { teams, total, queue: stats.readQueueDepth };
        } catch {
          return null;
        }
      })().finally(() => setTimeout(() => (pending = null), 0)));
    if (!store.stats) return;
    new Gauge({
      name: 'auditlog_store_team_bytes',
      help: 'Bytes the store holds for a team (SQLite: its file and write-ahead log; Elasticsearch: its indices).',
      labelNames: ['team'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [team, bytes] of (await read())?.teams ?? []) this.set({ team }, bytes);
      },
    });
    new Gauge({
      name: 'auditlog_store_bytes',
      help: 'Bytes the store holds for all teams together.',
      registers: [this.registry],
      // Unlabelled: without an answer it keeps its last value (prom-client would show 0 after a reset).
      async collect() {
        const stats = await read();
        if (stats) this.set(stats.total);
      },
    });
    if (store.kind === 'sqlite') {
      new Gauge({
        name: 'auditlog_read_queue_depth',
        help: "Reads waiting for a worker of the SQLite store's read pool.",
        registers: [this.registry],
        async collect() {
          const stats = await read();
          if (stats) this.set(stats.queue ?? 0);
        },
      });
    }
  }

  /** The text exposition format. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
