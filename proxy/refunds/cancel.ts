/**
 * @module cancelRefund(): the one path by which money moves.
 * lease per order, key claimed, order read (one trip to the ledger) -> anything unknown settled -> local checks ->
 * the refund account's holder checked with the bank (VERIFY_REFUND_HOLDER) -> audit -> i'mport -> ledger -> outcome;
 * then, still under the lease, the answer stored for its key and the lease released. Exactly-once comes from three
 * locks in series: the order lease (one refund of an order at a time, across processes), the Idempotency-Key (a
 * retried request is answered, not repeated) and i'mport's checksum (a refund computed from a stale balance is refused
 * by i'mport itself).
 */
import { ERRORS } from '../../shared/errors.ts';
import type { CancelSuccess, ErrorAnswer } from '../../shared/schemas/answers.ts';
import { checkHolder } from '../holders/holder-check.ts';
import { sameAmount } from '../payments/money.ts';
import type { Payment } from '../payments/payment.ts';
import { LedgerUnavailableError } from '../store/guard.ts';
import type { Attempt, AttemptStart, KeyClaim, OrderSnapshot } from '../store/store.ts';
import { toAnswer } from './answers.ts';
import { applyChange, leaseLost, overtaken } from './apply-change.ts';
import { attemptStart, ending } from './attempts.ts';
import { CLOCK_SLACK_MS, claimedIds, entryId, isRevokeAttempt, withUnshownCancel } from './cancel-history.ts';
import type { CancelInput } from './cancel-input.ts';
import { checkRequest, notAsShown, type RefundFields } from './check-request.ts';
import type { RefundDeps } from './deps.ts';
import { recordExternalCancels } from './external-cancels.ts';
import { grantRemaining } from './grant-cap.ts';
import { earlierKeyUse } from './key-use.ts';
import { type LateRefund, type LateRefunds, lateRefunds, settledUnanswered, storedCopy } from './late-cancels.ts';
import { recordLateRefund } from './late-refund-record.ts';
import { type HeldLease, LEASE_BUSY, type LeaseWork, withLease } from './lease.ts';
import { type Loaded, loadPayment, refreshPayment } from './ledger-sync.ts';
import { notRefundableHere } from './other-gateway.ts';
import { type CancelOutcome, type Failure, fail } from './outcome.ts';
import { earlierRequestHashes, requestHash } from './request-hash.ts';
import { cancelableOf, isRevocable, refundableNow } from './rules.ts';
import { earlierRunning, isAcceptedUnshown, isUnsettled, runningChange, settleAttempts } from './settle.ts';
import { grantPartsRefused, grantTaxFree, taxSplit } from './tax-split.ts';

export const cancelRefund = async (deps: RefundDeps, input: CancelInput): Promise<CancelOutcome> => {
  const outcome = await cancelOnce(deps, input);
  // Counted here, not by a route: a customer's refund and a staff approval's both come this way.
  deps.countRefund?.(outcome);
  return outcome;
};

const cancelOnce = async (deps: RefundDeps, input: CancelInput): Promise<CancelOutcome> => {
  const { request, idempotencyKey: key } = input;
  const claim: KeyClaim | null = key
    ? {
        key,
        merchant_uid: request.merchant_uid,
        request_hash: await requestHash(request, deps.requestHashKeys[0]),
        created_at: deps.now(),
      }
    : null;
  const name = `order:${request.merchant_uid}`;
  // The lease, the key and the order in one trip to the ledger (one round trip on PostgreSQL), read under the lease.
  const take = (holder: string) =>
    deps.store.takeOrder({ name, holder, ttlMs: deps.leaseTtlMs, now: deps.now() }, request.merchant_uid, claim);
  const work = async (order: OrderSnapshot, lease: HeldLease): Promise<LeaseWork<CancelOutcome>> => {
    const leased = { ...deps, lease };
    return claim && order.key
      ? withIdempotencyKey(leased, input, claim, order.key, order)
      : { value: await refund(leased, input, null, order) };
  };
  const result = await withLease(deps, name, work, take);
  if (result === LEASE_BUSY) {
    return fail('REFUND_IN_PROGRESS', 'Another refund of this order is still running; try again in a moment.');
  }
  return result;
};

