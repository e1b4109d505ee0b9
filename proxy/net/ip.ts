/**
 * @module IP addresses as the proxy reads them from sockets, X-Forwarded-For and configuration: parsed strictly (so an
 * arbitrary header value never becomes a "client IP"), written in one canonical form, and grouped the way a rate limit
 * should count them (an IPv6 client by its /64, since one subscriber is routinely given a whole /64).
 * Web-standard code only: the edge entries use it too, where node:net is not available.
 */

export interface ParsedIp {
  readonly version: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). IPv4-mapped IPv6 is IPv4. */
  readonly address: string;
  /** The rate limit's key: the IPv4 address, or the IPv6 /64 prefix (`2001:db8:1:2::/64`). */
  readonly group: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const parseIpv4 = (text: string): number[] | null => (IPV4.test(text) ? text.split('.').map(Number) : null);

/** Eight 16-bit groups, or null. Accepts `::` once and a trailing dotted quad; refuses zone ids and anything else. */
const parseIpv6 = (text: string): number[] | null => {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let tail: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const quad = parseIpv4(text.slice(lastColon + 1));
    if (!quad) return null;
    tail = [(quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!];
    head = text.slice(0, lastColon + 1);
    // "::1.2.3.4" or "x:...:1.2.3.4": the quad stands where two groups would.
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return null;
  const given = left.length + right.length + tail.length;
  if (halves.length === 2) {
    if (given > 7) return null;
    return [...left, ...new Array<number>(8 - given).fill(0), ...right, ...tail];
  }
  return given === 8 ? [...left, ...tail] : null;
};

/** RFC 5952 text for eight groups: the longest run (two or more) of zero groups becomes `::`. */
const formatIpv6 = (groups: readonly number[]): string => {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
};

/** Parses an address as a socket or a proxy header writes it; `[::1]` brackets are accepted. Null when it is not one. */
export const parseIp = (input: string | null | undefined): ParsedIp | null => {
  if (!input) return null;
  const text = input.trim().replace(/^\[(.*)\]$/, '$1');
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, address: v4.join('.'), group: v4.join('.') };
  const v6 = parseIpv6(text);
  if (!v6) return null;
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    const quad = `${v6[6]! >> 8}.${v6[6]! & 255}.${v6[7]! >> 8}.${v6[7]! & 255}`;
    return { version: 4, address: quad, group: quad };
  }
  return { version: 6, address: formatIpv6(v6), group: `${formatIpv6([...v6.slice(0, 4), 0, 0, 0, 0])}/64` };
};

/**
 * The rate limits' key for a client IP: its group (an IPv6 client by its /64, since one subscriber often holds a whole
 * /64), the text as given when it is no address, or `unknown` when there is none.
 */
export const rateGroupOf = (ip: string | null): string => parseIp(ip)?.group ?? ip ?? 'unknown';

/** True for the loopback addresses and `localhost` (where a sandbox may listen). */
export const isLoopbackHost = (host: string): boolean => {
  if (host.trim().toLowerCase() === 'localhost') return true;
  const ip = parseIp(host);
  return ip !== null && (ip.version === 4 ? ip.address.startsWith('127.') : ip.address === '::1');
};

/** True for a URL (already checked to parse) whose host is a loopback address or `localhost`; `[::1]` included. */
export const isLoopbackUrl = (url: string): boolean => isLoopbackHost(new URL(url).hostname.replace(/^\[|\]$/g, ''));
