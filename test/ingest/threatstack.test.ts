import { describe, expect, it } from 'vitest';
import { adaptThreatStack } from '../../src/ingest/adapters/threatstack.ts';
import { expectValidEcs, fixture, thrown } from './helpers.ts';

describe('Threat Stack adapter', () => {
  it('normalizes an API event carrying every field of the Threat Stack table', () => {
    const adapted = adaptThreatStack(fixture('threatstack-api-event.json'));
    expectValidEcs(adapted);
    expect(adapted).toEqual({
      timestamp: Date.parse('2021-03-04T12:34:56.789Z'),
      producerId: '5f1c9a7e2b8d4c3a9e6f0b12',
      ecs: {
        'event.id': '5f1c9a7e2b8d4c3a9e6f0b12',
        'event.action': 'read',
        'event.outcome': 'success',
        'event.type': ['access'],
        message: '5d8f3c2a1b0e9f7a6c5d4e3b: GET : /v2/alerts',
        'user.id': '5d8f3c2a1b0e9f7a6c5d4e3b',
        'user.email': 'alice@example.com',
        'organization.id': '4c7e2a9b1d0f8e6a5b3c2d1e',
        'source.ip': '203.0.113.7',
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'url.original': 'https://api.threatstack.com/v2/alerts?status=active',
        'url.path': '/v2/alerts',
      },
    });
  });

  it('normalizes a failed Web login without context', () => {
    const adapted = adaptThreatStack({
      id: 'e1',
      user_email: 'bob@example.com',
      user_id: 'u1',
      organization_id: 'o1',
      crud: 'c',
      result: 'fail',
      action: 'user-login',
      source: 'Web',
      description: 'login',
      event_time: 1614861296789,
    });
    expectValidEcs(adapted);
    expect(adapted.timestamp).toBe(1614861296789);
    expect(adapted.ecs).toMatchObject({
      'event.outcome': 'failure',
      'event.type': ['creation'],
      'event.category': ['authentication'],
      'event.action': 'user-login',
    });
    expect(adapted.ecs['source.ip']).toBeUndefined();
  });

  it.each([
    ['c', 'creation'],
    ['r', 'access'],
    ['u', 'change'],
    ['d', 'deletion'],
    ['D', 'deletion'],
  ])('maps crud %s to event.type %s', (crud, type) => {
    expect(adaptThreatStack({ crud }).ecs['event.type']).toEqual([type]);
  });

  it.each([
    ['2021-03-04T12:34:56Z', Date.parse('2021-03-04T12:34:56Z')],
    ['2021-03-04 12:34:56', Date.parse('2021-03-04T12:34:56Z')],
    [1614861296, 1614861296000],
    ['1614861296789', 1614861296789],
  ])('accepts event_time %j', (eventTime, expected) => {
    expect(adaptThreatStack({ event_time: eventTime }).timestamp).toBe(expected);
  });

  it.each([
    [{ event_time: 'yesterday' }, 'event_time', '"yesterday" is not a timestamp (not a recognised date format)'],
    [{ event_time: 'NaN' }, 'event_time', '"NaN" is not a timestamp (not a recognised date format)'],
    [{ event_time: '9999-12-31T00:00:00Z' }, 'event_time', '"9999-12-31T00:00:00Z" is not a timestamp (outside the years 1970 to 2200)'],
  ])('keeps %j, saying why its timestamp is invalid (the event is not rejected for it)', (event, field, reason) => {
    const adapted = adaptThreatStack(event);
    expect(adapted.timestamp).toBeUndefined();
    expect(adapted.invalidTimestamp).toEqual({ field, reason });
  });

  it.each([
    [{ crud: 'x' }, 'crud: "x" is not one of c, r, u, d', 'crud'],
    [{ result: 'maybe' }, 'result: "maybe" is not pass or fail', 'result'],
    [{ context: 'ip=1.2.3.4' }, 'context: "ip=1.2.3.4" is not an object', 'context'],
    [{ context: { responseCode: 'OK' } }, 'context.responseCode: "OK" is not an HTTP status code', 'context.responseCode'],
    [{ context: { httpMethod: 'FETCH' } }, 'context.httpMethod: "FETCH" is not an HTTP method', 'context.httpMethod'],
    [{ id: { nested: true } }, 'id: {"nested":true} is not an event id', 'id'],
  ])('rejects %j naming the field', (event, message, field) => {
    const error = thrown(() => adaptThreatStack(event));
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field });
  });

  it('leaves user.email empty rather than store a value that is not an address', () => {
    expect(adaptThreatStack({ user_email: 'n/a' }).ecs['user.email']).toBeUndefined();
  });
});

describe('Threat Stack categories', () => {
  it.each([
    ['user-login', ['authentication']],
    ['user-login-sso', ['authentication']],
    ['user-promote', ['iam']],
    ['user-invite', ['iam']],
    ['aws-profile-update', ['configuration']],
    ['config-audit-suppression-create', ['configuration']],
    ['alert-dismiss', undefined],
  ])('%s → %j', (action, category) => {
    expect(adaptThreatStack({ action }).ecs['event.category']).toEqual(category);
  });
});
