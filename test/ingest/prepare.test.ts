import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import { StoredEvent } from '../../src/events/event.ts';
import { decodeBody, type DecodedItem } from '../../src/ingest/decode.ts';
import { IngestLimits } from '../../src/ingest/limits.ts';
import { ingestBody } from '../../src/ingest/index.ts';
import { prepareEvents, type PreparedItem } from '../../src/ingest/prepare.ts';
import { gzipSync } from 'node:zlib';
import { fixture } from './helpers.ts';

const RECEIVED = Date.parse('2026-11-23T12:00:00Z');
const ctx = { team: 'acme', received: RECEIVED };
const item = (value: Record<string, unknown>, index = 0): DecodedItem => ({ index, value, raw: JSON.stringify(value) });
const eventOf = (p: PreparedItem | undefined) => {
  if (!p || !('event' in p)) throw new Error(`expected an event, got ${JSON.stringify(p)}`);
  return p.event;
};
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$|^[A-Za-z0-9_-]{32}$/;

describe('prepareEvents', () => {
  it('builds a valid StoredEvent keeping the original and its exact raw text', async () => {
    const body = '{"eventTime": "2024-01-17T13:00:00Z",  "eventName": "CreateUser", "userIdentity": {"userName": "alice"}}';
    const [prepared] = prepareEvents(await decodeBody(new TextEncoder().encode(body)), ctx);
    const event = eventOf(prepared);
    expect(StoredEvent.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      team: 'acme',
      timestamp: Date.parse('2024-01-17T13:00:00Z'),
      received: RECEIVED,
      format: 'generic',
      flags: [],
      ecs: { 'event.action': 'CreateUser', 'user.name': 'alice' },
      original: { eventTime: '2024-01-17T13:00:00Z', eventName: 'CreateUser', userIdentity: { userName: 'alice' } },
      raw: body,
    });
  });

  it('gives an event without an id a ULID carrying the event time', () => {
    const [a, b] = prepareEvents([item({ time: 1700000000000 }), item({ time: 1700000000000 }, 1)], ctx).map(eventOf);
    expect(a!.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(a!.id)).toBe(1700000000000);
    expect(a!.id).not.toBe(b!.id);
  });

  it('uses the received time and flags timestamp_missing when the event has no time', () => {
    const event = eventOf(prepareEvents([item({ action: 'x' })], ctx)[0]);
    expect(event.timestamp).toBe(RECEIVED);
    expect(event.flags).toEqual(['timestamp_missing']);
    expect(decodeTime(event.id)).toBe(RECEIVED);
  });

  it('detects the format per event, or applies the one given', () => {
    const events = prepareEvents(
      [item(fixture('coralogix-log-example.json')), item(fixture('threatstack-api-event.json'), 1), item(fixture('bigpanda-event.json'), 2)],
      ctx,
    ).map(eventOf);
    expect(events.map((e) => e.format)).toEqual(['coralogix', 'threatstack', 'bigpanda']);
    const forced = eventOf(prepareEvents([item(fixture('threatstack-api-event.json'))], { ...ctx, format: 'generic' })[0]);
    expect(forced.format).toBe('generic');
  });

  it('keeps the Threat Stack id in the event id, namespaced by the format, so a retry stores the same event', () => {
    const event = eventOf(prepareEvents([item(fixture('threatstack-api-event.json'))], ctx)[0]);
    expect(event.id).toBe('threatstack.5f1c9a7e2b8d4c3a9e6f0b12');
  });

  it('namespaces producer ids by format: the same id from two formats, or equal to an Idempotency-Key id, never meets', () => {
    const ts = eventOf(prepareEvents([item({ id: 'shared-1', crud: 'c' })], { ...ctx, format: 'threatstack' })[0]);
    const ecs = eventOf(prepareEvents([item({ '@timestamp': '2026-11-23T11:00:00Z', event: { id: 'shared-1' } })], { ...ctx, format: 'ecs' })[0]);
    expect(ts.id).toBe('threatstack.shared-1');
    expect(ecs.id).toBe('ecs.shared-1');
    // An ECS event.id spelled like the id an Idempotency-Key gives: still two ids.
    const keyed = eventOf(prepareEvents([item({ action: 'x' })], { ...ctx, idempotencyKey: 'k' })[0]);
    const forged = eventOf(prepareEvents([item({ '@timestamp': '2026-11-23T11:00:00Z', event: { id: keyed.id } })], { ...ctx, format: 'ecs' })[0]);
    expect(keyed.id).toBe('key.k-0');
    expect(forged.id).toBe('ecs.key.k-0');
    // A hashed id (unsafe text) cannot be spelled by a producer: `:` follows the namespace only there.
    const hashed = eventOf(prepareEvents([item({ id: 'has space' })], { ...ctx, format: 'threatstack' })[0]);
    const spelled = eventOf(prepareEvents([item({ id: hashed.id.slice('threatstack'.length + 1) })], { ...ctx, format: 'threatstack' })[0]);
    expect(hashed.id).toMatch(/^threatstack:/);
    expect(spelled.id).not.toBe(hashed.id);
  });

  it('hashes a producer id that is too long or has unsafe characters', () => {
    const weird = prepareEvents([item({ id: 'a b/c?d', crud: 'r', event_time: 1, user_email: 'x@y.z' })], { ...ctx, format: 'threatstack' });
    const long = prepareEvents([item({ id: 'x'.repeat(200) })], { ...ctx, format: 'threatstack' });
    for (const p of [weird[0], long[0]]) {
      const event = eventOf(p);
      expect(event.id).toMatch(/^threatstack:[A-Za-z0-9_-]{32}$/);
    }
    expect(eventOf(weird[0]).id).toBe(eventOf(prepareEvents([item({ id: 'a b/c?d' })], { ...ctx, format: 'threatstack' })[0]).id);
  });

  it('derives generic ids from the producer id, the event time and the content: stable on retry, distinct otherwise', () => {
    const first = prepareEvents([item({ eventID: 'e-1', eventTime: '2024-01-01T00:00:00Z' })], ctx);
    const retry = prepareEvents([item({ eventID: 'e-1', eventTime: '2024-01-01T00:00:00Z' })], { ...ctx, received: RECEIVED + 5000 });
    // Published fixtures reuse one id for different events: both must be kept.
    const sameIdOtherEvent = prepareEvents([item({ eventID: 'e-1', eventTime: '2024-01-01T00:00:00Z', extra: 1 })], ctx);
    expect(eventOf(first[0]).id).not.toBe(eventOf(sameIdOtherEvent[0]).id);
    const otherTime = prepareEvents([item({ eventID: 'e-1', eventTime: '2024-01-02T00:00:00Z' })], ctx);
    const otherKey = prepareEvents([item({ id: 'e-1', eventTime: '2024-01-01T00:00:00Z' })], ctx);
    expect(eventOf(first[0]).id).toBe(eventOf(retry[0]).id);
    expect(eventOf(first[0]).id).not.toBe(eventOf(otherTime[0]).id);
    expect(eventOf(first[0]).id).not.toBe(eventOf(otherKey[0]).id);
    expect(eventOf(first[0]).ecs['event.id']).toBe('e-1');
  });

  it('derives ids from the Idempotency-Key and the index when the events carry no id', () => {
    const items = [item({ action: 'a' }), item({ action: 'b' }, 1)];
    const once = prepareEvents(items, { ...ctx, idempotencyKey: 'req-42' }).map(eventOf);
    const again = prepareEvents(items, { ...ctx, received: RECEIVED + 1000, idempotencyKey: 'req-42' }).map(eventOf);
    expect(once.map((e) => e.id)).toEqual(['key.req-42-0', 'key.req-42-1']);
    expect(again.map((e) => e.id)).toEqual(once.map((e) => e.id));
    const unsafe = prepareEvents(items, { ...ctx, idempotencyKey: 'key with spaces/'.repeat(20) }).map(eventOf);
    expect(unsafe.every((e) => /^key:[A-Za-z0-9_-]{32}$/.test(e.id))).toBe(true);
    expect(unsafe[0]!.id).not.toBe(unsafe[1]!.id);
  });

  it('prefers the producer id over the Idempotency-Key', () => {
    const event = eventOf(prepareEvents([item(fixture('threatstack-api-event.json'))], { ...ctx, idempotencyKey: 'k' })[0]);
    expect(event.id).toBe('threatstack.5f1c9a7e2b8d4c3a9e6f0b12');
  });

  it('turns an adapter rejection into that item’s error, naming the field, and keeps the others', () => {
    const prepared = prepareEvents(
      [item({ id: 'ok', event_time: '2021-01-01T00:00:00Z' }), item({ id: 'bad', crud: 'x' }, 1)],
      { ...ctx, format: 'threatstack' },
    );
    expect(eventOf(prepared[0]).id).toBe('threatstack.ok');
    expect(prepared[1]).toEqual({
      index: 1,
      error: { reason: 'crud: "x" is not one of c, r, u, d', field: 'crud' },
    });
  });

  it('passes decode errors through with their index', () => {
    expect(prepareEvents([{ index: 3, error: 'line 4: not valid JSON' }], ctx)).toEqual([
      { index: 3, error: { reason: 'line 4: not valid JSON' } },
    ]);
  });

  describe('timestamps not taken as sent', () => {
    const DAY = 86_400_000;
    const prepareOne = (value: Record<string, unknown>, extra: Partial<typeof ctx & { format: 'threatstack' | 'ecs' | 'generic'; retentionDays: number }> = {}) =>
      prepareEvents([item(value)], { ...ctx, ...extra })[0]!;

    it.each([
      ['year 9999', { event_time: '9999-01-01T00:00:00Z' }, 'threatstack', 'event_time'],
      ['a negative epoch', { event_time: -1631256697042 }, 'threatstack', 'event_time'],
      ['"NaN"', { '@timestamp': 'NaN', event: { action: 'x' } }, 'ecs', '@timestamp'],
      ['year 0', { '@timestamp': '0000-06-01T00:00:00Z', event: { action: 'x' } }, 'ecs', '@timestamp'],
      ['a generic time field', { eventTime: '9999-12-31T23:59:59Z', eventName: 'x' }, 'generic', 'eventTime'],
      ['a negative generic epoch', { timestamp: -5, action: 'x' }, 'generic', 'timestamp'],
    ] as const)('%s: kept, flagged timestamp_invalid (not missing), @timestamp the receive time, a warning naming the field', (_, value, format, field) => {
      const prepared = prepareOne(value, { format });
      const event = eventOf(prepared);
      expect(event.flags).toEqual(['timestamp_invalid']);
      expect(event.timestamp).toBe(RECEIVED);
      expect(event.original).toEqual(value);
      expect('warnings' in prepared && prepared.warnings).toEqual([
        { code: 'timestamp_invalid', field, message: expect.stringContaining(`${field}: ${JSON.stringify(value[field as keyof typeof value])} is not a timestamp`) },
      ]);
    });

    it('1e400 (Infinity to JSON.parse) is kept as its own text, so it stays visible and searchable', async () => {
      const body = '{"id":"big-1","event_time":1e400,"crud":"c","nested":{"n":-2E999,"ok":1.5}}';
      const [prepared] = await ingestBody({ body: new TextEncoder().encode(body), team: 'acme', received: RECEIVED, format: 'threatstack' });
      const event = eventOf(prepared);
      expect(event.original).toEqual({ id: 'big-1', event_time: '1e400', crud: 'c', nested: { n: '-2E999', ok: 1.5 } });
      expect(event.raw).toBe(body);
      expect(event.flags).toEqual(['timestamp_invalid']);
      expect(JSON.parse(JSON.stringify(event.original))).toEqual(event.original);
    });

    it('an event dated more than a day ahead is flagged timestamp_future and takes the receive time; within a day it is kept as sent', () => {
      const ahead = RECEIVED + DAY + 1000;
      const far = prepareOne({ eventTime: new Date(ahead).toISOString(), eventName: 'x' });
      expect(eventOf(far).flags).toEqual(['timestamp_future']);
      expect(eventOf(far).timestamp).toBe(RECEIVED);
      expect(eventOf(far).original.eventTime).toBe(new Date(ahead).toISOString());
      expect('warnings' in far && far.warnings).toEqual([{ code: 'timestamp_future', message: expect.stringContaining(new Date(ahead).toISOString()) }]);
      const near = eventOf(prepareOne({ eventTime: new Date(RECEIVED + DAY - 1000).toISOString(), eventName: 'x' }));
      expect(near.flags).toEqual([]);
      expect(near.timestamp).toBe(RECEIVED + DAY - 1000);
    });

    it('an event older than the retention is rejected with older_than_retention, saying the retention', () => {
      const old = prepareOne({ eventTime: new Date(RECEIVED - 31 * DAY).toISOString(), eventName: 'x' }, { retentionDays: 30 });
      expect(old).toEqual({
        index: 0,
        error: {
          code: 'older_than_retention',
          reason: expect.stringMatching(/older than the team's retention of 30 days .*next retention pass would delete it/),
        },
      });
      expect(eventOf(prepareOne({ eventTime: new Date(RECEIVED - 29 * DAY).toISOString(), eventName: 'x' }, { retentionDays: 30 })).flags).toEqual([]);
      // Events whose time was not taken as sent are never too old: they carry the receive time.
      expect(eventOf(prepareOne({ eventTime: '1969-12-31T00:00:00Z', eventName: 'x' }, { retentionDays: 1 })).flags).toEqual(['timestamp_invalid']);
    });
  });

  it('flags fields_truncated for an item deeper than the limits that did not come through decodeBody', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 5; i++) deep = { nest: deep };
    const limits = IngestLimits.parse({ maxDepth: 3 });
    const event = eventOf(prepareEvents([item({ time: 1700000000000, ...deep })], { ...ctx, limits })[0]);
    expect(event.flags).toEqual(['fields_truncated']);
  });

  it('rejects an invalid team id for the whole call', () => {
    expect(() => prepareEvents([item({})], { ...ctx, team: 'Not A Team' })).toThrow(ValidationError);
  });

  it('only produces ids that are safe strings of at most 128 characters', () => {
    const ids = prepareEvents(
      [
        item({ id: 'ünïcödé' }),
        item({ uuid: '550e8400-e29b-41d4-a716-446655440000' }, 1),
        item({ eventID: '-starts-with-dash' }, 2),
        item({ x: 1 }, 3),
      ],
      ctx,
    ).map((p) => eventOf(p).id);
    for (const id of ids) expect(id).toMatch(SAFE_ID);
  });

  it('ingestBody: a gzipped NDJSON batch keeps good events and rejects bad ones one by one', async () => {
    const lines = [
      JSON.stringify(fixture('threatstack-api-event.json')),
      '{"broken": ',
      JSON.stringify({ ...fixture('threatstack-api-event.json'), id: 'e2', crud: 'x' }),
      JSON.stringify({ eventName: 'ConsoleLogin', eventTime: '2024-05-01T00:00:00Z', sourceIPAddress: '::ffff:198.51.100.1' }),
    ];
    const prepared = await ingestBody({
      body: gzipSync(lines.join('\n')),
      contentType: 'application/x-ndjson',
      contentEncoding: 'gzip',
      team: 'acme',
      received: RECEIVED,
    });
    expect(prepared.map((p) => ('event' in p ? p.event.format : p.error.reason))).toEqual([
      'threatstack',
      expect.stringMatching(/^line 2: not valid JSON/),
      'crud: "x" is not one of c, r, u, d',
      'generic',
    ]);
    expect(eventOf(prepared[3]).ecs['source.ip']).toBe('198.51.100.1');
    expect(eventOf(prepared[3]).raw).toBe(lines[3]);
  });
});
