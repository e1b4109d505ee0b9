/**
 * @module Merchant grants: short-lived HS256 JWTs the merchant's backend signs with REFUND_TOKEN_SECRET.
 * `sub` is the one merchant_uid the grant allows; `max_amount` caps what one request may refund.
 */
import { sign, verify } from 'hono/jwt';
import * as v from 'valibot';

/** What a verified grant allows. */
export interface Grant {
  readonly sub: string;
  readonly exp: number;
  readonly max_amount?: number;
  readonly jti?: string;
}

const ClaimsSchema = v.object({
  sub: v.pipe(v.string(), v.minLength(1), v.maxLength(40)),
  exp: v.pipe(v.number(), v.integer()),
  max_amount: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  jti: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

export type GrantCheck = { ok: true; grant: Grant } | { ok: false; reason: string };

/**
 * Verifies a grant. Only HS256 is accepted (never `none`, never an asymmetric alg that could be confused with the
 * shared secret); `exp` is required and checked.
 */
export const verifyGrant = async (token: string, secret: string | CryptoKey): Promise<GrantCheck> => {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { ok: false, reason: 'the grant is not a signed JWT' };
  let payload: unknown;
  try {
    payload = await verify(token, secret, 'HS256');
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'JwtTokenExpired') return { ok: false, reason: 'the grant has expired' };
    if (name === 'JwtAlgorithmMismatch' || name === 'JwtHeaderInvalid') return { ok: false, reason: 'the grant must be signed with HS256' };
    if (name === 'JwtTokenSignatureMismatched') return { ok: false, reason: 'the grant signature is not valid' };
    return { ok: false, reason: 'the grant is not valid' };
  }
  const claims = v.safeParse(ClaimsSchema, payload);
  if (!claims.success) {
    return { ok: false, reason: `the grant's claims are not valid (sub and exp are required): ${claims.issues[0].message}` };
  }
  return { ok: true, grant: claims.output };
};

export interface MintOptions {
  readonly merchantUid: string;
  readonly ttlSeconds?: number;
  readonly maxAmount?: number;
  readonly jti?: string;
  /** UNIX seconds; defaults to now. */
  readonly now?: number;
}

/** Signs a grant the way a merchant backend would (used by `npm run grant`, the sandbox and tests). */
export const mintGrant = (secret: string, options: MintOptions): Promise<string> => {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, string | number> = { sub: options.merchantUid, iat: now, exp: now + (options.ttlSeconds ?? 900) };
  if (options.maxAmount !== undefined) claims.max_amount = options.maxAmount;
  if (options.jti !== undefined) claims.jti = options.jti;
  return sign(claims, secret, 'HS256');
};
