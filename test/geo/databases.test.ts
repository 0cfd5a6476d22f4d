/**
 * The database readers on their own: MaxMind's nested GeoIP2/GeoLite2 records and DB-IP's flat
 * ones give the same fields, and an ip-location-db CSV of the operator's (quoted names, IPv6,
 * rows out of order) is read as the shipped one is. The shipped files themselves are read in
 * test/http/geo.test.ts and test/store/geo-cases.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvAsnDatabase } from '../../src/geo/asn-csv.ts';
import { asnRecord, cityRecord } from '../../src/geo/mmdb.ts';

const dir = mkdtempSync(join(tmpdir(), 'auditlog-geo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('city and ASN records', () => {
  it('reads a GeoIP2/GeoLite2 City record (nested, with English names)', () => {
    const maxmind = {
      city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
      country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom', fr: 'Royaume-Uni' } },
      location: { accuracy_radius: 10, latitude: 51.514249, longitude: -0.09314 },
    };
    expect(cityRecord(maxmind)).toEqual({ countryIsoCode: 'GB', countryName: 'United Kingdom', cityName: 'London', location: { lat: 51.5142, lon: -0.0931 } });
  });

  it('reads a GeoLite2 Country record and a DB-IP record, naming the country from its code', () => {
    expect(cityRecord({ country: { iso_code: 'DE', names: {} } })).toEqual({ countryIsoCode: 'DE', countryName: 'Germany' });
    expect(cityRecord({ city: 'Sydney', country_code: 'AU', latitude: -33.86882, longitude: 151.20929, state1: 'New South Wales' })).toEqual({
      countryIsoCode: 'AU',
      countryName: 'Australia',
      cityName: 'Sydney',
      location: { lat: -33.8688, lon: 151.2093 },
    });
    expect(cityRecord({ country_code: '', city: '', latitude: 'x' })).toBeNull();
  });

  it('reads a GeoLite2 ASN record; refuses a number out of range', () => {
    expect(asnRecord({ autonomous_system_number: 15169, autonomous_system_organization: 'GOOGLE' })).toEqual({ number: 15169, organization: 'GOOGLE' });
    expect(asnRecord({ autonomous_system_number: -1 })).toBeNull();
  });
});

describe('CsvAsnDatabase', () => {
  it('finds the range an address is in, for IPv4 and IPv6, with quoted names and rows out of order', () => {
    const path = join(dir, 'asn.csv');
    writeFileSync(
      path,
      [
        '8.8.8.0,8.8.8.255,15169,Google LLC',
        '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
        '2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""',
        '2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC',
        '2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project',
        '',
      ].join('\r\n'),
    );
    const db = new CsvAsnDatabase(path);
    expect(db.size).toBe(5);
    expect(db.get('1.0.0.1', 4)).toEqual({ number: 13335, organization: 'Cloudflare, Inc.' });
    expect(db.get('2.26.215.255', 4)).toEqual({ number: 201907, organization: 'LLC "SPUTNIK"' });
    expect(db.get('8.8.8.8', 4)).toEqual({ number: 15169, organization: 'Google LLC' });
    expect(db.get('8.8.9.0', 4)).toBeNull();
    expect(db.get('0.255.255.255', 4)).toBeNull();
    expect(db.get('2001:4860:4860::8888', 6)).toEqual({ number: 15169, organization: 'Google LLC' });
    expect(db.get('2001:200:1ba::1', 6)).toBeNull();
    expect(db.get('2001:1ff::1', 6)).toBeNull();
  });

  it('refuses a file that is not such a CSV, naming the path and line', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, '1.0.0.0,1.0.0.255,13335,x\nnot,an,asn,row\n');
    expect(() => new CsvAsnDatabase(path)).toThrow(`${path}:2: not a start,end,asn,organization row`);
    writeFileSync(path, '1.0.0.0,banana,13335,x\n');
    expect(() => new CsvAsnDatabase(path)).toThrow(`${path}:1:`);
  });
});
