/** What the databases answer for an address, whatever their file format. */
import type { GeoPoint } from '../events/event.ts';

export interface CityRecord {
  countryIsoCode?: string;
  countryName?: string;
  cityName?: string;
  location?: GeoPoint;
}

export interface AsnRecord {
  number: number;
  organization: string;
}

/** A database of one kind; `get` takes an address of `family` as addressScope gives it. */
export interface GeoDatabase<R> {
  readonly path: string;
  get(address: string, family: 4 | 6): R | null;
}
