/**
 * @module limitBody(): refuses request bodies over a size, before the route reads them.
 * A body with a Content-Length is judged by that header alone (the HTTP server never reads past it), so the route
 * can read it the fast way; only a chunked body is counted as it streams, through hono's bodyLimit. hono's version
 * asks for `c.req.raw.body` first, which makes the Node server build a full Request on every call.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export interface LimitBodyOptions {
  readonly maxBytes: number;
  /** Throws (or answers) for a body that is too large. */
  readonly onTooLarge: () => never;
}

export const limitBody = ({ maxBytes, onTooLarge }: LimitBodyOptions): MiddlewareHandler => {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async function limitBody(c, next) {
    // Only POST routes read a body; GET, HEAD and OPTIONS answers never look at one.
    if (c.req.method !== 'POST') return next();
    const length = c.req.header('Content-Length');
    if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      if (!/^\d+$/.test(length) || Number(length) > maxBytes) onTooLarge();
      return next();
    }
    return streamed(c, next);
  };
};
