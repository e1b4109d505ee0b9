/**
 * @module Reading a payment's cancel history against the proxy's attempts: each entry's id, which entry an attempt
 * made, which cannot be its own, which are accounted for, and the payment as it stood after one. Pure; settle.ts
 * settles attempts with it, late-cancels.ts assigns late ones.
 */
import { money, sameAmount, sumOf } from '../payments/money.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';

// i'mport's clock and ours may disagree; an entry this much older than the attempt cannot be its result.
export const CLOCK_SLACK_MS = 10 * 60 * 1000;

/**
 * A stable id for a cancel_history entry: its cancellation_id, which i'mport sends, or, when that is absent or empty (an
 * empty one would make every such entry the same), a stand-in from what i'mport says of it that does not change.
 */
export const entryId = (e: Cancellation): string =>
  e.cancellation_id || `${e.pg_tid ?? ''}:${e.cancelled_at}:${e.amount}`;

/** A reason as a gateway may keep it: trimmed, with each run of blanks one space. */
const wordsOf = (reason: string): string => reason.trim().replace(/\s+/g, ' ');

/** The entry carries no words (a gateway that keeps none): it may be anyone's cancel. */
export const wordless = (e: Cancellation): boolean => wordsOf(e.reason ?? '').length === 0;

/**
 * The entry carries words, and not the ones this attempt sent (sentBy): someone else's cancel (one made in the gateway's
 * console meanwhile, in the staff's words), never this attempt's. One without words may be anyone's.
 */
export const inOtherWords = (attempt: Pick<Attempt, 'reason'>, e: Cancellation): boolean =>
  !wordless(e) && !sentBy(attempt, e);

/**
 * The entry carries the words this attempt sent: on the gateway's copy, the mark of the proxy's own cancel. Kept as
 * i'mport may keep them: blanks run together, or cut short (its limit is not said in characters or bytes), as long as
 * what is kept is all of it or at least its first 16 characters; an empty reason marks nothing.
 */
export const sentBy = (attempt: Pick<Attempt, 'reason'>, e: Cancellation | undefined): boolean => {
  const kept = wordsOf(e?.reason ?? '');
  const sent = wordsOf(attempt.reason);
  return kept.length > 0 && (kept === sent || (kept.length >= 16 && sent.startsWith(kept)));
};

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
        sameAmount(e.amount, attempt.amount) &&
        e.cancelled_at * 1000 >= attempt.started_at - CLOCK_SLACK_MS,
    );

/**
 * The history entries the attempt's checksum says were cancelled before it was sent: `amount - checksum` was, so an
 * entry that, with everything stamped up to it (itself left out), adds up to less than that was among them. Judged by
 * amounts alone, no stamp held against our clock. Nothing when the history does not add up to the payment's
 * cancel_amount, or the attempt has no checksum (a revocation).
 */
export const countedBefore = (attempt: Pick<Attempt, 'checksum'>, payment: Payment): Set<string> => {
  const history = payment.cancel_history;
  if (attempt.checksum === null || !sameAmount(sumOf(history.map((e) => e.amount)), payment.cancel_amount)) {
    return new Set();
  }
  const before = money(payment.amount - attempt.checksum);
  const upTo = (e: Cancellation) =>
    sumOf(history.filter((other) => other !== e && other.cancelled_at <= e.cancelled_at).map((other) => other.amount));
  return new Set(history.filter((e) => upTo(e) < before).map(entryId));
};

/**
 * The history entries that cannot be `attempt`'s own, where the gateway applies a cancel only while its checksum is
 * the balance (Gateway.checksumOrdersCancels): those countedBefore() it that are also stamped before the attempt
 * began, so were there before it: a cancel in i'mport's console just before, say. (Not every one counted: i'mport
 * checks the checksum when a cancel arrives and stamps it when the PG answers, so a cancel made meanwhile may come
 * before the attempt's own in the history.)
 */
export const notItsOwn = (attempt: Pick<Attempt, 'checksum' | 'started_at'>, payment: Payment): Set<string> => {
  const stampedBefore = new Set(
    payment.cancel_history.filter((e) => e.cancelled_at * 1000 < attempt.started_at).map(entryId),
  );
  return new Set([...countedBefore(attempt, payment)].filter((id) => stampedBefore.has(id)));
};

/**
 * The payment with an attempt's cancel that the gateway took and does not show yet (PayPal's, approved later) counted as
 * unfinished, as PortOne V2's own REQUESTED ones are: an answer's balance (refundableNow) then leaves it out.
 */
export const withUnshownCancel = (payment: Payment, attempt: Pick<Attempt, 'amount' | 'started_at' | 'reason'>) => {
  const held = {
    amount: attempt.amount ?? 0,
    cancelled_at: Math.floor(attempt.started_at / 1000),
    reason: attempt.reason,
  };
  return { ...payment, cancels_pending: [...(payment.cancels_pending ?? []), held] };
};

/**
 * cancellation ids already accounted to attempts: those that succeeded, and those the gateway accepted (settled or
 * not), which are judged by their own id and never another attempt's to take.
 */
export const claimedIds = (attempts: readonly Attempt[]): Set<string> =>
  new Set(attempts.flatMap((a) => (a.cancellation_id ? [a.cancellation_id] : [])));

/**
 * The payment as it stood just after `entry`, for an event that tells of that cancel when several are learned of at
 * once (cancels made elsewhere, or attempts settled from one lookup): cancel_amount is what the history had cancelled
 * up to it, in time order; the status is the payment's now (any cancel, partial or whole, leaves an i'mport payment
 * `cancelled`: the amounts tell which). The latest entry's figures are the payment's own.
 */
export const paymentAfter = (payment: Payment, entry: Cancellation): Payment => {
  const history = [...payment.cancel_history].sort((a, b) => a.cancelled_at - b.cancelled_at);
  const id = entryId(entry);
  const at = history.findIndex((e) => entryId(e) === id);
  if (at < 0 || at === history.length - 1) return payment;
  const cancelled = sumOf(history.slice(0, at + 1).map((e) => e.amount));
  return { ...payment, cancel_amount: cancelled };
};
