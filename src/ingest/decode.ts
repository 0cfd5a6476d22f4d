/**
 * Request body → events. Accepts one JSON object, a JSON array of objects, or NDJSON (one
 * object per line), optionally gzip/deflate/br-compressed. Whole-request problems (too
 * big, not JSON, unsupported encoding) throw; a problem with one event becomes an error
 * item for that event only, so the rest of a batch is kept.
 */
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib';
import { AppError, LimitExceededError, ValidationError } from '../errors.ts';
import type { JsonObject } from '../events/event.ts';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './limits.ts';
import { exceedsShape } from './shape.ts';

/**
 * One event of a body, in body order (`index` counts events from 0; blank NDJSON lines are
 * not events). `raw` is the event's exact source text: the NDJSON line, the array element
 * as written, or the whole body for a single object.
 */
export type DecodedItem = { index: number; value: JsonObject; raw: string } | { index: number; error: string };

export interface DecodeOptions {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  limits?: IngestLimits | undefined;
}

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/jsonlines',
  'application/x-jsonlines',
  'application/json-lines',
]);
// Sniffed as JSON or NDJSON: curl and many shippers send no type or text/plain.
const SNIFFED_TYPES = new Set(['application/json', 'text/json', 'text/plain', 'application/octet-stream']);

const DECOMPRESSORS: Record<string, (buf: Uint8Array, opts: ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress) as (buf: Uint8Array, opts: ZlibOptions) => Promise<Buffer>,
};

export async function decodeBody(body: Uint8Array, options: DecodeOptions = {}): Promise<DecodedItem[]> {
  const { text, mode } = await bodyText(body, options);
  return decodeText(text, mode, options.limits ?? DEFAULT_INGEST_LIMITS);
}

/**
 * The body as text (decompressed, UTF-8 checked) and how to read it: the first half of
 * decodeBody, for callers that need the text itself (an Idempotency-Key is bound to it).
 */
export async function bodyText(body: Uint8Array, options: DecodeOptions = {}): Promise<{ text: string; mode: 'sniff' | 'ndjson' }> {
  const limits = options.limits ?? DEFAULT_INGEST_LIMITS;
  const mode = bodyMode(options.contentType);
  if (body.byteLength > limits.maxBodyBytes) throw new LimitExceededError('request body size in bytes', limits.maxBodyBytes);
  const bytes = await decompress(body, options.contentEncoding, limits.maxBodyBytes);
  return { text: toText(bytes), mode };
}

/** Decode an already-decompressed body text (the CLI import reads files this way). */
export function decodeText(text: string, mode: 'sniff' | 'ndjson', limits: IngestLimits = DEFAULT_INGEST_LIMITS): DecodedItem[] {
  if (text.trim() === '') throw new ValidationError('request body is empty: send a JSON object, an array of objects or NDJSON');
  if (mode === 'ndjson') return decodeNdjson(text, limits, { fallback: false });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const lines = decodeAsNdjsonIfItLooksLikeIt(text, limits);
    if (lines) return lines;
    throw new ValidationError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length > limits.maxEvents) throw new LimitExceededError('number of events in one request', limits.maxEvents);
    const texts = arrayElementTexts(text, parsed.length);
    return parsed.map((value, index) => item(index, value, texts?.[index] ?? JSON.stringify(value), limits));
  }
  if (isObject(parsed)) return [item(0, parsed, text.trim(), limits)];
  throw new ValidationError(`request body must be a JSON object, an array of objects or NDJSON, not ${describe(parsed)}`);
}

function bodyMode(contentType: string | undefined): 'sniff' | 'ndjson' {
  if (contentType === undefined || contentType.trim() === '') return 'sniff';
  const [type = '', ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `charset ${charset} is not supported: send UTF-8`);
  }
  if (NDJSON_TYPES.has(type)) return 'ndjson';
  if (SNIFFED_TYPES.has(type) || type.endsWith('+json')) return 'sniff';
  throw new AppError(
    'UNSUPPORTED_MEDIA_TYPE',
    `content type ${type} is not supported: send application/json (an object or an array of objects) or application/x-ndjson`,
  );
}

async function decompress(body: Uint8Array, contentEncoding: string | undefined, maxBytes: number): Promise<Uint8Array> {
  // Several codings apply in the order listed, so they are undone from the last.
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity')
    .reverse();
  let bytes = body;
  for (const coding of codings) {
    const decompressor = DECOMPRESSORS[coding];
    if (!decompressor) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `content encoding ${coding} is not supported: use gzip, deflate or br`);
    }
    try {
      // maxOutputLength stops a decompression bomb after maxBytes, not after it has filled memory.
      bytes = await decompressor(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new LimitExceededError('request body size in bytes after decompression', maxBytes);
      }
      throw new ValidationError(`request body is not valid ${coding} data: ${(error as Error).message}`);
    }
  }
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValidationError('request body is not valid UTF-8 text');
  }
}

