/**
 * @module clientIp(): the one rule every long-lived entry uses for the client's IP (rate limits, the audit, the
 * webhook allow-list). With TRUST_PROXY=n (n reverse proxies in front, each appending the address it saw), the client
 * is the n-th X-Forwarded-For entry from the right: entries further left were written by the client itself and prove
 * nothing. That entry must parse as an IP address; otherwise, as without TRUST_PROXY, the socket's peer is used.
 */
import type { Context } from 'hono';
import { parseIp } from '../net/ip.ts';

export const clientIp =
  (trustedHops: number, peer: (c: Context) => string | null) =>
  (c: Context): string | null => {
    if (trustedHops > 0) {
      // Several X-Forwarded-For headers arrive joined by ", ", in order, as one list.
      const entries = c.req.header('X-Forwarded-For')?.split(',');
      const entry = entries && entries.length >= trustedHops ? entries[entries.length - trustedHops] : undefined;
      const forwarded = parseIp(entry);
      if (forwarded) return forwarded.address;
    }
    const socket = peer(c);
    return parseIp(socket)?.address ?? socket;
  };
