import { describe, expect, it } from 'vitest';
import { adaptCoralogix } from '../../src/ingest/adapters/coralogix.ts';
import { expectValidEcs, fixture, thrown } from './helpers.ts';

describe('Coralogix adapter', () => {
  it('normalizes the log example of the Coralogix Audit Trail page', () => {
    const adapted = adaptCoralogix(fixture('coralogix-log-example.json'));
    expectValidEcs(adapted);
    expect(adapted).toEqual({
      timestamp: 1631256697042,
      ecs: {
        'event.action': 'POST:/api/v1/logquery',
        'event.outcome': 'success',
        message: 'get tags',
        'user.id': 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
        'user.name': 'xxxxx@xxxx.xxx',
        'user.email': 'xxxxx@xxxx.xxx',
        'organization.id': '8868',
        'organization.name': 'cs-test-medium',
        'source.ip': '10.1.2.3',
        'user_agent.original':
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.159 Safari/537.36 Edg/92.0.902.84',
        'http.request.method': 'POST',
        'url.path': '/api/v1/logquery',
        'http.response.status_code': 200,
      },
    });
  });

  it('splits a login action into method and path and keeps the whole as event.action', () => {
    const event = fixture('coralogix-log-example.json');
    (event.action_details as any).operation = { action: 'POST:/api/v1/user/login' };
    (event.action_details as any).result = { succeeded: false, status_code: 401 };
    const { ecs } = adaptCoralogix(event);
    expect(ecs).toMatchObject({
      'event.action': 'POST:/api/v1/user/login',
      'http.request.method': 'POST',
      'url.path': '/api/v1/user/login',
      'event.outcome': 'failure',
      'http.response.status_code': 401,
    });
  });

  it('keeps a non-HTTP action whole, without method or path', () => {
    const { ecs } = adaptCoralogix({ action_details: { operation: { action: 'team-switch' } }, action_start_timestamp: 1631256697042 });
    expect(ecs).toEqual({ 'event.action': 'team-switch' });
  });

  it('keeps a plain IPv4 and IPv6 address, and leaves a non-address out', () => {
    const ip = (address: string) => adaptCoralogix({ action_details: { ip_address: address } }).ecs['source.ip'];
    expect(ip('10.9.8.7')).toBe('10.9.8.7');
    expect(ip('2001:DB8::1')).toBe('2001:db8::1');
    expect(ip('unknown')).toBeUndefined();
  });

  it('has no timestamp when action_start_timestamp is absent', () => {
    expect(adaptCoralogix({ actor: { username: 'a' } })).toEqual({ ecs: { 'user.name': 'a' } });
  });

  it.each([
    [{ action_start_timestamp: 'yesterday' }, 'action_start_timestamp', '"yesterday" is not a timestamp (not a recognised date format)'],
    [{ action_start_timestamp: -1631256697042 }, 'action_start_timestamp', '-1631256697042 is not a timestamp (outside the years 1970 to 2200)'],
  ])('keeps %j, saying why its timestamp is invalid (the event is not rejected for it)', (event, field, reason) => {
    const adapted = adaptCoralogix(event);
    expect(adapted.timestamp).toBeUndefined();
    expect(adapted.invalidTimestamp).toEqual({ field, reason });
  });

  it.each([
    [{ action_details: { result: { status_code: 'abc' } } }, 'action_details.result.status_code: "abc" is not an HTTP status code', 'action_details.result.status_code'],
    [{ action_details: { result: { succeeded: 'yes' } } }, 'action_details.result.succeeded: "yes" is not true or false', 'action_details.result.succeeded'],
    [{ action_details: { operation: { action: 42 } } }, 'action_details.operation.action: 42 is not a string', 'action_details.operation.action'],
    [{ actor: { username: { first: 'a' } } }, 'actor.username: {"first":"a"} is not a string', 'actor.username'],
  ])('rejects %j naming the field', (event, message, field) => {
    const error = thrown(() => adaptCoralogix(event));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field });
  });
});

describe('Coralogix categories', () => {
  it.each([
    ['POST:/api/v1/user/login', ['authentication']],
    ['POST:/api/v1/rbac/:companyId/users/:userId/addToGroup', ['iam']],
    ['POST:/api/v1/companies/:companyId/rbac/groups/:groupId/roles', ['iam']],
    ['POST:/api/v1/invite', ['iam']],
    ['POST:/api/v1/company/saml/metadata', ['configuration']],
    ['PUT:/api/v1/quotapolicies/:id', ['configuration']],
    ['POST:/api/v1/companies/:companyId/rbac/groups', undefined],
    ['POST:/api/v1/logquery', undefined],
  ])('%s → %j', (action, category) => {
    expect(adaptCoralogix({ action_details: { operation: { action } } }).ecs['event.category']).toEqual(category);
  });
});
