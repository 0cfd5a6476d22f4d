/**
 * GeoIP fields in the shared store suite: real events from the corpus and known public
 * addresses, enriched by the real databases as ingest does, queried and faceted the same way
 * on every store. The expected answers are computed from the events themselves, so the test
 * says "the store finds exactly what the events hold", on both stores alike.
 */
import { describe, beforeAll, expect } from 'vitest';
import { AppError } from '../../src/errors.ts';
import type { StoredEvent } from '../../src/events/event.ts';
import { geoEnricher, openGeoDatabases } from '../../src/geo/index.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';
import { parseQuery } from '../../src/query/parse.ts';
import type { AuditStore } from '../../src/store/interface.ts';
import { corpusFiles, corpusLines } from '../support/corpus.ts';

const RECEIVED = Date.UTC(2026, 10, 23);

/** Corpus events with a source address, and a few known public addresses, enriched as ingest does. */
export function geoEvents(team: string): StoredEvent[] {
  const enrich = geoEnricher(openGeoDatabases());
  const events: StoredEvent[] = [];
  for (const file of corpusFiles()) {
    const items = corpusLines(file).map((raw, index) => ({ index, value: JSON.parse(raw) as Record<string, unknown>, raw }));
    for (const p of prepareEvents(items, { team, received: RECEIVED, enrich })) {
      if ('event' in p && p.event.ecs['source.ip'] !== undefined) events.push(p.event);
    }
  }
  // Two events per address keep the team small and every address in it.
  const perIp = new Map<string, number>();
  const sample = events.filter((e) => {
    const n = perIp.get(e.ecs['source.ip']!) ?? 0;
    perIp.set(e.ecs['source.ip']!, n + 1);
    return n < 2;
  });
  events.length = 0;
  events.push(...sample);
  const known = ['8.8.8.8', '81.2.69.142', '2001:4860:4860::8888', '::ffff:1.1.1.1', '10.9.8.7', 'fe80::1'].map((ip, i) => {
    const value = { '@timestamp': new Date(RECEIVED - i * 1000).toISOString(), event: { action: 'user.login' }, user: { name: `known-${i}` }, source: { ip } };
    return { index: i, value, raw: JSON.stringify(value) };
  });
  // One producer that sent its own place: it is kept, and none of ours is mixed into it.
  const own = { '@timestamp': new Date(RECEIVED).toISOString(), event: { action: 'user.login' }, source: { ip: '8.8.4.4', geo: { country_iso_code: 'FR' } } };
  known.push({ index: known.length, value: own as never, raw: JSON.stringify(own) });
  for (const p of prepareEvents(known, { team, received: RECEIVED, format: 'ecs', enrich })) {
    if ('event' in p) events.push(p.event);
    else throw new Error(p.error.reason);
  }
  return events;
}

type Test = (title: string, fn: () => Promise<void>, timeout?: number) => void;

