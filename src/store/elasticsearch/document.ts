/**
 * A StoredEvent as an Elasticsearch document and back (docs/elasticsearch.md, "Document"):
 * normalized ECS fields at their ECS paths, our metadata under `auditlog.*`, the original under
 * `original.*`, the raw text in `event.original` (stored, not indexed). Everything needed to
 * rebuild the StoredEvent is in `_source`.
 *
 * The original is indexed flat (`original: {"actor.user.email": …}`, see
 * auditlog-original.component.json) and kept exactly in `auditlog.original` (stored, never
 * parsed). When a document cannot be indexed as is (a value an ECS type cannot parse, the
 * field-count limit), the fields that cannot be indexed are left out of the indexed copy (the
 * normalized ones kept whole in `auditlog.unindexed.ecs`). So the event is stored, flagged
 * `mapping_conflict`, searchable by everything else, and returned whole.
 *
 * `auditlog.hash` is the content hash (events/identity.ts): a `create` that meets an existing id
 * compares it before calling the event a duplicate. Documents written before it existed are
 * compared by the hash of their `event.original` (storedContentHash).
 */
import {
  EventFlag,
  EventFormat,
  NORMALIZED_FIELD_NAMES,
  type JsonObject,
  type NormalizedFields,
  type StoredEvent,
  type TeamId,
} from '../../events/event.ts';
import { contentHash } from '../../events/identity.ts';

/** What to leave out of the indexed copy. `'*'` leaves out the whole original. */
export interface Pruning {
  original: Set<string> | '*';
  ecs: Set<string> | '*';
}

export const NO_PRUNING: Pruning = { original: new Set(), ecs: new Set() };

export function isPruned(p: Pruning): boolean {
  return p.original === '*' || p.original.size > 0 || p.ecs === '*' || p.ecs.size > 0;
}

type Doc = Record<string, unknown>;

function setPath(target: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next !== null && typeof next === 'object' && !Array.isArray(next)) node = next as Doc;
    else node = node[part] = {};
  }
  node[parts.at(-1)!] = value;
}

function getPath(source: Doc, path: string): unknown {
  let node: unknown = source;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Doc)[part];
  }
  return node;
}

function isObject(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whether a character is one String.prototype.trim removes (the same set as `\\s`). */
function isBlank(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * Whether a key, as part of a path, leaves every segment non-blank (Elasticsearch cannot name
 * a field `a..b`, `a.` or ``). A path is nameable exactly when each of its keys is, so the
 * check runs per key, without splitting: one scan, no allocation.
 */
function isNameableKey(key: string): boolean {
  let filled = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (!filled) return false;
      filled = false;
    } else if (!filled && !isBlank(c)) {
      filled = true;
    }
  }
  return filled;
}

/** Where paths stop being indexed (the defaults of flattenOriginal, which the search side uses). */
const MAX_DEPTH = 32;
const MAX_LEAVES = 10_000;

/**
 * The indexed copy of the original: one entry per leaf path (arrays of values where a path
 * repeats), nulls left out as Elasticsearch ignores them, and without the pruned paths.
 * The same walk as flattenOriginal (same leaves, order, depth and leaf bounds), filling the
 * copy directly instead of listing the leaves first: this runs for every event ingested.
 */
