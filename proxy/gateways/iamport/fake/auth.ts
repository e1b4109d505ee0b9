/** @module Token check on i'mport API routes: accepts `Bearer <t>` and the bare token, as i'mport does. */
import type { MiddlewareHandler } from 'hono';
import { failure, MESSAGES } from './envelope.ts';
import type { TokenIssuer } from './tokens.ts';

export const requireToken = (tokens: TokenIssuer): MiddlewareHandler =>
  async function requireToken(c, next) {
    // X-ImpTokenHeader is the legacy header a 2015 maintainer comment mentions; Authorization wins over it.
    const header = c.req.header('Authorization') ?? c.req.header('X-ImpTokenHeader') ?? '';
    const token = header.replace(/^Bearer\s+/i, '').trim();
    if (token === '' || !tokens.isValid(token)) return failure(c, 401, MESSAGES.unauthorized);
    await next();
    return undefined;
  };
