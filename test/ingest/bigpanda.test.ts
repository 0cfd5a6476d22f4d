import { describe, expect, it } from 'vitest';
import { adaptBigPanda } from '../../src/ingest/adapters/bigpanda.ts';
import { expectValidEcs, fixture, thrown } from './helpers.ts';

describe('BigPanda adapter', () => {
  it('normalizes an event carrying every attribute of the BigPanda schema', () => {
    const adapted = adaptBigPanda(fixture('bigpanda-event.json'));
    expectValidEcs(adapted);
    expect(adapted).toEqual({
      timestamp: 1588697026000,
      ecs: {
        'event.action': 'update',
        'event.type': ['change'],
        'event.category': ['configuration'],
        'event.outcome': 'success',
        'user.id': '235554234242892734',
        'user.email': 'bp.user@example.com',
        'user.name': 'BP user',
        'source.ip': '52.55.23.8',
        'user_agent.original':
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.5556.81 Safari/537.36',
      },
    });
  });

  it('accepts the documented example address 52.555.23.8 but does not store it as an IP', () => {
    const event = fixture('bigpanda-event.json');
    (event.context as any).actor_access.ip_address = '52.555.23.8';
    const adapted = adaptBigPanda(event);
    expectValidEcs(adapted);
    expect(adapted.ecs['source.ip']).toBeUndefined();
  });

  it('normalizes a system-generated delete with a null object and a numeric timestamp', () => {
    const adapted = adaptBigPanda({
      actor: { type: 'system-generated' },
      timestamp: 1588697026,
      resource_id: 'r1',
      resource_type: 'environments',
      action_type: 'delete',
      object: null,
    });
    expectValidEcs(adapted);
    expect(adapted).toEqual({ timestamp: 1588697026000, ecs: { 'event.action': 'delete', 'event.type': ['deletion'], 'event.category': ['configuration'], 'event.outcome': 'success' } });
  });

  it('files changes to users under iam', () => {
    expect(adaptBigPanda({ action_type: 'update', resource_type: 'users' }).ecs['event.category']).toEqual(['iam']);
  });

  it('keeps init_state as the action without an event type', () => {
    expect(adaptBigPanda({ action_type: 'init_state' }).ecs).toEqual({ 'event.action': 'init_state' });
  });

  it.each([
    [{ timestamp: 'last tuesday' }, 'timestamp', '"last tuesday" is not a timestamp (not a recognised date format)'],
    [{ timestamp: '99999999999' }, 'timestamp', '"99999999999" is not a timestamp (outside the years 1970 to 2200)'],
  ])('keeps %j, saying why its timestamp is invalid (the event is not rejected for it)', (event, field, reason) => {
    const adapted = adaptBigPanda(event);
    expect(adapted.timestamp).toBeUndefined();
    expect(adapted.invalidTimestamp).toEqual({ field, reason });
  });

  it.each([
    [{ actor: { type: 'robot' } }, 'actor.type: "robot" is not user or system-generated', 'actor.type'],
    [{ action_type: 7 }, 'action_type: 7 is not a string', 'action_type'],
  ])('rejects %j naming the field', (event, message, field) => {
    const error = thrown(() => adaptBigPanda(event));
    expect(error.message).toContain(message);
    expect(error.details).toEqual({ field });
  });
});
