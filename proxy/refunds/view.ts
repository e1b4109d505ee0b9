/**
 * @module viewPayment(): what the widget renders for an order (toRefundView: the proxy's copy of a payment, so).
 * An order whose row is marked (a change was sent and its outcome may not be in the row) is re-read from i'mport under
 * the order's lease, settling what that change did; while that cannot be learned, the view says OUTCOME_PENDING_CHECK.
 */
import { type Bank, needsRefundAccount, needsRefundTel } from '../../shared/banks.ts';
import { payoutEstimateFor } from '../../shared/payout.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import type { Grant } from '../auth/grant.ts';
import type { Payment } from '../payments/payment.ts';
import type { Attempt, StoredPayment } from '../store/store.ts';
import type { RefundDeps } from './deps.ts';
import { recordExternalCancels } from './external-cancels.ts';
import { grantRemaining } from './grant-cap.ts';
import { lateRefunds, storedCopy } from './late-cancels.ts';
import { LEASE_BUSY, type LeaseWork, withLease } from './lease.ts';
import { type Loaded, loadPayment, refreshPayment } from './ledger-sync.ts';
import { fail, type ViewOutcome } from './outcome.ts';
import { cancelableOf, isRevocable, notRefundableReason } from './rules.ts';
import { isUnsettled, settleAttempts } from './settle.ts';
import { grantTaxFree, taxFreeLeft } from './tax-split.ts';

/** The payment to show; `pending` when an attempt's outcome is still unknown; the attempts, when already read. */
interface Read {
  readonly loaded: Loaded;
  readonly pending: boolean;
  readonly attempts: readonly Attempt[] | null;
  /** The order's lease was held (a refund, or another look, running): nothing was re-read or settled. */
  readonly busy?: true;
}

/** The order's payment as the widget renders it; the grant must already be checked to cover the order. */
export const viewPayment = async (deps: RefundDeps, merchantUid: string, grant: Grant): Promise<ViewOutcome> => {
  const stored = await deps.store.getPayment(merchantUid);
  if (stored && !deps.gateway.owns(stored)) {
    // The other gateway's payment (other-gateway.ts), as the ledger last had it and refundable nowhere here: being
    // checked while a refund of it is unsettled (recheck asks nothing of this gateway for it). No banks: this
    // gateway's bank codes are not the ones the other would take for its refund.
    const { pending } = await recheck(deps, stored);
    return { kind: 'view', view: toRefundView(stored, deps.now(), [], undefined, pending, true) };
  }
  // The ordinary case costs one ledger read: an unmarked row has no change whose outcome it might be missing. A first
  // copy read from the gateway may show a cancel it has not finished (made in PortOne's console, say): the figures are
  // open until it has, as on a recheck.
  const read: Read = stored?.needs_sync ? await recheck(deps, stored) : await firstRead(deps, merchantUid, stored);
  const { loaded, pending } = read;
  if (loaded.kind === 'not_found') return fail('PAYMENT_NOT_FOUND', 'No payment was found for this order.');
  if (loaded.kind === 'unavailable') {
    deps.log({ level: 'warn', msg: `${deps.gateway.label} lookup failed`, detail: loaded.detail });
    return fail('UPSTREAM_UNAVAILABLE', `${deps.gateway.label} could not be reached; try again in a moment.`);
  }
  // Only a grant with a cap or a tax-free part costs the view a read of the order's audit (unless it was read already).
  const limits: GrantLimits = { remaining: null, minimum: null };
  if (grant.max_amount !== undefined || grant.tax_free_amount !== undefined) {
    const attempts = read.attempts ?? (await deps.store.listAttempts(merchantUid));
    if (grant.max_amount !== undefined) {
      const late = await lateRefunds(deps, attempts, storedCopy(deps), loaded.payment);
      limits.remaining = grantRemaining(grant, attempts, late);
    }
    // The floor the refund checks (check-request.ts), as it would check it now: gone once a refund under the grant
    // took the tax-free part.
    limits.minimum = grantTaxFree(grant, loaded.payment, attempts);
  }
  const banks = deps.gateway.refundBanks(loaded.payment);
  const view = toRefundView(loaded.payment, deps.now(), banks, limits, pending);
  // An unpaid account the gateway cannot revoke is offered as nothing: it is not paid, and cannot be cancelled here.
  if (view.revocable && deps.gateway.canCloseVirtualAccount?.(loaded.payment) === false) {
    return { kind: 'view', view: { ...view, revocable: false, refundable: false, reason: 'not_paid' } };
  }
  return { kind: 'view', view };
};

