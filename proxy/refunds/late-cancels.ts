/**
 * @module Cancels a gateway applied later than it could still be running them: a refund sent, unanswered, and settled
 * as not made once the gateway's window for it had passed (Gateway.changeMayRunForMs), which the gateway's history
 * shows after all. Such a cancel is the earlier attempt's refund, never money of no one's: the same request's retry
 * takes it as its answer (lateRefund in cancel.ts), and until then it counts against the earlier attempt's grant
 * (grantRemaining), so a new request under a capped grant cannot refund it a second time.
 */
import type { Gateway } from '../gateways/gateway.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { claimedIds, entryId, findEntryFor, isRevokeAttempt, notItsOwn } from './settle.ts';

type Judge = Pick<Gateway, 'changeMayRunForMs' | 'checksumOrdersCancels'>;

/**
 * A refund (not a revocation) that got no answer and was settled as not made once the gateway could no longer be
 * running it: ended `failed` that long after it began. One never sent (no token, a refused connection) ends at once.
 */
export const settledUnanswered = (gateway: Judge, attempt: Attempt): boolean =>
  attempt.outcome === 'failed' &&
  attempt.error_code === 'UPSTREAM_UNAVAILABLE' &&
  attempt.cancellation_id === null &&
  !isRevokeAttempt(attempt) &&
  attempt.finished_at !== null &&
  attempt.finished_at - attempt.started_at >= gateway.changeMayRunForMs;

/**
 * The entry the payment's history shows for `attempt` (settled as not made) applied late, if any: one not in `claimed`
 * (other attempts' entries), nor, where the checksum orders cancels, one made before it (notItsOwn).
 */
export const lateEntryOf = (
  gateway: Judge,
  attempt: Attempt,
  payment: Payment,
  claimed: ReadonlySet<string>,
): Cancellation | undefined => {
  if (attempt.imp_uid !== payment.imp_uid || !settledUnanswered(gateway, attempt)) return undefined;
  const ruledOut = gateway.checksumOrdersCancels ? [...claimed, ...notItsOwn(attempt, payment)] : claimed;
  return findEntryFor(attempt, payment.cancel_history, new Set(ruledOut));
};

/**
 * The attempts whose refund the payment shows applied late, each taking an entry of its own: what a capped grant
 * counts as refunded under it. Ambiguity errs toward the cap: a console cancel of the same amount made after such an
 * attempt is counted as it (the history gives only amounts and times).
 */
export const appliedLate = (gateway: Judge, payment: Payment, attempts: readonly Attempt[]): Set<string> => {
  const late = new Set<string>();
  const claimed = claimedIds(attempts);
  for (const attempt of attempts) {
    const entry = lateEntryOf(gateway, attempt, payment, claimed);
    if (!entry) continue;
    late.add(attempt.id);
    claimed.add(entryId(entry));
  }
  return late;
};
