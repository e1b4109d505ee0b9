/**
 * @module requireStaffGrant(): the staff routes' door. `Authorization: Bearer <staff grant>`, verified as a customer's
 * grant is (signature, exp, iat, MAX_GRANT_TTL) and then for `role: "staff"`. The request then carries the staff
 * member's id (for the log and the rate limit) and the actor `staff:<sub>`.
 */
import type { MiddlewareHandler } from 'hono';
import { staffActor } from '../auth/actor.ts';
import { importGrantKey } from '../auth/grant.ts';
import { verifyStaffGrant } from '../auth/staff-grant.ts';
import { AppError } from '../errors.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The verified staff grant's sub: who is at the desk. */
    staffSub: string;
  }
}

export interface StaffDoorOptions {
  readonly secret: string;
  /** REFUND_TOKEN_SECRET_PREVIOUS: staff grants signed with it pass too, until it is unset. */
  readonly previousSecret?: string | undefined;
  /** MAX_GRANT_TTL, in seconds. */
  readonly maxTtlSeconds: number;
  /** Epoch ms. */
  readonly now: () => number;
}

/** One answer for a missing, malformed, forged and expired grant: which it was would help only someone guessing. */
const refused = (): AppError =>
  new AppError('UNAUTHORIZED', 'A staff grant is required (Authorization: Bearer <staff grant>).', {
    'WWW-Authenticate': 'Bearer',
  });

export const requireStaffGrant = ({
  secret,
  previousSecret,
  maxTtlSeconds,
  now,
}: StaffDoorOptions): MiddlewareHandler => {
  const keys = Promise.all((previousSecret === undefined ? [secret] : [secret, previousSecret]).map(importGrantKey));
  return async function requireStaffGrant(c, next) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
    if (!match?.[1]) throw refused();
    const check = await verifyStaffGrant(match[1], await keys, { maxTtlSeconds, now });
    if (!check.ok && 'customer' in check) {
      throw new AppError('FORBIDDEN', "This is a customer's grant: the staff routes take a staff grant.");
    }
    if (!check.ok) throw refused();
    c.set('staffSub', check.grant.sub);
    c.set('actor', staffActor(check.grant.sub));
    await next();
  };
};