const withIdempotencyKey = async (
  deps: RefundDeps,
  input: CancelInput,
  claim: KeyClaim,
  { record, created }: NonNullable<OrderSnapshot['key']>,
  order: OrderSnapshot,
): Promise<LeaseWork<CancelOutcome>> => {
  const { key } = claim;
  const reused = 'This Idempotency-Key was already used for a different refund request.';
  // The stored body was written below, from toAnswer.
  const others = created ? [] : await earlierRequestHashes(input.request, deps.requestHashKeys);
  const earlier = earlierKeyUse<CancelSuccess | ErrorAnswer>(claim, { record, created }, reused, others);
  if (earlier) return { value: earlier };
  // A pending record is an earlier run with this key that ended without an answer: refund() settles it first.
  const outcome = await refund(deps, input, { key, earlierAttemptId: created ? null : record.attempt_id }, order).catch(
    (error: unknown) => {
      // The ledger failing on the way (a statement the server cancelled, a connection it refused), when this key's
      // refund may have gone through: "the ledger is unavailable, so nothing was refunded" could be false.
      const sent = order.attempts.some(
        (a) => a.idempotency_key === key && (isUnsettled(a) || a.outcome === 'succeeded'),
      );
      if (!(error instanceof LedgerUnavailableError) || !sent) throw error;
      return ledgerFailedAfterSend(deps, error);
    },
  );
  // A retryable answer is not stored: the key stays pending, bound to its latest attempt, so a retry with it learns
  // what that attempt really did (settled from i'mport) instead of refunding again.
  if (outcome.kind === 'failed' && ERRORS[outcome.code].retry === 'same_key') return { value: outcome };
  // Nor is an accepted one's: it finishes later, and a retry with the key should learn how it ended.
  if (outcome.kind === 'refunded' && outcome.accepted) return { value: outcome };
  const answer = toAnswer(outcome);
  // Stored after the answer is sent but before the lease is let go, so a retry (which must take the lease) finds it.
  // Should the write fail, the key stays pending on an attempt whose outcome is written, and a retry answers from that.
  return {
    value: outcome,
    tail: () => deps.store.completeIdempotencyKey(key, answer.status, JSON.stringify(answer.body)),
  };
};

// Said before this request sent anything; an earlier request's outcome may still be unsettled, so no more is claimed.
// What went wrong upstream (hosts, ports, i'mport's words) goes to the log, never into an answer.
const unavailable = (
  deps: RefundDeps,
  loaded: Loaded & { kind: 'unavailable' },
  earlierUnsettled: boolean,
): Failure => {
  deps.log({ level: 'warn', msg: `${deps.gateway.label} lookup failed before a refund`, detail: loaded.detail });
  // With an earlier refund of the order not settled, "nothing was refunded" (what a customer reads for
  // UPSTREAM_UNAVAILABLE) may be false of the order: that refund may have gone through. It is the order's refund in
  // progress that stops this one, as once the gateway answers again.
  if (earlierUnsettled) {
    return fail(
      'REFUND_IN_PROGRESS',
      `An earlier refund of this order is still being checked and ${deps.gateway.label} could not be reached to ` +
        'learn how it ended; this request sent nothing. Try again once it is settled (the order shows ' +
        'OUTCOME_PENDING_CHECK until then).',
    );
  }
  return fail(
    'UPSTREAM_UNAVAILABLE',
    `${deps.gateway.label} could not be reached; this request sent no refund. Try again.`,
  );
};

