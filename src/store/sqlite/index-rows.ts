/**
 * What one event contributes to the `fields` index. The same function serves append and
 * retention (which deletes exactly the rows it recomputes), so it must stay deterministic.
 */
import type { StoredEvent } from '../../events/event.ts';
import { flattenOriginal } from '../../events/fields.ts';
import { ECS_FIELD_TYPES } from '../../events/field-types.ts';
import { originalKey } from './compile-sql.ts';
import { ipKey } from '../../query/ip.ts';

const ORIGINAL_IGNORE_ABOVE = 8191;

export type FieldRow = [path: string, value: string | number];

export function fieldRows(event: Pick<StoredEvent, 'original' | 'ecs' | 'format' | 'flags'>): {
  rows: FieldRow[];
  originalPaths: Set<string>;
} {
  const rows: FieldRow[] = [];
  const originalPaths = new Set<string>();
  for (const [path, v] of flattenOriginal(event.original).leaves) {
    // Like Elasticsearch, a null is not a value: neither found by a term nor by _exists_.
    if (v === null) continue;
    const key = originalKey(path);
    originalPaths.add(key);
    const value = String(v);
    // auditlog-original.component.json: ignore_above 8191, so a longer value is kept (and
    // free text) but not a value of its field, as in Elasticsearch.
    if (value.length > ORIGINAL_IGNORE_ABOVE) continue;
    rows.push([key, value]);
  }
  for (const [name, v] of Object.entries(event.ecs)) {
    const type = ECS_FIELD_TYPES.get(name);
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined || item === null) continue;
      if (type === 'ip') {
        const key = ipKey(String(item));
        if (key !== null) rows.push([name, key]);
      } else if (type === 'geo_point') {
        // Only `_exists_` reads a point (src/query/fields.ts geoPointQueryError); the row says it is there.
        const { lat, lon } = item as { lat: number; lon: number };
        rows.push([name, `${lat},${lon}`]);
      } else if (type === 'long') {
        if (typeof item === 'number' && Number.isInteger(item)) rows.push([name, item]);
      } else {
        rows.push([name, String(item)]);
      }
    }
  }
  rows.push(['auditlog.format', event.format]);
  for (const flag of event.flags) rows.push(['auditlog.flags', flag]);
  return { rows, originalPaths };
}
