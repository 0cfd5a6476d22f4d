/** The pure pieces under the SQLite store: date math, regex translation, tokens, IPs, fuzzy. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import { evalDateMath, parseDate } from '../../src/query/date-math.ts';
import { autoDistance, withinDistance } from '../../src/query/fuzzy.ts';
import { chooseInterval } from '../../src/store/histogram.ts';
import { formatIpKey, ipKey, ipKeyRange } from '../../src/query/ip.ts';
import { sloppyPhraseMatches, tokenize } from '../../src/query/analysis.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const NOW = Date.UTC(2026, 4, 15, 13, 47, 21, 500); // a Friday

describe('date math (Elasticsearch rules, UTC)', () => {
  it.each([
    ['now', false, '2026-05-15T13:47:21.500Z'],
    ['now-15m', false, '2026-05-15T13:32:21.500Z'],
    ['now/d', false, '2026-05-15T00:00:00.000Z'],
    ['now/d', true, '2026-05-15T23:59:59.999Z'],
    ['now-1d/d', false, '2026-05-14T00:00:00.000Z'],
    ['now/w', false, '2026-05-11T00:00:00.000Z'],
    ['now/M', true, '2026-05-31T23:59:59.999Z'],
    ['now+1y/y', false, '2027-01-01T00:00:00.000Z'],
    ['now-2H', false, '2026-05-15T11:47:21.500Z'],
    ['2026-01-31||+1M', false, '2026-02-28T00:00:00.000Z'],
    ['2026-01-01||+1M/M', true, '2026-02-28T23:59:59.999Z'],
    ['2026-01-01T10:00:00Z||-30s', false, '2026-01-01T09:59:30.000Z'],
  ])('%s (roundUp=%s) = %s', (expr, up, expected) => {
    expect(iso(evalDateMath(expr, NOW, up))).toBe(expected);
  });

  it.each([
    ['2026', false, '2026-01-01T00:00:00.000Z'],
    // Elasticsearch's round-up parser keeps a missing month and day at 1 (`_validate` on 9.5.3).
    ['2026', true, '2026-01-01T23:59:59.999Z'],
    ['2026-02', true, '2026-02-01T23:59:59.999Z'],
    ['2026-02-03', true, '2026-02-03T23:59:59.999Z'],
    ['2026-02-03T04', true, '2026-02-03T04:59:59.999Z'],
    ['2026-02-03T04:05:06.7', false, '2026-02-03T04:05:06.700Z'],
    ['2026-02-03T04:05:06+02:00', false, '2026-02-03T02:05:06.000Z'],
    ['2026-02-03 04:05', true, '2026-02-03T04:05:59.999Z'],
    ['1767225600000', false, '2026-01-01T00:00:00.000Z'],
  ])('partial and full dates: %s (roundUp=%s)', (text, up, expected) => {
    expect(iso(parseDate(text, up))).toBe(expected);
  });

  it.each(['yesterday', 'now-', 'now/x', 'now+5q', '2026-13-01', '2026-02-30', 'now-1d||+1d', ''])('%j is a ValidationError', (expr) => {
    expect(() => evalDateMath(expr, NOW)).toThrow(ValidationError);
  });
});

describe('tokens (standard analyzer approximation)', () => {
  it.each([
    ['Failed login from Paris', ['failed', 'login', 'from', 'paris']],
    ['alice@example.com', ['alice', 'example.com']],
    ['10.0.0.1', ['10.0.0.1']],
    ['POST:/api/v1/user/login', ['post', 'api', 'v1', 'user', 'login']],
    ["don't user_name 1,000 end.", ["don't", 'user_name', '1,000', 'end']],
    ['Größe café', ['größe', 'café']],
    ['東京タワー', ['東', '京', 'タワー']],
    ['a.1 1.a', ['a', '1', '1', 'a']],
  ])('%j', (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });

  it('sloppy phrases follow Lucene: a swap costs 2, values are 100 positions apart', () => {
    expect(sloppyPhraseMatches(['failed login from paris'], ['failed', 'from'], 0)).toBe(false);
    expect(sloppyPhraseMatches(['failed login from paris'], ['failed', 'from'], 1)).toBe(true);
    expect(sloppyPhraseMatches(['failed login'], ['login', 'failed'], 1)).toBe(false);
    expect(sloppyPhraseMatches(['failed login'], ['login', 'failed'], 2)).toBe(true);
    expect(sloppyPhraseMatches(['admin', 'sso'], ['admin', 'sso'], 50)).toBe(false);
    expect(sloppyPhraseMatches(['admin', 'sso'], ['admin', 'sso'], 101)).toBe(true);
  });
});

describe('IP keys', () => {
  it('maps IPv4 into IPv6 and renders both back', () => {
    expect(ipKey('1.2.3.4')).toBe(ipKey('::ffff:1.2.3.4'));
    expect(formatIpKey(ipKey('1.2.3.4')!)).toBe('1.2.3.4');
    expect(formatIpKey(ipKey('2001:0db8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(ipKey('256.1.1.1')).toBeNull();
    expect(ipKey('not-an-ip')).toBeNull();
  });
  it('turns a CIDR block into an inclusive key range', () => {
    const r = ipKeyRange('10.0.0.0/8') as { lo: string; hi: string };
    expect(formatIpKey(r.lo)).toBe('10.0.0.0');
    expect(formatIpKey(r.hi)).toBe('10.255.255.255');
    const v6 = ipKeyRange('2001:db8::/32') as { lo: string; hi: string };
    expect(formatIpKey(v6.hi)).toBe('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
    expect(ipKeyRange('10.0.0.0/33')).toEqual({ invalid: expect.stringMatching(/prefix length/) });
    expect(ipKeyRange('::ffff:10.0.0.0/104')).toEqual({ invalid: expect.stringMatching(/IPv4-mapped/) });
  });
});

describe('fuzzy', () => {
  it('uses Damerau-Levenshtein (optimal string alignment) and ES AUTO distances', () => {
    expect(withinDistance('alice', 'alcie', 1)).toBe(true);
    expect(withinDistance('bob', 'bobby', 1)).toBe(false);
    expect(withinDistance('bob', 'bobby', 2)).toBe(true);
    expect(withinDistance('zoë', 'zoe', 1)).toBe(true);
    expect([autoDistance('ab'), autoDistance('abc'), autoDistance('abcde'), autoDistance('abcdef')]).toEqual([0, 1, 1, 2]);
  });
});

describe('histogram intervals', () => {
  it('picks the smallest nice interval with at most ~60 buckets', () => {
    expect(chooseInterval(10_000)).toBe(1_000);
    expect(chooseInterval(3_600_000)).toBe(300_000);
    expect(chooseInterval(24 * 3_600_000)).toBe(1_800_000);
    expect(chooseInterval(30 * 24 * 3_600_000)).toBe(86_400_000);
    expect(chooseInterval(365 * 24 * 3_600_000)).toBe(7 * 86_400_000);
  });
});
