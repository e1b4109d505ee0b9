/**
 * @module applyChange(): the one way a change reaches i'mport (a cancel, or the revocation of an unpaid virtual
 * account). It writes the attempt and marks the order's row before the call, so a crash mid-call leaves a record to
 * settle and a row nobody trusts until i'mport is asked; sends it; and learns the outcome: applied, refused (nothing
 * happened), not sent, or unknown, which is settled from i'mport's own copy of the payment before anything is said,
 * and answered REFUND_OUTCOME_UNKNOWN when even that copy cannot be read.
 */
import { ERROR_MESSAGES } from '../../shared/errors.ts';
import type { ChangeResult, Refused } from '../gateways/gateway.ts';
import { sameAmount } from '../payments/money.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt, AttemptFinish, AttemptStart } from '../store/store.ts';
import { appliedEvent, refusedEvent } from '../webhooks/events.ts';
import { type Ending, ending, finishQuietly, finishWithEvent } from './attempts.ts';
import {
  claimedIds,
  entryId,
  findEntryFor,
  isRevokeAttempt,
  paymentAfter,
  sentBy,
  withUnshownCancel,
} from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';
import { recordExternalCancels } from './external-cancels.ts';
import { maskNumbers } from './gateway-text.ts';
import { assignLate, lateCancelsOfOthers } from './late-cancels.ts';
import { type Loaded, refreshPayment, savePaymentAfterRefund } from './ledger-sync.ts';
import { type Failure, fail } from './outcome.ts';
import { approvesLater, refundableNow } from './rules.ts';
import {
  approvedByItsPg,
  hiddenIn,
  ownVerdict,
  REFUSED_LATER_ERROR,
  refusedLater,
  verdictOf,
  wordedVerdict,
} from './settle.ts';
import { toldAsMadeElsewhere } from './told-elsewhere.ts';

export interface Change {
  /** The attempt as it is written before the call; a revocation is one without a checksum (settle.ts). */
  readonly attempt: AttemptStart;
  /** The Idempotency-Key to bind to the attempt, so a retry with it learns what the attempt did. */
  readonly key: string | null;
  /** The payment as the ledger had it when the change was decided. */
  readonly payment: Payment;
  /** cancel_history entries already accounted for, none of which can be this attempt's. */
  readonly known: ReadonlySet<string>;
  /** The order's attempts when the change was decided: an earlier one's late-applied cancel is never this one's. */
  readonly earlier?: readonly Attempt[];
  readonly send: () => Promise<ChangeResult>;
  /** The refund account's number this change sends, if any: masked in the gateway's words however it writes it. */
  readonly account?: string | null;
}

/**
 * The change happened: the payment as i'mport now shows it and, for a cancel, the history entry it made. `accepted`:
 * the gateway took the cancel to finish later (PortOne V2's REQUESTED); its attempt stays unsettled until it does.
 */
export type Applied =
  | {
      readonly kind: 'applied';
      readonly payment: Payment;
      readonly entry: Cancellation | undefined;
      readonly accepted?: true;
    }
  | Failure;

/**
 * An approval's attempt the ledger did not write (Store.insertAttempt): its request was ended, or approved again, while
 * the approval waited; nothing was sent, and nothing of it is recorded.
 */
export const overtaken = (): Failure =>
  fail(
    'REFUND_REQUEST_DECIDED',
    'This approval was overtaken: its request was ended (or approved again) while it waited, so nothing was sent.',
  );

/** The order's lease lost before anything was sent (see applyChange): the customer may try again in a moment. */
export const leaseLost = (deps: Pick<RefundDeps, 'log'>, attempt?: string): Failure => {
  deps.log({ level: 'warn', msg: "the order's lease was lost before anything was sent; nothing sent", attempt });
  return fail(
    'REFUND_IN_PROGRESS',
    'Another refund of this order may be running; nothing was sent. Try again in a moment.',
  );
};

