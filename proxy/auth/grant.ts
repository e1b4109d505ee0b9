/**
 * @module Merchant grants: short-lived HS256 JWTs the merchant's backend signs with REFUND_TOKEN_SECRET.
 * `sub` is the one merchant_uid the grant allows; `max_amount` caps the total refunded under the grant (its `jti`),
 * across requests; a grant lives at most MAX_GRANT_TTL seconds.
 */
import { sign, verify } from 'hono/jwt';
import * as v from 'valibot';
import { TEXT_RULES } from '../../shared/schemas/field-rules.ts';

/** What a verified grant allows. */
export interface Grant {
  readonly sub: string;
  readonly exp: number;
  readonly iat?: number;
  /** The most that may be refunded under this grant in all (its jti), across requests. */
  readonly max_amount?: number;
  readonly jti?: string;
  /**
   * `refund` (the default): the customer refunds at once. `request`: the customer may only ask (POST /refund-requests)
   * and the shop's staff approve or reject; such a grant never refunds directly.
   */
  readonly mode?: GrantMode;
  /**
   * The tax-free part of the refund the grant allows (books, fresh food: the merchant's backend knows the split),
   * forwarded to the gateway; a refund smaller than it is refused.
   */
  readonly tax_free_amount?: number;
  /** The VAT of the refund the grant allows, forwarded to the gateway (which computes it when left out). */
  readonly vat_amount?: number;
}

export const GRANT_MODES = ['refund', 'request'] as const;
export type GrantMode = (typeof GRANT_MODES)[number];

const ClaimsSchema = v.pipe(
  v.object({
    sub: v.pipe(v.string(), v.minLength(1), v.maxLength(TEXT_RULES.merchant_uid.max)),
    exp: v.pipe(v.number(), v.integer()),
    iat: v.optional(v.pipe(v.number(), v.integer())),
    max_amount: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
    jti: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
    mode: v.optional(v.picklist(GRANT_MODES, 'mode must be "refund" or "request"')),
    tax_free_amount: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
    vat_amount: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  }),
  // The cap is kept per grant in the ledger, so a capped grant must say which grant it is.
  v.check(
    (claims) => claims.max_amount === undefined || claims.jti !== undefined,
    'jti is required when max_amount is set',
  ),
  v.check(
    (claims) =>
      claims.tax_free_amount === undefined ||
      claims.max_amount === undefined ||
      claims.tax_free_amount <= claims.max_amount,
    'tax_free_amount must be at most max_amount',
  ),
);

/** An HS256 signature is 32 bytes: 43 base64url characters, whose last one has two bits that must be zero. */
const isCanonicalSignature = (signature: string): boolean => {
  if (!/^[\w-]{43}$/.test(signature)) return false;
  const bytes = atob(signature.replace(/-/g, '+').replace(/_/g, '/'));
  return btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') === signature;
};

export interface VerifyOptions {
  /** The longest lifetime accepted, in seconds: `exp` no further than this from now (or from `iat`, when present). */
  readonly maxTtlSeconds?: number;
  /** Epoch ms; the real clock unless given. */
  readonly now?: () => number;
}

/**
 * How far ahead of ours the minting server's clock may run: a grant it issued "now" is not refused for being from the
 * future (`iat`, `nbf`). Expiry gets none: a grant ends when its `exp` says, on our clock.
 */
const CLOCK_SKEW_SEC = 60;

/** Why the grant's times refuse it at `nowSec`, or null; the checks hono/jwt would make, on our clock. */
const timeRefusal = ({ exp, nbf, iat }: Readonly<Record<string, unknown>>, nowSec: number): string | null => {
  const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
  if (nbf !== undefined && (!isTime(nbf) || nbf > nowSec + CLOCK_SKEW_SEC)) return 'the grant is not valid';
  if (exp !== undefined && !isTime(exp)) return 'the grant is not valid';
  if (exp !== undefined && exp <= nowSec) return 'the grant has expired';
  if (iat !== undefined && (!isTime(iat) || nowSec + CLOCK_SKEW_SEC < iat)) return 'the grant is not valid';
  return null;
};

export type GrantCheck = { ok: true; grant: Grant } | GrantRefusal;

/** Why a grant was refused; `staff` when it is a valid staff grant shown at a door for customer grants. */
export type GrantRefusal = { ok: false; reason: string; staff?: true };

/**
 * The checks every grant passes, customer's or staff's: a canonical HS256 signature (never `none`, never an
 * asymmetric alg that could be confused with the shared secret) and its times on the injected clock.
 */
/** The HMAC key grants are signed with, imported once per verifier (customer's and staff's alike). */
export const importGrantKey = (secret: string): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);

