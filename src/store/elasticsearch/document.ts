/**
 * A StoredEvent as an Elasticsearch document and back (docs/elasticsearch.md, "Document"):
 * normalized ECS fields at their ECS paths, our metadata under `auditlog.*`, the original under
 * `original.*`, the raw text in `event.original` (stored, not indexed). Everything needed to
 * rebuild the StoredEvent is in `_source`.
 *
 * When a document cannot be indexed as is (a mapping conflict or limit), the parts that cannot
 * be indexed move to `auditlog.unindexed` (mapped `enabled: false`: kept, never parsed), so the
 * event is stored, flagged `mapping_conflict`, and still returned whole.
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

/** 0: everything indexed; 1: the original unindexed; 2: the original and normalized fields unindexed. */
export type IndexLevel = 0 | 1 | 2;

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

export function toDocument(event: StoredEvent, level: IndexLevel): Doc {
  const flags = level > 0 && !event.flags.includes('mapping_conflict') ? [...event.flags, 'mapping_conflict'] : event.flags;
  const unindexed: Doc = {};
  const doc: Doc = { '@timestamp': new Date(event.timestamp).toISOString() };
  if (level < 2) {
    for (const [name, value] of Object.entries(event.ecs)) if (value !== undefined) setPath(doc, name, value);
  } else {
    unindexed.ecs = event.ecs;
  }
  setPath(doc, 'event.original', event.raw);
  if (level < 1) doc.original = event.original;
  else unindexed.original = event.original;
  doc.auditlog = {
    id: event.id,
    team: event.team,
    received: new Date(event.received).toISOString(),
    format: event.format,
    flags,
    ...(level > 0 ? { unindexed } : {}),
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

function isObject(v: unknown): v is Doc {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Rebuilds the StoredEvent from `_source`. Tolerates missing parts rather than failing a page. */
export function fromSource(source: Doc, team: TeamId): StoredEvent {
  const meta = isObject(source.auditlog) ? source.auditlog : {};
  const unindexed = isObject(meta.unindexed) ? meta.unindexed : {};
  let ecs: NormalizedFields = {};
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
  const original = isObject(source.original) ? source.original : isObject(unindexed.original) ? unindexed.original : {};
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