export const applyChange = async (deps: RefundDeps, change: Change): Promise<Applied> => {
  const { attempt, key, payment } = change;
  // The order's lease lost while this refund got ready (its renewals failed): another instance may have taken the order
  // since and refunded it, on a read without this attempt. Nothing is written or sent. The attempt is written under the
  // lease too (`lease`): should it be lost between this look and the write, the write does not happen, and another
  // instance taking the order after the write reads this attempt, unsettled, and sends nothing beside it.
  const { lease } = deps;
  if (lease && !(await lease.held())) return leaseLost(deps, attempt.id);
  // The row is marked in the same round: whatever i'mport then says (or a crash) clears or keeps it, so a view never
  // shows figures this change may have made stale as if they were current (view.ts).
  const [inserted, ...others] = await Promise.allSettled([
    deps.store.insertAttempt(lease ? { ...attempt, lease: { name: lease.name, holder: lease.holder } } : attempt),
    key && deps.store.setIdempotencyAttempt(key, attempt.id),
    deps.store.markNeedsSync(payment.imp_uid, deps.now()),
  ]);
  const broken = [inserted, ...others].find((write) => write.status === 'rejected');
  if (broken) {
    // Nothing is sent, and the caller says so. An attempt written beside a write that failed would be read by the key's
    // retry as one that may have been sent (not known for ten minutes), against that answer: ended now as not sent,
    // if the ledger takes it (else it stays unsettled, and is settled as any unanswered attempt is). So is one whose own
    // write failed, which may have been written all the same (its answer lost: a connection dropped after COMMIT); if
    // it was not, there is nothing to end (finishAttempt ends only an attempt it finds unended).
    if (inserted.status === 'rejected' || inserted.value) {
      await finishNotApplied(deps, attempt, { iamport_message: null, iamport_ms: null }).catch(() => undefined);
    }
    throw broken.reason;
  }
  const written = inserted.status === 'fulfilled' && inserted.value;
  // An approval's refund is written only while its request still waits for it in that approval's round (bound to it in
  // the same write): an approval held up for so long that its request was failed as never begun, and perhaps approved
  // again since, sends nothing. (Its key is then bound to an attempt that does not exist, which a retry reads as none,
  // and the payment's row is marked, which only makes the next look ask the gateway.)
  if (!written) return attempt.request_round === undefined ? leaseLost(deps, attempt.id) : overtaken();
  const sentAt = deps.now();
  const result = await change.send();
  const iamport_ms = deps.now() - sentAt;
  const revoking = isRevokeAttempt(attempt);
  // What went wrong, in the gateway's words where it gave any (a 5xx's message): masked as a refusal's are, for the audit
  // and the log keep no full account number, whatever a gateway echoes.
  const gatewayWords = (text: string) => maskNumbers(text, change.account ?? null);
  switch (result.kind) {
    case 'ok': {
      // An answer about another payment says nothing of this one: what happened is asked of the gateway.
      if (result.payment.imp_uid !== payment.imp_uid) {
        const detail = `answered with another payment (${result.payment.imp_uid})`;
        return settleUnknown(deps, change, { detail, iamport_ms, stillRunning: true });
      }
      if (result.replayed !== undefined && !revoking && heldByAnother(change, result.replayed))
        return replayedElsewhere(deps, change, result.payment, result.replayed, iamport_ms);
      return appliedAsShown(deps, change, result.payment, iamport_ms, result.replayed);
    }
    case 'not_sent': {
      await finishNotApplied(deps, attempt, { iamport_message: gatewayWords(result.detail), iamport_ms });
      const nothing = revoking ? 'nothing was changed' : 'nothing was refunded';
      return fail('UPSTREAM_UNAVAILABLE', `${deps.gateway.label} could not be reached; ${nothing}.`);
    }
    case 'refused': {
      // The gateway's words, with any account or card number it echoed masked, wherever they go from here.
      const refused = { ...result, message: maskNumbers(result.message, change.account ?? null) };
      // Re-read the payment: a refusal is often i'mport telling us our copy is stale. A ledger failure while storing it
      // counts as not having read it: a PG's refusal may have applied, so it must not be answered "nothing was refunded".
      const fresh = await refreshAfterChange(deps, payment.imp_uid);
      // A PG may make the change and still answer no ("취소실패(기취소성공)"): what the payment shows decides, or the
      // customer would be told nothing moved, and a second refund (past a grant's cap too) would follow the first.
      if (refused.fromPg) {
        if (fresh.kind !== 'ok') {
          // Whether the PG made it cannot be seen: not known, and nothing more is sent until a look can tell.
          const detail = `answered refused (${refused.message}); the re-read failed (${whyUnread(deps, fresh)})`;
          return leaveUnsettled(deps, change, { detail, iamport_ms, iamport_code: refused.code });
        }
        const shown = await afterPgRefusal(deps, change, fresh.payment, refused, iamport_ms);
        if (shown) return shown;
      }
      const failure = explainRefusal(deps.gateway.label, attempt, refused, fresh.kind === 'ok' ? fresh.payment : null);
      const said = { iamport_code: refused.code, iamport_message: refused.message, iamport_ms };
      // The event carries our table's words and, apart, i'mport's or the PG's own for the shop.
      const error = {
        code: failure.code,
        message: ERROR_MESSAGES[failure.code],
        gateway_message: refused.message || null,
      };
      // Often refused because someone cancelled elsewhere (i'mport's console): the shop hears of that first, as it
      // happened first. This attempt, refused, made no entry, so it is left out of those that might have.
      if (fresh.kind === 'ok') {
        const others = async () =>
          (await deps.store.listAttempts(attempt.merchant_uid)).filter((a) => a.id !== attempt.id);
        await recordExternalCancels(deps, fresh.payment, others);
      }
      await finishWithEvent(
        deps,
        attempt.id,
        ending(deps, { outcome: 'rejected', error_code: failure.code, ...said }),
        () => refusedEvent(deps, attempt, fresh.kind === 'ok' ? fresh.payment : payment, error),
      );
      return failure;
    }
    case 'unknown': {
      // PayPal's cancel that i'mport said it took (code 0) without the payment: judged from a fresh copy as the payment
      // in such an answer would be, so that it waits on PayPal's approval however long it takes (acceptedUnshown).
      if (result.taken && !revoking && approvesLater(payment)) {
        const fresh = await refreshAfterChange(deps, payment.imp_uid);
        if (fresh.kind === 'ok') return appliedAsShown(deps, change, fresh.payment, iamport_ms);
        const detail = `${gatewayWords(result.detail)}; the re-fetch failed (${whyUnread(deps, fresh)})`;
        return leaveUnsettled(deps, change, { detail, iamport_ms, iamport_code: 0 });
      }
      return settleUnknown(deps, change, {
        detail: gatewayWords(result.detail),
        iamport_ms,
        stillRunning: result.stillRunning === true,
      });
    }
    case 'requested': {
      // Replayed for its key, and another attempt's refund already (replayedElsewhere).
      if (!revoking && heldByAnother(change, result.cancellationId))
        return replayedElsewhere(deps, change, result.payment, result.cancellationId, iamport_ms);
      // Accepted, to finish later (PortOne V2): nothing has moved yet, so a re-read could only say "not applied". The
      // attempt stays unsettled and the order marked; a later lookup or the gateway's webhook settles it (and then
      // sends the merchant's refund.succeeded or refund.failed). The customer hears it was accepted: `pending`.
      // Sent again under a key an earlier attempt used, the answer may be the first one's replayed; with the payment
      // unread, whether that cancellation has ended since (failed, say) is not known: not known is what is said.
      const resent = change.key !== null && (change.earlier ?? []).some((a) => a.idempotency_key === change.key);
      if (result.unread && resent) {
        const detail = `answered REQUESTED (${result.cancellationId}) again for its key; the payment could not be read`;
        return leaveUnsettled(deps, change, { detail, iamport_ms, cancellation_id: result.cancellationId });
      }
      const why = `the gateway accepted the cancel as requested (${result.cancellationId}); it finishes later`;
      // The cancellation's id is kept on the attempt: it, not the amount, is what later settles this attempt.
      await keepUnsettled(deps, change, { iamport_message: why, cancellation_id: result.cancellationId, iamport_ms });
      deps.log({ level: 'info', msg: 'refund accepted to finish later', attempt: attempt.id, why });
      return { kind: 'applied', payment: result.payment, entry: undefined, accepted: true };
    }
  }
};

