import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../../src/http/auth-limiter.ts';

describe('failed authentication limiter', () => {
  const clock = { now: 0 };
  const limiter = () => new FailedAuthLimiter({ maxFailures: 3, windowMs: 10_000, now: () => clock.now });

  it('refuses an address from its Nth failure until the window ends', () => {
    clock.now = 1_000;
    const l = limiter();
    expect([l.fail('192.0.2.1'), l.fail('192.0.2.1')]).toEqual([false, false]);
    expect(l.retryAfterSeconds('192.0.2.1')).toBe(0);
    expect(l.fail('192.0.2.1')).toBe(true);
    expect(l.retryAfterSeconds('192.0.2.1')).toBe(10);
    expect(l.retryAfterSeconds('192.0.2.2')).toBe(0);
    clock.now = 10_500;
    expect(l.retryAfterSeconds('192.0.2.1')).toBe(1);
    clock.now = 11_000;
    expect(l.retryAfterSeconds('192.0.2.1')).toBe(0);
    expect(l.fail('192.0.2.1')).toBe(false);
  });

  it('counts an IPv6 client by its /64, however the address is written', () => {
    clock.now = 0;
    const l = limiter();
    l.fail('2001:db8:1:2::1');
    l.fail('2001:0db8:0001:0002:ffff::9');
    expect(l.fail('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe(true);
    expect(l.retryAfterSeconds('2001:db8:1:2::77')).toBeGreaterThan(0);
    expect(l.retryAfterSeconds('2001:db8:1:3::1')).toBe(0);
  });

  it('forgets the oldest addresses beyond its bound', () => {
    clock.now = 0;
    const l = new FailedAuthLimiter({ maxFailures: 1, windowMs: 10_000, maxTracked: 2, now: () => clock.now });
    for (const a of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) l.fail(a);
    expect(l.retryAfterSeconds('192.0.2.1')).toBe(0);
    expect(l.retryAfterSeconds('192.0.2.3')).toBeGreaterThan(0);
  });
});
