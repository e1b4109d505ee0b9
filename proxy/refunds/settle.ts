/**
 * @module Settling refund attempts whose outcome was not known (a timeout, a dropped connection, a crash between
 * i'mport's success and the ledger write) from i'mport's own `cancel_history`.
 */

import { ERROR_MESSAGES } from '../../shared/errors.ts';
import type { Gateway } from '../gateways/gateway.ts';
import { money, sameAmount, sumOf } from '../payments/money.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { appliedEvent, refusedEvent } from '../webhooks/events.ts';
import { ending, finishWithEvent } from './attempts.ts';
import {
  CLOCK_SLACK_MS,
  claimedIds,
  entryId,
  findEntryFor,
  inOtherWords,
  isRevokeAttempt,
  notItsOwn,
  paymentAfter,
  sentBy,
} from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';
import { lateCancelsOfOthers, settledUnanswered, takenLater } from './late-cancels.ts';
import { type Failure, fail } from './outcome.ts';
import { approvesLater, cancelableOf, isRevokedAsCancelled } from './rules.ts';
import { toldAsMadeElsewhere } from './told-elsewhere.ts';

/** What i'mport's copy of a payment shows an attempt did: applied or not, its history entry, what it refunded. */
export interface Verdict {
  readonly applied: boolean;
  readonly entry: Cancellation | undefined;
  readonly refunded: number | null;
  /** The gateway shows a cancellation the attempt may have made still unfinished: not settled either way yet. */
  readonly pending: boolean;
  /** The gateway shows the cancellation the attempt made as failed (PortOne V2): refused after it was accepted. */
  readonly refused: Cancellation | undefined;
}

type Judged = Pick<Attempt, 'amount' | 'started_at' | 'checksum'> & { readonly cancellation_id?: string | null };

/**
 * Judges an attempt from a payment just read from i'mport; `claimed`: entries other attempts already account for. An
 * attempt that knows its cancellation's id (one the gateway accepted to finish later) is judged by that id alone.
 * `ordered`: the gateway's checksumOrdersCancels, so that an entry made before the attempt is never taken for its own.
 */
export const verdictOf = (
  attempt: Judged,
  payment: Payment,
  claimed: ReadonlySet<string>,
  ordered = false,
): Verdict => {
  if (ordered && !isRevokeAttempt(attempt)) {
    const others = notItsOwn(attempt, payment);
    if (others.size > 0) return verdictOf(attempt, payment, new Set([...claimed, ...others]));
  }
  // A revoked virtual account leaves `ready` (for `failed`, most likely; or `cancelled`, never paid); it has no history
  // entry and refunds nothing. One that was paid (or refunded since) was not revoked: the customer's deposit came first.
  if (isRevokeAttempt(attempt)) {
    const { status } = payment;
    const applied =
      (status !== 'ready' && status !== 'paid' && status !== 'cancelled') || isRevokedAsCancelled(payment);
    return { applied, entry: undefined, refunded: applied ? 0 : null, pending: false, refused: undefined };
  }
  const own = attempt.cancellation_id;
  const find = (entries: readonly Cancellation[] | undefined) =>
    own ? entries?.find((e) => entryId(e) === own) : findEntryFor(attempt, entries ?? [], claimed);
  const entry = find(payment.cancel_history);
  // A failed cancellation is this attempt's only by its id: one of the same amount may be the console's, or an earlier
  // attempt's the gateway failed at once, while this one's still runs unseen. Without the id, not shown stays unknown.
  const refused = entry || !own ? undefined : find(payment.cancels_failed);
  const pending = !entry && !refused && (find(payment.cancels_pending) !== undefined || hiddenIn(attempt, payment));
  return { applied: entry !== undefined, entry, refunded: entry ? entry.amount : null, pending, refused };
};

/**
 * Whether the payment's cancel_amount holds more than its history shows, by at least the attempt's amount: i'mport may
 * leave cancel_history out (iamport-v1.md §4.3: every field but a few may be absent), and then an entry not shown is
 * no proof the cancel did not apply. The attempt stays unsettled (the order held, the shop's attention.needed in time)
 * rather than be settled as not made and sent again. Unless its checksum proves it did not apply: i'mport takes a cancel
 * only while its balance is the checksum, so one that applied leaves at least its amount cancelled since then.
 */