/** A copy just read that shows a cancel the gateway accepted and has not finished (PortOne V2): its figures are open. */
const holdsUnfinished = (loaded: Loaded): boolean =>
  loaded.kind === 'ok' && (loaded.payment.cancels_pending?.length ?? 0) > 0;

const firstRead = async (deps: RefundDeps, merchantUid: string, stored: StoredPayment | null): Promise<Read> => {
  const loaded = await firstLoad(deps, merchantUid, stored);
  const unfinished = holdsUnfinished(loaded);
  return { loaded, pending: unfinished, attempts: null };
};

/**
 * The ledger's row, or for an order it does not know yet i'mport's copy, stored. A first copy may show cancels made
 * before the proxy ever saw the order (in i'mport's console): they are told to the shop, under the order's lease so
 * no refund of ours is mid-way; when a refund holds it, the next lookup (or i'mport's webhook) tells them instead.
 */
const firstLoad = async (deps: RefundDeps, merchantUid: string, stored: StoredPayment | null): Promise<Loaded> => {
  const loaded = await loadPayment(deps, merchantUid, { read: stored });
  if (stored === null && loaded.kind === 'ok' && deps.webhooks && loaded.payment.cancel_history.length > 0) {
    const payment = loaded.payment;
    await withLease({ ...deps, leaseWaitMs: 0 }, `order:${merchantUid}`, async () => {
      await recordExternalCancels(deps, payment, () => deps.store.listAttempts(merchantUid));
      return { value: undefined };
    });
  }
  return loaded;
};

/**
 * A marked row, re-read from i'mport while holding the order's lease (so no attempt is running while one is judged,
 * and the copy read is newer than every attempt's call), any attempt left unknown settled from it. Not waited for:
 * a refund holding the lease is itself an attempt whose outcome is not known yet. When i'mport cannot be asked, the
 * row stands in as before, marked pending if an attempt is unsettled; not when i'mport shows impossible figures.
 */
export const recheck = async (deps: RefundDeps, stored: StoredPayment): Promise<Read> => {
  if (!deps.gateway.owns(stored)) {
    // Never asked of a gateway that did not make it: it would answer "not found", and nothing would be settled by it.
    const attempts = await deps.store.listAttempts(stored.merchant_uid);
    return { loaded: { kind: 'ok', payment: stored }, pending: attempts.some(isUnsettled), attempts };
  }
  const read = await withLease(
    { ...deps, leaseWaitMs: 0 },
    `order:${stored.merchant_uid}`,
    async (_taken, lease): Promise<LeaseWork<Read>> => {
      const [loaded, attempts] = await Promise.all([
        refreshPayment(deps, stored.imp_uid),
        deps.store.listAttempts(stored.merchant_uid),
      ]);
      // The read may take long enough for the order's lease to be lost (its renewals failing) and another instance to
      // take the order and change it meanwhile: `attempts` would then lack that change, and its cancel in the copy be
      // settled or told as someone else's. Nothing is judged from it; the order is left as a busy one is.
      if (!(await lease.held())) return { value: BUSY(stored) };
      const unsettled = attempts.some(isUnsettled);
      // A cancel the gateway accepted and has not finished (PortOne V2) leaves the figures open until it has.
      const unfinished = holdsUnfinished(loaded);
      if (loaded.kind === 'ok' && unsettled) {
        const open = await settleAttempts(deps, loaded.payment, attempts);
        await recordExternalCancels(deps, loaded.payment, () => deps.store.listAttempts(stored.merchant_uid));
        // A capped grant is counted from the settled outcomes, read again.
        return { value: { loaded, pending: unfinished || open > 0, attempts: null } };
      }
      if (loaded.kind === 'ok') await recordExternalCancels(deps, loaded.payment, attempts);
      if (loaded.kind === 'unavailable' && loaded.reason !== 'inconsistent') {
        return { value: { loaded: { kind: 'ok', payment: stored }, pending: unsettled, attempts } };
      }
      return { value: { loaded, pending: unfinished, attempts } };
    },
  );
  return read === LEASE_BUSY ? BUSY(stored) : read;
};

