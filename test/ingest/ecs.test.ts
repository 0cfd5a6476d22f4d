import { describe, expect, it } from 'vitest';
import { adaptEcs } from '../../src/ingest/adapters/ecs.ts';
import { expectValidEcs, thrown } from './helpers.ts';

const NESTED = {
  '@timestamp': '2025-11-21T13:55:09.111222333Z',
  ecs: { version: '8.11.0' },
  event: { action: 'user-login', outcome: 'failure', category: ['authentication'], type: 'start', id: 'evt-1', provider: 'sshd' },
  user: { id: '1001', name: 'alice', email: 'alice@example.com' },
  organization: { id: 'org-1', name: 'Example' },
  source: { ip: '::ffff:192.0.2.10', geo: { country_iso_code: 'FR', city_name: 'Paris' } },
  user_agent: { original: 'curl/8.0' },
  http: { request: { method: 'post' }, response: { status_code: '401' } },
  url: { path: '/login', original: 'https://example.com/login' },
  message: 'login failed',
};

describe('ECS adapter', () => {
  it('copies nested ECS fields, checked and converted to their types', () => {
    const adapted = adaptEcs(NESTED);
    expectValidEcs(adapted);
    expect(adapted).toEqual({
      timestamp: Date.parse('2025-11-21T13:55:09.111Z'),
      producerId: 'evt-1',
      ecs: {
        'event.action': 'user-login',
        'event.outcome': 'failure',
        'event.category': ['authentication'],
        'event.type': ['start'],
        'event.id': 'evt-1',
        'event.provider': 'sshd',
        message: 'login failed',
        'user.id': '1001',
        'user.name': 'alice',
        'user.email': 'alice@example.com',
        'organization.id': 'org-1',
        'organization.name': 'Example',
        'source.ip': '192.0.2.10',
        'source.geo.country_iso_code': 'FR',
        'source.geo.city_name': 'Paris',
        'user_agent.original': 'curl/8.0',
        'http.request.method': 'POST',
        'http.response.status_code': 401,
        'url.path': '/login',
        'url.original': 'https://example.com/login',
      },
    });
  });

  it('reads dotted keys and a mix of dotted and nested keys the same way', () => {
    const dotted = adaptEcs({ '@timestamp': 1700000000000, 'event.action': 'x', 'user.name': 'bob', source: { ip: '10.0.0.1' } });
    expect(dotted).toEqual({ timestamp: 1700000000000, ecs: { 'event.action': 'x', 'user.name': 'bob', 'source.ip': '10.0.0.1' } });
    const mixed = adaptEcs({ '@timestamp': 1700000000000, event: { 'action': 'x' }, 'user': { 'name': 'bob' }, 'source.ip': '10.0.0.1' });
    expect(mixed).toEqual(dotted);
  });

  it('takes client.ip when there is no source.ip, and ignores a hostname there', () => {
    expect(adaptEcs({ client: { ip: '10.0.0.2' } }).ecs['source.ip']).toBe('10.0.0.2');
    expect(adaptEcs({ source: { ip: 'host.example' } }).ecs['source.ip']).toBeUndefined();
  });

  it('copies a Keycloak-style JSON log with dotted keys', () => {
    const adapted = adaptEcs({
      '@timestamp': '2025-11-21T13:55:09.111222333Z',
      'event.sequence': 4420,
      'log.logger': 'org.keycloak.events',
      message: 'type="LOGIN_ERROR", ipAddress="198.51.100.123"',
      'ecs.version': '1.12.2',
    });
    expectValidEcs(adapted);
    expect(adapted.ecs).toEqual({ message: 'type="LOGIN_ERROR", ipAddress="198.51.100.123"' });
  });

  it.each([
    [{ '@timestamp': 'soon' }, '@timestamp', '"soon" is not a timestamp (not a recognised date format)'],
    [{ '@timestamp': '0000-01-01T00:00:00Z' }, '@timestamp', '"0000-01-01T00:00:00Z" is not a timestamp (outside the years 1970 to 2200)'],
  ])('keeps %j, saying why its timestamp is invalid (the event is not rejected for it)', (event, field, reason) => {
    const adapted = adaptEcs(event);
    expect(adapted.timestamp).toBeUndefined();
    expect(adapted.invalidTimestamp).toEqual({ field, reason });
  });

  it.each([
    [{ event: { outcome: 'ok' } }, 'event.outcome: "ok" is not success, failure or unknown', 'event.outcome'],
    [{ event: { category: [1] } }, 'event.category: [1] is not a string or a list of strings', 'event.category'],
    [{ http: { response: { status_code: 'fine' } } }, 'http.response.status_code: "fine" is not an HTTP status code', 'http.response.status_code'],
    [{ user: { name: { first: 'a' } } }, 'user.name: {"first":"a"} is not a string', 'user.name'],
  ])('rejects %j naming the field', (event, message, field) => {
    const error = thrown(() => adaptEcs(event));
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field });
  });
});