/**
 * Whether cancellation `id` is already an earlier attempt's refund in the ledger. Only that: one the copy holds that no
 * attempt has (a cancel told as made elsewhere), replayed for this attempt's key, is this attempt's own refund, and
 * saying it made nothing would have the customer ask again and be refunded twice.
 */
const heldByAnother = (change: Change, id: string): boolean => claimedIds(change.earlier ?? []).has(id);

/**
 * The gateway answered with a cancellation its key's earlier request made (PortOne V2's replay), which the ledger counts
 * as another attempt's refund: that request's cancel, applied late, was taken for the other attempt's (amounts and times
 * are all a copy tells), and that attempt was told of it. This attempt made nothing: counted, it would be a refund the
 * gateway never made. Its key meets the same replay for PortOne's hours, so the customer is asked to read the payment
 * again and ask anew (a new key): the refundable amount already leaves that cancel out.
 */
const replayedElsewhere = async (
  deps: RefundDeps,
  change: Change,
  shown: Payment,
  cancellationId: string,
  iamport_ms: number,
): Promise<Failure> => {
  const why = `answered with cancellation ${cancellationId} again for its key, which another attempt's refund holds`;
  await finishNotApplied(deps, change.attempt, { iamport_message: why, iamport_ms });
  deps.log({
    level: 'warn',
    msg: "refund answered with another attempt's cancellation",
    attempt: change.attempt.id,
    why,
  });
  const now = refundableNow(shown);
  return fail(
    'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
    `This refund's earlier request was made and counted as another refund of this payment; the refundable amount is now ${now} ${shown.currency}: check it and ask again.`,
    now,
  );
};

