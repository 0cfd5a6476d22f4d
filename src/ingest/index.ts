/**
 * The ingest pipeline as pure functions: body → decoded items → prepared events. No HTTP
 * and no store here; the caller appends the prepared events and acknowledges per index.
 */
import type { EventFormat, TeamId } from '../events/event.ts';
import { decodeBody } from './decode.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { prepareEvents, type PreparedItem } from './prepare.ts';

export { decodeBody, decodeText, type DecodedItem, type DecodeOptions } from './decode.ts';
export { prepareEvents, type PreparedItem, type PrepareContext } from './prepare.ts';
export { IngestLimits, DEFAULT_INGEST_LIMITS } from './limits.ts';
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
  limits?: IngestLimits | undefined;
}

/**
 * Decode and prepare one request body. Throws for the request as a whole (ValidationError,
 * LimitExceededError, UNSUPPORTED_MEDIA_TYPE); returns one item per event otherwise, each
 * a StoredEvent or that event's rejection reason.
 */
export async function ingestBody(request: IngestRequest): Promise<PreparedItem[]> {
  const items = await decodeBody(request.body, request);
  return prepareEvents(items, { ...request, decodedWith: request.limits ?? DEFAULT_INGEST_LIMITS });
}
