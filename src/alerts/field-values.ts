/**
 * The values of one field in a stored event, rendered as facets render them (strings), so
 * grouping fetched events in memory gives the same groups as a facets call on the store.
 * Resolution follows resolveField: normalized ECS name, auditlog.* metadata, else a path
 * into the original (array elements each count, as in Elasticsearch).
 */
import type { StoredEvent } from '../events/event.ts';
import { flattenOriginal, resolveField } from '../events/fields.ts';

export function valuesOf(event: StoredEvent, field: string): string[] {
  const resolved = resolveField(field);
  switch (resolved.kind) {
    case 'timestamp':
      return [String(event.timestamp)];
    case 'normalized': {
      const v = event.ecs[resolved.name];
      if (v === undefined) return [];
      return Array.isArray(v) ? v.map(String) : [String(v)];
    }
    case 'meta':
      switch (resolved.name) {
        case 'auditlog.id':
          return [event.id];
        case 'auditlog.format':
          return [event.format];
        case 'auditlog.flags':
          return event.flags;
        case 'auditlog.received':
          return [String(event.received)];
      }
      return [];
    case 'original': {
      const out: string[] = [];
      for (const [path, value] of flattenOriginal(event.original).leaves) {
        if (path === resolved.path && value !== null) out.push(String(value));
      }
      return [...new Set(out)];
    }
  }
}
