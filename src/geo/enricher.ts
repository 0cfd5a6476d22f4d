/**
 * Enrichment of an event's source address at ingest (Elasticsearch's geoip processor, after
 * ECS): `source.ip_scope` for every address, and for public ones the country, city and
 * location (`source.geo.*`) and the autonomous system (`source.as.*`). What the producer sent
 * wins: an event that carries any `source.geo.*` (or `source.as.*`) field gets none of ours in
 * that group, so a place is never half theirs and half ours.
 */
import type { IpScope, NormalizedFields } from '../events/event.ts';
import { addressScope } from './address-scope.ts';
import type { AsnRecord, CityRecord, GeoDatabase } from './record.ts';

const GEO_FIELDS = ['source.geo.country_iso_code', 'source.geo.country_name', 'source.geo.city_name', 'source.geo.location'] as const;
const AS_FIELDS = ['source.as.number', 'source.as.organization.name'] as const;

export interface GeoDatabases {
  /** Tried in order until one knows the address. */
  city: ReadonlyArray<GeoDatabase<CityRecord>>;
  asn: ReadonlyArray<GeoDatabase<AsnRecord>>;
}

export type EventEnricher = (ecs: NormalizedFields) => NormalizedFields;

/**
 * Answers kept per address: audit logs repeat the same few addresses (a user's office, a CI
 * runner), and a database lookup costs ~10-30 µs where a Map hit costs well under one
 * (docs/benchmarks.md, "GeoIP"). Oldest first out, so memory stays bounded.
 */
export const LOOKUP_CACHE_SIZE = 10_000;

interface Answer {
  scope: IpScope;
  city: CityRecord | null;
  as: AsnRecord | null;
}

/**
 * `dbs` may be a function that opens them: it is called at the first public address, so a
 * process that never sees one (the CLI's admin commands) never pays the seconds and the memory
 * of opening them (docs/benchmarks.md, "GeoIP").
 */
export function geoEnricher(dbs: GeoDatabases | (() => GeoDatabases), { cacheSize = LOOKUP_CACHE_SIZE }: { cacheSize?: number } = {}): EventEnricher {
  let opened = typeof dbs === 'function' ? null : dbs;
  const databases = () => (opened ??= (dbs as () => GeoDatabases)());
  const first = <R>(list: ReadonlyArray<GeoDatabase<R>>, address: string, family: 4 | 6): R | null => {
    for (const db of list) {
      const r = db.get(address, family);
      if (r !== null) return r;
    }
    return null;
  };
  const cache = new Map<string, Answer | null>();
  const lookup = (ip: string): Answer | null => {
    let answer = cache.get(ip);
    if (answer === undefined) {
      const scoped = addressScope(ip);
      answer =
        scoped === undefined
          ? null
          : scoped.scope === 'public'
            ? { scope: scoped.scope, city: first(databases().city, scoped.lookup, scoped.family), as: first(databases().asn, scoped.lookup, scoped.family) }
            : { scope: scoped.scope, city: null, as: null };
      if (cacheSize > 0) {
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
        cache.set(ip, answer);
      }
    }
    return answer;
  };
  return (ecs) => {
    const ip = ecs['source.ip'];
    if (ip === undefined) return ecs;
    const answer = lookup(ip);
    if (answer === null) return ecs;
    const out: NormalizedFields = { ...ecs };
    out['source.ip_scope'] ??= answer.scope;
    const { city, as } = answer;
    if (city && !GEO_FIELDS.some((f) => ecs[f] !== undefined)) {
      if (city.countryIsoCode !== undefined) out['source.geo.country_iso_code'] = city.countryIsoCode;
      if (city.countryName !== undefined) out['source.geo.country_name'] = city.countryName;
      if (city.cityName !== undefined) out['source.geo.city_name'] = city.cityName;
      if (city.location !== undefined) out['source.geo.location'] = { ...city.location };
    }
    if (as && !AS_FIELDS.some((f) => ecs[f] !== undefined)) {
      out['source.as.number'] = as.number;
      if (as.organization !== '') out['source.as.organization.name'] = as.organization;
    }
    return out;
  };
}
