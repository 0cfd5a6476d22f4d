/**
 * Field types of the normalized fields, read from index-templates/ so that both stores and
 * both compilers agree with the Elasticsearch mapping. Original fields have no fixed type:
 * they are keywords whose numeric-looking values also compare as numbers (see docs).
 */
import { readFileSync } from 'node:fs';
import { NORMALIZED_FIELD_NAMES, type NormalizedFieldName } from './event.ts';

export type FieldType = 'keyword' | 'text' | 'date' | 'ip' | 'long' | 'double' | 'boolean' | 'geo_point';

interface MappingNode {
  type?: string;
  properties?: Record<string, MappingNode>;
  fields?: Record<string, MappingNode>;
  copy_to?: string[];
}

const templatePath = new URL('../../index-templates/auditlog-ecs.component.json', import.meta.url);

function flattenMapping(properties: Record<string, MappingNode>, prefix = '', out = new Map<string, MappingNode>()) {
  for (const [name, node] of Object.entries(properties)) {
    const path = prefix + name;
    if (node.type) out.set(path, node);
    if (node.properties) flattenMapping(node.properties, `${path}.`, out);
  }
  return out;
}

const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
  template: { mappings: { properties: Record<string, MappingNode> } };
};

/** Every mapped ECS path (including `@timestamp` and `event.original`) → its type. */
const MAPPED = flattenMapping(template.template.mappings.properties);
export const ECS_FIELD_TYPES: ReadonlyMap<string, FieldType> = new Map([...MAPPED].map(([path, node]) => [path, node.type as FieldType]));

/**
 * The normalized fields whose values are also free text (`copy_to: auditlog.text`): not our
 * classification of the address (`source.ip_scope`) nor a point, which are no words of the event.
 */
export const FREE_TEXT_ECS_FIELDS: ReadonlySet<string> = new Set(
  [...MAPPED].filter(([, node]) => node.copy_to?.includes('auditlog.text')).map(([path]) => path),
);

for (const name of NORMALIZED_FIELD_NAMES) {
  if (!ECS_FIELD_TYPES.has(name)) throw new Error(`index-templates: normalized field ${name} has no mapping`);
}

export function normalizedFieldType(name: NormalizedFieldName): FieldType {
  return ECS_FIELD_TYPES.get(name)!;
}
