/**
 * IP addresses as sortable keys: every address becomes 16 bytes (IPv4 as IPv4-mapped IPv6,
 * like Elasticsearch's ip type) written as 32 lowercase hex digits, so equality, CIDR and
 * ranges are plain string comparisons (on the SQLite index, and in the in-memory matcher).
 */

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseV4(text: string): number[] | null {
  const m = V4.exec(text);
  if (!m) return null;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** 16 bytes of an IPv4 or IPv6 address, or null when `text` is not one. */
export function parseIp(text: string): number[] | null {
  const v4 = parseV4(text);
  if (v4) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4];
  if (!text.includes(':') || text.length > 45) return null;
  const zone = text.indexOf('%');
  const addr = zone === -1 ? text : text.slice(0, zone);
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const groups = part.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const tail = parseV4(g);
        if (!tail) return null;
        out.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return null;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function toHex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The sortable key of an address, or null when `text` is not an IP address. */
export function ipKey(text: string): string | null {
  const bytes = parseIp(text);
  return bytes ? toHex(bytes) : null;
}

/**
 * Inclusive key range of an address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`), or why
 * the text is neither (the caller names the field in its error).
 */
export function ipKeyRange(text: string): { lo: string; hi: string } | { invalid: string } {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseIp(addrText);
  if (!bytes) return { invalid: `${JSON.stringify(text)} is not an IP address or CIDR block (quote CIDRs: "10.0.0.0/8")` };
  let prefix = 128;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    const isV4 = parseV4(addrText) !== null;
    const max = isV4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return { invalid: `${JSON.stringify(text)} is not an IP address or CIDR block (invalid prefix length)` };
    // Elasticsearch refuses this too: is the length one of IPv4 or of IPv6?
    if (!isV4 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      return { invalid: `CIDR notation is not allowed with an IPv4-mapped IPv6 address (${JSON.stringify(text)}); write the IPv4 block` };
    }
    prefix = Number(p) + (isV4 ? 96 : 0);
  }
  const lo = bytes.slice();
  const hi = bytes.slice();
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    lo[i] = lo[i]! & mask;
    hi[i] = hi[i]! | (~mask & 0xff);
  }
  return { lo: toHex(lo), hi: toHex(hi) };
}

/** Renders a key back the way Elasticsearch shows an ip value (dotted IPv4, compressed IPv6). */
export function formatIpKey(key: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(parseInt(key.slice(i, i + 2), 16));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join('.');
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