/**
 * The change i'mport answered as done (code 0), with `shown` the payment it answered (or, when it sent none, read just
 * after). The entry is looked for in that copy, so both writes go out in one round.
 */
const appliedAsShown = async (
  deps: RefundDeps,
  change: Change,
  shown: Payment,
  iamport_ms: number,
  replayed?: string,
): Promise<Applied> => {
  const { attempt, payment } = change;
  const revoking = isRevokeAttempt(attempt);
  if (replayed !== undefined && !revoking) return appliedAsReplayed(deps, change, shown, iamport_ms, replayed);
  const entry = revoking ? undefined : findEntryFor(attempt, shown.cancel_history, change.known);
  // PayPal's is approved only once the payment is `cancelled` with the entry (iamport-v1.md §3.2), its own: one of the
  // same amount without this refund's words is a cancel made in i'mport's console meanwhile.
  const approved = !!entry && sentBy(attempt, entry) && shown.status === 'cancelled';
  if (!revoking && approvesLater(payment) && !approved) return acceptedUnshown(deps, change, shown, iamport_ms);
  const [saved] = await Promise.all([
    savePaymentAfterRefund(deps, shown),
    finishApplied(deps, attempt, shown, entry, { iamport_code: 0, refunded: attempt.amount, iamport_ms }),
  ]);
  return { kind: 'applied', payment: saved, entry };
};

/**
 * PortOne V2 answered with a cancellation the copy already held, replayed for this attempt's key: the cancel an earlier
 * request with this key made, which no attempt holds (heldByAnother ruled that out). That is this request's refund,
 * and this attempt's entry by its id, whatever its amount and time suggested to the copy: one of the key's earlier
 * attempts, settled as not made, whose cancel landed late and was taken (amounts and times being all a copy tells) for
 * another key's earlier one's. Held by its id, it is no other's late refund, so that key's retry refunds anew. Nothing
 * is sent to the shop for it if it was told as a cancel made elsewhere when it was first seen (told once).
 */
const appliedAsReplayed = async (
  deps: RefundDeps,
  change: Change,
  shown: Payment,
  iamport_ms: number,
  replayed: string,
): Promise<Applied> => {
  const { attempt } = change;
  const entry = shown.cancel_history.find((e) => entryId(e) === replayed);
  // The refund was made: a ledger failing on this read must not turn it into an error (finishQuietly's rule). Not known
  // to have been told, it is told (once more at worst), never left untold: once this attempt holds it, nothing would.
  const told =
    entry !== undefined &&
    (await toldAsMadeElsewhere(deps.store, shown, entry, change.earlier ?? []).catch(() => false));
  const after = entry ? paymentAfter(shown, entry) : shown;
  const said = {
    iamport_code: 0,
    refunded: entry?.amount ?? attempt.amount,
    iamport_ms,
    iamport_message: `answered with cancellation ${replayed} again for its key, which no attempt held`,
  };
  const event = told ? undefined : () => appliedEvent(deps, attempt, after);
  const finish = { outcome: 'succeeded', cancellation_id: entry ? entryId(entry) : replayed, ...said } as const;
  const [saved] = await Promise.all([
    savePaymentAfterRefund(deps, shown),
    finishQuietly(deps, attempt.id, ending(deps, finish), event),
  ]);
  return { kind: 'applied', payment: saved, entry };
};

