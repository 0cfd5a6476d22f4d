import { describe, expect, it } from 'vitest';
import { adapt, detectFormat } from '../../src/ingest/adapters/index.ts';
import { fixture } from './helpers.ts';

describe('detectFormat', () => {
  it.each([
    ['coralogix-log-example.json', 'coralogix'],
    ['threatstack-api-event.json', 'threatstack'],
    ['bigpanda-event.json', 'bigpanda'],
  ] as const)('%s is %s', (file, format) => {
    expect(detectFormat(fixture(file))).toBe(format);
  });

  it.each([
    [{ '@timestamp': '2025-01-01T00:00:00Z', 'ecs.version': '1.12.2', message: 'm' }, 'ecs'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', event: { action: 'login' } }, 'ecs'],
    [{ '@timestamp': '2025-01-01T00:00:00Z', 'event.category': ['iam'] }, 'ecs'],
    // GitHub exports carry @timestamp without any ECS field.
    [{ '@timestamp': 1685465626150, action: 'org.block_user', actor: 'octocat' }, 'generic'],
    // Zscaler nests event.action but has no @timestamp.
    [{ event: { action: 'UPDATE', time: 'Tue Oct 22 22:10:28 2024' } }, 'generic'],
    // Look-alikes of the seed formats that lack the fields only that format has together.
    [{ action_details: { ip: '1.2.3.4' } }, 'generic'],
    [{ crud: 'c', result: 'pass' }, 'generic'],
    [{ resource_type: 'user', action_type: 'create', actor: { type: 'admin' } }, 'generic'],
    [{ action_type: 'create', actor: { type: 'user' } }, 'generic'],
    [{}, 'generic'],
  ] as const)('%j is %s', (event, format) => {
    expect(detectFormat(event)).toBe(format);
  });

  it('dispatches to the adapter of the given format', () => {
    const event = fixture('threatstack-api-event.json');
    expect(adapt(event, 'threatstack').ecs['event.type']).toEqual(['access']);
    expect(adapt(event, 'generic').ecs['event.type']).toBeUndefined();
  });
});
