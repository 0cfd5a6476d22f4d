/**
 * Where alert webhooks may go. A team admin chooses the URL, so without a check a rule could
 * make the server POST to its own loopback, the private network, or the cloud metadata service,
 * and the delivery history would tell open ports from closed ones (server-side request forgery).
 *
 * Refused unless the operator allows them (AUDITLOG_ALERT_ALLOWED_TARGETS, CIDRs): loopback,
 * private, shared (CGNAT), link-local (169.254.169.254, the metadata service of most clouds),
 * unspecified, multicast, broadcast and reserved addresses, in IPv4 and IPv6, including IPv4
 * written inside IPv6 (mapped, compatible, NAT64, 6to4). Odd IPv4 spellings (`2130706433`,
 * `127.1`, `0x7f.1`) need no case of their own: the WHATWG URL parser, which both the check and
 * the request use, turns them into dotted quads first.
 *
 * The check runs on the address actually connected to: the request resolves the name through
 * `lookup` below, which refuses when any address of the name is refused, and the socket
 * connects to what it returned, so a name that resolves to a public address for a check and to
 * 127.0.0.1 for the connection (DNS rebinding) gets nowhere. Redirects are never followed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { AddressSet, type Cidr, parseCidr } from '../net/cidr.ts';

const range = (text: string, why: string) => ({ ...parseCidr(text), why });

/** Refused ranges, each with the reason a person reads in the 400 or the delivery history. */
const REFUSED: ReadonlyArray<Cidr & { why: string }> = [
  range('0.0.0.0/8', 'an unspecified ("this network") address'),
  range('10.0.0.0/8', 'a private address'),
  range('100.64.0.0/10', 'a shared (carrier-grade NAT) address'),
  range('127.0.0.0/8', 'a loopback address'),
  range('169.254.0.0/16', 'a link-local address (cloud metadata services live here)'),
  range('172.16.0.0/12', 'a private address'),
  range('192.0.0.0/24', 'an IETF protocol address'),
  range('192.168.0.0/16', 'a private address'),
  range('198.18.0.0/15', 'a benchmarking address'),
  range('224.0.0.0/4', 'a multicast address'),
  range('240.0.0.0/4', 'a reserved or broadcast address'),
  range('::/128', 'an unspecified address'),
  range('::1/128', 'a loopback address'),
  range('64:ff9b:1::/48', 'a local-use NAT64 address'),
  range('100::/64', 'a discard-only address'),
  range('2001::/32', 'a Teredo tunnel address'),
  range('fc00::/7', 'a unique local (private) address'),
  range('fe80::/10', 'a link-local address'),
  range('fec0::/10', 'a site-local address'),
  range('ff00::/8', 'a multicast address'),
];
const REFUSED_SETS = REFUSED.map((r) => ({ set: new AddressSet([r]), why: r.why }));

/** Host names that always mean this machine (RFC 6761), refused like 127.0.0.1. */
const LOCAL_NAMES = /^(localhost|localhost\.localdomain|.*\.localhost)\.?$/i;

export const ALLOW_HINT = 'set AUDITLOG_ALERT_ALLOWED_TARGETS to allow it';

export class TargetRefusedError extends Error {
  readonly code = 'ETARGETREFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

export class EgressPolicy {
  readonly #allowed: AddressSet;

  /** `allowed`: ranges the operator lets webhooks reach although they are refused by default. */
  constructor(allowed: readonly Cidr[] = []) {
    this.#allowed = new AddressSet(allowed);
  }

  /** Why a webhook may not connect to `address` (an IP), or null when it may. */
  refusal(address: string): string | null {
    const plain = address.replace(/^\[|\]$/g, '');
    if (isIP(plain) === 0) return `${address} is not an IP address`;
    const embedded = embeddedIPv4(plain);
    for (const candidate of embedded ? [plain, embedded] : [plain]) {
      if (this.#allowed.has(candidate)) return null;
    }
    for (const candidate of embedded ? [embedded, plain] : [plain]) {
      const hit = REFUSED_SETS.find((r) => r.set.has(candidate));
      if (hit) return `${plain} is ${hit.why}`;
    }
    return null;
  }

  /**
   * For rule creation: why the URL's host is refused when that is known without DNS (an IP
   * literal, or a name that always means this machine); null otherwise. The address a name
   * resolves to is checked at each send.
   */
  literalRefusal(url: string): string | null {
    let host: string;
    try {
      host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return null;
    }
    if (isIP(host) !== 0) return this.refusal(host);
    if (LOCAL_NAMES.test(host) && this.refusal('127.0.0.1') !== null && this.refusal('::1') !== null) return `${host} is this machine`;
    return null;
  }

  /** A `lookup` for sockets: resolves, refuses when any address is refused, and connects only to what it checked. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const why = this.refusal(a.address);
        if (why) return callback(new TargetRefusedError(`${hostname} resolves to ${why}`), '', 0);
      }
      if (addresses.length === 0) return callback(new TargetRefusedError(`${hostname} resolves to no address`), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64, 6to4), or null. */
export function embeddedIPv4(address: string): string | null {
  if (isIP(address) !== 6) return null;
  const g = ipv6Groups(address);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated; not :: and ::1)
  if (zeros(0, 5) && g[5] === 0xffff) return quad(g[6]!, g[7]!);
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return quad(g[6]!, g[7]!);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return quad(g[6]!, g[7]!);
  // 2002:aabb:ccdd::/48 (6to4)
  if (g[0] === 0x2002) return quad(g[1]!, g[2]!);
  return null;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((x) => parseInt(x, 16));
}
