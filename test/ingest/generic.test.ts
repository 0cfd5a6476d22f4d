import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NormalizedFields } from '../../src/events/event.ts';
import { adaptGeneric } from '../../src/ingest/adapters/generic.ts';
import { expectValidEcs } from './helpers.ts';

// Hand-written events in the shapes of products in the corpus (not copies of it).
const CASES: Array<[name: string, event: Record<string, unknown>, expected: ReturnType<typeof adaptGeneric>]> = [
  [
    'CloudTrail',
    {
      eventVersion: '1.08',
      eventTime: '2024-01-17T13:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      sourceIPAddress: '203.0.113.5',
      userAgent: 'aws-cli/2.15',
      userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', userName: 'alice' },
      eventID: 'c0ffee00-0000-4000-8000-000000000001',
      errorCode: 'AccessDenied',
    },
    {
      timestamp: Date.parse('2024-01-17T13:00:00Z'),
      producerId: 'eventid:c0ffee00-0000-4000-8000-000000000001',
      ecs: {
        'event.id': 'c0ffee00-0000-4000-8000-000000000001',
        'event.action': 'CreateUser',
        'event.provider': 'iam.amazonaws.com',
        'user.name': 'alice',
        'user.id': 'AIDAEXAMPLE',
        'source.ip': '203.0.113.5',
        'user_agent.original': 'aws-cli/2.15',
      },
    },
  ],
  [
    'Okta',
    {
      published: '2022-08-26T07:51:24.601Z',
      eventType: 'user.session.start',
      uuid: 'u-1',
      actor: { id: '00u1', type: 'User', alternateId: 'homer@example.com', displayName: 'Homer' },
      client: { ipAddress: 'null', userAgent: { rawUserAgent: 'Mozilla/5.0' } },
      request: { ipChain: [{ ip: '198.51.100.4' }] },
      outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
      displayMessage: 'User login to Okta',
    },
    {
      timestamp: Date.parse('2022-08-26T07:51:24.601Z'),
      producerId: 'uuid:u-1',
      ecs: {
        'event.id': 'u-1',
        'event.action': 'user.session.start',
        'event.outcome': 'failure',
        message: 'User login to Okta',
        'user.name': 'Homer',
        'user.email': 'homer@example.com',
        'user.id': '00u1',
        'user_agent.original': 'Mozilla/5.0',
      },
    },
  ],
  [
    'GCP audit',
    {
      timestamp: '2023-05-24T21:12:55.145123456Z',
      insertId: 'abc123',
      protoPayload: {
        methodName: 'google.iam.admin.v1.CreateServiceAccount',
        serviceName: 'iam.googleapis.com',
        authenticationInfo: { principalEmail: 'ops@example.com' },
        requestMetadata: { callerIP: '2001:db8::5', callerSuppliedUserAgent: 'gcloud/431' },
      },
    },
    {
      timestamp: Date.parse('2023-05-24T21:12:55.145Z'),
      producerId: 'insertid:abc123',
      ecs: {
        'event.id': 'abc123',
        'event.action': 'google.iam.admin.v1.CreateServiceAccount',
        'event.provider': 'iam.googleapis.com',
        'user.email': 'ops@example.com',
        'source.ip': '2001:db8::5',
        'user_agent.original': 'gcloud/431',
      },
    },
  ],
  [
    'Kubernetes',
    {
      kind: 'Event',
      auditID: 'k-1',
      verb: 'create',
      user: { username: 'system:admin', groups: ['system:masters'] },
      sourceIPs: ['10.0.0.1'],
      userAgent: 'kubectl/v1.29',
      requestURI: '/api/v1/namespaces/default/pods?dryRun=All',
      responseStatus: { code: 201 },
      requestReceivedTimestamp: '2024-02-01T10:00:00.123456Z',
      stageTimestamp: '2024-02-01T10:00:01.000000Z',
    },
    {
      timestamp: Date.parse('2024-02-01T10:00:00.123Z'),
      producerId: 'auditid:k-1',
      ecs: {
        'event.id': 'k-1',
        'event.action': 'create',
        'user.name': 'system:admin',
        'source.ip': '10.0.0.1',
        'user_agent.original': 'kubectl/v1.29',
        'http.response.status_code': 201,
        'url.original': '/api/v1/namespaces/default/pods?dryRun=All',
        'url.path': '/api/v1/namespaces/default/pods',
      },
    },
  ],
  [
    'O365',
    {
      CreationTime: '2020-09-29T08:59:26',
      Id: 'o-1',
      Operation: 'UserLoggedIn',
      ResultStatus: 'Succeeded',
      UserId: 'a@contoso.com',
      ClientIP: '[2001:db8::1]:443',
      OrganizationId: 'tenant-1',
      Workload: 'AzureActiveDirectory',
    },
    {
      timestamp: Date.parse('2020-09-29T08:59:26Z'),
      producerId: 'id:o-1',
      ecs: {
        'event.id': 'o-1',
        'event.action': 'UserLoggedIn',
        'event.outcome': 'success',
        'event.provider': 'AzureActiveDirectory',
        'user.email': 'a@contoso.com',
        'user.id': 'a@contoso.com',
        'organization.id': 'tenant-1',
        'source.ip': '2001:db8::1',
      },
    },
  ],
  [
    'Google Workspace (id object, time inside it)',
    {
      id: { time: '2024-03-01T12:00:00.000Z', uniqueQualifier: '-42', applicationName: 'login', customerId: 'C01' },
      actor: { email: 'bob@example.com', profileId: '1' },
      ipAddress: '192.0.2.33',
    },
    {
      timestamp: Date.parse('2024-03-01T12:00:00Z'),
      producerId: 'id:{"applicationName":"login","customerId":"C01","time":"2024-03-01T12:00:00.000Z","uniqueQualifier":"-42"}',
      ecs: {
        'event.id': '{"applicationName":"login","customerId":"C01","time":"2024-03-01T12:00:00.000Z","uniqueQualifier":"-42"}',
        'user.email': 'bob@example.com',
        'source.ip': '192.0.2.33',
      },
    },
  ],
  [
    'GitHub (epoch ms @timestamp, actor as a string)',
    { '@timestamp': 1685465626150, action: 'org.block_user', actor: 'octocat', actor_id: 6493123, org: 'acme' },
    {
      timestamp: 1685465626150,
      ecs: { 'event.action': 'org.block_user', 'user.name': 'octocat', 'user.id': '6493123', 'organization.name': 'acme' },
    },
  ],
  [
    'Slack (epoch seconds)',
    { date_create: 1658996894, action: 'user_login', actor: { user: { email: 'u@example.com' } }, context: { ip_address: '1.2.3.4', ua: 'Slack' } },
    {
      timestamp: 1658996894000,
      ecs: { 'event.action': 'user_login', 'user.email': 'u@example.com', 'source.ip': '1.2.3.4', 'user_agent.original': 'Slack' },
    },
  ],
  [
    'Azure Monitor (operationName object)',
    { time: '2024-12-24T15:45:00.0000000Z', operationName: { value: 'Microsoft.Authorization/elevateAccess/action', localizedValue: 'Elevate' }, callerIpAddress: '<null>' },
    { timestamp: Date.parse('2024-12-24T15:45:00Z'), ecs: { 'event.action': 'Microsoft.Authorization/elevateAccess/action' } },
  ],
  [
    'a stub event with nothing to normalize',
    { kind: 0 },
    { ecs: {} },
  ],
];

