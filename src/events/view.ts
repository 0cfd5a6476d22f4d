/**
 * An event as every reader outside the store sees it (the API, exports, outbound streams, the
 * CLI): times as ISO 8601 text, the normalized and the original fields, and the raw text when
 * asked. One shape, so a line of an export, of a stream and of a search answer read alike.
 */
import type { StoredEvent } from './event.ts';

export function eventView(e: StoredEvent, { withRaw = false } = {}) {
  return {
    id: e.id,
    '@timestamp': new Date(e.timestamp).toISOString(),
    received: new Date(e.received).toISOString(),
    format: e.format,
    flags: e.flags,
    normalized: e.ecs,
    original: e.original,
    ...(withRaw ? { raw: e.raw } : {}),
  };
}