/**
 * PayPal's cancel accepted and not approved yet (rules.ts approvesLater): i'mport answered code 0, its payment does not
 * show the cancel approved. Nothing is known to have moved, so nothing is said to have: the attempt stays unsettled,
 * marked as accepted (settle.ts isAcceptedUnshown: code 0 on an unknown attempt), and the order held with no other
 * cancel sent for it, for as long as it takes (settle.ts awaitsApproval): until a lookup or i'mport's webhook shows the
 * payment `cancelled` with its entry, which sends refund.succeeded, or the payment no longer has its amount to give.
 * The customer hears it was accepted (`pending`), with the balance less this cancel.
 */
const acceptedUnshown = async (
  deps: RefundDeps,
  change: Change,
  shown: Payment,
  iamport_ms: number,
): Promise<Applied> => {
  const { attempt } = change;
  const why = `${deps.gateway.label} answered the cancel as done; the payment does not show it yet (its PG finishes it later)`;
  await keepUnsettled(deps, change, { iamport_code: 0, iamport_message: why, iamport_ms });
  deps.log({ level: 'warn', msg: 'refund accepted, not shown yet', attempt: attempt.id, why });
  return { kind: 'applied', payment: withUnshownCancel(shown, attempt), entry: undefined, accepted: true };
};

/**
 * What a refusal means for the client, judged against the payment as i'mport shows it now (null if unreadable).
 * Where one of our codes says what i'mport said, the answer is that code in our words (i'mport's stay in the audit);
 * only a PG's own refusal is passed on in i'mport's words, for the shop (the widget never shows them).
 */
const explainRefusal = (label: string, attempt: AttemptStart, refused: Refused, fresh: Payment | null): Failure => {
  if (isRevokeAttempt(attempt)) {
    // Most often the customer paid in the meantime: the numbers changed, so the widget reloads and asks again.
    if (fresh && fresh.status !== 'ready') {
      const changed = 'This virtual account has changed (it may have been paid); check it and ask again.';
      return fail('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', changed, refundableNow(fresh));
    }
    return fail('PG_PROVIDER', refused.message || ERROR_MESSAGES.PG_PROVIDER);
  }
  const now = fresh ? refundableNow(fresh) : undefined;
  if (fresh && now !== attempt.checksum) {
    const changed = `The refundable amount is now ${now} ${fresh.currency}; check it and ask again.`;
    return fail('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', changed, now);
  }
  switch (refused.refusal) {
    case 'already_cancelled':
      return fail('PAYMENT_ALREADY_CANCELLED', 'This payment has already been fully refunded.', 0);
    case 'checksum':
      return fail('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', ERROR_MESSAGES.CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN, now);
    case 'amount':
      return fail(
        'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
        `${label} shows less refundable than was asked; check the amount and ask again.`,
        now,
      );
    case 'not_paid':
      return fail('PAYMENT_NOT_PAID');
    case 'max_cancel_count':
      return fail('MAX_CANCEL_COUNT_REACHED');
    case 'tax_free_amount':
      return fail('CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT');
    case 'tax_amount':
      return fail('CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT');
    case 'sum_of_parts':
      return fail('SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT');
    case 'pg':
      // i'mport's own words (a PG's, most often) are what this answer says.
      return fail('PG_PROVIDER', refused.message || ERROR_MESSAGES.PG_PROVIDER);
  }
};

/** Why a re-read after a change did not give the payment, in the words the audit keeps. */
const whyUnread = (deps: RefundDeps, fresh: Exclude<Loaded, { kind: 'ok' }>): string =>
  fresh.kind === 'unavailable' ? fresh.detail : `${deps.gateway.label} does not show the payment`;

/** Re-reads the payment after an unknown outcome; a ledger failure while storing it counts as not knowing. */
const refreshAfterChange = async (deps: RefundDeps, impUid: string): Promise<Loaded> => {
  try {
    return await refreshPayment(deps, impUid);
  } catch (error) {
    return { kind: 'unavailable', detail: `ledger: ${String(error)}` };
  }
};

/**
 * The change happened (i'mport said so, or showed it when asked): the attempt ends succeeded, with its event. A ledger
 * failure here is logged, never allowed to turn a refund that happened into an error.
 */
const finishApplied = (
  deps: RefundDeps,
  attempt: AttemptStart,
  payment: Payment,
  entry: Cancellation | undefined,
  said: Pick<AttemptFinish, 'refunded' | 'iamport_ms'> &
    Partial<Pick<AttemptFinish, 'iamport_code' | 'iamport_message'>>,
): Promise<void> => {
  const finish = { outcome: 'succeeded', cancellation_id: entry ? entryId(entry) : null, ...said } as const;
  return finishQuietly(deps, attempt.id, ending(deps, finish), () => appliedEvent(deps, attempt, payment));
};

