/**
 * What kind of address a source IP is, from IANA's IPv4 and IPv6 special-purpose address
 * registries (RFC 6890 and its updates). Only `public` addresses are looked up in the
 * databases: a private or reserved address has no place on a map, and a database's answer for
 * one (some place the range was once registered) would mislead.
 */
import type { IpScope } from '../events/event.ts';
import { parseIp } from '../query/ip.ts';

type Special = Exclude<IpScope, 'public'>;

/** IPv4 ranges, as in the registry; written as IPv4-mapped prefixes below. */
const V4: Array<[Special, string, number]> = [
  ['unspecified', '0.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['shared', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link_local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24],
  ['documentation', '192.0.2.0', 24],
  ['reserved', '192.88.99.0', 24],
  ['private', '192.168.0.0', 16],
  ['benchmarking', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24],
  ['documentation', '203.0.113.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['broadcast', '255.255.255.255', 32],
  ['reserved', '240.0.0.0', 4],
];

/** Checked in order, so a narrow exception comes before the range around it. */
const V6: Array<[Special, string, number]> = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['reserved', '64:ff9b:1::', 48],
  ['reserved', '100::', 64],
  ['benchmarking', '2001:2::', 48],
  ['reserved', '2001::', 23],
  ['documentation', '2001:db8::', 32],
  ['documentation', '3fff::', 20],
  ['reserved', '2002::', 16],
  ['private', 'fc00::', 7],
  ['link_local', 'fe80::', 10],
  ['multicast', 'ff00::', 8],
];

interface Prefix {
  scope: Special;
  bytes: number[];
  bits: number;
}

const prefix = (scope: Special, address: string, bits: number): Prefix => ({ scope, bytes: parseIp(address)!, bits });
const V4_PREFIXES = V4.map(([scope, address, bits]) => prefix(scope, address, 96 + bits));
const V6_PREFIXES = V6.map(([scope, address, bits]) => prefix(scope, address, bits));

function within(bytes: number[], p: Prefix): boolean {
  const whole = p.bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== p.bytes[i]) return false;
  const rest = p.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole]! & mask) === (p.bytes[whole]! & mask);
}

function isMappedV4(bytes: number[]): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

export interface ScopedAddress {
  scope: IpScope;
  /** The address to look up: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as the IPv4 address it carries. */
  lookup: string;
  family: 4 | 6;
}

/** The scope of `ip`, or undefined when it is no address. */
export function addressScope(ip: string): ScopedAddress | undefined {
  const bytes = parseIp(ip);
  if (bytes === null) return undefined;
  if (isMappedV4(bytes)) {
    const lookup = ip.includes(':') ? bytes.slice(12).join('.') : ip;
    for (const p of V4_PREFIXES) if (within(bytes, p)) return { scope: p.scope, lookup, family: 4 };
    return { scope: 'public', lookup, family: 4 };
  }
  const lookup = ip.split('%')[0]!;
  for (const p of V6_PREFIXES) if (within(bytes, p)) return { scope: p.scope, lookup, family: 6 };
  // Outside 2000::/3 nothing is allocated for global unicast yet (IANA's IPv6 address space registry).
  return { scope: (bytes[0]! & 0xe0) === 0x20 ? 'public' : 'reserved', lookup, family: 6 };
}