describe('generic adapter', () => {
  it.each(CASES)('%s', (_name, event, expected) => {
    const adapted = adaptGeneric(event);
    expectValidEcs(adapted);
    expect(adapted).toEqual(expected);
  });

  it('skips a placeholder time and takes the next candidate', () => {
    expect(adaptGeneric({ eventTime: 'redacted', p_event_time: '2022-11-21 18:06:52' }).timestamp).toBe(Date.parse('2022-11-21T18:06:52Z'));
    expect(adaptGeneric({ time: '2025-04-11:21:02.3387000Z', properties: { ActivityDate: '4/11/2025 6:21:02 PM' } }).timestamp).toBe(
      Date.parse('2025-04-11T18:21:02Z'),
    );
  });

  it('reads microsecond keys as microseconds', () => {
    expect(adaptGeneric({ time_micros: '1623657113850001' }).timestamp).toBe(1623657113850);
  });

  it('leaves fields empty rather than guess from values that do not fit', () => {
    const adapted = adaptGeneric({
      time: 12, // a duration, not 1970-01-01T00:00:12Z
      ts: '300',
      status: 'pending',
      ip: 'localhost',
      sourceIPAddress: 'AWS Internal',
      user: { name: { first: 'x' } },
      email: 'not an address',
      method: 'password',
      url: 'not a url',
      action: { name: { nested: true } },
      responseCode: 'OK',
      id: true,
    });
    expectValidEcs(adapted);
    expect(adapted).toEqual({ ecs: {} });
  });

  it('does not take a redacted id object as a producer id', () => {
    expect(adaptGeneric({ id: { applicationName: 'login' } }).producerId).toBeUndefined();
  });

  it('never throws and always yields valid normalized fields, whatever the object', () => {
    const keys = ['timestamp', 'time', '@timestamp', 'eventTime', 'id', 'uuid', 'ip', 'sourceIPs', 'action', 'outcome', 'status',
      'user', 'actor', 'email', 'method', 'url', 'statusCode', 'message', 'org', 'created_at', 'event', 'client', 'userAgent'];
    const value = fc.oneof(fc.jsonValue(), fc.constantFrom('::ffff:1.2.3.4', '1.2.3.4:80', '2024-01-01', 'SUCCESS', 'POST', '/p', 1.7e12));
    const event = fc.oneof(
      fc.dictionary(fc.constantFrom(...keys), value),
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.dictionary(fc.constantFrom(...keys), fc.dictionary(fc.constantFrom(...keys, 'name', 'ipAddress', 'result'), value)),
    );
    fc.assert(
      fc.property(event, (obj) => {
        const adapted = adaptGeneric(obj);
        expect(NormalizedFields.strict().safeParse(adapted.ecs).success).toBe(true);
        if (adapted.timestamp !== undefined) expect(Number.isInteger(adapted.timestamp)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
