/**
 * GeoIP over real HTTP on both stores: events sent with public, private and IPv6 source
 * addresses come back with their place and network, which search, facets and the fields API
 * know; the point refuses every query but _exists_ with a 400 naming it; enrichment can be
 * switched off, and the databases can be chosen by path (here the shipped files, as an operator
 * with a MaxMind licence would name theirs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { defaultAsnFiles, defaultCityFiles } from '../../src/geo/index.ts';
import { corpusLines } from '../support/corpus.ts';
import { type Harness, startHarness, storeKinds } from './harness.ts';

interface Hit {
  id: string;
  normalized: Record<string, unknown>;
}

const NOW = Date.now();
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();
const login = (ip: string, user: string, minutesAgo: number) => ({
  '@timestamp': at(minutesAgo),
  event: { action: 'user.login', outcome: 'success' },
  user: { email: user },
  source: { ip },
});

async function send(h: Harness, events: unknown[]): Promise<string[]> {
  const res = await h.call('/api/v1/events?refresh=wait_for', {
    method: 'POST',
    key: h.teams.a.keys.ingest,
    headers: { 'content-type': 'application/x-ndjson' },
    body: events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n'),
  });
  const body = (await res.json()) as { accepted: Array<{ id: string }>; rejected: unknown[] };
  expect(res.status, JSON.stringify(body)).toBeLessThan(300);
  expect(body.rejected).toEqual([]);
  return body.accepted.map((a) => a.id);
}

async function search(h: Harness, q: string): Promise<{ status: number; hits: Hit[]; body: Record<string, unknown> }> {
  const res = await h.call(`/api/v1/events?${new URLSearchParams({ q, from: '2000-01-01T00:00:00Z', size: '100' })}`, { key: h.teams.a.keys.read });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, hits: (body.hits as Hit[] | undefined) ?? [], body };
}

describe.each(storeKinds('GeoIP over HTTP'))('GeoIP over HTTP on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    // The corpus event is dated 2022: a retention long enough to keep it.
    h = await startHarness(kind, { AUDITLOG_RETENTION_DAYS: '36500' });
    // A real CloudTrail event (the corpus) from a public address, sent as it was published.
    const cloudtrail = corpusLines('cloudtrail.ndjson').find((l) => l.includes('"sourceIPAddress": "1.1.1.1"'));
    expect(cloudtrail).toBeDefined();
    await send(h, [
      login('81.2.69.142', 'alice@example.com', 5),
      login('8.8.8.8', 'bob@example.com', 4),
      login('2001:4860:4860::8888', 'carol@example.com', 3),
      login('10.20.30.40', 'dave@example.com', 2),
      { ...login('8.8.4.4', 'erin@example.com', 1), source: { ip: '8.8.4.4', geo: { country_iso_code: 'FR', city_name: 'Paris' } } },
      cloudtrail!,
    ]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores the place and network of public addresses and the scope of every address', async () => {
    const { hits } = await search(h, 'event.action:user.login OR _exists_:source.as.number');
    const by = new Map(hits.map((x) => [x.normalized['source.ip'], x.normalized]));
    expect(by.get('81.2.69.142')).toMatchObject({
      'source.ip_scope': 'public',
      'source.geo.country_iso_code': 'GB',
      'source.geo.country_name': 'United Kingdom',
      'source.geo.city_name': 'London',
      'source.geo.location': { lat: 51.5143, lon: -0.0912 },
      'source.as.number': 20712,
    });
    expect(by.get('8.8.8.8')).toMatchObject({ 'source.geo.country_iso_code': 'US', 'source.as.number': 15169, 'source.as.organization.name': 'Google LLC' });
    expect(by.get('2001:4860:4860::8888')).toMatchObject({ 'source.ip_scope': 'public', 'source.as.number': 15169 });
    expect(by.get('1.1.1.1')).toMatchObject({ 'source.geo.country_iso_code': 'AU', 'source.as.organization.name': 'Cloudflare, Inc.' });
    const inside = by.get('10.20.30.40')!;
    expect(inside['source.ip_scope']).toBe('private');
    expect(Object.keys(inside).some((k) => k.startsWith('source.geo') || k.startsWith('source.as'))).toBe(false);
    // What the producer sent is kept whole; the network, which it did not send, is ours.
    expect(by.get('8.8.4.4')).toMatchObject({ 'source.geo.country_iso_code': 'FR', 'source.geo.city_name': 'Paris', 'source.as.number': 15169 });
    expect(by.get('8.8.4.4')!['source.geo.location']).toBeUndefined();
  });

  it('searches, facets and lists the new fields', async () => {
    expect((await search(h, 'source.geo.country_iso_code:GB')).hits.map((x) => x.normalized['user.email'])).toEqual(['alice@example.com']);
    expect((await search(h, 'source.as.organization.name:"Google LLC" AND NOT source.geo.country_iso_code:FR')).hits).toHaveLength(2);
    expect((await search(h, 'NOT source.ip_scope:public')).hits.map((x) => x.normalized['source.ip'])).toEqual(['10.20.30.40']);
    expect((await search(h, 'London')).hits.map((x) => x.normalized['source.ip'])).toEqual(['81.2.69.142']);
    expect((await search(h, '_exists_:source.geo.location')).hits).toHaveLength(4);

    const qs = new URLSearchParams({ field: 'source.as.number', from: '2000-01-01T00:00:00Z' });
    const facets = (await (await h.call(`/api/v1/events/facets?${qs}`, { key: h.teams.a.keys.read })).json()) as { buckets: Array<{ value: string; count: number }> };
    expect(facets.buckets[0]).toEqual({ value: '15169', count: 3 });

    const res = await h.call('/api/v1/fields', { key: h.teams.a.keys.read });
    const { fields } = (await res.json()) as { fields: Array<{ name: string; type: string; count: number }> };
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('source.geo.location')).toMatchObject({ type: 'geo_point', count: 4 });
    expect(byName.get('source.as.number')).toMatchObject({ type: 'long', count: 5 });
    expect(byName.get('source.ip_scope')).toMatchObject({ type: 'keyword', count: 6 });
  });

  it('answers a query or facet on the point with a 400 that names the field and what works', async () => {
    const { status, body } = await search(h, 'source.geo.location:51.5');
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('source.geo.location');
    expect(JSON.stringify(body)).toContain('_exists_');
    const res = await h.call(`/api/v1/events/facets?${new URLSearchParams({ field: 'source.geo.location' })}`, { key: h.teams.a.keys.read });
    expect(res.status).toBe(400);
  });
});

describe('GeoIP configuration', () => {
  it('AUDITLOG_GEOIP=off stores no scope, place or network', async () => {
    const h = await startHarness('sqlite', { AUDITLOG_GEOIP: 'off' });
    try {
      await send(h, [login('81.2.69.142', 'alice@example.com', 1)]);
      const [hit] = (await search(h, '*')).hits;
      expect(Object.keys(hit!.normalized).filter((k) => k.startsWith('source.'))).toEqual(['source.ip']);
    } finally {
      await h.close();
    }
  });

  it('reads the databases named by path: here the shipped IPv4 files only, so IPv6 gets a scope and nothing else', async () => {
    const h = await startHarness('sqlite', { AUDITLOG_GEOIP_CITY_DB: defaultCityFiles()[0]!, AUDITLOG_GEOIP_ASN_DB: defaultAsnFiles()[0]! });
    try {
      await send(h, [login('81.2.69.142', 'alice@example.com', 2), login('2001:4860:4860::8888', 'carol@example.com', 1)]);
      const by = new Map((await search(h, '*')).hits.map((x) => [x.normalized['source.ip'], x.normalized]));
      expect(by.get('81.2.69.142')).toMatchObject({ 'source.geo.city_name': 'London', 'source.as.number': 20712 });
      expect(Object.keys(by.get('2001:4860:4860::8888')!).filter((k) => k.startsWith('source.'))).toEqual(['source.ip', 'source.ip_scope']);
    } finally {
      await h.close();
    }
  });

  it('a database path that does not exist stops start-up with a message naming the variable', () => {
    expect(() => loadConfig({ AUDITLOG_GEOIP_CITY_DB: '/nonexistent/GeoLite2-City.mmdb' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUDITLOG_GEOIP_CITY_DB: '/nonexistent/GeoLite2-City.mmdb' })).toThrow(/AUDITLOG_GEOIP_CITY_DB: \/nonexistent\/GeoLite2-City.mmdb: no such file/);
  });
});