export const hiddenIn = (attempt: Judged, payment: Payment): boolean => {
  const { amount, checksum } = attempt;
  if (amount === null) return false;
  const atLeast = (figure: number) => figure > amount || sameAmount(figure, amount);
  const unaccounted = money(payment.cancel_amount - sumOf(payment.cancel_history.map((e) => e.amount)));
  const since = checksum === null ? unaccounted : money(payment.cancel_amount - (payment.amount - checksum));
  return atLeast(unaccounted) && atLeast(since);
};

type WordedAttempt = Judged & Pick<Attempt, 'reason'>;

/** verdictOf, passing over every entry `notIts` rules out, as if another attempt had claimed it. */
const verdictPassingOver =
  (notIts: (attempt: WordedAttempt, entry: Cancellation) => boolean) =>
  (attempt: WordedAttempt, payment: Payment, claimed: ReadonlySet<string>, ordered = false): Verdict => {
    let known = claimed;
    let verdict = verdictOf(attempt, payment, known, ordered);
    while (verdict.entry && notIts(attempt, verdict.entry)) {
      known = new Set([...known, entryId(verdict.entry)]);
      verdict = verdictOf(attempt, payment, known, ordered);
    }
    return verdict;
  };

/**
 * verdictOf, passing over entries in words other than the attempt sent (cancel-history.ts inOtherWords): a cancel of
 * the same amount made in the gateway's console meanwhile, in the staff's words, is someone else's, whose ever it may
 * look like by amount and time. An entry without words may be the attempt's.
 */
export const wordedVerdict = verdictPassingOver(inOtherWords);

/**
 * verdictOf, passing over entries that do not carry the attempt's own words (cancel-history.ts sentBy): a cancel of the
 * same amount made in i'mport's console meanwhile is not it (the reason the proxy sent is on every entry it made). For
 * a PayPal cancel waiting on its approval, whose wait has no end, and for a PG's refusal that shows applied all the same.
 */
export const ownVerdict = verdictPassingOver((attempt, entry) => !sentBy(attempt, entry));

export const isUnsettled = (a: Attempt): boolean =>
  a.amount !== null && (a.outcome === null || a.outcome === 'unknown');

/**
 * A PayPal cancel i'mport took that its payment did not show as approved (apply-change.ts acceptedUnshown, the one
 * writer of code 0 on an unsettled attempt; on a payment whose PG approves later, rules.ts approvesLater). It has no
 * window to run out (settleAttempts holds it), so the order takes no other refund meanwhile, and a retry with its key
 * is told it was accepted.
 */
export const isAcceptedUnshown = (a: Attempt, payment: Pick<Payment, 'pg_provider' | 'pay_method'>): boolean =>
  approvesLater(payment) && isUnsettled(a) && a.cancellation_id === null && a.iamport_code === 0;

/**
 * Whether a refund not shown may still be approved by its PG (rules.ts approvesLater: PayPal, a Smartro virtual
 * account), however long ago it was sent: i'mport may have taken it with its answer lost (or said it took it: code 0),
 * and then shows it only once approved. Not shown is no proof until the payment no longer has its amount to give
 * (refunded elsewhere since). One answered refused (a non-zero code) was not taken: it has the usual window.
 */
export const mayBeApprovedLater = (attempt: Attempt, payment: Payment): boolean =>
  awaitsItsPg(attempt, payment) && cancelableOf(payment) >= (attempt.amount ?? 0) && !checksumStale(attempt, payment);

/**
 * A refund (not a revocation) on a payment whose PG approves later (rules.ts approvesLater): only an entry in its own
 * words is its (ownVerdict: never a console cancel of the same amount), and it is approved only once the payment is
 * `cancelled` with it (iamport-v1.md §3.2).
 */
export const approvedByItsPg = (
  attempt: Pick<Attempt, 'checksum'>,
  payment: Pick<Payment, 'pg_provider' | 'pay_method'>,
): boolean => approvesLater(payment) && !isRevokeAttempt(attempt);

/** Such a refund that i'mport may have taken (its answer lost, or code 0), whatever the payment now shows. */
const awaitsItsPg = (attempt: Attempt, payment: Payment): boolean =>
  approvedByItsPg(attempt, payment) &&
  isUnsettled(attempt) &&
  (attempt.iamport_code === null || attempt.iamport_code === 0);

