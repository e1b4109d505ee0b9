/** @module requireGrant(): middleware that accepts only `Authorization: Bearer <grant>` with a valid grant. */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { Grant } from './grant.ts';
import { createGrantVerifier } from './grant-cache.ts';

declare module 'hono' {
  interface ContextVariableMap {
    grant: Grant;
  }
}

export interface RequireGrantOptions {
  readonly secret: string;
  /** REFUND_TOKEN_SECRET_PREVIOUS: grants signed with it pass too, until it is unset. */
  readonly previousSecret?: string | undefined;
  /** MAX_GRANT_TTL: a grant meant to live longer than this is refused. */
  readonly maxTtlSeconds: number;
  /** Epoch ms: when a grant is checked for expiry. */
  readonly now: () => number;
}

/** Rejects a request without a valid grant with 401 before anything else (and so before any i'mport call). */
export const requireGrant = ({
  secret,
  previousSecret,
  maxTtlSeconds,
  now,
}: RequireGrantOptions): MiddlewareHandler => {
  const secrets = previousSecret === undefined ? [secret] : [secret, previousSecret];
  const verifyGrant = createGrantVerifier(secrets, { maxTtlSeconds, now });
  return async function requireGrant(c, next) {
    const header = c.req.header('Authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new AppError('UNAUTHORIZED', 'Send the grant as "Authorization: Bearer <grant>".', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const check = await verifyGrant(match[1]);
    if (!check.ok && check.staff) {
      throw new AppError('FORBIDDEN', 'This is a staff grant: it opens the /staff/ routes, not an order.');
    }
    if (!check.ok) {
      throw new AppError('UNAUTHORIZED', `The grant was refused: ${check.reason}.`, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    c.set('grant', check.grant);
    await next();
  };
};

/** Throws 403 unless the grant was issued for this order. */
export const assertGrantCovers = (grant: Grant, merchantUid: string): void => {
  if (grant.sub !== merchantUid) throw new AppError('FORBIDDEN', 'This grant was issued for another order.');
};
