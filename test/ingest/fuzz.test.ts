/**
 * Bad input never crashes: whatever the body, decodeBody either returns items or throws
 * one of our typed errors; whatever the object, every adapter either adapts it or rejects
 * it with a ValidationError, which prepareEvents turns into that item's error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { EventFormat, StoredEvent } from '../../src/events/event.ts';
import { decodeBody } from '../../src/ingest/decode.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';

// Field names of every format, so random objects hit the adapters' checks, not just misses.
const KEYS = [
  'actor', 'type', 'username', 'account_id', 'user', 'id', 'email', 'name', 'action_details', 'source_type', 'ip_address',
  'operation', 'action', 'user_agent', 'result', 'succeeded', 'status_code', 'action_start_timestamp', 'audit_schema_version',
  'team_id', 'description', 'user_email', 'user_id', 'organization_id', 'crud', 'source', 'event_time', 'context', 'originIp',
  'url', 'httpMethod', 'responseCode', 'actor_access', 'timestamp', 'resource_type', 'action_type', 'object', '@timestamp',
  'event', 'outcome', 'category', 'ecs.version', 'event.action', 'http', 'request', 'method', 'response', 'eventTime', 'uuid',
];
const scalar = fc.oneof(
  fc.jsonValue({ maxDepth: 0 }),
  fc.constantFrom('::ffff:10.1.2.3', 'POST:/api/v1/user/login', 'pass', 'fail', 'c', 'user', 'system-generated', '1588697026', 'GET'),
);
const tree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 5 })),
})).node;
const event = fc.dictionary(fc.constantFrom(...KEYS), tree, { maxKeys: 8 });

describe('fuzzing', () => {
  it('decodeBody returns items or throws an AppError, for any bytes', async () => {
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      fc.array(fc.jsonValue(), { maxLength: 5 }).map((a) => new TextEncoder().encode(a.map((v) => JSON.stringify(v)).join('\n'))),
    );
    const types = fc.constantFrom(undefined, 'application/json', 'application/x-ndjson', 'text/plain', 'text/html');
    const encodings = fc.constantFrom(undefined, 'gzip', 'identity', 'br');
    await fc.assert(
      fc.asyncProperty(bodies, types, encodings, async (body, contentType, contentEncoding) => {
        try {
          const items = await decodeBody(body, { contentType, contentEncoding });
          items.forEach((item, i) => expect(item.index).toBe(i));
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it.each(EventFormat.options)('prepareEvents with format %s never throws and yields valid events or reasons', (format) => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 4 }), (objects) => {
        const items = objects.map((value, index) => ({ index, value, raw: JSON.stringify(value) }));
        const prepared = prepareEvents(items, { team: 'fuzz', received: 1_700_000_000_000, format });
        expect(prepared).toHaveLength(objects.length);
        for (const p of prepared) {
          if ('event' in p) expect(StoredEvent.safeParse(p.event).success).toBe(true);
          else expect(p.error.reason).toMatch(/\S/);
        }
      }),
      { numRuns: 700 },
    );
  });

  it('prepareEvents with detection never throws', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 4 }), (objects) => {
        const items = objects.map((value, index) => ({ index, value, raw: JSON.stringify(value) }));
        expect(prepareEvents(items, { team: 'fuzz', received: 1_700_000_000_000 })).toHaveLength(objects.length);
      }),
      { numRuns: 1000 },
    );
  });
});
