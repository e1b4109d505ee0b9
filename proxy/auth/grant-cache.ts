/**
 * @module createGrantVerifier(): verifyGrant with the HMAC key imported once and verified grants remembered until
 * they expire. A page sends the same grant for its view and its refund (and the widget retries), and checking an
 * HS256 signature is the largest cost of a view. Keyed by the whole token, signature included, so a cached answer
 * is exactly the answer verification would give again; expiry is still checked on every use.
 */
import { type GrantCheck, importGrantKey, verifyGrant } from './grant.ts';

const MAX_ENTRIES = 10_000;

export interface GrantVerifierOptions {
  /** MAX_GRANT_TTL, in seconds. */
  readonly maxTtlSeconds?: number;
  /** Epoch ms. The cache and the verification read the same clock, so they agree on when a grant expires. */
  readonly now: () => number;
}

/** `secrets`: the current grant secret, then (during a rotation) REFUND_TOKEN_SECRET_PREVIOUS. */
export const createGrantVerifier = (secrets: readonly string[], options: GrantVerifierOptions) => {
  const keys = Promise.all(secrets.map(importGrantKey));
  const verified = new Map<string, GrantCheck & { ok: true }>();
  return async function verify(token: string): Promise<GrantCheck> {
    const known = verified.get(token);
    if (known) {
      if (known.grant.exp * 1000 > options.now()) return known;
      verified.delete(token);
    }
    const check = await verifyGrant(token, await keys, options);
    if (check.ok) {
      // Oldest first out: a Map keeps insertion order.
      if (verified.size >= MAX_ENTRIES) verified.delete(verified.keys().next().value as string);
      verified.set(token, check);
    }
    return check;
  };
};
