/**
 * Enrichment of an event's source address at ingest (Elasticsearch's geoip processor, after
 * ECS): `source.ip_scope` for every address, and for public ones the country, city and
 * location (`source.geo.*`) and the autonomous system (`source.as.*`). What the producer sent
 * wins: an event that carries any `source.geo.*` (or `source.as.*`) field gets none of ours in
 * that group, so a place is never half theirs and half ours.
 */
import type { NormalizedFields } from '../events/event.ts';
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

export function geoEnricher(dbs: GeoDatabases): EventEnricher {
  const first = <R>(list: ReadonlyArray<GeoDatabase<R>>, address: string, family: 4 | 6): R | null => {
    for (const db of list) {
      const r = db.get(address, family);
      if (r !== null) return r;
    }
    return null;
  };
  return (ecs) => {
    const ip = ecs['source.ip'];
    if (ip === undefined) return ecs;
    const scoped = addressScope(ip);
    if (scoped === undefined) return ecs;
    const out: NormalizedFields = { ...ecs };
    out['source.ip_scope'] ??= scoped.scope;
    if (scoped.scope !== 'public') return out;
    if (!GEO_FIELDS.some((f) => ecs[f] !== undefined)) {
      const city = first(dbs.city, scoped.lookup, scoped.family);
      if (city) {
        if (city.countryIsoCode !== undefined) out['source.geo.country_iso_code'] = city.countryIsoCode;
        if (city.countryName !== undefined) out['source.geo.country_name'] = city.countryName;
        if (city.cityName !== undefined) out['source.geo.city_name'] = city.cityName;
        if (city.location !== undefined) out['source.geo.location'] = city.location;
      }
    }
    if (!AS_FIELDS.some((f) => ecs[f] !== undefined)) {
      const as = first(dbs.asn, scoped.lookup, scoped.family);
      if (as) {
        out['source.as.number'] = as.number;
        if (as.organization !== '') out['source.as.organization.name'] = as.organization;
      }
    }
    return out;
  };
}
