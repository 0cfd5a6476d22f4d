/**
 * The original field paths of one team, from the mappings of its indices (`_field_caps` over
 * the team's index pattern): every leaf under `original.*` that a document of the team ever
 * added, whatever the period. One small request; no document is read.
 */
import type { Client } from '@elastic/elasticsearch';
import type { FieldType } from '../../events/field-types.ts';
import type { OriginalField } from '../interface.ts';

const PREFIX = 'original.';

export async function listOriginalFields(client: Client, index: string, team: string): Promise<OriginalField[]> {
  const response = await client.fieldCaps({
    index,
    fields: [`${PREFIX}*`],
    ignore_unavailable: true,
    allow_no_indices: true,
    // Leaves only: `original` itself is an object (subobjects: false keeps every path a leaf).
    filters: '-metadata,-parent,-nested,-multifield',
    // Indices under the team's pattern that hold no document of the team (made by hand) are left out.
    index_filter: { term: { 'auditlog.team': team } },
  });
  const fields: OriginalField[] = [];
  for (const [name, byType] of Object.entries(response.fields)) {
    if (!name.startsWith(PREFIX)) continue;
    const type = Object.keys(byType)[0];
    if (type === undefined) continue;
    fields.push({ path: name.slice(PREFIX.length), type: type as FieldType });
  }
  return fields.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
