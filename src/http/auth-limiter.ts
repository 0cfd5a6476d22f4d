/**
 * Failed authentications per client address: after `maxFailures` in a window of `windowMs`,
 * the address gets 429 with Retry-After for every request, with a valid key or not, until the
 * window ends. Refusing only the failures would not slow a guesser: a 429 would then mean
 * "wrong" as plainly as a 401.
 *
 * State is per process (several instances each keep their own count), bounded in size; an
 * IPv6 client is counted by its /64, which one host usually owns whole.
 */

export interface AuthLimiterOptions {
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at once; the oldest are forgotten first. Default 100,000. */
  maxTracked?: number;
  now?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailedAuthLimiter {
  readonly #o: Required<Omit<AuthLimiterOptions, 'now'>>;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor({ maxFailures, windowMs, maxTracked = 100_000, now = Date.now }: AuthLimiterOptions) {
    this.#o = { maxFailures, windowMs, maxTracked };
    this.#now = now;
  }

  /** Seconds until `address` may try again, or 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const w = this.#current(address);
    if (!w || w.failures < this.#o.maxFailures) return 0;
    return Math.max(1, Math.ceil((w.start + this.#o.windowMs - this.#now()) / 1000));
  }

  /** Counts a failure; true when this one reached the limit (the address is now refused). */
  fail(address: string): boolean {
    const key = addressKey(address);
    let w = this.#current(address);
    if (!w) {
      w = { start: this.#now(), failures: 0 };
      this.#windows.set(key, w);
      if (this.#windows.size > this.#o.maxTracked) this.#forgetOldest();
    }
    w.failures++;
    return w.failures === this.#o.maxFailures;
  }

  #current(address: string): Window | undefined {
    const key = addressKey(address);
    const w = this.#windows.get(key);
    if (w && this.#now() >= w.start + this.#o.windowMs) {
      this.#windows.delete(key);
      return undefined;
    }
    return w;
  }

  #forgetOldest() {
    // Maps iterate in insertion order: the first entries are the oldest windows.
    const excess = this.#windows.size - this.#o.maxTracked;
    let i = 0;
    for (const key of this.#windows.keys()) {
      if (i++ >= excess) break;
      this.#windows.delete(key);
    }
  }
}

/** IPv4 as is; IPv6 by its first 64 bits. */
function addressKey(address: string): string {
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
