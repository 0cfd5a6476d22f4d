/**
 * An ASN database from ip-location-db's CSV (`start,end,asn,organization`, one inclusive
 * address range a line, sorted by start), as shipped in `@ip-location-db/asn`. No mmdb build
 * of it is published on npm, so the rows are loaded at start into typed arrays (about 10 bytes
 * a row for IPv4, 40 for IPv6, each organization name once) and searched by bisection.
 * Load time and memory are measured in docs/benchmarks.md ("GeoIP").
 */
import { readFileSync } from 'node:fs';
import { parseIp } from '../query/ip.ts';
import type { AsnRecord } from './record.ts';

export class CsvAsnDatabase {
  readonly path: string;
  readonly #orgs: string[] = [];
  #v4Start = new Uint32Array(0);
  #v4End = new Uint32Array(0);
  #v4Asn = new Uint32Array(0);
  #v4Org = new Uint32Array(0);
  #v6Start = new BigUint64Array(0);
  #v6End = new BigUint64Array(0);
  #v6Asn = new Uint32Array(0);
  #v6Org = new Uint32Array(0);

  /** Reads the whole file; throws naming the path and line of a row it cannot read. */
  constructor(path: string) {
    this.path = path;
    const text = readFileSync(path, 'utf8');
    const orgIndex = new Map<string, number>();
    const v4: number[] = [];
    const v6: Array<[bigint, bigint, number, number]> = [];
    let line = 0;
    for (let at = 0; at < text.length; ) {
      let end = text.indexOf('\n', at);
      if (end === -1) end = text.length;
      line++;
      const row = text.charCodeAt(end - 1) === 13 ? text.slice(at, end - 1) : text.slice(at, end);
      at = end + 1;
      if (row === '') continue;
      const fields = splitRow(row);
      const asn = Number(fields?.[2]);
      if (!fields || !Number.isInteger(asn) || asn < 0 || asn > 0xffff_ffff) throw new Error(`${path}:${line}: not a start,end,asn,organization row`);
      const name = fields[3]!;
      let org = orgIndex.get(name);
      if (org === undefined) orgIndex.set(name, (org = this.#orgs.push(name) - 1));
      const [start, last] = [fields[0]!, fields[1]!];
      const s4 = v4Number(start);
      const e4 = v4Number(last);
      if (s4 >= 0 && e4 >= 0) {
        v4.push(s4, e4, asn, org);
        continue;
      }
      const s6 = v6Number(start);
      const e6 = v6Number(last);
      if (s6 === null || e6 === null) throw new Error(`${path}:${line}: ${JSON.stringify(start)} to ${JSON.stringify(last)} is not an address range`);
      v6.push([s6, e6, asn, org]);
    }
    const n4 = v4.length / 4;
    const order4 = Array.from({ length: n4 }, (_, i) => i);
    // The shipped files are sorted; a file that is not gets sorted here.
    if (order4.some((i) => i > 0 && v4[i * 4]! < v4[(i - 1) * 4]!)) order4.sort((a, b) => v4[a * 4]! - v4[b * 4]!);
    this.#v4Start = Uint32Array.from(order4, (i) => v4[i * 4]!);
    this.#v4End = Uint32Array.from(order4, (i) => v4[i * 4 + 1]!);
    this.#v4Asn = Uint32Array.from(order4, (i) => v4[i * 4 + 2]!);
    this.#v4Org = Uint32Array.from(order4, (i) => v4[i * 4 + 3]!);
    if (v6.some((r, i) => i > 0 && r[0] < v6[i - 1]![0])) v6.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    // A 128-bit key is stored as its high and low 64-bit halves, side by side.
    this.#v6Start = new BigUint64Array(v6.length * 2);
    this.#v6End = new BigUint64Array(v6.length * 2);
    this.#v6Asn = Uint32Array.from(v6, (r) => r[2]);
    this.#v6Org = Uint32Array.from(v6, (r) => r[3]);
    v6.forEach(([s, e], i) => {
      this.#v6Start[i * 2] = s >> 64n;
      this.#v6Start[i * 2 + 1] = s & MASK64;
      this.#v6End[i * 2] = e >> 64n;
      this.#v6End[i * 2 + 1] = e & MASK64;
    });
  }

  get size(): number {
    return this.#v4Start.length + this.#v6Asn.length;
  }

  /** `address` must be a valid address of `family` (addressScope gives both). */
  get(address: string, family: 4 | 6): AsnRecord | null {
    if (family === 4) {
      const key = v4Number(address);
      if (key < 0) return null;
      const i = lastAtOrBelow(this.#v4Start.length, (k) => this.#v4Start[k]! <= key);
      if (i < 0 || this.#v4End[i]! < key) return null;
      return { number: this.#v4Asn[i]!, organization: this.#orgs[this.#v4Org[i]!]! };
    }
    const key = v6Number(address);
    if (key === null) return null;
    const hi = key >> 64n;
    const lo = key & MASK64;
    const start = this.#v6Start;
    const end = this.#v6End;
    const i = lastAtOrBelow(this.#v6Asn.length, (k) => start[k * 2]! < hi || (start[k * 2] === hi && start[k * 2 + 1]! <= lo));
    if (i < 0 || end[i * 2]! < hi || (end[i * 2] === hi && end[i * 2 + 1]! < lo)) return null;
    return { number: this.#v6Asn[i]!, organization: this.#orgs[this.#v6Org[i]!]! };
  }
}

const MASK64 = (1n << 64n) - 1n;

/** The last index in [0, n) for which `atOrBelow` holds (it holds for a prefix), or -1. */
function lastAtOrBelow(n: number, atOrBelow: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (atOrBelow(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** A dotted IPv4 address as a number, or -1 when `address` is not one. */
function v4Number(address: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      n = n * 256 + part;
      part = digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + c - 48;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return n * 256 + part;
}

function v6Number(address: string): bigint | null {
  const bytes = parseIp(address);
  if (bytes === null) return null;
  let hex = '0x';
  for (const b of bytes) hex += b < 16 ? `0${b.toString(16)}` : b.toString(16);
  return BigInt(hex);
}

/** Four CSV fields; the last may be quoted (with `""` for a quote), as organization names with commas are. */
function splitRow(row: string): string[] | null {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < 3; i++) {
    const comma = row.indexOf(',', at);
    if (comma === -1) return null;
    out.push(row.slice(at, comma));
    at = comma + 1;
  }
  const rest = row.slice(at);
  out.push(rest.startsWith('"') && rest.endsWith('"') && rest.length >= 2 ? rest.slice(1, -1).replaceAll('""', '"') : rest);
  return out;
}
