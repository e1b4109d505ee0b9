/**
 * @module originGuard(): refuses browser requests from pages whose origin is not allowed. CORS alone only stops a
 * page from reading the answer; a refund must not happen at all.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';

export interface OriginGuardOptions {
  readonly isAllowed: (origin: string) => boolean;
}

const MAX_NAMED = 200;

export const originGuard = ({ isAllowed }: OriginGuardOptions): MiddlewareHandler =>
  async function originGuard(c, next) {
    const origin = c.req.header('Origin');
    // No Origin: not a browser's cross-origin call (a merchant's server, curl); the grant still decides.
    if (origin !== undefined && c.req.method !== 'OPTIONS' && !isAllowed(origin)) {
      // Named for the shop setting it up, cut as the request log cuts it: the header is the client's to write.
      const named = origin.length > MAX_NAMED ? `${origin.slice(0, MAX_NAMED)}…` : origin;
      throw new AppError('FORBIDDEN', `Origin ${named} is not in ALLOWED_ORIGINS.`);
    }
    await next();
  };
