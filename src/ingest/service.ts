/**
 * Ingest: decode → adapt → validate → store, with per-event results. One bad event never
 * sinks the batch; nothing is acknowledged unless the store said it is durable.
 */
import { z } from 'zod';
import { AppError } from '../errors.ts';
import type { EventEnricher } from '../geo/enricher.ts';
import type { EventFormat, StoredEvent, TeamId } from '../events/event.ts';
import { ingestRequest, ItemRejection, ItemWarning } from './index.ts';
import type { IngestLimits } from './limits.ts';
import type { AuditStore } from '../store/interface.ts';
import type { ControlStore } from '../teams/control-store.ts';
import type { Team } from '../teams/model.ts';

export interface IngestRequest {
  team: Team;
  body: Uint8Array;
  contentType?: string;
  contentEncoding?: string;
  format?: EventFormat;
  idempotencyKey?: string;
  /** Ids by index for events without one of their own (the CLI import's, derived from content). */
  eventIds?: readonly string[];
  /** Answer only once the events are searchable (read-your-writes; slower on Elasticsearch). */
  waitForSearch?: boolean;
}

/** A warning about the accepted event at `index` (README, "Ingest"). */
export const IngestWarning = ItemWarning.extend({ index: z.number().int() });
export type IngestWarning = z.infer<typeof IngestWarning>;

export const IngestResult = z.object({
  accepted: z.array(
    z.object({
      index: z.number().int(),
      id: z.string(),
      duplicate: z.literal(true).optional(),
      conflictsWith: z
        .string()
        .optional()
        .describe('The id the event came with, when that id already held a different event: `id` is derived from both, and the event is flagged id_conflict.'),
    }),
  ),
  rejected: z.array(ItemRejection.extend({ index: z.number().int() })),
  warnings: z
    .array(IngestWarning)
    .describe('One per caveat of an accepted event: an id conflict, or a timestamp not taken as sent (invalid, or more than a day ahead).'),
});
export type IngestResult = z.infer<typeof IngestResult>;

/**
 * How long an Idempotency-Key stays bound to its request's content (Stripe keeps keys 24 hours).
 * After that a reused key with other content is no longer refused, and nothing is lost either:
 * its events whose ids hold other content are stored under derived ids, flagged id_conflict.
 */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;

export class IngestService {
  readonly #store: AuditStore;
  readonly #control: ControlStore;
  readonly #limits: IngestLimits;
  readonly #now: () => number;
  readonly #enrich: EventEnricher | undefined;

  /** `enrich`: fields of our own added to every event (GeoIP, src/geo/). */
  constructor(store: AuditStore, control: ControlStore, limits: IngestLimits, now: () => number = Date.now, { enrich }: { enrich?: EventEnricher | undefined } = {}) {
    this.#store = store;
    this.#control = control;
    this.#limits = limits;
    this.#now = now;
    this.#enrich = enrich;
  }

  async ingest(req: IngestRequest): Promise<IngestResult> {
    const received = this.#now();
    const { items: prepared, fingerprint } = await ingestRequest({
      body: req.body,
      contentType: req.contentType,
      contentEncoding: req.contentEncoding,
      team: req.team.id as TeamId,
      format: req.format,
      received,
      idempotencyKey: req.idempotencyKey,
      eventIds: req.eventIds,
      limits: this.#limits,
      retentionDays: req.team.retentionDays,
      enrich: this.#enrich,
    });

    if (req.idempotencyKey !== undefined) await this.#bindIdempotencyKey(req.team.id, req.idempotencyKey, fingerprint(), received);

    const rejected: IngestResult['rejected'] = [];
    const warnings: IngestWarning[] = [];
    const good: Array<{ index: number; event: StoredEvent }> = [];
    const pendingWarnings = new Map<number, ItemWarning[]>();
    for (const item of prepared) {
      if ('error' in item) {
        rejected.push({ index: item.index, ...item.error });
        continue;
      }
      good.push(item);
      if (item.warnings) pendingWarnings.set(item.index, item.warnings);
    }

    const events = good.map((g) => g.event);
    const bytes = events.reduce((n, e) => n + Buffer.byteLength(e.raw), 0);
    const day = new Date(received).toISOString().slice(0, 10);
    if (req.team.dailyQuotaBytes !== null && events.length > 0) {
      const used = await this.#control.getUsage(req.team.id, day);
      if (used + bytes > req.team.dailyQuotaBytes) {
        throw new AppError('QUOTA_EXCEEDED', `daily ingest quota of ${req.team.dailyQuotaBytes} bytes reached (used ${used})`, {
          quotaBytes: req.team.dailyQuotaBytes,
          usedBytes: used,
          retryAfter: 'next UTC day',
        });
      }
    }

    const accepted: IngestResult['accepted'] = [];
    if (events.length > 0) {
      const results = await this.#store.append(req.team.id as TeamId, events, { waitForSearch: req.waitForSearch });
      results.forEach((r, i) => {
        const index = good[i]!.index;
        if (r.status === 'rejected') {
          rejected.push({ index, reason: r.reason });
          return;
        }
        accepted.push({ index, id: r.id, ...(r.status === 'duplicate' ? { duplicate: true as const } : {}), ...(r.conflictsWith ? { conflictsWith: r.conflictsWith } : {}) });
        // Only for events the store kept: a warning is about a stored event.
        for (const w of pendingWarnings.get(index) ?? []) warnings.push({ index, ...w });
        if (r.conflictsWith) {
          warnings.push({
            index,
            code: 'id_conflict',
            message: `id ${r.conflictsWith} already holds a different event; this one is stored as ${r.id}, flagged id_conflict`,
          });
        }
      });
      await this.#control.addUsage(req.team.id, day, bytes);
    }
    const byIndex = (a: { index: number }, b: { index: number }) => a.index - b.index;
    accepted.sort(byIndex);
    rejected.sort(byIndex);
    warnings.sort(byIndex);
    return { accepted, rejected, warnings };
  }

  /** Binds the key to this request's content, or refuses the request when it is bound to other content (nothing stored). */
  async #bindIdempotencyKey(team: string, key: string, fingerprint: string, now: number): Promise<void> {
    const bound = await this.#control.claimIdempotencyKey(team, key, fingerprint, now, now - IDEMPOTENCY_KEY_TTL_MS);
    if (bound === fingerprint) return;
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key ${JSON.stringify(key)} was used in the last 24 hours for a request with other content; nothing was stored. Send new content with a new key.`,
      { field: 'Idempotency-Key' },
    );
  }
}