// A retry whose key's earlier attempt reached (or may have reached) i'mport, and whose outcome still cannot be asked:
// saying "nothing was refunded" could be false, so the answer says what is known, and stays unstored for the key.
const stillUnknown = (deps: RefundDeps, attemptId: string, detail: string): Failure => {
  deps.log({ level: 'warn', msg: 'refund outcome still unknown', attempt: attemptId, detail });
  return fail(
    'REFUND_OUTCOME_UNKNOWN',
    `This request's refund was sent earlier and ${deps.gateway.label} still cannot be asked what happened. Send it again with the ` +
      'same Idempotency-Key later to learn the outcome (it never refunds twice).',
  );
};

// A retry whose key's refund was sent earlier (its outcome unknown, or known but not stored as the key's answer), and the
// ledger failed before it could be answered: what that refund did is not said to be nothing.
const ledgerFailedAfterSend = (deps: RefundDeps, error: LedgerUnavailableError): Failure => {
  deps.log({ level: 'error', msg: 'ledger unavailable', operation: error.operation, error: String(error.cause) });
  return fail(
    'REFUND_OUTCOME_UNKNOWN',
    "This request's refund was sent earlier and the refund ledger failed before its outcome could be read. Send it " +
      'again with the same Idempotency-Key later to learn the outcome (it never refunds twice).',
  );
};

/**
 * What this key's unsettled attempt did, when it was made on another payment of the order than the one the order is
 * tied to now (an unpaid account revoked, its answer lost, then the order paid by card): only that payment's own copy
 * can say, and the order's current copy never will. Settled as made, its outcome is the key's answer; settled as not
 * made, null (the request goes ahead as any retry of a change not made); not known yet, REFUND_OUTCOME_UNKNOWN, so the
 * key's retry never makes another change beside one that may have applied.
 */
const settleElsewhere = async (
  deps: RefundDeps,
  earlier: Attempt,
  attempts: readonly Attempt[],
): Promise<CancelOutcome | null> => {
  // Read and kept as its webhook would have it (the ledger's copy never goes back), cancels made elsewhere told.
  const own = await refreshPayment(deps, earlier.imp_uid!);
  if (own.kind !== 'ok') return stillUnknown(deps, earlier.id, `its payment ${earlier.imp_uid} could not be read`);
  await settleAttempts(deps, own.payment, attempts);
  const after = await deps.store.listAttempts(earlier.merchant_uid);
  await recordExternalCancels(deps, own.payment, after);
  const now = after.find((a) => a.id === earlier.id);
  if (!now || isUnsettled(now)) return notShownYet(deps, earlier.id);
  if (now.outcome !== 'succeeded') return null;
  if (isRevokeAttempt(now)) return { kind: 'revoked', payment: own.payment };
  const entry = own.payment.cancel_history.find((e) => entryId(e) === now.cancellation_id);
  return { kind: 'refunded', payment: own.payment, refunded: now.refunded ?? 0, entry };
};

/** The refund Idempotency-Key `key` made (an attempt of the key that succeeded), if any, in `attempts`. */
const keysRefund = (attempts: readonly Attempt[], key: string): Attempt | undefined =>
  attempts.find((a) => a.idempotency_key === key && a.outcome === 'succeeded');

/**
 * A refund of the order made outside the refund request `approval` carries out that the customer may have asked that
 * request for again, not knowing it made: one begun since the request was made (while a request is open no other
 * refund of its order begins, so only after its approval failed) that succeeded, or that the gateway accepted and is
 * finishing (PortOne V2's REQUESTED, its cancellation named); or one settled as not made whose refund the gateway
 * applied late (`late`), landing since the request was made, by the gateway's stamp with CLOCK_SLACK_MS to spare. Not
 * judged from the request's own attempts: a refusal written before anything was sent (the gateway's figures
 * inconsistent, say) would move the mark past an outside refund, and a late refund began before any of them.
 */
