import { describe, expect, it } from 'vitest';
import { asIp, asOutcome, asStatusCode, lookup, urlPath } from '../../src/ingest/adapters/values.ts';

describe('asIp: the IP shapes producers send (corpus SOURCES.md)', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:78.197.123.35', '78.197.123.35'],
    ['::1', '::1'],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ['FE80:000:333::1', 'fe80:000:333::1'],
    ['5.5.5.5:28915', '5.5.5.5'],
    ['[2001:db8::abcd]:12345', '2001:db8::abcd'],
    ['[2001:db8::abcd]', '2001:db8::abcd'],
    ['fe80::1%eth0', 'fe80::1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    [['redacted', '192.0.2.9'], '192.0.2.9'],
  ])('%j → %s', (input, expected) => {
    expect(asIp(input)).toBe(expected);
  });

  it.each([
    'localhost',
    'AWS Internal',
    'lambda.amazonaws.com',
    '10.0.0.0/8',
    '1.2.3.4.',
    '1.1.1.1.1',
    '52.555.23.8',
    'not-an-ip',
    'null',
    '<null>',
    '...',
    '',
    'sanitized',
    '5f1c9a7e-2b8d-4c3a-9e6f-0b12aaaaaaaa',
    null,
    3232235777,
  ])('%j is not an IP', (input) => {
    expect(asIp(input)).toBeUndefined();
  });
});

describe('small converters', () => {
  it('reads status codes from numbers and numeric strings only in 100..599', () => {
    expect([200, '404', ' 503 ', 99, 600, 200.5, '2xx', true].map(asStatusCode)).toEqual([
      200, 404, 503, undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it('maps outcome words and booleans, and does not guess the rest', () => {
    expect(['SUCCESS', 'Succeeded', 'pass', true, 'FAILURE', 'Failed', 'DENY', false, 'unknown', 'SKIPPED', 'CHALLENGE', 200].map(asOutcome))
      .toEqual(['success', 'success', 'success', 'success', 'failure', 'failure', 'failure', 'failure', 'unknown', undefined, undefined, undefined]);
  });

  it('takes the path of absolute URLs and of paths, not of other strings', () => {
    expect(['https://a.example/x/y?q=1', '/api/v1/pods?watch=1', 'ftp://h/f', 'not a url', 'a/b'].map(urlPath)).toEqual([
      '/x/y', '/api/v1/pods', '/f', undefined, undefined,
    ]);
  });
});

describe('lookup', () => {
  it('finds a path through nested objects, dotted keys or both', () => {
    expect(lookup({ a: { b: { c: 1 } } }, 'a.b.c')).toBe(1);
    expect(lookup({ 'a.b.c': 2 }, 'a.b.c')).toBe(2);
    expect(lookup({ 'a.b': { c: 3 } }, 'a.b.c')).toBe(3);
    expect(lookup({ a: { 'b.c': 4 } }, 'a.b.c')).toBe(4);
    expect(lookup({ a: { b: 1 } }, 'a.b.c')).toBeUndefined();
    expect(lookup({ a: [{ b: 1 }] }, 'a.b')).toBeUndefined();
  });

  it('matches keys exactly', () => {
    expect(lookup({ EventTime: 5 }, 'eventTime')).toBeUndefined();
  });

  it('does not read inherited properties', () => {
    expect(lookup({}, 'constructor')).toBeUndefined();
    expect(lookup({}, 'toString')).toBeUndefined();
    expect(lookup(JSON.parse('{"__proto__": {"x": 1}}'), '__proto__.x')).toBe(1);
  });
});
