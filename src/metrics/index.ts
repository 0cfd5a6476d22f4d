/**
 * The runtime's entry to the metrics: a registry when GET /metrics is served, nothing otherwise.
 * With /metrics off nothing is counted or timed and prom-client is not even loaded (it costs
 * the CLI's every start some 50-100 ms on a loaded machine).
 */
import type { AlertStateStore } from '../alerts/state-store.ts';
import type { IngestService } from '../ingest/service.ts';
import type { AuditStore } from '../store/interface.ts';
import { countedAlertState, countedAppends, countedRejections, timedReads } from './instrument.ts';
import type { Metrics, MetricsOptions, MetricsSources } from './registry.ts';

export type { Metrics, StreamLag } from './registry.ts';

/** Whether the configuration serves /metrics (src/metrics/http.ts). */
export function metricsServed(config: { AUDITLOG_METRICS_TOKEN?: string | undefined; AUDITLOG_METRICS: 'off' | 'open' }): boolean {
  return config.AUDITLOG_METRICS_TOKEN !== undefined || config.AUDITLOG_METRICS === 'open';
}

export async function openMetrics(options: MetricsOptions, sources: MetricsSources): Promise<Metrics> {
  const { Metrics } = await import('./registry.ts');
  return new Metrics({ processMetrics: true, ...options }, sources);
}

/** The wrappers of src/metrics/instrument.ts around the runtime's parts; each the identity without metrics. */
export interface Instrumentation {
  appends(store: AuditStore): AuditStore;
  reads(store: AuditStore, operation?: 'export'): AuditStore;
  rejections(ingest: IngestService): IngestService;
  alertState(state: AlertStateStore): AlertStateStore;
}

export function instrumentation(metrics: Metrics | undefined): Instrumentation {
  if (!metrics) return { appends: (s) => s, reads: (s) => s, rejections: (i) => i, alertState: (s) => s };
  return {
    appends: (store) => countedAppends(store, metrics),
    reads: (store, operation) => timedReads(store, metrics, operation),
    rejections: (ingest) => countedRejections(ingest, metrics),
    alertState: (state) => countedAlertState(state, metrics),
  };
}