/**
 * Whether cancels stamped well before the attempt began (beyond the clocks' slack) had already brought the balance
 * below its checksum: i'mport takes a cancel only while its balance is the checksum, and a balance never grows back,
 * so such an attempt was refused, whatever answer was lost.
 */
const checksumStale = (attempt: Attempt, payment: Payment): boolean => {
  if (attempt.checksum === null) return false;
  const before = payment.cancel_history.filter((e) => e.cancelled_at * 1000 < attempt.started_at - CLOCK_SLACK_MS);
  const balance = money(payment.amount - sumOf(before.map((e) => e.amount)));
  return balance < attempt.checksum && !sameAmount(balance, attempt.checksum);
};

/**
 * Whether a refund its PG approves later (awaitsItsPg: taken, or its answer lost) is still to be waited for, judged from
 * the payment just read: approved once the payment is `cancelled` with its entry (iamport-v1.md §3.2), so an entry shown
 * while the payment is still paid waits. Not shown, one taken (isAcceptedUnshown) waits until the payment no longer has
 * its amount to give (refunded elsewhere since), when it can no longer apply and is settled as not made; one whose
 * answer was lost waits as settleAttempts' mayBeApprovedLater says.
 */
const awaitsApproval = (attempt: Attempt, payment: Payment, applied: boolean): boolean =>
  applied
    ? awaitsItsPg(attempt, payment) && payment.status !== 'cancelled'
    : isAcceptedUnshown(attempt, payment) && cancelableOf(payment) >= (attempt.amount ?? 0);

/**
 * An earlier change of this order that may still be running at the gateway: unsettled after settleAttempts() judged
 * `attempts` from `payment`, just read, and not accepted by the gateway. Only an attempt on this payment is judged by
 * its copy, so only such a one counts. While there is one, nothing more is sent for the order, and no refund request
 * is taken for it: i'mport checks a checksum when a cancel arrives, and PortOne V2 does not say whether it counts a
 * cancel still waiting on its PG, so a second cancel sent beside it could apply too (its Idempotency-Key stops only
 * the same request sent again).
 */
export const runningChange = (
  gateway: Pick<Gateway, 'changeMayRunForMs' | 'checksumOrdersCancels'>,
  payment: Payment,
  attempts: readonly Attempt[],
): Attempt | undefined =>
  attempts.find((a) => isUnsettled(a) && a.cancellation_id === null && a.imp_uid === payment.imp_uid) ??
  unfinishedLate(gateway, payment, attempts);

/**
 * A refund of this payment settled as not made (settledUnanswered) while the gateway shows a cancellation of it that it
 * has not finished and no attempt is tied to (PortOne V2's REQUESTED): that may be the refund, applied late and still
 * to land or fail. It is in no history yet, where late-cancels.ts finds such refunds, so a grant's cap would not count
 * it nor its key's retry take it; the order waits as for a change still running until the gateway finishes it.
 */
const unfinishedLate = (
  gateway: Pick<Gateway, 'changeMayRunForMs' | 'checksumOrdersCancels'>,
  payment: Payment,
  attempts: readonly Attempt[],
): Attempt | undefined => {
  // Nearly every payment has no unfinished cancel: nothing more is looked at on a refund's ordinary path.
  const pending = payment.cancels_pending ?? [];
  if (pending.length === 0) return undefined;
  const claimed = claimedIds(attempts);
  if (!pending.some((c) => !claimed.has(entryId(c)))) return undefined;
  return attempts.find(
    (a) => a.imp_uid === payment.imp_uid && settledUnanswered(gateway, a) && !takenLater(a, attempts),
  );
};

/** The answer while runningChange() finds one: `nothing` says what this request did not do. */
export const earlierRunning = (gateway: Pick<Gateway, 'label'>, nothing: string): Failure =>
  fail(
    'REFUND_IN_PROGRESS',
    `An earlier refund of this order got no answer and may still be running at ${gateway.label}; ${nothing}. Try ` +
      'again once it is settled (the order shows OUTCOME_PENDING_CHECK until then).',
  );

/**
 * Decides every unsettled attempt made on a payment from that payment, freshly fetched. Call only while holding the
 * order's lease (so no attempt of ours is still running) and only with a payment just read from the gateway. Answers
 * how many stay open: a cancel the gateway shows unfinished, or one it may still be running (Gateway.changeMayRunForMs);
 * their order stays marked, so every look at it asks the gateway again.
 */
