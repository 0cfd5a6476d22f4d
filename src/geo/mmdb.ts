/**
 * MaxMind DB files read with `maxmind`: the shipped DB-IP Lite city files (ip-location-db's
 * flat records) and an operator's own GeoLite2/GeoIP2 City, Country or ASN files (MaxMind's
 * nested records). The record shape, not the file name, tells which is which.
 */
import { readFileSync } from 'node:fs';
import { Reader, type Response } from 'maxmind';
import type { AsnRecord, CityRecord, GeoDatabase } from './record.ts';

type Json = Record<string, unknown>;

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function englishName(v: unknown): string | undefined {
  return isObject(v) && isObject(v.names) ? text(v.names.en) : undefined;
}

function point(lat: unknown, lon: unknown): CityRecord['location'] {
  if (typeof lat !== 'number' || typeof lon !== 'number' || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  // Four decimals is about 11 m, finer than any city database is; it also keeps the stored
  // value the same after Elasticsearch's round trip through its double-precision source.
  return { lat: Math.round(lat * 1e4) / 1e4, lon: Math.round(lon * 1e4) / 1e4 };
}

function countryName(iso: string | undefined): string | undefined {
  if (iso === undefined || !/^[A-Z]{2}$/.test(iso)) return undefined;
  try {
    return COUNTRY_NAMES.of(iso);
  } catch {
    return undefined;
  }
}

/** A city or country record of either shape. */
export function cityRecord(r: Json): CityRecord | null {
  let out: CityRecord;
  if (isObject(r.country) || isObject(r.location) || isObject(r.city)) {
    const iso = isObject(r.country) ? text(r.country.iso_code) : undefined;
    const loc = isObject(r.location) ? point(r.location.latitude, r.location.longitude) : undefined;
    out = { countryIsoCode: iso, countryName: englishName(r.country) ?? countryName(iso), cityName: englishName(r.city), location: loc };
  } else {
    const iso = text(r.country_code);
    out = { countryIsoCode: iso, countryName: countryName(iso), cityName: text(r.city), location: point(r.latitude, r.longitude) };
  }
  for (const k of Object.keys(out) as Array<keyof CityRecord>) if (out[k] === undefined) delete out[k];
  return Object.keys(out).length > 0 ? out : null;
}

export function asnRecord(r: Json): AsnRecord | null {
  const n = r.autonomous_system_number;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff_ffff) return null;
  return { number: n, organization: text(r.autonomous_system_organization) ?? '' };
}

export class MmdbDatabase<R> implements GeoDatabase<R> {
  readonly path: string;
  readonly #reader: Reader<Response>;
  readonly #ipv6: boolean;
  readonly #shape: (r: Json) => R | null;

  /** Reads the whole file into memory (maxmind's way); throws naming the path if it is no MaxMind DB. */
  constructor(path: string, shape: (r: Json) => R | null) {
    this.path = path;
    try {
      this.#reader = new Reader<Response>(readFileSync(path));
    } catch (err) {
      throw new Error(`${path}: not a readable MaxMind DB file (${(err as Error).message})`, { cause: err });
    }
    this.#ipv6 = this.#reader.metadata.ipVersion === 6;
    this.#shape = shape;
  }

  get databaseType(): string {
    return this.#reader.metadata.databaseType;
  }

  get(address: string, family: 4 | 6): R | null {
    // An IPv4-only file has no place for an IPv6 address (the reader would throw).
    if (family === 6 && !this.#ipv6) return null;
    const r = this.#reader.get(address);
    return isObject(r) ? this.#shape(r) : null;
  }
}
