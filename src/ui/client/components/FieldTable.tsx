/**
 * An event's fields, one row per value: the normalized ECS fields or the original's paths. Each
 * value can be added as a filter, excluded, or copied as a query clause; an actor value leads
 * to that actor's history.
 */
import { useState } from 'preact/hooks';
import { ACTOR_FIELDS, originalFieldName, originalLeaves, UNFILTERABLE_FIELDS, valueText } from '../../../events/columns.ts';
import type { ApiEvent } from '../api.ts';
import { clauseFor } from '../query-edit.ts';
import { href } from '../router.ts';

export function normalizedRows(e: ApiEvent): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(e.normalized).sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const item of Array.isArray(v) ? v : [v]) rows.push([k, valueText(item)]);
  }
  return rows;
}

export function originalRows(e: ApiEvent): Array<[string, string]> {
  return originalLeaves(e.original)
    .filter(([, v]) => v !== null)
    .map(([p, v]) => [originalFieldName(p), String(v)]);
}

export function metaRows(e: ApiEvent): Array<[string, string]> {
  return [
    ['auditlog.id', e.id],
    ['auditlog.received', e.received],
    ['auditlog.format', e.format],
    ...e.flags.map((f): [string, string] => ['auditlog.flags', f]),
  ];
}

export interface FieldTableProps {
  rows: Array<[string, string]>;
  onFilter: (field: string, value: string, exclude: boolean) => void;
  label: string;
}

export function FieldTable({ rows, onFilter, label }: FieldTableProps) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (text: string, key: string) => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (insecure context): show the text so it can be copied by hand.
      window.prompt('Copy the query clause', text);
    }
    setCopied(key);
    setTimeout(() => setCopied((c) => (c === key ? null : c)), 1500);
  };
  return (
    <table class="fieldtable" aria-label={label}>
      <tbody>
        {rows.map(([field, value], i) => {
          const key = `${field}\u0000${value}\u0000${i}`;
          const clause = clauseFor(field, value);
          return (
            <tr key={key} data-field={field}>
              <th scope="row" class="mono">
                {field}
              </th>
              <td class="value mono">
                <span class="v">{value}</span>
                {(ACTOR_FIELDS as readonly string[]).includes(field) && (
                  <a class="pill" href={href('/history', { field, value })} title={`Everything ${value} did`}>
                    history
                  </a>
                )}
              </td>
              <td class="actions">
                {!UNFILTERABLE_FIELDS.has(field) && (
                  <>
                    <button type="button" class="icon" title={`Filter: ${clause}`} aria-label={`Filter on ${field}`} onClick={() => onFilter(field, value, false)}>
                      +
                    </button>
                    <button type="button" class="icon" title={`Exclude: NOT ${clause}`} aria-label={`Exclude ${field}`} onClick={() => onFilter(field, value, true)}>
                      −
                    </button>
                    <button type="button" class="icon copy" title={`Copy as query: ${clause}`} aria-label={`Copy ${field} as query`} onClick={() => copy(clause, key)}>
                      {copied === key ? '✓' : '⧉'}
                    </button>
                  </>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
