/**
 * @module Settling refund attempts whose outcome was not known (a timeout, a dropped connection, a crash between
 * i'mport's success and the ledger write) from i'mport's own `cancel_history`.
 */
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { appliedEvent } from '../webhooks/events.ts';
import { finishWithEvent } from './attempts.ts';
import type { RefundDeps } from './deps.ts';

// i'mport's clock and ours may disagree; an entry this much older than the attempt cannot be its result.
const CLOCK_SLACK_MS = 10 * 60 * 1000;

/** A stable id for a cancel_history entry (cancellation_id, which i'mport always sends, or a stand-in). */
export const entryId = (e: Cancellation): string =>
  e.cancellation_id ?? `${e.pg_tid ?? ''}:${e.cancelled_at}:${e.amount}`;

/** An attempt that revoked an unpaid virtual account carries no checksum (nothing was refundable). */
export const isRevokeAttempt = (a: Pick<Attempt, 'checksum'>): boolean => a.checksum === null;

/** The history entry an attempt produced, if i'mport shows one that no other attempt or earlier entry claims. */
export const findEntryFor = (
  attempt: Pick<Attempt, 'amount' | 'started_at'>,
  history: readonly Cancellation[],
  claimed: ReadonlySet<string>,
): Cancellation | undefined =>
  [...history]
    .sort((a, b) => a.cancelled_at - b.cancelled_at)
    .find(
      (e) =>
        !claimed.has(entryId(e)) &&
        e.amount === attempt.amount &&
        e.cancelled_at * 1000 >= attempt.started_at - CLOCK_SLACK_MS,
    );

/** What i'mport's copy of a payment shows an attempt did: applied or not, its history entry, what it refunded. */
export interface Verdict {
  readonly applied: boolean;
  readonly entry: Cancellation | undefined;
  readonly refunded: number | null;
  /** The gateway shows a cancellation the attempt may have made still unfinished: not settled either way yet. */
  readonly pending: boolean;
}

/** Judges an attempt from a payment just read from i'mport; `claimed`: entries other attempts already account for. */
export const verdictOf = (
  attempt: Pick<Attempt, 'amount' | 'started_at' | 'checksum'>,
  payment: Payment,
  claimed: ReadonlySet<string>,
): Verdict => {
  // A revoked virtual account leaves `ready` (for `failed`, most likely); it has no history entry and refunds nothing.
  // One that was paid (or refunded since) was not revoked: the customer's deposit came first.
  if (isRevokeAttempt(attempt)) {
    const applied = payment.status !== 'ready' && payment.status !== 'paid' && payment.status !== 'cancelled';
    return { applied, entry: undefined, refunded: applied ? 0 : null, pending: false };
  }
  const entry = findEntryFor(attempt, payment.cancel_history, claimed);
  const pending = !entry && findEntryFor(attempt, payment.cancels_pending ?? [], claimed) !== undefined;
  return { applied: entry !== undefined, entry, refunded: entry ? entry.amount : null, pending };
};

export const isUnsettled = (a: Attempt): boolean =>
  a.amount !== null && (a.outcome === null || a.outcome === 'unknown');

/** cancellation ids already accounted to succeeded attempts. */
export const claimedIds = (attempts: readonly Attempt[]): Set<string> =>
  new Set(attempts.flatMap((a) => (a.outcome === 'succeeded' && a.cancellation_id ? [a.cancellation_id] : [])));

/**
 * Decides every unsettled attempt made on a payment from that payment, freshly fetched. Call only while holding the
 * order's lease (so no attempt is still running) and only with a payment just read from i'mport.
 */
export const settleAttempts = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'log' | 'randomId' | 'webhooks'>,
  payment: Payment,
  attempts: readonly Attempt[],
): Promise<void> => {
  const claimed = claimedIds(attempts);
  // Only this payment's history can settle an attempt made on it: another payment of the same order proves nothing.
  for (const attempt of attempts.filter((a) => isUnsettled(a) && a.imp_uid === payment.imp_uid)) {
    const { applied, entry, refunded, pending } = verdictOf(attempt, payment, claimed);
    // Accepted and unfinished at the gateway: its webhook or a later lookup decides it.
    if (pending) continue;
    if (entry) claimed.add(entryId(entry));
    // Why the outcome was unknown (an `unknown` attempt's i'mport fields) stays in the audit beside how it settled.
    const finish = {
      outcome: applied ? 'succeeded' : 'failed',
      error_code: applied ? null : 'UPSTREAM_UNAVAILABLE',
      iamport_code: attempt.iamport_code,
      iamport_message: attempt.iamport_message,
      cancellation_id: entry ? entryId(entry) : null,
      refunded,
      iamport_ms: attempt.iamport_ms,
      finished_at: deps.now(),
    } as const;
    // However it is settled (a retry, the view, i'mport's webhook), the attempt's one event goes with its outcome.
    await finishWithEvent(deps, attempt.id, finish, applied ? () => appliedEvent(deps, attempt, payment) : undefined);
    // A revocation's settling is plain from the payment's status; a refund's is worth the operator's eye.
    if (!isRevokeAttempt(attempt)) {
      deps.log({ level: 'warn', msg: "settled a refund attempt from i'mport", attempt: attempt.id, applied });
    }
  }
};
