/**
 * The address a request came from. Behind a reverse proxy every request arrives from the
 * proxy, so when the peer is one of the operator's trusted proxies (AUDITLOG_TRUSTED_PROXIES),
 * the client is the right-most address of X-Forwarded-For that is not itself a trusted proxy
 * (the left part of that header is whatever the client chose to send).
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { isIP } from 'node:net';
import type { AddressSet } from '../net/cidr.ts';

/** IPv4-mapped IPv6 (`::ffff:10.1.2.3`) as the IPv4 address it is. */
function plain(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.)/i, '');
}

/** The client's address; undefined when the request did not come over a socket (app.request in tests). */
export function clientAddress(c: Context, trustedProxies?: AddressSet): string | undefined {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
  if (!peer || !isIP(plain(peer))) return undefined;
  let address = plain(peer);
  if (!trustedProxies?.has(address)) return address;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => plain(s.trim()))
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i]!;
    if (!isIP(hop)) break;
    address = hop;
    if (!trustedProxies.has(hop)) break;
  }
  return address;
}
