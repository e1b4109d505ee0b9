/**
 * @module rateLimit(): a fixed-window request limit per key (client IP, or the order a grant is for), answered with
 * 429 RATE_LIMITED and Retry-After. Counts live in this process: each instance limits on its own. Memory is bounded:
 * at most `maxKeys` windows are remembered, and past that the oldest are forgotten first.
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
  /**
   * The most windows remembered at once (default 100,000: about 15 MB); past it the older half is forgotten. A key
   * forgotten early counts from zero again: for that, a client must bring at least half that many other keys
   * (addresses, /64s) within one window.
   */
  readonly maxKeys?: number;
}

interface Window {
  readonly start: number;
  count: number;
}

export const rateLimit = ({ limit, windowMs, key, now, maxKeys = 100_000 }: RateLimitOptions): MiddlewareHandler => {
  // Two generations: windows open in `current`; once it holds half of maxKeys, or a window's length has passed since
  // it began, it becomes `previous` and the old `previous` is dropped whole. So the oldest windows go first (those
  // that have ended, unless the keys come faster than that), and no request walks a map: deleting a Map's first entry
  // again and again leaves holes that every later look at its first entry steps over.
  const half = Math.max(1, Math.floor(maxKeys / 2));
  let current = new Map<string, Window>();
  let previous = new Map<string, Window>();
  let currentSince = Number.NEGATIVE_INFINITY;
  return async function rateLimit(c, next) {
    const k = limit > 0 ? key(c) : null;
    if (k !== null) {
      const t = now();
      let w = current.get(k) ?? previous.get(k);
      if (!w || t - w.start >= windowMs) {
        if (current.size >= half || t - currentSince >= windowMs) {
          previous = current;
          current = new Map();
          currentSince = t;
        }
        w = { start: t, count: 0 };
        current.set(k, w);
      }
      w.count += 1;
      if (w.count > limit) {
        const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
        throw new AppError('RATE_LIMITED', `Too many requests; try again in ${retryAfter} s.`, {
          'Retry-After': String(retryAfter),
        });
      }
    }
    await next();
  };
};
