/**
 * The ingest pipeline as pure functions: body → decoded items → prepared events. No HTTP
 * and no store here; the caller appends the prepared events and acknowledges per index.
 */
import type { EventFormat, TeamId } from '../events/event.ts';
import { contentHash } from '../events/identity.ts';
import type { EventEnricher } from '../geo/enricher.ts';
import { bodyText, decodeText } from './decode.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { prepareEvents, type PreparedItem } from './prepare.ts';

export { decodeBody, decodeText, type DecodedItem, type DecodeOptions } from './decode.ts';
export { prepareEvents, type PreparedItem, type PrepareContext } from './prepare.ts';
export { IngestLimits, DEFAULT_INGEST_LIMITS } from './limits.ts';
export { ItemRejection, ItemWarning, RejectionCode, WarningCode } from './outcomes.ts';
export { adapt, detectFormat, type AdaptedEvent } from './adapters/index.ts';
export { parseTimestamp, timestampMs } from './timestamps.ts';

export interface IngestRequest {
  body: Uint8Array;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  team: TeamId;
  format?: EventFormat | undefined;
  received: number;
  idempotencyKey?: string | undefined;
  eventIds?: readonly string[] | undefined;
  limits?: IngestLimits | undefined;
  retentionDays?: number | undefined;
  enrich?: EventEnricher | undefined;
}

/**
 * Decode and prepare one request body. Throws for the request as a whole (ValidationError,
 * LimitExceededError, UNSUPPORTED_MEDIA_TYPE); returns one item per event otherwise, each
 * a StoredEvent or that event's rejection reason.
 */
export async function ingestBody(request: IngestRequest): Promise<PreparedItem[]> {
  return (await ingestRequest(request)).items;
}

/**
 * ingestBody, with the fingerprint of the request's content: a hash of the decompressed body
 * text, how it is read (NDJSON or sniffed) and the format asked for. Two requests with the same
 * fingerprint make the same events, however each was compressed. Computed on demand (it hashes
 * the whole body): only requests with an Idempotency-Key need it.
 */
export async function ingestRequest(request: IngestRequest): Promise<{ items: PreparedItem[]; fingerprint: () => string }> {
  const limits = request.limits ?? DEFAULT_INGEST_LIMITS;
  const { text, mode } = await bodyText(request.body, request);
  const items = prepareEvents(decodeText(text, mode, limits), { ...request, decodedWith: limits });
  return { items, fingerprint: () => contentHash(`${request.format ?? 'auto'}\n${mode}\n${text}`) };
}
