/**
 * @module cloudflareClientIp(): the client IP on Cloudflare Workers, and only there. Cloudflare's edge sets
 * CF-Connecting-IP on every request it forwards, replacing any the client sent, so a Worker may trust it; on Node, Deno
 * or Bun the same header is the client's to write, and those entries never read it (they use clientIp()).
 */
import type { Context } from 'hono';
import { parseIp } from '../net/ip.ts';

/** CF-Connecting-IP as a canonical address; null when it is missing or not an address (a Worker run some other way). */
export const cloudflareClientIp = (c: Context): string | null =>
  parseIp(c.req.header('CF-Connecting-IP'))?.address ?? null;
