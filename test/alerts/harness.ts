/**
 * The alert API on the real server (test/http/harness.ts), with the scheduler off so that
 * tests decide when rules are evaluated.
 */
import type { Alerting } from '../../src/alerts/index.ts';
import { type Harness, OPERATOR_KEY, type StoreKind, startHarness } from '../http/harness.ts';
import { LOOPBACK_TARGETS } from './receivers.ts';

export interface AlertHarness extends Harness {
  alerting: Alerting;
  operatorKey: string;
}

export async function startAlertHarness(kind: StoreKind = 'sqlite'): Promise<AlertHarness> {
  const h = await startHarness(kind, { AUDITLOG_ALERTS: 'off', AUDITLOG_BASE_URL: 'http://127.0.0.1', AUDITLOG_ALERT_ALLOWED_TARGETS: LOOPBACK_TARGETS });
  return Object.assign(h, { alerting: h.rt.alerting, operatorKey: OPERATOR_KEY });
}