function flatOriginal(
  original: JsonObject,
  pruned: Set<string>,
): { flat: Doc; text: string[]; truncated: boolean; unnamable: boolean } {
  const flat: Doc = {};
  // Free text: every string and number leaf, as the SQLite store's FTS table holds them.
  const text: string[] = [];
  const checkPruned = pruned.size > 0;
  let leaves = 0;
  let truncated = false;
  let unnamable = false;
  const walk = (v: unknown, path: string, nameable: boolean, depth: number): void => {
    if (leaves >= MAX_LEAVES) {
      truncated = true;
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], path, nameable, depth);
      return;
    }
    if (v !== null && typeof v === 'object') {
      if (depth >= MAX_DEPTH) {
        truncated = true;
        return;
      }
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        // As in flattenOriginal, keys under an empty path vanish (`{"": {"a": 1}}` is `a`).
        if (path === '') walk((v as Doc)[k], k, isNameableKey(k), depth + 1);
        else walk((v as Doc)[k], `${path}.${k}`, nameable && isNameableKey(k), depth + 1);
      }
      return;
    }
    if (path === '') return;
    if (typeof v === 'string' || typeof v === 'number') text.push(String(v));
    else if (typeof v !== 'boolean' && v !== null) return;
    leaves++;
    if (v === null || (checkPruned && pruned.has(path))) return;
    if (!nameable) {
      unnamable = true;
      return;
    }
    const existing = flat[path];
    if (existing === undefined) flat[path] = v;
    else if (Array.isArray(existing)) existing.push(v);
    else flat[path] = [existing, v];
  };
  walk(original, '', true, 0);
  return { flat, text, truncated, unnamable };
}

/** ECS paths split once, not per event. */
const ECS_PARTS = new Map<string, string[]>([...NORMALIZED_FIELD_NAMES, 'event.original'].map((name) => [name, name.split('.')]));

function setEcs(doc: Doc, name: string, value: unknown): void {
  const parts = ECS_PARTS.get(name);
  if (parts === undefined) {
    setPath(doc, name, value);
    return;
  }
  let node = doc;
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    const part = parts[i]!;
    const next = node[part];
    if (next !== null && typeof next === 'object' && !Array.isArray(next)) node = next as Doc;
    else node = node[part] = {};
  }
  node[parts[last]!] = value;
}

const MS_PER_DAY = 86_400_000;
/** Years 0000-9999: what toISOString writes with four digits (others have a sign and six). */
const ISO_MIN = new Date('0000-01-01T00:00:00.000Z').getTime();
const ISO_MAX = Date.UTC(10_000, 0, 1);
let cachedDay = Number.NaN;
let cachedDayPrefix = '';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, which costs more than the rest of toDocument's own work:
 * events of a batch share a day, so the date part is formatted once per day and only the
 * time of day per event.
 */