/**
 * With a JSON content type, a body that fails to parse as a whole is read as NDJSON when
 * its first line is a JSON object by itself: shippers label NDJSON as JSON all the time,
 * while a broken pretty-printed document never has a complete object on its first line.
 */
function decodeAsNdjsonIfItLooksLikeIt(text: string, limits: IngestLimits): DecodedItem[] | undefined {
  const firstLine = text.trimStart().split('\n', 1)[0]!.trim();
  if (!firstLine.startsWith('{') || firstLine.length === text.trim().length) return undefined;
  try {
    if (!isObject(JSON.parse(firstLine))) return undefined;
  } catch {
    return undefined;
  }
  return decodeNdjson(text, limits, { fallback: true });
}

function decodeNdjson(text: string, limits: IngestLimits, { fallback }: { fallback: boolean }): DecodedItem[] {
  const lines: Array<{ text: string; lineNumber: number }> = [];
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber++;
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.trim() === '') continue;
    if (lines.length === limits.maxEvents) throw new LimitExceededError('number of events in one request', limits.maxEvents);
    lines.push({ text: trimmed, lineNumber });
  }
  let parsedAny = false;
  let firstError = '';
  const items = lines.map(({ text: line, lineNumber: n }, index): DecodedItem => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      firstError ||= `line ${n}: ${(error as Error).message}`;
      return { index, error: `line ${n}: not valid JSON: ${(error as Error).message}` };
    }
    parsedAny = true;
    if (Array.isArray(value)) {
      return { index, error: `line ${n}: expected one JSON object per line, got an array (send arrays as application/json)` };
    }
    const decoded = item(index, value, line.trim(), limits);
    return 'error' in decoded ? { index, error: `line ${n}: ${decoded.error}` } : decoded;
  });
  if (!parsedAny && !fallback) throw new ValidationError(`request body is not NDJSON: ${firstError}`);
  return items;
}

function item(index: number, parsed: unknown, raw: string, limits: IngestLimits): DecodedItem {
  const value = OVERFLOW.test(raw) ? keepOverflowingNumbers(raw, parsed) : parsed;
  if (!isObject(value)) return { index, error: `expected a JSON object, got ${describe(value)}` };
  // At most 3 UTF-8 bytes per UTF-16 unit: the exact count (a scan) only when that bound is too big.
  if (raw.length * 3 > limits.maxEventBytes) {
    const size = Buffer.byteLength(raw, 'utf8');
    if (size > limits.maxEventBytes) {
      return { index, error: `event is ${size} bytes, more than the limit of ${limits.maxEventBytes}` };
    }
  }
  const excess = exceedsShape(value, limits);
  if (excess) return { index, error: excess };
  return { index, value, raw };
}

/** A number literal too large for a double (`1e400`, 309 digits): JSON.parse makes it Infinity. */
const OVERFLOW = /\d[eE]\+?\d{3}|\d{309}/;

/**
 * The value parsed again with each number JSON.parse turns into ±Infinity kept as its source
 * text (`"1e400"`): Infinity serialises as null, so the value sent would vanish from the stored
 * original (and from search) while the raw text still shows it. The test above also matches
 * such text inside strings; the second parse then changes nothing.
 */
function keepOverflowingNumbers(raw: string, parsed: unknown): unknown {
  try {
    return JSON.parse(raw, (_key, value: unknown, context?: { source?: string }) =>
      typeof value === 'number' && !Number.isFinite(value) && context?.source !== undefined ? context.source : value,
    );
  } catch {
    return parsed;
  }
}

/**
 * The source text of each element of a top-level JSON array, so that `raw` is what the
 * producer sent. `text` has already parsed, so a scan of strings and brackets is enough;
 * if the count disagrees with the parse, callers fall back to re-serialising.
 */
function arrayElementTexts(text: string, expected: number): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (depth === 1 && start < 0) start = i;
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
      if (depth === 0 && start >= 0) out.push(text.slice(start, i).trimEnd());
    } else if (depth === 1) {
      if (c === 0x2c /* , */) {
        out.push(text.slice(start, i).trimEnd());
        start = -1;
      } else if (start < 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) start = i;
    }
  }
  return out.length === expected ? out : undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}