/** The order's lease held by another (a refund, or another look, running), or lost meanwhile: nothing was judged. */
const BUSY = (stored: StoredPayment): Read => ({
  loaded: { kind: 'ok', payment: stored },
  pending: true,
  attempts: null,
  busy: true,
});

/** What the grant allows of one refund: `remaining`, what a capped grant still allows (grant-cap.ts); `minimum`, the
 * tax-free part a refund must cover (tax-split.ts grantTaxFree). Each null when the grant sets none. */
interface GrantLimits {
  remaining: number | null;
  minimum: number | null;
}

/**
 * `banks`: the gateway's refund banks for the payment (Gateway.refundBanks). `grant`: what the grant allows of one
 * refund. `pending`: an attempt's outcome is not known yet, so
 * the figures (the ledger's last copy) may be stale and nothing is refundable. `elsewhere`: the other gateway's payment
 * (other-gateway.ts), refundable nowhere here; `refundable: false` without a reason says so when its figures give none
 * (the widget: "This payment can't be refunded now", and to contact the shop).
 */
export const toRefundView = (
  p: Payment,
  nowMs: number,
  banks: readonly Bank[],
  grant: GrantLimits = { remaining: null, minimum: null },
  pending = false,
  elsewhere = false,
): RefundView => {
  const own = pending ? 'OUTCOME_PENDING_CHECK' : notRefundableReason(p, nowMs, banks);
  // Elsewhere, no refund account could be taken here whatever the banks: that is not the reason, the gateway is.
  const reason = elsewhere && own === 'refund_account_unsupported' ? null : own;
  // Never paid (a failed payment, a virtual account closed unpaid): nothing is refundable, and no account is asked for.
  const unpaid = reason === 'not_paid';
  const accountRequired = !unpaid && needsRefundAccount(p);
  return {
    merchant_uid: p.merchant_uid,
    imp_uid: p.imp_uid,
    name: p.name,
    amount: p.amount,
    cancel_amount: p.cancel_amount,
    cancelable_amount: unpaid ? 0 : cancelableOf(p),
    // Only where the gateway reports the payment's tax-free part (PortOne V2); null on i'mport V1.
    cancelable_tax_free_amount: taxFreeLeft(p),
    currency: p.currency,
    pay_method: p.pay_method,
    pg_provider: p.pg_provider,
    status: p.status,
    paid_at: p.paid_at,
    refundable: reason === null && !elsewhere,
    ...(reason ? { reason } : {}),
    revocable: isRevocable(p),
    refund_account_required: accountRequired,
    refund_tel_required: needsRefundTel(p),
    ...(accountRequired ? { banks: [...banks] } : {}),
    payout_estimate: accountRequired ? payoutEstimateFor(p.pg_provider) : null,
    // Whole won: a cap written with a fraction must not offer a fraction of a won (a USD cap's cents stay).
    ...(grant.remaining === null
      ? {}
      : { grant_remaining: p.currency === 'KRW' ? Math.floor(grant.remaining) : grant.remaining }),
    ...(grant.minimum === null || grant.minimum <= 0 ? {} : { grant_minimum: grant.minimum }),
  };
};
