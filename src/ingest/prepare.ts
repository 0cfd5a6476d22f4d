/**
 * Decoded items → events ready for the store: adapt (per detected or given format), assign
 * the id, set flags, keep the original and its raw text, validate against StoredEvent.
 * A failure is that item's error, never the batch's.
 */
import { AppError, ValidationError } from '../errors.ts';
import { flattenOriginal } from '../events/fields.ts';
import type { EventEnricher } from '../geo/enricher.ts';
import { StoredEvent, TeamId, type EventFlag, type EventFormat } from '../events/event.ts';
import { adapt, detectFormat } from './adapters/index.ts';
import type { DecodedItem } from './decode.ts';
import { idempotentEventId, newEventId, producerEventId } from './ids.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import type { ItemRejection, ItemWarning } from './outcomes.ts';
import { exceedsShape } from './shape.ts';
import { quickStoredEvent } from './stored-event-check.ts';

export interface PrepareContext {
  team: TeamId;
  /** Force one format for every event; absent means detect it per event. */
  format?: EventFormat | undefined;
  /** Receive time, epoch ms: the event time of events that carry none. */
  received: number;
  idempotencyKey?: string | undefined;
  /**
   * Ids by index for events that carry none of their own, instead of the Idempotency-Key's
   * (the CLI import derives them from each line's content: ingest/ids.ts importEventId).
   */
  eventIds?: readonly string[] | undefined;
  limits?: IngestLimits | undefined;
  /**
   * The team's retention: an event dated before it is rejected (`older_than_retention`), as the
   * next retention pass would delete it. Absent: no such check (tests, tools).
   */
  retentionDays?: number | undefined;
  /**
   * The limits decodeBody measured these items with, when they come from it: it rejected
   * every event beyond them, so events need no second walk when these are at least as strict.
   */
  decodedWith?: IngestLimits | undefined;
  /** Adds fields of our own to the adapted ones (GeoIP: src/geo/); absent: none. */
  enrich?: EventEnricher | undefined;
}

export type PreparedItem = { index: number; event: StoredEvent; warnings?: ItemWarning[] } | { index: number; error: ItemRejection };

const DAY_MS = 86_400_000;
/**
 * How far ahead of its receive time an event may be dated. Clocks drift and zones get mixed
 * up by hours, not days; an event dated further ahead would otherwise sort above every real
 * event for as long as it is kept.
 */
export const FUTURE_TOLERANCE_MS = DAY_MS;

export function prepareEvents(items: readonly DecodedItem[], ctx: PrepareContext): PreparedItem[] {
  if (!TeamId.safeParse(ctx.team).success) throw new ValidationError(`team id ${JSON.stringify(ctx.team)} is not valid`, { field: 'team' });
  return items.map((item) => ('error' in item ? { index: item.index, error: { reason: item.error } } : prepareOne(item, ctx)));
}

function prepareOne(item: Extract<DecodedItem, { value: unknown }>, ctx: PrepareContext): PreparedItem {
  const { index, value: original, raw } = item;
  const limits = ctx.limits ?? DEFAULT_INGEST_LIMITS;
  const format = ctx.format ?? detectFormat(original);
  let adapted;
  try {
    adapted = adapt(original, format);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const field = error.details?.field;
    return { index, error: typeof field === 'string' ? { reason: error.message, field } : { reason: error.message } };
  }
  const flags: EventFlag[] = [];
  const warnings: ItemWarning[] = [];
  let timestamp = adapted.timestamp ?? ctx.received;
  if (adapted.invalidTimestamp !== undefined) {
    const { field, reason } = adapted.invalidTimestamp;
    flags.push('timestamp_invalid');
    warnings.push({
      code: 'timestamp_invalid',
      field,
      message: `${field}: ${reason}; @timestamp is the receive time, the value sent is kept in the event (original.${field})`,
    });
  } else if (adapted.timestamp === undefined) {
    flags.push('timestamp_missing');
  } else if (adapted.timestamp > ctx.received + FUTURE_TOLERANCE_MS) {
    flags.push('timestamp_future');
    timestamp = ctx.received;
    warnings.push({
      code: 'timestamp_future',
      message:
        `the event's time ${iso(adapted.timestamp)} is more than a day after it was received (${iso(ctx.received)}); ` +
        '@timestamp is the receive time, the value sent is kept in the event',
    });
  }
  if (ctx.retentionDays !== undefined && timestamp < ctx.received - ctx.retentionDays * DAY_MS) {
    return {
      index,
      error: {
        code: 'older_than_retention',
        reason:
          `the event's time ${iso(timestamp)} is older than the team's retention of ${ctx.retentionDays} days ` +
          `(events before ${iso(ctx.received - ctx.retentionDays * DAY_MS)}): the next retention pass would delete it`,
      },
    };
  }
  // decodeBody already rejected events beyond these bounds, so this only fires for items
  // built elsewhere (and is skipped for items it measured). The cheap, stricter walk first;
  // flattening (the stores' own measure, which allocates every path) only to confirm.
  const measured = ctx.decodedWith;
  if (
    (measured === undefined || measured.maxDepth > limits.maxDepth || measured.maxFields > limits.maxFields) &&
    exceedsShape(original, limits) !== undefined &&
    flattenOriginal(original, { maxDepth: limits.maxDepth, maxLeaves: limits.maxFields }).truncated
  ) {
    flags.push('fields_truncated');
  }
  const given = ctx.eventIds?.[index];
  const id =
    adapted.producerId !== undefined
      ? producerEventId(format, adapted.producerId, adapted.timestamp, original)
      : given !== undefined
        ? given
        : ctx.idempotencyKey !== undefined
          ? idempotentEventId(ctx.idempotencyKey, index)
          : newEventId(timestamp);
  const candidate: StoredEvent = {
    id,
    team: ctx.team,
    timestamp,
    received: ctx.received,
    format,
    flags,
    ecs: ctx.enrich ? ctx.enrich(adapted.ecs) : adapted.ecs,
    original,
    raw,
  };
  // The team was checked once for the whole batch (prepareEvents); the schema judges whatever the quick check cannot.
  const quick = quickStoredEvent(candidate);
  if (quick !== undefined) return warnings.length > 0 ? { index, event: quick, warnings } : { index, event: quick };
  const parsed = StoredEvent.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    return { index, error: { reason: `${field}: ${issue.message}`, field } };
  }
  return warnings.length > 0 ? { index, event: parsed.data, warnings } : { index, event: parsed.data };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
