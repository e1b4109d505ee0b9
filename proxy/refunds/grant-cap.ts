/**
 * @module grantRemaining(): what a grant with `max_amount` still allows. The cap is for the grant as a whole (its
 * order and `jti`), across requests, instances and restarts, so it is counted from the audit in the ledger: what
 * attempts under the grant refunded, what unsettled ones might have (counted as refunded until i'mport says), and what
 * ones settled as not made turned out to have refunded late.
 */
import type { Grant } from '../auth/grant.ts';
import { money } from '../payments/money.ts';
import type { Attempt } from '../store/store.ts';
import type { LateRefunds } from './late-cancels.ts';
import { isUnsettled } from './settle.ts';

/** Whether an attempt was made under `grant` (its order's customer and its jti, none for none). */
export const isUnderGrant = (grant: Grant, a: Attempt): boolean =>
  a.grant_subject === grant.sub && a.grant_jti === (grant.jti ?? null);

/**
 * The amount the grant still allows, or null for a grant without a cap. `late`: refunds settled as not made that the
 * gateway shows applied late after all (late-cancels.ts), counted as refunded.
 */
export const grantRemaining = (grant: Grant, attempts: readonly Attempt[], late: LateRefunds): number | null => {
  if (grant.max_amount === undefined) return null;
  let used = 0;
  for (const a of attempts) {
    if (!isUnderGrant(grant, a)) continue;
    if (a.outcome === 'succeeded') used += a.refunded ?? 0;
    else if (isUnsettled(a) || late.has(a.id)) used += a.amount ?? 0;
  }
  return Math.max(0, money(grant.max_amount - used));
};
