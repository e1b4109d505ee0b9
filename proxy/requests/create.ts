/**
 * @module createRequest(): a customer asks for a refund (request mode). Under the order's lease, like a refund: the
 * Idempotency-Key claimed and the order read in one trip, the payment read as the view reads it, the same local checks
 * as a refund, and the account's holder checked with the bank as a refund checks it (so the customer fixes a typo while
 * still on the page); then the request written (the ledger keeps one open per order) with its event.
 */
import { ERRORS } from '../../shared/errors.ts';
import { isOpenStatus } from '../../shared/refund-requests.ts';
import { checkHolder } from '../holders/holder-check.ts';
import { money, sameAmount } from '../payments/money.ts';
import type { Payment } from '../payments/payment.ts';
import { entryId } from '../refunds/cancel-history.ts';
import type { CancelInput } from '../refunds/cancel-input.ts';
import { checkRequest, maskAccount } from '../refunds/check-request.ts';
import { recordExternalCancels } from '../refunds/external-cancels.ts';
import { grantRemaining } from '../refunds/grant-cap.ts';
import { earlierKeyUse } from '../refunds/key-use.ts';
import { lateRefunds, settledUnanswered, storedCopy } from '../refunds/late-cancels.ts';
import { type HeldLease, LEASE_BUSY, withLease } from '../refunds/lease.ts';
import { loadPayment, refreshPayment } from '../refunds/ledger-sync.ts';
import { notRefundableHere } from '../refunds/other-gateway.ts';
import { fail } from '../refunds/outcome.ts';
import { earlierRequestHashes, requestHash } from '../refunds/request-hash.ts';
import { isRevocable, refundableNow } from '../refunds/rules.ts';
import { earlierRunning, isUnsettled, runningChange, settleAttempts } from '../refunds/settle.ts';
import { grantPartsRefused, grantTaxFree } from '../refunds/tax-split.ts';
import type { RefundRequestRecord } from '../store/requests.ts';
import type { KeyClaim, OrderSnapshot } from '../store/store.ts';
import type { Sealer } from './account-crypto.ts';
import { barringRejection } from './bar.ts';
import { REQUEST_MODE_OFF, type RequestDeps } from './deps.ts';
import { eventIfOn, requestEvent } from './events.ts';
import { orderRequests } from './order-requests.ts';
import { failAbout, type RequestOutcome, toRequestAnswer } from './outcome.ts';

/** A request's key is bound to its body and to this route: the same key and body sent to a refund is another use. */
const hashOf = async (deps: RequestDeps, input: CancelInput): Promise<string> =>
  `request:${await requestHash(input.request, deps.requestHashKeys[0])}`;

export const createRequest = async (deps: RequestDeps, input: CancelInput): Promise<RequestOutcome> => {
  const sealer = await deps.sealer();
  if (!sealer) return fail('REFUND_NOT_ALLOWED', REQUEST_MODE_OFF);
  const { request, idempotencyKey: key } = input;
  const claim: KeyClaim | null = key
    ? { key, merchant_uid: request.merchant_uid, request_hash: await hashOf(deps, input), created_at: deps.now() }
    : null;
  const name = `order:${request.merchant_uid}`;
  const take = (holder: string) =>
    deps.store.takeOrder({ name, holder, ttlMs: deps.leaseTtlMs, now: deps.now() }, request.merchant_uid, claim);
  const result = await withLease<RequestOutcome, OrderSnapshot>(
    deps,
    name,
    async (order: OrderSnapshot, lease: HeldLease) => {
      const reused = 'This Idempotency-Key was already used for another request.';
      const others =
        order.key?.created === false
          ? (await earlierRequestHashes(request, deps.requestHashKeys)).map((hash) => `request:${hash}`)
          : [];
      const earlier = claim && order.key ? earlierKeyUse<unknown>(claim, order.key, reused, others) : null;
      if (earlier) return { value: earlier };
      const outcome = await create(deps, sealer, input, order, lease);
      if (!claim || (outcome.kind === 'failed' && ERRORS[outcome.code].retry === 'same_key')) return { value: outcome };
      const answer = toRequestAnswer(outcome);
      return {
        value: outcome,
        tail: () => deps.store.completeIdempotencyKey(claim.key, answer.status, JSON.stringify(answer.body)),
      };
    },
    take,
  );
  if (result === LEASE_BUSY) {
    return fail('REFUND_IN_PROGRESS', 'Something else is happening to this order; try again in a moment.');
  }
  return result;
};

/**
 * The order's request made under Idempotency-Key `key` since `since` (the key's claim: a key forgotten after its
 * lifetime and used again is another use), if any.
 */
