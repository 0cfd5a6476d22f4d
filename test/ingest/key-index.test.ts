import { describe, expect, it } from 'vitest';
import { compilePaths, indexPaths } from '../../src/ingest/adapters/key-index.ts';

const index = compilePaths(['eventTime', 'actor.name', 'protoPayload.requestMetadata.callerIp', 'event.action', 'ip']);
const found = (obj: Record<string, unknown>) => Object.fromEntries(indexPaths(obj, index));

describe('indexPaths', () => {
  it('finds candidate paths ignoring case, keyed by the lower-cased path', () => {
    expect(found({ EventTime: 't', protoPayload: { RequestMetadata: { callerIP: '1.2.3.4' } }, other: 1 })).toEqual({
      eventtime: 't',
      'protopayload.requestmetadata.callerip': '1.2.3.4',
    });
  });

  it('treats dotted keys as nested paths, also part way down', () => {
    expect(found({ 'event.action': 'a' })).toEqual({ 'event.action': 'a' });
    expect(found({ 'protoPayload.requestMetadata': { callerIp: 'x' } })).toEqual({ 'protopayload.requestmetadata.callerip': 'x' });
  });

  it('keeps the first spelling with a value, skipping nulls', () => {
    expect(found({ eventTime: 1, eventtime: 2 })).toEqual({ eventtime: 1 });
    expect(found({ eventTime: null, eventtime: 2 })).toEqual({ eventtime: 2 });
  });

  it('returns objects for paths that end at an object, and does not enter arrays', () => {
    const actor = { name: 'n' };
    expect(found({ ip: actor })).toEqual({ ip: actor });
    expect(found({ actor: [{ name: 'n' }] })).toEqual({});
    expect(found({ actor })).toEqual({ 'actor.name': 'n' });
  });

  it('ignores inherited and prototype-named keys safely', () => {
    expect(found(JSON.parse('{"__proto__": {"name": "x"}, "constructor": 1}'))).toEqual({});
  });
});
