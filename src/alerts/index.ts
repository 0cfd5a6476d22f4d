/**
 * Alerting assembled: state store, service, engine, deliverer and scheduler, from options
 * the runtime derives from its config. `start()` begins evaluating; `close()` stops and
 * closes the state store.
 */
import { newId } from './ids.ts';
import type { ChangeRecorder } from '../audit/trail.ts';
import type { AuditStore } from '../store/interface.ts';
import type { SmtpSettings } from './channels.ts';
import { Deliverer } from './deliverer.ts';
import type { EgressPolicy } from './egress.ts';
import { AlertEngine } from './engine.ts';
import { AlertScheduler } from './scheduler.ts';
import { SavedSearchService } from '../saved-searches/service.ts';
import { RuleTester } from './rule-test.ts';
import { AlertService } from './service.ts';
import type { AlertStateStore } from './state-store.ts';

export { AlertEngine, type EngineOptions, type RunResult } from './engine.ts';
export { AlertScheduler } from './scheduler.ts';
export { AlertService, canonicalQuery, type RuleView } from './service.ts';
export { RuleTester, type DryRun, type EventTest } from './rule-test.ts';
export { Deliverer } from './deliverer.ts';
export { SqliteAlertStateStore } from './sqlite-state-store.ts';
export { ElasticsearchAlertStateStore, ALERT_INDEX_PREFIX } from './elasticsearch-state-store.ts';
export type { AlertStateStore } from './state-store.ts';
export { loadBuiltIns } from './builtin.ts';
export type { SmtpSettings } from './channels.ts';
export { signBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER } from './channels.ts';
export { EgressPolicy } from './egress.ts';

export interface AlertingOptions {
  store: AuditStore;
  state: AlertStateStore;
  now?: () => number;
  baseUrl?: string;
  ingestDelayMs?: number;
  maxCatchUpMs?: number;
  /** See EngineOptions.windowMaxEvents. */
  windowMaxEvents?: number;
  smtp?: SmtpSettings | undefined;
  concurrency?: number;
  onError?: (err: unknown, context: { ruleId?: string }) => void;
  /** Rule changes go here (the audit trail). */
  changes?: ChangeRecorder;
  /** Where webhooks may go; default: no loopback, private, link-local or metadata address. */
  egress?: EgressPolicy;
}

export interface Alerting {
  state: AlertStateStore;
  service: AlertService;
  /** Saved searches persist in the alert state store. */
  savedSearches: SavedSearchService;
  /** Tries a rule on an event or a past range, writing nothing. */
  tester: RuleTester;
  engine: AlertEngine;
  deliverer: Deliverer;
  scheduler: AlertScheduler;
  start(): Promise<void>;
}

export function createAlerting(o: AlertingOptions): Alerting {
  const owner = `auditlog-${newId()}`;
  const engine = new AlertEngine({
    store: o.store,
    state: o.state,
    owner,
    ...(o.now ? { now: o.now } : {}),
    ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
    ...(o.ingestDelayMs !== undefined ? { ingestDelayMs: o.ingestDelayMs } : {}),
    ...(o.maxCatchUpMs !== undefined ? { maxCatchUpMs: o.maxCatchUpMs } : {}),
    ...(o.windowMaxEvents !== undefined ? { windowMaxEvents: o.windowMaxEvents } : {}),
    onError: (rule, err) => o.onError?.(err, { ruleId: rule.id }),
  });
  const deliverer = new Deliverer({ state: o.state, owner, smtp: o.smtp, ...(o.now ? { now: o.now } : {}), ...(o.egress ? { egress: o.egress } : {}) });
  const scheduler = new AlertScheduler({
    engine,
    deliverer,
    state: o.state,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    onError: (err, rule) => o.onError?.(err, rule ? { ruleId: rule.id } : {}),
  });
  const service = new AlertService({
    state: o.state,
    ...(o.now ? { now: o.now } : {}),
    smtpConfigured: o.smtp !== undefined,
    onRulesChanged: () => scheduler.reload(),
    ...(o.changes ? { changes: o.changes } : {}),
    ...(o.egress ? { egress: o.egress } : {}),
  });
  return {
    state: o.state,
    service,
    savedSearches: new SavedSearchService(o.state, o.now),
    tester: new RuleTester({
      store: o.store,
      ...(o.now ? { now: o.now } : {}),
      ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
      ...(o.windowMaxEvents ? { maxEvents: o.windowMaxEvents } : {}),
    }),
    engine,
    deliverer,
    scheduler,
    start: () => scheduler.start(),
  };
}