const refundedOutside = (
  attempts: readonly Attempt[],
  approval: NonNullable<CancelInput['approval']>,
  late: LateRefunds,
  payment: Payment,
): Attempt | undefined => {
  const since = approval.requested_at;
  const refunding = (a: Attempt) => a.outcome === 'succeeded' || (isUnsettled(a) && a.cancellation_id !== null);
  const stampedSince = (at: number) => at * 1000 > since - CLOCK_SLACK_MS;
  // A cancel the request's payment showed when the request was taken was known to the customer who asked: not since,
  // whatever its stamp (the slack above is for clocks, not for what the request saw).
  const seen = new Set(approval.cancels_seen ?? []);
  // A late refund recorded as an attempt (`late_of`: its key's retry took it) was written when recorded, maybe long
  // after it landed: judged by its entry's stamp, as when not yet recorded; counted when the entry is not on this
  // payment to read.
  const begunSince = (a: Attempt) => {
    if (!a.late_of) return a.started_at > since;
    const entry = payment.cancel_history.find((e) => entryId(e) === a.cancellation_id);
    return entry === undefined || (!seen.has(entryId(entry)) && stampedSince(entry.cancelled_at));
  };
  const landedSince = (a: Attempt) => {
    const landed = late.get(a.id);
    return landed !== undefined && !seen.has(entryId(landed.entry)) && stampedSince(landed.entry.cancelled_at);
  };
  return attempts.find(
    (a) =>
      a.request_id !== approval.request_id &&
      a.checksum !== null &&
      ((refunding(a) && begunSince(a)) || landedSince(a)),
  );
};

/** An attempt of this request (its key's, or its refund request's approvals') settled as not made after no answer. */
const ownSettledUnanswered =
  (deps: RefundDeps, input: CancelInput, keyed: Keyed) =>
  (a: Attempt): boolean => {
    const requestId = input.approval?.request_id;
    const ours =
      (keyed !== null && a.idempotency_key === keyed.key) || (requestId !== undefined && a.request_id === requestId);
    return ours && settledUnanswered(deps.gateway, a);
  };

/** The late-applied refund of this request, if any: one lateRefunds() assigned to an attempt of this request. */
const lateRefund = (
  deps: RefundDeps,
  input: CancelInput,
  keyed: Keyed,
  attempts: readonly Attempt[],
  late: LateRefunds,
): (LateRefund & { readonly earlier: Attempt }) | null => {
  for (const earlier of attempts.filter(ownSettledUnanswered(deps, input, keyed))) {
    const found = late.get(earlier.id);
    if (found) return { earlier, ...found };
  }
  return null;
};

// A retry whose key's earlier attempt was sent, got no answer, and is not shown by the gateway yet: it may still apply.
const notShownYet = (deps: RefundDeps, attemptId: string): Failure => {
  deps.log({ level: 'info', msg: 'refund outcome not shown yet', attempt: attemptId });
  return fail(
    'REFUND_OUTCOME_UNKNOWN',
    `This request's refund was sent earlier and got no answer, and ${deps.gateway.label} does not show it yet: it may ` +
      'still be running there. Send it again with the same Idempotency-Key later to learn the outcome (it never ' +
      'refunds twice).',
  );
};

const inconsistent = (deps: RefundDeps): Failure =>
  fail(
    'UPSTREAM_UNAVAILABLE',
    `${deps.gateway.label}'s figures for this payment cannot be right, so nothing was refunded; it can be refunded ` +
      'once they are. Try again later.',
  );

type Keyed = { readonly key: string; readonly earlierAttemptId: string | null } | null;

