/**
 * @module rateLimit(): a fixed-window request limit per key (client IP, or the order a grant is for), answered with
 * 429 RATE_LIMITED and Retry-After. Counts live in this process: each instance limits on its own.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';

export interface RateLimitOptions {
  /** Requests allowed per window; 0 turns the limit off. */
  readonly limit: number;
  readonly windowMs: number;
  /** The key to count under; null means "do not count this request". */
  readonly key: (c: Context) => string | null;
  /** Epoch ms. */
  readonly now: () => number;
}

export const rateLimit = ({ limit, windowMs, key, now }: RateLimitOptions): MiddlewareHandler => {
  const windows = new Map<string, { start: number; count: number }>();
  return async function rateLimit(c, next) {
    const k = limit > 0 ? key(c) : null;
    if (k !== null) {
      const t = now();
      let w = windows.get(k);
      if (!w || t - w.start >= windowMs) {
        // Sweep old windows now and then so the map cannot grow without bound.
        if (windows.size > 10_000) for (const [name, old] of windows) if (t - old.start >= windowMs) windows.delete(name);
        w = { start: t, count: 0 };
        windows.set(k, w);
      }
      w.count += 1;
      if (w.count > limit) {
        const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
        throw new AppError('RATE_LIMITED', `Too many requests; try again in ${retryAfter} s.`, { 'Retry-After': String(retryAfter) });
      }
    }
    await next();
  };
};