/** Nothing changed at i'mport (never sent, or i'mport shows it did not happen): the attempt ends failed. */
const finishNotApplied = async (
  deps: RefundDeps,
  attempt: AttemptStart,
  said: Pick<AttemptFinish, 'iamport_message' | 'iamport_ms'>,
): Promise<void> => {
  await deps.store.finishAttempt(
    attempt.id,
    ending(deps, { outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE', ...said }),
  );
};

/**
 * A PG's refusal (Refused.fromPg), against the payment read right after it. An entry that is this attempt's (its
 * amount, made since it began, no other's, and with the reason it sent: a cancel of the same amount in the gateway's
 * console meanwhile is not it) means the PG made the change all the same: it ends succeeded, and any other cancel the
 * copy shows is told as a refusal would have told it. One of those still unfinished (PortOne V2) leaves the attempt
 * unknown until it ends. Undefined: the copy shows neither, so the refusal stands.
 */
const afterPgRefusal = async (
  deps: RefundDeps,
  change: Change,
  fresh: Payment,
  refused: Refused,
  iamport_ms: number,
): Promise<Applied | undefined> => {
  const { attempt } = change;
  const revoking = isRevokeAttempt(attempt);
  // An earlier attempt's late cancel is that attempt's, whenever it was stamped: a refused attempt has the weaker claim
  // (its key's retry would otherwise send that refund again). The earliest entry of its amount may also be the
  // console's, with this attempt's own after it: that one is passed over.
  // Not one assigned to an earlier attempt of this very request, though (its key's, or its refund request's earlier
  // approval): a late cancel of that one is this request's one refund whichever attempt it is counted for (README: the
  // same key refunds once "unless i'mport by then shows the first cancel after all: that is the refund"). Ruling it out
  // took this attempt's own cancel for it, so the customer was told 409 "nothing was done, ask again" for a refund
  // made, the shop heard of it as a cancel made elsewhere, and asking again as told refunded twice. The assignment is
  // over every earlier attempt, as lateRefunds() makes it, so no other request's retry is handed the entry either.
  const earlier = change.earlier ?? [];
  const earlierLate = assignLate(deps.gateway, new Map([[fresh.imp_uid, fresh]]), earlier);
  // Nor one assigned to an attempt of a refund request rejected or withdrawn since: nothing can send that request's
  // refund again, so its claim is not the stronger one. Left to it, this attempt's own cancel (of the same amount and
  // reason) was told to the customer as "nothing was done, ask again" and to the shop as a cancel made elsewhere.
  // Should the ledger fail to say (rare, on a rare path), whose cancel it is cannot be told: not known, as when the
  // payment cannot be re-read, rather than "nothing was done" for what may be this attempt's refund.
  let closed: Set<string>;
  try {
    closed = await closedRequests(deps, earlier, [...earlierLate.keys()]);
  } catch (error) {
    const detail = `answered refused (${refused.message}); its requests could not be read (${String(error)})`;
    return leaveUnsettled(deps, change, { detail, iamport_ms, iamport_code: refused.code });
  }
  const othersLate = [...earlierLate.entries()].filter(([id]) => {
    const owner = earlier.find((a) => a.id === id);
    return !owner || !(sameRequest(owner, attempt) || (owner.request_id != null && closed.has(owner.request_id)));
  });
  const known = new Set([...change.known, ...othersLate.map(([, l]) => entryId(l.entry))]);
  const { applied, entry, refunded } = judge(deps, { ...change, known }, fresh, ownVerdict);
  const said = `answered refused (${refused.message}), yet ${deps.gateway.label} shows it`;
  if (applied) {
    const iamport_message = `${said} applied`;
    await finishApplied(deps, attempt, entry ? paymentAfter(fresh, entry) : fresh, entry, {
      refunded,
      iamport_ms,
      iamport_code: refused.code,
      iamport_message,
    });
    deps.log({ level: 'warn', msg: 'a refused change shows applied', attempt: attempt.id, why: iamport_message });
    // The refund happened: a ledger failure here is logged, never turned into an error answer.
    await recordExternalCancels(deps, fresh, () => deps.store.listAttempts(attempt.merchant_uid)).catch(
      (error: unknown) =>
        deps.log({ level: 'error', msg: 'could not record cancels made elsewhere', error: String(error) }),
    );
    return { kind: 'applied', payment: fresh, entry };
  }
  const unfinished = (fresh.cancels_pending ?? []).some(
    (e) => !revoking && sameAmount(e.amount, attempt.amount) && !change.known.has(entryId(e)) && sentBy(attempt, e),
  );
  const answered = { iamport_ms, iamport_code: refused.code };
  if (unfinished) return leaveUnsettled(deps, change, { detail: `${said} unfinished`, ...answered });
  // A copy without the history that would show it, whose cancel_amount may hold it: not known, never refused.
  if (!revoking && hiddenIn(attempt, fresh)) {
    return leaveUnsettled(deps, change, { detail: `${said} perhaps: its history is not shown`, ...answered });
  }
  return undefined;
};

/**
 * Of the refund requests the attempts `ids` were made for, those that can never be approved again (rejected, withdrawn).
 * Read only here: after a PG's refusal the gateway shows applied, beside an earlier attempt's late cancel (rare).
 */
const closedRequests = async (
  deps: RefundDeps,
  attempts: readonly Attempt[],
  ids: readonly string[],
): Promise<Set<string>> => {
  const requestIds = new Set(
    attempts.flatMap((a) => (ids.includes(a.id) && a.request_id != null ? [a.request_id] : [])),
  );
  const closed = new Set<string>();
  for (const id of requestIds) {
    const status = (await deps.store.getRequest(id))?.status;
    if (status === 'rejected' || status === 'withdrawn') closed.add(id);
  }
  return closed;
};

/** `a` is an attempt of the same request as `attempt`: under its Idempotency-Key, or of its refund request. */
const sameRequest = (a: Attempt, attempt: AttemptStart): boolean =>
  (attempt.idempotency_key !== null && a.idempotency_key === attempt.idempotency_key) ||
  (attempt.request_id != null && a.request_id === attempt.request_id);

/** What the payment, just read from the gateway, shows the change did. */
const judge = (
  deps: RefundDeps,
  { attempt, known, earlier }: Change,
  fresh: Payment,
  by: typeof ownVerdict = verdictOf,
) => {
  // An earlier attempt's late-applied cancel the ledger had not read when this one was sent is not this one's.
  const othersLate = lateCancelsOfOthers(deps.gateway, fresh, earlier ?? [])(attempt);
  return by(attempt, fresh, new Set([...known, ...othersLate]), deps.gateway.checksumOrdersCancels);
};

/** The change may or may not have happened: ask i'mport, and answer only what it shows. */
const settleUnknown = async (
  deps: RefundDeps,
  change: Change,
  {
    detail,
    iamport_ms,
    stillRunning,
  }: { readonly detail: string; readonly iamport_ms: number; readonly stillRunning: boolean },
): Promise<Applied> => {
  const { attempt, payment } = change;
  const fresh = await refreshAfterChange(deps, payment.imp_uid);
  if (fresh.kind !== 'ok') {
    const lookup = whyUnread(deps, fresh);
    const what = isRevokeAttempt(attempt) ? 'revocation' : 'cancel';
    return leaveUnsettled(deps, change, {
      detail: `no answer to the ${what} (${detail}); the re-fetch failed (${lookup})`,
      iamport_ms,
    });
  }
  // On a payment whose PG approves later, judged as settle.ts judges one it holds (approvedByItsPg): shown while the
  // payment is still paid, it waits.
  const later = approvedByItsPg(attempt, fresh.payment);
  const { applied, entry, refunded, pending, refused } = judge(
    deps,
    change,
    fresh.payment,
    later ? ownVerdict : wordedVerdict,
  );
  const unapproved = later && applied && fresh.payment.status !== 'cancelled';
  if (applied && !unapproved) {
    // The event tells the payment as it stood just after this cancel, not after others the re-read shows too.
    const after = entry ? paymentAfter(fresh.payment, entry) : fresh.payment;
    await finishApplied(deps, attempt, after, entry, { refunded, iamport_ms, iamport_message: detail });
    return { kind: 'applied', payment: fresh.payment, entry };
  }
  if (refused) {
    const end = ending(deps, { ...refusedLater(refused), iamport_ms });
    await finishWithEvent(deps, attempt.id, end, () => refusedEvent(deps, attempt, fresh.payment, REFUSED_LATER_ERROR));
    return fail('PG_PROVIDER');
  }
  // A revocation can apply only to an unpaid account: the customer's deposit came first, so nothing was revoked.
  if (isRevokeAttempt(attempt) && fresh.payment.status !== 'ready') {
    await finishNotApplied(deps, attempt, { iamport_message: detail, iamport_ms });
    const changed = 'This virtual account has changed (it may have been paid); check it and ask again.';
    return fail('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', changed, refundableNow(fresh.payment));
  }
  // The gateway may still be running it (its answer never came, or an earlier request with the same key still runs),
  // or shows it accepted and unfinished: not yet shown is not "not applied".
  if (stillRunning || pending || unapproved) {
    const what = isRevokeAttempt(attempt) ? 'The revocation of this virtual account' : 'The refund';
    const message =
      `${what} was sent to ${deps.gateway.label} and got no answer, and ${deps.gateway.label} does not show how it ` +
      'ended yet: it may still be running there. It is checked before anything else happens to this order; send the ' +
      'same request with the same Idempotency-Key later to learn the outcome (it never applies twice).';
    return leaveUnsettled(deps, change, { detail, iamport_ms, message });
  }
  await finishNotApplied(deps, attempt, { iamport_message: detail, iamport_ms });
  const nothing = isRevokeAttempt(attempt)
    ? 'it shows the account not revoked, so nothing was changed'
    : 'it shows no refund, so nothing was refunded';
  return fail('UPSTREAM_UNAVAILABLE', `${deps.gateway.label} did not answer; ${nothing}. Try again.`);
};

/**
 * Ends an attempt `unknown` and keeps its order marked, so the next look at the order asks the gateway first. Money may
 * have moved, so neither write may turn into a failure answer: each failure is logged.
 */
const keepUnsettled = async (
  deps: RefundDeps,
  { attempt, payment }: Pick<Change, 'attempt' | 'payment'>,
  said: Omit<Ending, 'outcome' | 'error_code'>,
): Promise<void> => {
  const finish = ending(deps, { ...said, outcome: 'unknown', error_code: 'REFUND_OUTCOME_UNKNOWN' });
  await Promise.all([
    deps.store
      .markNeedsSync(payment.imp_uid, deps.now())
      .catch((error: unknown) =>
        deps.log({ level: 'error', msg: 'could not mark an order', imp_uid: payment.imp_uid, error: String(error) }),
      ),
    finishQuietly(deps, attempt.id, finish),
  ]);
};

/**
 * Nobody knows yet. The row stays marked and the attempt unsettled, so the next look at this order (a view, a retry
 * with this key, a webhook) asks the gateway first; until then the order shows OUTCOME_PENDING_CHECK.
 */
const leaveUnsettled = async (
  deps: RefundDeps,
  { attempt, payment }: Change,
  {
    detail: why,
    iamport_ms,
    message,
    iamport_code = null,
    cancellation_id = null,
  }: {
    readonly detail: string;
    readonly iamport_ms: number;
    readonly message?: string;
    /**
     * 0: i'mport took the change (a PayPal cancel then waits on its approval: settle.ts isAcceptedUnshown); a refusal's
     * code when it was answered refused (not known all the same: whether the PG made it cannot be seen yet).
     */
    readonly iamport_code?: number | null;
    /** The cancellation the gateway named, by which the attempt is settled later (PortOne V2). */
    readonly cancellation_id?: string | null;
  },
): Promise<Applied> => {
  const revoking = isRevokeAttempt(attempt);
  await keepUnsettled(deps, { attempt, payment }, { iamport_message: why, iamport_ms, iamport_code, cancellation_id });
  deps.log({
    level: 'warn',
    msg: 'refund outcome unknown',
    attempt: attempt.id,
    merchant_uid: attempt.merchant_uid,
    why,
  });
  const what = revoking ? 'The revocation of this virtual account' : 'The refund';
  if (message) return fail('REFUND_OUTCOME_UNKNOWN', message);
  return fail(
    'REFUND_OUTCOME_UNKNOWN',
    `${what} was sent to ${deps.gateway.label}, but its answer was lost and it could not be asked what happened yet. ` +
      'It is checked before anything else happens to this order; send the same request with the same ' +
      'Idempotency-Key to learn the outcome (it never applies twice).',
  );
};