function isoString(ms: number): string {
  if (!(ms >= ISO_MIN && ms < ISO_MAX) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDayPrefix = new Date(day * MS_PER_DAY).toISOString().slice(0, 11);
    cachedDay = day;
  }
  let rest = ms - day * MS_PER_DAY;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${cachedDayPrefix}${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** `hash`: the event's content hash (events/identity.ts), passed when the caller has it already. */
export function toDocument(event: StoredEvent, pruning: Pruning = NO_PRUNING, hash: string = contentHash(event.raw)): Doc {
  const doc: Doc = { '@timestamp': isoString(event.timestamp) };
  if (pruning.ecs !== '*') {
    const ecs = event.ecs as Record<string, unknown>;
    const prunedEcs = pruning.ecs.size > 0 ? pruning.ecs : null;
    for (const name in ecs) {
      if (!Object.hasOwn(ecs, name)) continue;
      const value = ecs[name];
      if (value !== undefined && (prunedEcs === null || !prunedEcs.has(name))) setEcs(doc, name, value);
    }
  }
  setEcs(doc, 'event.original', event.raw);
  let text: string[] = [];
  let truncated = false;
  let unnamable = false;
  if (pruning.original !== '*') {
    const flattened = flatOriginal(event.original, pruning.original);
    text = flattened.text;
    truncated = flattened.truncated;
    unnamable = flattened.unnamable;
    doc.original = flattened.flat;
  }
  const flags = withoutRepeats(event.flags);
  if (truncated && !flags.includes('fields_truncated')) flags.push('fields_truncated');
  if ((unnamable || isPruned(pruning)) && !flags.includes('mapping_conflict')) flags.push('mapping_conflict');
  const auditlog: Doc = {
    id: event.id,
    team: event.team,
    received: isoString(event.received),
    format: event.format,
    flags,
    original: event.original,
    hash,
  };
  if (text.length > 0) auditlog.text = text;
  if (pruning.ecs === '*' || pruning.ecs.size > 0) auditlog.unindexed = { ecs: event.ecs };
  doc.auditlog = auditlog;
  return doc;
}

/** A copy in first-seen order without repeats, as `[...new Set(flags)]`, without the Set. */
function withoutRepeats(flags: readonly string[]): string[] {
  for (let i = 1; i < flags.length; i++) {
    if (flags.indexOf(flags[i]!) < i) return [...new Set(flags)];
  }
  return flags.slice();
}

function epochMs(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
    if (/^-?\d+$/.test(value)) return Number(value);
  }
  return 0;
}

/** Rebuilds the StoredEvent from `_source`. Tolerates missing parts rather than failing a page. */
export function fromSource(source: Doc, team: TeamId): StoredEvent {
  const meta = isObject(source.auditlog) ? source.auditlog : {};
  const unindexed = isObject(meta.unindexed) ? meta.unindexed : {};
  let ecs: NormalizedFields;
  if (isObject(unindexed.ecs)) {
    ecs = unindexed.ecs as NormalizedFields;
  } else {
    const out: Record<string, unknown> = {};
    for (const name of NORMALIZED_FIELD_NAMES) {
      const value = getPath(source, name);
      if (value !== undefined && value !== null) out[name] = value;
    }
    ecs = out as NormalizedFields;
  }
  const original = isObject(meta.original) ? meta.original : {};
  const format = EventFormat.safeParse(meta.format);
  const flags = Array.isArray(meta.flags) ? meta.flags.filter((f) => EventFlag.safeParse(f).success) : [];
  const raw = getPath(source, 'event.original');
  return {
    id: String(meta.id ?? ''),
    team,
    timestamp: epochMs(source['@timestamp']),
    received: epochMs(meta.received),
    format: format.success ? format.data : 'generic',
    flags: flags as StoredEvent['flags'],
    ecs,
    original: original as JsonObject,
    raw: typeof raw === 'string' ? raw : JSON.stringify(original),
  };
}

/**
 * The field a mapping error names, when it names one we can leave out:
 * `failed to parse field [original.user] of type [keyword]` (an object where a value is mapped),
 * `object mapping for [original.user] tried to parse field [user] as object, but found a concrete value`,
 * `failed to parse field [source.ip] of type [ip]`,
 * `[copy_to] may not be used to copy from a multi-field: [original.a.b]` (one event with both
 * a leaf `a` and a leaf `a.b`, from a mixed array or a dotted key).
 */
export function conflictingField(reason: string): { part: 'original' | 'ecs'; path: string } | null {
  const m =
    /multi-field: \[([^\]]+)\]/.exec(reason) ??
    /Existing mapping for \[([^\]]+)\]/.exec(reason) ??
    /(?:failed to parse field|object mapping for|object mapping \[|can't merge a non object mapping|mapper) \[?([^\]\s]+)\]/.exec(reason);
  if (!m) return null;
  const field = m[1]!;
  if (field.startsWith('original.')) return { part: 'original', path: field.slice('original.'.length) };
  const ecs = (NORMALIZED_FIELD_NAMES as string[]).find((n) => field === n || field.startsWith(`${n}.`));
  return ecs ? { part: 'ecs', path: ecs } : null;
}

/**
 * The content hash of a stored document from its `_source` (with at least `auditlog.hash` and
 * `event.original`): the stored hash, or for documents written before there was one, the hash
 * of their raw text. Undefined when the document has neither (not written by auditlog).
 */
export function storedContentHash(source: Doc | undefined): string | undefined {
  if (source === undefined) return undefined;
  const meta = isObject(source.auditlog) ? source.auditlog : {};
  if (typeof meta.hash === 'string') return meta.hash;
  const raw = getPath(source, 'event.original');
  return typeof raw === 'string' ? contentHash(raw) : undefined;
}
