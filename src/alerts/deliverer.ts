/**
 * Works through the persisted outbox: claims due entries, sends each to its channel, records
 * every attempt in the history, retries with exponential backoff. Entries survive a restart;
 * a claim that outlives a crashed instance expires and another instance takes it over.
 */
import { newId } from './ids.ts';
import { DeliveryError, type SmtpSettings, sendToChannel } from './channels.ts';
import type { EgressPolicy } from './egress.ts';
import { redactUrl } from './model.ts';
import type { Notification } from './notification.ts';
import type { AlertStateStore, HistoryEntry, OutboxEntry } from './state-store.ts';

export interface DelivererOptions {
  state: AlertStateStore;
  owner?: string;
  now?: () => number;
  smtp?: SmtpSettings | undefined;
  /** Attempts before giving up. Default 8. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. Default 5 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** Entries sent per pass. Default 50. */
  batch?: number;
  /** Where webhooks may go (AUDITLOG_ALERT_ALLOWED_TARGETS); default: no private, loopback or metadata address. */
  egress?: EgressPolicy;
}

export class Deliverer {
  readonly owner: string;
  readonly #o: DelivererOptions;
  readonly #now: () => number;
  #running: Promise<number> | null = null;

  constructor(o: DelivererOptions) {
    this.#o = o;
    this.owner = o.owner ?? `deliverer-${newId()}`;
    this.#now = o.now ?? Date.now;
  }

  /** One pass over the due entries; returns how many were attempted. Passes never overlap. */
  runOnce(): Promise<number> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<number> {
    const { state } = this.#o;
    const timeoutMs = this.#o.timeoutMs ?? 10_000;
    // The claim must outlast the slowest send of the batch, sends run in parallel.
    const entries = await state.claimDeliveries(this.owner, this.#now(), timeoutMs * 3, this.#o.batch ?? 50);
    await Promise.all(entries.map((e) => this.#deliver(e, timeoutMs)));
    return entries.length;
  }

  async #deliver(entry: OutboxEntry, timeoutMs: number) {
    const { state } = this.#o;
    const attempts = entry.attempts + 1;
    const rule = await state.getRuleById(entry.ruleId);
    const channel = rule?.channels.find((c) => c.id === entry.channelId);
    const where = channel ? (channel.type === 'email' ? `email to ${channel.to.join(', ')}` : `${channel.type} ${redactUrl(channel.url)}`) : entry.channelId;
    const history = (kind: HistoryEntry['kind'], message: string): HistoryEntry => ({
      id: newId(),
      team: entry.team,
      ruleId: entry.ruleId,
      at: this.#now(),
      kind,
      group: '',
      message,
      detail: { delivery: entry.id, channel: entry.channelId, attempt: attempts, notification: (entry.payload as { id?: string }).id },
    });
    if (!rule || !channel) {
      await state.finishDelivery(
        entry.id,
        this.owner,
        { status: 'failed', attempts, nextAttemptAt: this.#now(), lastError: 'the rule or channel no longer exists' },
        history('gave_up', `not sent: the rule or channel ${entry.channelId} no longer exists`),
      );
      return;
    }
    try {
      await sendToChannel(channel, entry.payload as unknown as Notification, {
        smtp: this.#o.smtp,
        timeoutMs,
        deliveryId: entry.id,
        now: this.#now,
        ...(this.#o.egress ? { egress: this.#o.egress } : {}),
      });
      await state.finishDelivery(
        entry.id,
        this.owner,
        { status: 'delivered', attempts, nextAttemptAt: this.#now(), lastError: null },
        history('delivered', `delivered to ${where} (attempt ${attempts})`),
      );
    } catch (err) {
      const message = err instanceof DeliveryError ? err.message : `unexpected: ${(err as Error).message}`;
      const retryable = !(err instanceof DeliveryError) || err.retryable;
      const max = this.#o.maxAttempts ?? 8;
      if (!retryable || attempts >= max) {
        await state.finishDelivery(
          entry.id,
          this.owner,
          { status: 'failed', attempts, nextAttemptAt: this.#now(), lastError: message },
          history('gave_up', `gave up on ${where} after ${attempts} attempt(s): ${message}`),
        );
        return;
      }
      const base = this.#o.backoffMs ?? 5_000;
      const delay = Math.min(base * 2 ** (attempts - 1), this.#o.maxBackoffMs ?? 600_000);
      await state.finishDelivery(
        entry.id,
        this.owner,
        { status: 'pending', attempts, nextAttemptAt: this.#now() + delay, lastError: message },
        history('delivery_failed', `attempt ${attempts} to ${where} failed: ${message}; retry in ${Math.round(delay / 1000)} s`),
      );
    }
  }
}