const refund = async (
  deps: RefundDeps,
  input: CancelInput,
  keyed: Keyed,
  order: OrderSnapshot,
): Promise<CancelOutcome> => {
  const { request: req, grant } = input;
  // The holder check, once made, is kept on every row this attempt writes (let: rejectLocally reads it when called).
  let start = attemptStart(deps, input, keyed?.key ?? null);
  /** Audits a refusal made before anything was sent, and answers it; `why` is kept in the audit for the shop. */
  const rejectLocally = async (
    failure: Failure,
    impUid: string | null,
    why: string | null = null,
  ): Promise<Failure> => {
    const end = ending(deps, { outcome: 'rejected', error_code: failure.code, iamport_message: why });
    const written = await deps.store.insertAttempt({ ...start, imp_uid: impUid }, end);
    return written ? failure : overtaken();
  };

  // The attempt this key was last bound to, when its outcome is not known yet (as read under the lease).
  const keyAttempt = keyed?.earlierAttemptId ? order.attempts.find((a) => a.id === keyed.earlierAttemptId) : undefined;
  const unsettledEarlier = keyAttempt && isUnsettled(keyAttempt) ? keyAttempt : undefined;

  // The other gateway's payment (a ledger kept across a switch of gateway): this one never made it, so it is sent
  // nothing and asked nothing; it would answer "not found", which says nothing of the payment, nor of a refund of it
  // sent before the switch. That refund's key is told it is still unknown; any other request is refused.
  // A refund this key made already (its stored answer lost: the ledger failed as it was written) is its answer.
  const made = keyed && keysRefund(order.attempts, keyed.key);
  if (order.payment && !deps.gateway.owns(order.payment)) {
    if (made) return succeededAnswer(order.payment, made);
    if (unsettledEarlier) {
      deps.log({ level: 'warn', msg: 'refund outcome unknown on the other gateway', attempt: unsettledEarlier.id });
      return fail(
        'REFUND_OUTCOME_UNKNOWN',
        `This request's refund was sent earlier, through the gateway the order was paid with, and ${deps.gateway.label} ` +
          '(which this proxy runs on now) cannot say what happened to it; it is learned once the proxy runs on that ' +
          'gateway again. Send it again with the same Idempotency-Key then (it never refunds twice).',
      );
    }
    return rejectLocally(notRefundableHere(deps.gateway, 'nothing was sent'), order.payment.imp_uid);
  }

  /** No usable payment from i'mport: more cancelled than paid (impossible there) is refused and audited until sane. */
  const cannotLoad = (loaded: Loaded & { kind: 'unavailable' }): Promise<CancelOutcome> | CancelOutcome => {
    // Whether the gateway can be read now or not, from the ledger's copy: "this request sent no refund" is no answer
    // for a key that was answered its refund before.
    if (made && order.payment) return succeededAnswer(order.payment, made);
    if (unsettledEarlier) return stillUnknown(deps, unsettledEarlier.id, loaded.detail);
    return loaded.reason === 'inconsistent'
      ? rejectLocally(inconsistent(deps), order.payment?.imp_uid ?? null, loaded.detail)
      : unavailable(deps, loaded, order.attempts.some(isUnsettled));
  };

  // 1. The ledger's copy of the payment, first settling any attempt whose outcome nobody learned.
  let { attempts } = order;
  let loaded = await loadPayment(deps, req.merchant_uid, { read: order.payment });
  // A read from the gateway may take long enough for the order's lease to be lost (its renewals failing), and another
  // instance to refund the order meanwhile: nothing is judged, written or told from what was read under it.
  if (!(await stillHeld(deps))) return leaseLost(deps);
  if (loaded.kind === 'not_found') {
    if (unsettledEarlier)
      return stillUnknown(deps, unsettledEarlier.id, `${deps.gateway.label} does not show the payment`);
    return rejectLocally(fail('PAYMENT_NOT_FOUND', 'No payment was found for this order.'), null);
  }
  if (loaded.kind === 'unavailable') return cannotLoad(loaded);
  // Whether `loaded` is i'mport's copy as of now: an order the ledger did not hold, or a marked row, was just read.
  let fresh = !order.payment || order.payment.needs_sync;
  if (attempts.some(isUnsettled)) {
    // A marked row was just re-read by loadPayment; only an unmarked one needs i'mport's copy now.
    if (!order.payment?.needs_sync) loaded = await refreshPayment(deps, loaded.payment.imp_uid);
    if (!(await stillHeld(deps))) return leaseLost(deps);
    fresh = true;
    if (loaded.kind !== 'ok') {
      return cannotLoad(loaded.kind === 'unavailable' ? loaded : { kind: 'unavailable', detail: 'payment vanished' });
    }
    await settleAttempts(deps, loaded.payment, attempts);
    // A capped grant, and the search for cancels made elsewhere below, count from settled outcomes.
    attempts = await deps.store.listAttempts(req.merchant_uid);
  } else if (!order.payment?.needs_sync && attempts.some(ownSettledUnanswered(deps, input, keyed))) {
    // A refund of this request was settled as not made: it may have applied since (lateRefund, below), which the
    // ledger's copy shows only once i'mport's webhook has come. i'mport is asked.
    loaded = await refreshPayment(deps, loaded.payment.imp_uid);
    if (loaded.kind !== 'ok') {
      return cannotLoad(loaded.kind === 'unavailable' ? loaded : { kind: 'unavailable', detail: 'payment vanished' });
    }
    fresh = true;
  }
  if (!fresh && req.checksum !== undefined && !sameAmount(req.checksum, refundableNow(loaded.payment))) {
    // The caller's balance is not the ledger's: the ledger's copy may be the stale one (a cancel made elsewhere that no
    // webhook told of yet). i'mport is asked before anything is refused, so a refusal carries the balance as it is, and
    // a checksum that matches it goes ahead; i'mport unreachable, the ledger's copy answers as before.
    const reread = await refreshPayment(deps, loaded.payment.imp_uid);
    if (reread.kind === 'ok') loaded = reread;
  }
  if (!(await stillHeld(deps))) return leaseLost(deps);
  const payment = loaded.payment;
  // Refunds the gateway applied after their attempts were settled as not made (late-cancels.ts), one of which may be
  // this request's own (lateRefund, below).
  let late = await lateRefunds(deps, attempts, storedCopy(deps), payment);
  // Cancels made elsewhere (i'mport's console) that this copy shows are told to the shop before ours is made; not this
  // request's own refund the gateway applied late, which it takes below (recordLateRefund) and tells as its refund.
  const ownLate = lateRefund(deps, input, keyed, attempts, late);
  const taking = ownLate?.payment.imp_uid === payment.imp_uid ? [entryId(ownLate.entry)] : [];
  await recordExternalCancels(deps, payment, attempts, new Set(taking));

  // A retry whose earlier attempt was on another payment of the order learns that attempt's outcome from its own copy.
  if (unsettledEarlier?.imp_uid && unsettledEarlier.imp_uid !== payment.imp_uid) {
    const elsewhere = await settleElsewhere(deps, unsettledEarlier, attempts);
    if (elsewhere) return elsewhere;
    attempts = await deps.store.listAttempts(req.merchant_uid);
    late = await lateRefunds(deps, attempts, storedCopy(deps), payment);
  }

  // 2. A retry of a request whose refund did happen gets that refund's outcome, not a second refund; one the gateway
  // accepted and has not finished is still accepted; one it accepted and then failed stays failed (a new request, with
  // a new key, may try again).
  if (keyed?.earlierAttemptId) {
    // Any attempt of this key that succeeded did the key's refund (an earlier one may be settled only now, from the
    // gateway's copy, after later ones met the gateway still running it); else the attempt the key was last bound to.
    // `attempts` is the order's audit as read under the lease (again after settling), so no further read is needed.
    const earlier = keysRefund(attempts, keyed.key) ?? attempts.find((a) => a.id === keyed.earlierAttemptId);
    if (earlier?.outcome === 'succeeded') return succeededAnswer(payment, earlier);
    const accepted = earlier?.cancellation_id ?? null;
    if (earlier && isUnsettled(earlier) && (accepted !== null || isAcceptedUnshown(earlier, payment))) {
      // Unsettled after settling: the gateway shows its cancellation unfinished (or could not be read, answered above),
      // or, taken by i'mport for PayPal to approve later, does not show it yet (its balance then less it, as answered).
      const shown = accepted === null ? withUnshownCancel(payment, earlier) : payment;
      return { kind: 'refunded', payment: shown, refunded: earlier.amount ?? 0, entry: undefined, accepted: true };
    }
    if (earlier?.outcome === 'rejected' && accepted !== null) return fail('PG_PROVIDER');
  }

  // An earlier refund of this request (this key's, or this refund request's) was settled as not made once the gateway
  // could no longer be running it, and the gateway shows it after all: it applied later than any gateway should. That
  // is this request's refund, never a second one: it is written as this request's attempt (so it counts against the
  // grant, and no other request can take it), told to the shop unless it was told as made elsewhere.
  const ours = lateRefund(deps, input, keyed, attempts, late);
  if (ours) {
    if (!(await recordLateRefund(deps, start, ours, attempts))) return overtaken();
    return { kind: 'refunded', payment: ours.payment, refunded: ours.entry.amount, entry: ours.entry };
  }

  // An earlier change of this order may still be running at the gateway (runningChange): nothing is sent until the
  // gateway shows how it ended, or it can no longer apply.
  const running = runningChange(deps.gateway, payment, attempts);
  if (running)
    return running.id === unsettledEarlier?.id
      ? notShownYet(deps, running.id)
      : earlierRunning(deps.gateway, 'nothing was sent for this request');

  // 3. Local checks: what i'mport would refuse is refused here, without a call.
  // An order with an open refund request refunds only through it (its approval), or a refund made beside it and the
  // request approved after would refund the customer twice for one ask.
  if (order.openRequestId && !input.approval) {
    const open =
      'This order has an open refund request: the shop approves or rejects it (or the customer withdraws it) first.';
    // Shown in the answer, as POST /refund-requests shows it (read only here: a refusal, and a rare one).
    const request = await deps.store.getRequest(order.openRequestId);
    return rejectLocally({ ...fail('REFUND_REQUEST_OPEN', open), ...(request ? { request } : {}) }, payment.imp_uid);
  }
  if (isRevocable(payment)) {
    if (deps.gateway.canCloseVirtualAccount?.(payment) === false) {
      const cannot = `${deps.gateway.label} cannot revoke this PG's (${payment.pg_provider}) unpaid virtual account; the shop closes it in the PG's console.`;
      return rejectLocally(fail('REFUND_NOT_ALLOWED', cannot), payment.imp_uid);
    }
    // An account paid again since it was shown (another account issued, say) is not revoked for a request about the
    // earlier one: the payment and balance the caller names are checked, as a refund's are.
    const stale = notAsShown(payment, req, cancelableOf(payment));
    if (stale) return rejectLocally(fail(stale.code, stale.message, stale.cancelable_amount), payment.imp_uid);
    // Nothing was paid: the account number is revoked whole. A part asked for is a request this cannot carry out.
    const asked = req.cancel_request_amount;
    if (asked !== undefined && !sameAmount(asked, cancelableOf(payment))) {
      const whole = `This virtual account has not been paid: it is revoked whole (${cancelableOf(payment)} ${payment.currency}), never in part; leave cancel_request_amount out.`;
      return rejectLocally(fail('INVALID_REQUEST', whole), payment.imp_uid);
    }
    return revoke(deps, payment, start, keyed?.key ?? null);
  }
  const parts = grantPartsRefused(grant, payment.currency);
  if (parts) return rejectLocally(parts, payment.imp_uid);
  const taxFree = grantTaxFree(grant, payment, attempts);
  const banks = deps.gateway.refundBanks(payment);
  const checked = checkRequest(payment, req, grantRemaining(grant, attempts, late), start.started_at, banks, taxFree);
  if (!checked.ok)
    return rejectLocally(fail(checked.code, checked.message, checked.cancelable_amount), payment.imp_uid);
  // The other way round: a request approved after the order was refunded outside it (the customer's own refund once
  // the request's failed, say, or one that landed late) would refund twice for one ask. Staff reject it, or the
  // customer asks anew. Judged once the request is known to be one i'mport could take (a grant's cap told first).
  const outside = input.approval && refundedOutside(attempts, input.approval, late, payment);
  if (outside) {
    const how =
      outside.outcome === 'succeeded'
        ? ''
        : late.has(outside.id)
          ? `, applied by ${deps.gateway.label} after it was settled as not made`
          : ', accepted and still finishing';
    const refunded =
      `The order was refunded outside this request (attempt ${outside.id}${how}) after the customer made it; ` +
      'approving it would refund again for the same ask. Reject it, or let the customer ask anew.';
    return rejectLocally(fail('REFUND_REQUEST_DECIDED', refunded), payment.imp_uid);
  }
  const account = refundAccountOf(checked.refund);
  if (account.refundAccount) {
    const holder = await checkHolder(deps, account.refundAccount, req.merchant_uid);
    start = { ...start, holder_check: holder.check };
    if (holder.failure) return rejectLocally(holder.failure, payment.imp_uid, holder.note);
  }

  // 4. To i'mport, with the balance the ledger shows as the checksum.
  const checksum = refundableNow(payment);
  const attempt: AttemptStart = { ...start, imp_uid: payment.imp_uid, amount: checked.amount, checksum };
  const known = new Set([...claimedIds(attempts), ...payment.cancel_history.map(entryId)]);
  const send = () =>
    deps.gateway.cancel({
      payment,
      amount: checked.amount,
      all: (req.cancel_request_amount ?? null) === null,
      checksum,
      reason: req.reason,
      requester: input.approval ? 'admin' : 'customer',
      ...account,
      idempotencyKey: keyed?.key ?? null,
      attemptId: attempt.id,
      // The split of this refund: the grant's (or the request's it was approved from), as far as it is left.
      ...taxSplit(grant, payment, checked.amount, attempts),
    });
  const applied = await applyChange(deps, {
    attempt,
    key: keyed?.key ?? null,
    payment,
    known,
    earlier: attempts,
    send,
    account: account.refundAccount?.number ?? null,
  });
  if (applied.kind !== 'applied') return applied;
  const { payment: now, entry, accepted } = applied;
  return { kind: 'refunded', payment: now, refunded: checked.amount, entry, ...(accepted ? { accepted } : {}) };
};

