/**
 * @module cors(): CORS for the payment routes, answering preflights and marking answers for allowed origins.
 * Written here rather than taken from hono/cors because that one sets its headers on `c.res` before the route runs,
 * which makes the Node server build a full Response twice per request; here every header is set with `c.header()`
 * before `next()`, so the route's own answer carries them (errors included) at no extra cost.
 */
import type { MiddlewareHandler } from 'hono';

export interface CorsOptions {
  /** Whether a page on `origin` may read answers. */
  readonly isAllowed: (origin: string) => boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** Seconds a browser may cache a preflight answer. */
  readonly maxAge: number;
  /** Told each Origin that is not allowed, preflight or not: the browser tells the page nothing useful. */
  readonly onRefused?: (origin: string) => void;
}

export const cors = (options: CorsOptions): MiddlewareHandler => {
  const methods = options.allowMethods.join(',');
  const headers = options.allowHeaders.join(',');
  const expose = options.exposeHeaders.join(',');
  const maxAge = String(options.maxAge);
  return async function cors(c, next) {
    const origin = c.req.header('Origin');
    // The answer depends on Origin whether or not it is allowed, so caches must key on it either way.
    c.header('Vary', 'Origin');
    if (origin !== undefined && options.isAllowed(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', expose);
    } else if (origin !== undefined) {
      options.onRefused?.(origin);
    }
    if (c.req.method === 'OPTIONS') {
      c.header('Access-Control-Allow-Methods', methods);
      c.header('Access-Control-Allow-Headers', headers);
      c.header('Access-Control-Max-Age', maxAge);
      return c.body(null, 204);
    }
    return next();
  };
};
