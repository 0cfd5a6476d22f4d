/**
 * Address ranges written by operators (`10.0.0.0/8, ::1/128, 192.168.1.7`) and the check of an
 * address against them, on Node's own BlockList (which also matches an IPv4-mapped IPv6
 * address, `::ffff:127.0.0.1`, against IPv4 ranges).
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a range of one); throws with a message a person can act on. */
export function parseCidr(text: string): Cidr {
  const [address = '', prefixText, extra] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) throw new Error(`${JSON.stringify(text)} is not an address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(`${JSON.stringify(text)}: the prefix length must be 0 to ${max}`);
  }
  return { address, prefix, family };
}

/** A comma- or space-separated list of ranges, for config variables. Empty text is an empty list. */
export const CidrList = z.string().transform((text, ctx) => {
  const out: Cidr[] = [];
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    try {
      out.push(parseCidr(part));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }
  return out;
});

/** Answers whether an address lies in any of a set of ranges. */
export class AddressSet {
  readonly #list = new BlockList();
  readonly ranges: readonly Cidr[];

  constructor(ranges: readonly Cidr[]) {
    this.ranges = ranges;
    for (const r of ranges) this.#list.addSubnet(r.address, r.prefix, r.family);
  }

  has(address: string): boolean {
    const version = isIP(address);
    if (version === 0) return false;
    return this.#list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}
