import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ECS_FIELD_TYPES } from '../../src/events/field-types.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch/index.ts';
import { lifecyclePolicyBody, render, teamTemplateBody } from '../../src/store/elasticsearch/templates.ts';
import { cleanPrefix, makeEvent, uniquePrefix, useStore } from './harness.ts';
import { connectionOptions, describeElasticsearch } from '../support/elasticsearch.ts';

describe('index template rendering', () => {
  it('fills whole-string placeholders with typed values and leaves unknown ones', () => {
    expect(render({ a: '{{n}}', b: ['x-{{team}}-y'], c: '{{other}}', d: 3 }, { n: 0, team: 'a-b' })).toEqual({
      a: 0,
      b: ['x-a-b-y'],
      c: '{{other}}',
      d: 3,
    });
  });

  it('renders the ILM policy and the team template that names it (the path a cluster with ILM takes)', () => {
    const policy = lifecyclePolicyBody(90) as { policy: { phases: { delete: { min_age: string } }; _meta: { checksum: string } } };
    expect(policy.policy.phases.delete.min_age).toBe('90d');
    expect(policy.policy._meta.checksum).toMatch(/^[0-9a-f]{16}$/);
    expect((lifecyclePolicyBody(30) as typeof policy).policy._meta.checksum).not.toBe(policy.policy._meta.checksum);
    const template = teamTemplateBody({ prefix: 'auditlog', team: 'a-b' }, 'auditlog-retention-90d') as {
      index_patterns: string[];
      composed_of: string[];
      template: { settings: Record<string, unknown> };
    };
    expect(template.index_patterns).toEqual(['auditlog-a-b.*']);
    expect(template.composed_of).toEqual(['auditlog-settings', 'auditlog-ecs', 'auditlog-meta', 'auditlog-original']);
    expect(template.template.settings['index.lifecycle.name']).toBe('auditlog-retention-90d');
    expect((teamTemplateBody({ prefix: 'auditlog', team: 'a' }, null) as typeof template).template.settings).toEqual({});
  });

  it('keeps the ECS component readable by field-types.ts with its types', () => {
    expect(ECS_FIELD_TYPES.get('source.ip')).toBe('ip');
    expect(ECS_FIELD_TYPES.get('http.response.status_code')).toBe('long');
    expect(ECS_FIELD_TYPES.get('message')).toBe('text');
  });

  it('pins one Elasticsearch version for the test node and docker-compose', () => {
    const pinned = /^ELASTICSEARCH_VERSION=(\S+)$/m.exec(readFileSync('scripts/versions.env', 'utf8'))?.[1];
    expect(pinned).toMatch(/^9\.\d+\.\d+$/);
    const compose = readFileSync('docker-compose.yml', 'utf8');
    for (const m of compose.matchAll(/\$\{ELASTICSEARCH_VERSION:-([^}]+)\}/g)) expect(m[1]).toBe(pinned);
    expect(compose).toContain('${ELASTICSEARCH_VERSION');
  });
});

describeElasticsearch('Elasticsearch store: templates', () => {
  const ctx = useStore();

  it('installs the component templates once; a second start writes nothing', async () => {
    // connect() installed them; installing again finds the same checksums.
    expect(await ctx.store.installTemplates()).toEqual([]);
    const again = await ElasticsearchStore.connect({ ...connectionOptions(), prefix: ctx.prefix });
    expect(await again.installTemplates()).toEqual([]);
    await again.close();
    const components = await ctx.store.client.cluster.getComponentTemplate({ name: `${ctx.prefix}-*` });
    expect(components.component_templates.map((c) => c.name).sort()).toEqual(
      ['ecs', 'meta', 'original', 'settings'].map((n) => `${ctx.prefix}-${n}`),
    );
  });

  it('updates only the template whose content changed', async () => {
    const prefix = uniquePrefix();
    const first = await ElasticsearchStore.connect({ ...connectionOptions(), prefix, replicas: 0 });
    const second = await ElasticsearchStore.connect({ ...connectionOptions(), prefix, replicas: 1 });
    try {
      expect(await second.installTemplates()).toEqual([]);
      const settings = await second.client.cluster.getComponentTemplate({ name: `${prefix}-settings` });
      expect(settings.component_templates[0]?.component_template.template.settings?.index?.number_of_replicas).toBe('1');
      expect(await first.installTemplates()).toEqual([`${prefix}-settings`]);
    } finally {
      await cleanPrefix(first, prefix);
      await first.close();
      await second.close();
    }
  });

  it('gives a team index the settings and mappings of the components', async () => {
    await ctx.store.append('tmpl', [
      makeEvent('tmpl', { timestamp: Date.UTC(2026, 6, 1), original: { n: 200, b: true, s: 'x', d: '2026-01-01T00:00:00Z', o: { f: 1.5 } } }),
    ]);
    const index = `${ctx.prefix}-tmpl.2026.07`;
    const settings = (await ctx.store.client.indices.getSettings({ index }))[index]!.settings!.index!;
    expect(settings.number_of_shards).toBe('1');
    expect(settings.number_of_replicas).toBe('0');
    expect(settings.query?.default_field).toEqual(['auditlog.text']);
    const mapping = (await ctx.store.client.indices.getMapping({ index }))[index]!.mappings;
    const original = mapping.properties!.original as { subobjects?: boolean; properties: Record<string, { type?: string }> };
    // Every leaf of the original is a keyword field named by its whole path, whatever its JSON type (dates are not detected).
    expect(original.subobjects).toBe(false);
    for (const leaf of ['n', 'b', 's', 'd', 'o.f']) expect(original.properties[leaf]?.type).toBe('keyword');
    const index2 = await ctx.store.client.indices.getIndexTemplate({ name: `${ctx.prefix}-team-tmpl` });
    expect(index2.index_templates[0]?.index_template.index_patterns).toEqual([`${ctx.prefix}-tmpl.*`]);
  });

  it('finds original strings and numbers and normalized values as free text through auditlog.text', async () => {
    await ctx.store.append('text', [
      makeEvent('text', { ecs: { 'user.name': 'Ana', message: 'Password changed' }, original: { code: 4711, flag: false, note: 'Quick brown fox' } }),
    ]);
    const client = ctx.store.client;
    const hits = async (q: string) =>
      (await client.count({ index: `${ctx.prefix}-text.*`, query: { query_string: { query: q } } })).count;
    expect(await hits('4711')).toBe(1);
    // Booleans are not free text (the SQLite store's FTS holds strings and numbers only).
    expect(await hits('false')).toBe(0);
    expect(await hits('brown')).toBe(1);
    expect(await hits('ana')).toBe(1);
    expect(await hits('password')).toBe(1);
    expect(await hits('nomatch')).toBe(0);
  });
});