export const settleAttempts = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'log' | 'randomId' | 'webhooks' | 'gateway'>,
  payment: Payment,
  attempts: readonly Attempt[],
): Promise<number> => {
  const claimed = claimedIds(attempts);
  const othersLate = lateCancelsOfOthers(deps.gateway, payment, attempts);
  let open = 0;
  // Only this payment's history can settle an attempt made on it: another payment of the same order proves nothing.
  for (const attempt of attempts.filter((a) => isUnsettled(a) && a.imp_uid === payment.imp_uid)) {
    // Held for its PG's approval (accepted, or its answer lost), however long: only an entry in its own words is its,
    // never a console cancel of the same amount made meanwhile.
    const judged = awaitsItsPg(attempt, payment) ? ownVerdict : wordedVerdict;
    const { applied, entry, refunded, pending, refused } = judged(
      attempt,
      payment,
      new Set([...claimed, ...othersLate(attempt)]),
      deps.gateway.checksumOrdersCancels,
    );
    // Accepted and unfinished at the gateway, or perhaps still running there: its webhook or a later lookup decides.
    // A revocation can run only on an unpaid account: once paid (or refunded), it has certainly not applied.
    const moot = isRevokeAttempt(attempt) && payment.status !== 'ready';
    const mayRun =
      !applied &&
      !refused &&
      !moot &&
      (deps.now() < attempt.started_at + deps.gateway.changeMayRunForMs || mayBeApprovedLater(attempt, payment));
    if (pending || mayRun || awaitsApproval(attempt, payment, applied)) {
      open += 1;
      continue;
    }
    const made = entry ?? refused;
    if (made) claimed.add(entryId(made));
    if (refused) {
      await finishRefusedLater(deps, attempt, payment, refused);
      continue;
    }
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
    // Its figures are the payment's just after its own cancel: attempts settled together each tell of their own. Not
    // when the shop heard of that cancel as made elsewhere: one it took under an id PortOne V2 replayed for its key,
    // which the copy showed, with every attempt settled, before this attempt held it.
    const after = entry ? paymentAfter(payment, entry) : payment;
    const told =
      applied &&
      entry !== undefined &&
      !!deps.webhooks &&
      (await toldAsMadeElsewhere(deps.store, payment, entry, attempts));
    const event = applied && !told ? () => appliedEvent(deps, attempt, after) : undefined;
    await finishWithEvent(deps, attempt.id, finish, event);
    // A revocation's settling is plain from the payment's status; a refund's is worth the operator's eye.
    if (!isRevokeAttempt(attempt)) {
      deps.log({
        level: 'warn',
        msg: `settled a refund attempt from ${deps.gateway.label}`,
        attempt: attempt.id,
        applied,
      });
    }
  }
  if (open > 0) await deps.store.markNeedsSync(payment.imp_uid, deps.now());
  return open;
};

/**
 * How an attempt ends whose cancel the gateway accepted and then failed (PortOne V2 says no more than FAILED): refused,
 * as if refused at once, nothing refunded; the shop hears `refund.failed` and the customer's next look finds the amount
 * refundable again.
 */
export const refusedLater = (refused: Cancellation) =>
  ({
    outcome: 'rejected',
    error_code: 'PG_PROVIDER',
    iamport_message: `the gateway failed the cancellation it had accepted (${entryId(refused)})`,
    cancellation_id: entryId(refused),
    refunded: null,
  }) as const;

/** The gateway gives no words of its own for a failed cancellation: the shop gets ours, and none in its name. */
export const REFUSED_LATER_ERROR = {
  code: 'PG_PROVIDER',
  message: ERROR_MESSAGES.PG_PROVIDER,
  gateway_message: null,
} as const;

const finishRefusedLater = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'log' | 'randomId' | 'webhooks'>,
  attempt: Attempt,
  payment: Payment,
  refused: Cancellation,
): Promise<void> => {
  const finish = ending(deps, {
    ...refusedLater(refused),
    iamport_code: attempt.iamport_code,
    iamport_ms: attempt.iamport_ms,
  });
  await finishWithEvent(deps, attempt.id, finish, () => refusedEvent(deps, attempt, payment, REFUSED_LATER_ERROR));
  deps.log({ level: 'warn', msg: 'the gateway failed a refund it had accepted', attempt: attempt.id });
};