export function geoCases(store: () => AuditStore, newTeam: () => string, test: Test): void {
  describe('GeoIP fields', () => {
    let team: string;
    let events: StoredEvent[];
    beforeAll(async () => {
      team = newTeam();
      events = geoEvents(team);
      const results = await store().append(team, events, { waitForSearch: true });
      expect(results.every((r) => r.status === 'created')).toBe(true);
    }, 120_000);

    const idsOf = (pred: (e: StoredEvent) => boolean) => events.filter(pred).map((e) => e.id).sort();
    const found = async (query: string) => {
      const page = await store().search(team, { query: parseQuery(query), size: 1000, sort: 'asc' });
      expect(page.total).toBeLessThan(1000);
      return page.hits.map((h) => h.id).sort();
    };
    /** The most frequent value of a field among the events. */
    const top = (field: keyof StoredEvent['ecs']) => {
      const counts = new Map<string, number>();
      for (const e of events) {
        const v = e.ecs[field];
        if (v !== undefined) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    };

    test('the known addresses are where the databases put them, the producer\'s own place kept', async () => {
      const byIp = new Map(events.filter((e) => e.format === 'ecs').map((e) => [e.ecs['source.ip'], e.ecs]));
      expect(byIp.get('8.8.8.8')).toMatchObject({ 'source.ip_scope': 'public', 'source.geo.country_iso_code': 'US', 'source.as.number': 15169, 'source.as.organization.name': 'Google LLC' });
      expect(byIp.get('81.2.69.142')).toMatchObject({ 'source.geo.country_iso_code': 'GB', 'source.geo.country_name': 'United Kingdom', 'source.geo.city_name': 'London' });
      expect(byIp.get('2001:4860:4860::8888')).toMatchObject({ 'source.ip_scope': 'public', 'source.as.number': 15169 });
      // The ecs adapter writes an IPv4-mapped address as the IPv4 address.
      expect(byIp.get('1.1.1.1')).toMatchObject({ 'source.ip_scope': 'public', 'source.as.number': 13335 });
      expect(byIp.get('10.9.8.7')).toEqual(expect.objectContaining({ 'source.ip_scope': 'private' }));
      expect(Object.keys(byIp.get('10.9.8.7')!).filter((k) => k.startsWith('source.geo') || k.startsWith('source.as'))).toEqual([]);
      expect(byIp.get('fe80::1')).toMatchObject({ 'source.ip_scope': 'link_local' });
      const own = byIp.get('8.8.4.4')!;
      expect(own['source.geo.country_iso_code']).toBe('FR');
      expect(own['source.geo.city_name']).toBeUndefined();
      expect(own['source.as.number']).toBe(15169);
      // The corpus itself: its public addresses got a country, its private ones a scope only.
      expect(events.filter((e) => e.format !== 'ecs' && e.ecs['source.geo.country_iso_code'] !== undefined).length).toBeGreaterThan(50);
      expect(events.filter((e) => e.format !== 'ecs' && e.ecs['source.ip_scope'] === 'private').length).toBeGreaterThan(10);
    });

    for (const field of ['source.geo.country_iso_code', 'source.geo.country_name', 'source.geo.city_name', 'source.as.number', 'source.as.organization.name', 'source.ip_scope'] as const) {
      test(`${field}: a term finds exactly the events that hold the value`, async () => {
        const value = top(field);
        expect(await found(`${field}:${JSON.stringify(value)}`)).toEqual(idsOf((e) => String(e.ecs[field]) === value));
      });
    }

    test('NOT source.ip_scope:public, a range on source.as.number, a pattern over source.geo.*', async () => {
      expect(await found('NOT source.ip_scope:public')).toEqual(idsOf((e) => e.ecs['source.ip_scope'] !== 'public'));
      expect(await found('source.as.number:[15000 TO 16000]')).toEqual(idsOf((e) => (e.ecs['source.as.number'] ?? -1) >= 15000 && (e.ecs['source.as.number'] ?? -1) <= 16000));
      const country = top('source.geo.country_iso_code');
      expect(await found(`source.geo.\\*:${country}`)).toEqual(
        idsOf((e) => [e.ecs['source.geo.country_iso_code'], e.ecs['source.geo.country_name'], e.ecs['source.geo.city_name']].includes(country)),
      );
    });

    test('source.geo.location answers _exists_ (and field:*), and refuses any other query, naming the field', async () => {
      const located = idsOf((e) => e.ecs['source.geo.location'] !== undefined);
      expect(located.length).toBeGreaterThan(0);
      expect(await found('_exists_:source.geo.location')).toEqual(located);
      expect(await found('source.geo.location:*')).toEqual(located);
      for (const query of ['source.geo.location:51.5', 'source.geo.location:[0 TO 90]', 'source.geo.location:"51.5143, -0.0912"']) {
        const err = await store().search(team, { query: parseQuery(query), size: 10 }).catch((e: unknown) => e);
        expect(err, query).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('UNSUPPORTED_QUERY');
        expect((err as AppError).details).toMatchObject({ field: 'source.geo.location' });
        expect((err as AppError).message).toContain('_exists_');
      }
    });

    test('the scope and the point are no free text; the place names are', async () => {
      const london = idsOf((e) => e.ecs['source.geo.city_name'] === 'London');
      expect(london.length).toBeGreaterThan(0);
      for (const id of london) expect(await found('London')).toContain(id);
      const privates = events.filter((e) => e.ecs['source.ip_scope'] === 'private' && !e.raw.toLowerCase().includes('private'));
      expect(privates.length).toBeGreaterThan(0);
      const hits = await found('private');
      for (const e of privates) expect(hits).not.toContain(e.id);
    });

    test('facets on the geo and AS fields count like the events; a facet on the point is refused', async () => {
      for (const field of ['source.geo.country_iso_code', 'source.as.organization.name', 'source.as.number'] as const) {
        const f = await store().facets(team, { query: null, field, size: 5 });
        const counts = new Map<string, number>();
        for (const e of events) if (e.ecs[field] !== undefined) counts.set(String(e.ecs[field]), (counts.get(String(e.ecs[field])) ?? 0) + 1);
        for (const b of f.buckets) expect(b.count, `${field}=${b.value}`).toBe(counts.get(b.value));
        expect(f.buckets[0]!.count).toBe(Math.max(...counts.values()));
      }
      const err = await store().facets(team, { query: null, field: 'source.geo.location' }).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('UNSUPPORTED_QUERY');
      expect((err as AppError).details).toMatchObject({ field: 'source.geo.location' });
    });

    test('get returns an enriched event unchanged, its point included', async () => {
      const e = events.find((x) => x.ecs['source.geo.location'] !== undefined && x.ecs['source.as.number'] !== undefined)!;
      expect(await store().get(team, e.id)).toEqual(e);
    });
  });
}