/** A grant secret, or its imported key; several: the current one first, then REFUND_TOKEN_SECRET_PREVIOUS's. */
export type GrantKeys = string | CryptoKey | readonly (string | CryptoKey)[];

export const verifySignature = async (
  token: string,
  keys: GrantKeys,
  options: VerifyOptions = {},
): Promise<{ ok: true; payload: Readonly<Record<string, unknown>>; nowSec: number } | GrantRefusal> => {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { ok: false, reason: 'the grant is not a signed JWT' };
  // One grant, one spelling: a signature with other trailing bits would verify too and dodge the verified-grant cache.
  if (!isCanonicalSignature(token.slice(token.lastIndexOf('.') + 1))) {
    return { ok: false, reason: 'the grant signature is not valid' };
  }
  const nowSec = Math.floor((options.now ?? Date.now)() / 1000);
  let payload: Awaited<ReturnType<typeof verify>> | undefined;
  // A signature that is not the current secret's is tried with the one before a rotation: during one, the merchant's
  // backend and pages opened before it may still hold grants signed with the old secret.
  for (const key of Array.isArray(keys) ? keys : [keys]) {
    try {
      // Times are checked below on the injected clock; hono/jwt would read Date.now.
      payload = await verify(token, key, { alg: 'HS256', exp: false, nbf: false, iat: false });
      break;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'JwtAlgorithmMismatch' || name === 'JwtHeaderInvalid') {
        return { ok: false, reason: 'the grant must be signed with HS256' };
      }
      if (name !== 'JwtTokenSignatureMismatched') return { ok: false, reason: 'the grant is not valid' };
    }
  }
  if (payload === undefined) return { ok: false, reason: 'the grant signature is not valid' };
  const late = timeRefusal(payload, nowSec);
  if (late) return { ok: false, reason: late };
  return { ok: true, payload, nowSec };
};

/** Why a grant meant to live longer than MAX_GRANT_TTL is refused, or null. */
export const ttlRefusal = (exp: number, iat: number | undefined, nowSec: number, maxTtlSeconds?: number) => {
  if (maxTtlSeconds === undefined || exp - Math.min(nowSec, iat ?? Infinity) <= maxTtlSeconds) return null;
  return `the grant lives longer than MAX_GRANT_TTL allows (${maxTtlSeconds} s); mint grants that expire sooner`;
};

/** The first claim valibot refused and what is wrong with it (`max_amount Invalid type: …`), for a refusal's reason. */
export const claimProblem = ([issue]: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string =>
  `${v.getDotPath(issue) ?? ''} ${issue.message}`;

/** Verifies a customer's grant: signature and times (verifySignature), `exp` required, and no `role`. */
export const verifyGrant = async (token: string, keys: GrantKeys, options: VerifyOptions = {}): Promise<GrantCheck> => {
  const signed = await verifySignature(token, keys, options);
  if (!signed.ok) return signed;
  const { payload, nowSec } = signed;
  // A staff grant's sub is a person, not an order: were role ignored here, a staff id equal to an order id would open
  // that order. Any other role is no grant of ours.
  if (payload.role === 'staff') return { ok: false, reason: 'a staff grant opens no order', staff: true };
  if (payload.role !== undefined) return { ok: false, reason: 'the grant has a role this proxy does not know' };
  const claims = v.safeParse(ClaimsSchema, payload);
  if (!claims.success) return { ok: false, reason: `the grant's claims are not valid: ${claimProblem(claims.issues)}` };
  const late = ttlRefusal(claims.output.exp, claims.output.iat, nowSec, options.maxTtlSeconds);
  if (late) return { ok: false, reason: late };
  return { ok: true, grant: claims.output };
};

export interface MintOptions {
  readonly merchantUid: string;
  readonly ttlSeconds?: number;
  readonly maxAmount?: number;
  readonly jti?: string;
  /** Left out of the grant unless given (a grant without it is a refund-mode grant). */
  readonly mode?: GrantMode;
  readonly taxFreeAmount?: number;
  readonly vatAmount?: number;
  /** UNIX seconds; defaults to now. */
  readonly now?: number;
}

/** Signs a grant the way a merchant backend would (used by `npm run grant`, the sandbox and tests). */
export const mintGrant = (secret: string, options: MintOptions): Promise<string> => {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, string | number> = {
    sub: options.merchantUid,
    iat: now,
    exp: now + (options.ttlSeconds ?? 900),
  };
  if (options.maxAmount !== undefined) claims.max_amount = options.maxAmount;
  if (options.jti !== undefined) claims.jti = options.jti;
  if (options.mode !== undefined) claims.mode = options.mode;
  if (options.taxFreeAmount !== undefined) claims.tax_free_amount = options.taxFreeAmount;
  if (options.vatAmount !== undefined) claims.vat_amount = options.vatAmount;
  return sign(claims, secret, 'HS256');
};
