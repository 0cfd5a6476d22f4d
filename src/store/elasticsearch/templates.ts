/**
 * The index templates in index-templates/ (the single source of field types), rendered and
 * installed idempotently: each installed body carries a checksum in `_meta`, and a template is
 * written only when the cluster's copy differs, so every start-up of every instance may call
 * this safely and a changed file reaches the cluster on the next start.
 *
 * Placeholders are `{{name}}` strings in the JSON. They are substituted in the parsed object
 * (never in JSON text), and a string that is exactly one placeholder takes the value's type, so
 * `"{{replicas}}"` becomes the number 0.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client, estypes } from '@elastic/elasticsearch';

const dir = new URL('../../../index-templates/', import.meta.url);

export const COMPONENTS = ['settings', 'ecs', 'meta', 'original'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Vars = Record<string, string | number>;

function load(file: string): Json {
  return JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Json;
}

export function render(value: Json, vars: Vars): Json {
  if (typeof value === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(value);
    if (whole && whole[1]! in vars) return vars[whole[1]!]!;
    return value.replace(/\{\{(\w+)\}\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  }
  if (Array.isArray(value)) return value.map((v) => render(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, vars)]));
  }
  return value;
}

function checksum(body: Json): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
}

type Body = { [key: string]: Json };

function withChecksum(body: Body): Body {
  const meta = (body._meta ?? {}) as Body;
  return { ...body, _meta: { ...meta, managed_by: 'auditlog', checksum: checksum(body) } };
}

export function componentBody(name: ComponentName, vars: Vars): Body {
  return withChecksum(render(load(`auditlog-${name}.component.json`), vars) as Body);
}

/** The mapped properties of the metadata component (auditlog.*), to add to indices made before a field existed. */
export function metaProperties(): Record<string, estypes.MappingProperty> {
  const body = load('auditlog-meta.component.json') as unknown as { template: { mappings: { properties: Record<string, estypes.MappingProperty> } } };
  return body.template.mappings.properties;
}

export function teamTemplateBody(vars: Vars, lifecyclePolicy: string | null): Body {
  const body = render(load('auditlog-team.index-template.json'), vars) as Body;
  if (lifecyclePolicy) {
    const template = (body.template ?? {}) as Body;
    const settings = (template.settings ?? {}) as Body;
    body.template = { ...template, settings: { ...settings, 'index.lifecycle.name': lifecyclePolicy } };
  }
  return withChecksum(body);
}

export function lifecyclePolicyBody(retentionDays: number): Body {
  const body = render(load('auditlog-retention.ilm-policy.json'), { retention: `${retentionDays}d` }) as Body;
  const policy = body.policy as Body;
  return { policy: withChecksum(policy) };
}

function installedChecksum(meta: unknown): unknown {
  return meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>).checksum : undefined;
}

/** True when it wrote the template. */
export async function installComponent(client: Client, name: string, body: Body): Promise<boolean> {
  const existing = await client.cluster.getComponentTemplate({ name }, { ignore: [404] });
  const current = existing.component_templates?.[0]?.component_template._meta;
  if (installedChecksum(current) === installedChecksum(body._meta)) return false;
  await client.cluster.putComponentTemplate({ name, ...(body as object) } as Parameters<Client['cluster']['putComponentTemplate']>[0]);
  return true;
}

export async function installIndexTemplate(client: Client, name: string, body: Body): Promise<boolean> {
  const existing = await client.indices.getIndexTemplate({ name }, { ignore: [404] });
  const current = existing.index_templates?.[0]?.index_template._meta;
  if (installedChecksum(current) === installedChecksum(body._meta)) return false;
  await client.indices.putIndexTemplate({ name, ...(body as object) } as Parameters<Client['indices']['putIndexTemplate']>[0]);
  return true;
}

export async function installLifecyclePolicy(client: Client, name: string, body: Body): Promise<boolean> {
  const existing = (await client.ilm.getLifecycle({ name }, { ignore: [404] })) as Record<string, { policy?: { _meta?: unknown } }>;
  const current = existing[name]?.policy?._meta;
  if (installedChecksum(current) === installedChecksum((body.policy as Body)._meta)) return false;
  await client.ilm.putLifecycle({ name, ...(body as object) } as Parameters<Client['ilm']['putLifecycle']>[0]);
  return true;
}
