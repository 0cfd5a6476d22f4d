/** The scope of an address, from IANA's special-purpose registries; only `public` ones are looked up. */
import { describe, expect, it } from 'vitest';
import { addressScope } from '../../src/geo/address-scope.ts';

describe('addressScope', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['81.2.69.142', 'public'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.100.100', 'private'],
    ['100.64.1.1', 'shared'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['192.0.2.0', 'documentation'],
    ['198.51.100.1', 'documentation'],
    ['203.0.113.50', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:1.1.1.1', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['fd12:3456::1', 'private'],
    ['2001:db8::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['2001::1', 'reserved'],
    ['ff02::1', 'multicast'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (ip, scope) => {
    expect(addressScope(ip)?.scope).toBe(scope);
  });

  it('looks up an IPv4-mapped address as the IPv4 address it carries; refuses what is no address', () => {
    expect(addressScope('::ffff:1.1.1.1')).toEqual({ scope: 'public', lookup: '1.1.1.1', family: 4 });
    expect(addressScope('2a03:2880::1%1')).toEqual({ scope: 'public', lookup: '2a03:2880::1', family: 6 });
    for (const bad of ['', 'localhost', '1.2.3', '256.1.1.1', '1.2.3.4/24', ':::']) expect(addressScope(bad)).toBeUndefined();
  });
});