/** Whether the order's lease is still this refund's (true where no lease is tracked). */
const stillHeld = async (deps: RefundDeps): Promise<boolean> => (deps.lease ? deps.lease.held() : true);

/** A retry's answer when its key's change was made (by `earlier`): that change's outcome, on `payment` as it is now. */
const succeededAnswer = (payment: Payment, earlier: Attempt): CancelOutcome => {
  if (isRevokeAttempt(earlier)) return { kind: 'revoked', payment };
  const entry = payment.cancel_history.find((e) => entryId(e) === earlier.cancellation_id);
  return { kind: 'refunded', payment, refunded: earlier.refunded ?? 0, entry };
};

/** The customer's account for a refund that takes one, in the gateway seam's terms. */
const refundAccountOf = ({ refund_holder, refund_bank, refund_account, refund_tel }: RefundFields) =>
  refund_holder && refund_bank && refund_account
    ? {
        refundAccount: {
          bank: refund_bank,
          number: refund_account,
          holder: refund_holder,
          ...(refund_tel ? { tel: refund_tel } : {}),
        },
      }
    : {};

/** An unpaid virtual account is "refunded" by revoking its account number; no money moves. */
const revoke = async (
  deps: RefundDeps,
  payment: Payment,
  start: AttemptStart,
  key: string | null,
): Promise<CancelOutcome> => {
  // No checksum marks a revocation in the audit (see settle.ts).
  const attempt: AttemptStart = {
    ...start,
    imp_uid: payment.imp_uid,
    amount: 0,
    checksum: null,
    refund_bank: null,
    refund_account_masked: null,
  };
  const send = () => deps.gateway.closeVirtualAccount(payment);
  const applied = await applyChange(deps, { attempt, key, payment, known: new Set(), send });
  return applied.kind === 'applied' ? { kind: 'revoked', payment: applied.payment } : applied;
};