const requestMadeWith = async (
  deps: RequestDeps,
  merchantUid: string,
  key: string,
  since: number,
): Promise<RefundRequestRecord | null> =>
  (await orderRequests(deps.store, merchantUid)).find((r) => r.idempotency_key === key && r.created_at >= since) ??
  null;

/** The balance a late refund left, told to the customer before any request is taken (they asked knowing less). */
const balanceMoved = (payment: Payment): RequestOutcome =>
  fail(
    'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
    `The refundable amount is now ${refundableNow(payment)} ${payment.currency}; check it and ask again.`,
    refundableNow(payment),
  );

const create = async (
  deps: RequestDeps,
  sealer: Sealer,
  input: CancelInput,
  order: OrderSnapshot,
  lease: HeldLease,
): Promise<RequestOutcome> => {
  const { request: req, grant, idempotencyKey: key } = input;
  // A read from the gateway (or the bank's holder check) may take long enough for the order's lease to be lost (its
  // renewals failing) and another instance to take the order and refund it meanwhile: `order.attempts` would then lack
  // that refund, which its cancel in the copy would be judged (or told to the shop) without. Nothing is judged, told or
  // taken once the lease may have been lost.
  const leaseLost = () => {
    deps.log({ level: 'warn', msg: "the order's lease was lost while a request got ready; none taken" });
    return fail(
      'REFUND_IN_PROGRESS',
      'Something else is happening to this order; no request was made. Try again in a moment.',
    );
  };
  // The key was claimed before and its answer never stored: an earlier run may have made the request (and staff may
  // have decided it since). That request, as it stands, is this one's answer; never a second request for one ask.
  if (key !== null && order.key && !order.key.created) {
    const made = await requestMadeWith(deps, req.merchant_uid, key, order.key.record.created_at);
    if (made) return { kind: 'created', request: made };
  }
  const latest = await deps.store.latestRequest(req.merchant_uid);
  if (latest && isOpenStatus(latest.status)) {
    return failAbout('REFUND_REQUEST_OPEN', 'This order already has an open refund request.', latest);
  }
  // Any of the order's rejections may bar a new request, not only the latest request's (bar.ts: staff may reject an
  // older failed request while a newer one is open, which the customer then withdraws).
  const barred = await barringRejection(deps.store, req.merchant_uid);
  if (barred) {
    return failAbout('REFUND_REQUEST_NOT_ALLOWED', 'The shop does not take another request for this order.', barred);
  }

  // The other gateway's payment (other-gateway.ts): a request taken for it could never be refunded here.
  if (order.payment && !deps.gateway.owns(order.payment)) return notRefundableHere(deps.gateway, 'no request was made');
  // The payment as the view reads it: the ledger's copy, any refund whose outcome nobody learned settled first.
  let loaded = await loadPayment(deps, req.merchant_uid, { read: order.payment });
  if (!(await lease.held())) return leaseLost();
  if (loaded.kind === 'not_found') return fail('PAYMENT_NOT_FOUND', 'No payment was found for this order.');
  let { attempts } = order;
  // Whether `loaded` is the gateway's copy already (a marked row is read from it by loadPayment).
  let fresh = order.payment?.needs_sync === true;
  if (loaded.kind === 'ok' && attempts.some(isUnsettled)) {
    if (!fresh) loaded = await refreshPayment(deps, loaded.payment.imp_uid);
    if (!(await lease.held())) return leaseLost();
    fresh = true;
    if (loaded.kind === 'ok') {
      await settleAttempts(deps, loaded.payment, attempts);
      attempts = await deps.store.listAttempts(req.merchant_uid);
    }
  }
  // A refund of the order settled as not made after no answer may have applied since (late), which the ledger's copy
  // shows only once i'mport's webhook came: the customer asking again for it would be refunded twice. i'mport is asked,
  // and a balance other than the ledger's is told to the customer before any request is taken.
  if (loaded.kind === 'ok' && !fresh && attempts.some((a) => settledUnanswered(deps.gateway, a))) {
    const before = loaded.payment;
    const reread = await refreshPayment(deps, before.imp_uid);
    if (!(await lease.held())) return leaseLost();
    // Not read: whether that refund applied since is not known, so no request is taken on a copy that may not show it
    // (answered below as the gateway unreachable: nothing made, try again).
    loaded = reread;
    if (reread.kind === 'ok') {
      // What the re-read shows is recorded as a view's re-read records it (under this lease): a failed or rejected
      // request's refund applied late becomes that request's, so the customer sees it refunded rather than ask again.
      await recordExternalCancels(deps, reread.payment, attempts);
      if (!sameAmount(refundableNow(reread.payment), refundableNow(before))) return balanceMoved(reread.payment);
    }
  } else if (loaded.kind === 'ok' && attempts.some((a) => settledUnanswered(deps.gateway, a))) {
    // The gateway was read above already (to settle another refund of the order, or a marked row): a late-applied
    // refund that copy shows and the ledger's did not (as this request found it) is told the same way, before any
    // request is taken; the ledger's copy is no "before" now, being that very read.
    const payment = loaded.payment;
    const shown = order.payment?.imp_uid === payment.imp_uid ? order.payment.cancel_history.map(entryId) : [];
    const late = await lateRefunds(deps, attempts, storedCopy(deps), payment);
    const unshown = [...late.values()].some(
      (l) => l.payment.imp_uid === payment.imp_uid && !shown.includes(entryId(l.entry)),
    );
    if (unshown) {
      await recordExternalCancels(deps, payment, attempts);
      return balanceMoved(payment);
    }
  }
  if (loaded.kind !== 'ok') {
    deps.log({
      level: 'warn',
      msg: `${deps.gateway.label} lookup failed before a refund request`,
      merchant_uid: req.merchant_uid,
    });
    return fail('UPSTREAM_UNAVAILABLE', `${deps.gateway.label} could not be reached; no request was made. Try again.`);
  }
  const payment = loaded.payment;
  // An earlier refund of the order got no answer and may still apply: a request taken now could be approved beside it.
  if (runningChange(deps.gateway, payment, attempts)) return earlierRunning(deps.gateway, 'no request was made');
  if (isRevocable(payment)) {
    return fail('PAYMENT_NOT_PAID', 'This virtual account has not been paid, so there is nothing to refund.');
  }
  const parts = grantPartsRefused(grant, payment.currency);
  if (parts) return parts;
  // The shop's parts as amounts are kept (money.ts): approved and sent later as they are stored.
  const taxFree = grant.tax_free_amount === undefined ? null : money(grant.tax_free_amount);
  const banks = deps.gateway.refundBanks(payment);
  const checked = checkRequest(
    payment,
    req,
    grantRemaining(grant, attempts, await lateRefunds(deps, attempts, storedCopy(deps), payment)),
    deps.now(),
    banks,
    grantTaxFree(grant, payment, attempts),
  );
  if (!checked.ok) return fail(checked.code, checked.message, checked.cancelable_amount);

  const { refund_holder, refund_account, refund_tel } = checked.refund;
  if (refund_holder && refund_account && checked.refund.refund_bank) {
    const account = { bank: checked.refund.refund_bank, number: refund_account, holder: refund_holder };
    const holder = await checkHolder(deps, account, req.merchant_uid);
    if (holder.failure) return fail(holder.failure.code, holder.failure.message);
    if (!(await lease.held())) return leaseLost();
  }
  const secret = refund_account
    ? await sealer.seal(JSON.stringify({ refund_holder, refund_account, refund_tel }))
    : null;
  const record = {
    id: `rr_${deps.randomId().replaceAll('-', '')}`,
    merchant_uid: req.merchant_uid,
    amount: checked.amount,
    reason: req.reason,
    refund_bank: checked.refund.refund_bank ?? null,
    refund_account_masked: maskAccount(refund_account),
    refund_secret: secret,
    idempotency_key: key,
    grant_subject: grant.sub,
    tax_free_amount: taxFree,
    vat_amount: grant.vat_amount === undefined ? null : money(grant.vat_amount),
    grant_jti: grant.jti ?? null,
    grant_max_amount: grant.max_amount ?? null,
    imp_uid: payment.imp_uid,
    // What the customer was shown, and asked knowing of: a late refund among these is not one made since (cancel.ts).
    cancels_seen: payment.cancel_history.map(entryId),
    created_at: deps.now(),
  };
  const draft = {
    ...record,
    status: 'requested',
    decided_at: null,
    decided_by: null,
    reject_reason: null,
    allow_new_request: true,
    approved_amount: null,
    note: null,
    attempt_id: null,
    error_code: null,
    approvals: 0,
    updated_at: record.created_at,
  } as const;
  const event = eventIfOn(deps, () => requestEvent(deps, 'refund_request.created', draft));
  const inserted = await deps.store.insertRequest(record, event);
  if (!inserted.created) {
    return failAbout('REFUND_REQUEST_OPEN', 'This order already has an open refund request.', inserted.open);
  }
  if (event) deps.webhooks?.kick();
  return { kind: 'created', request: inserted.request };
};
