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
 */
import { flattenOriginal } from '../../events/fields.ts';
import {
  EventFlag,
  EventFormat,
  NORMALIZED_FIELD_NAMES,
  type JsonObject,
  type NormalizedFields,
  type StoredEvent,
  type TeamId,
} from '../../events/event.ts';

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

/** A path Elasticsearch can name a field by: no empty segment (`a..b`, `a.`, ``). */
function isFieldName(path: string): boolean {
  return path.split('.').every((segment) => segment.trim() !== '');
}

/**
 * The indexed copy of the original: one entry per leaf path (arrays of values where a path
 * repeats), nulls left out as Elasticsearch ignores them, and without the pruned paths.
 */
function flatOriginal(
  original: JsonObject,
  pruned: Set<string>,
): { flat: Doc; text: string[]; truncated: boolean; unnamable: boolean } {
  const { leaves, truncated } = flattenOriginal(original);
  const flat: Doc = {};
  // Free text: every string and number leaf, as the SQLite store's FTS table holds them.
  const text: string[] = [];
  let unnamable = false;
  for (const [path, value] of leaves) {
    if (typeof value === 'string' || typeof value === 'number') text.push(String(value));
    if (value === null || pruned.has(path)) continue;
    if (!isFieldName(path)) {
      unnamable = true;
      continue;
    }
    const existing = flat[path];
    if (existing === undefined) flat[path] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else flat[path] = [existing, value];
  }
  return { flat, text, truncated, unnamable };
}

export function toDocument(event: StoredEvent, pruning: Pruning = NO_PRUNING): Doc {
  const flags = new Set(event.flags);
  const doc: Doc = { '@timestamp': new Date(event.timestamp).toISOString() };
  if (pruning.ecs !== '*') {
    for (const [name, value] of Object.entries(event.ecs)) {
      if (value !== undefined && !pruning.ecs.has(name)) setPath(doc, name, value);
    }
  }
  setPath(doc, 'event.original', event.raw);
  let text: string[] = [];
  if (pruning.original !== '*') {
    const flattened = flatOriginal(event.original, pruning.original);
    const { flat, truncated, unnamable } = flattened;
    text = flattened.text;
    doc.original = flat;
    if (truncated) flags.add('fields_truncated');
    if (unnamable) flags.add('mapping_conflict');
  }
  if (isPruned(pruning)) flags.add('mapping_conflict');
  doc.auditlog = {
    id: event.id,
    team: event.team,
    received: new Date(event.received).toISOString(),
    format: event.format,
    flags: [...flags],
    original: event.original,
    ...(text.length > 0 ? { text } : {}),
    ...(pruning.ecs === '*' || pruning.ecs.size > 0 ? { unindexed: { ecs: event.ecs } } : {}),
  };
  return doc;
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
