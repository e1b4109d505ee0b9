/**
 * @module clientIp(): the one rule every entry uses for the client's IP (rate limits, the audit): the first hop of
 * X-Forwarded-For when TRUST_PROXY says a reverse proxy sets it, otherwise the peer the runtime reports.
 */
import type { Context } from 'hono';

export const clientIp = (trustProxy: boolean, peer: (c: Context) => string | null) => (c: Context): string | null => {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return peer(c);
};
