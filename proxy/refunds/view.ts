/** @module viewPayment(): what the widget renders for an order (toRefundView: the proxy's copy of a payment, so). */
import { banksFor, needsRefundAccount, needsRefundTel } from '../../shared/banks.ts';
import { payoutEstimateFor } from '../../shared/payout.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import type { Grant } from '../auth/grant.ts';
import type { Payment } from '../payments/payment.ts';
import type { RefundDeps } from './deps.ts';
import { grantRemaining } from './grant-cap.ts';
import { loadPayment } from './ledger-sync.ts';
import { fail, type ViewOutcome } from './outcome.ts';
import { cancelableOf, isRevocable, notRefundableReason } from './rules.ts';

/** The order's payment as the widget renders it; the grant must already be checked to cover the order. */
export const viewPayment = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'iamport' | 'log'>,
  merchantUid: string,
  grant: Grant,
): Promise<ViewOutcome> => {
  // The view may show a slightly stale row when i'mport is down; the refund itself never relies on one.
  const loaded = await loadPayment(deps, merchantUid, { allowStale: true });
  if (loaded.kind === 'not_found') return fail('PAYMENT_NOT_FOUND', 'No payment was found for this order.');
  if (loaded.kind === 'unavailable') {
    deps.log({ level: 'warn', msg: "i'mport lookup failed", detail: loaded.detail });
    return fail('UPSTREAM_UNAVAILABLE', "i'mport could not be reached; try again in a moment.");
  }
  // Only a capped grant costs the view a read of the order's audit.
  const left =
    grant.max_amount === undefined ? null : grantRemaining(grant, await deps.store.listAttempts(merchantUid));
  return { kind: 'view', view: toRefundView(loaded.payment, deps.now(), left) };
};

/** `grantRemaining`: what a capped grant still allows (grant-cap.ts), or null for a grant without a cap. */
export const toRefundView = (p: Payment, nowMs: number, grantRemaining: number | null = null): RefundView => {
  const reason = notRefundableReason(p, nowMs);
  const accountRequired = needsRefundAccount(p);
  return {
    merchant_uid: p.merchant_uid,
    name: p.name,
    amount: p.amount,
    cancel_amount: p.cancel_amount,
    cancelable_amount: cancelableOf(p),
    currency: p.currency,
    pay_method: p.pay_method,
    pg_provider: p.pg_provider,
    status: p.status,
    paid_at: p.paid_at,
    refundable: reason === null,
    ...(reason ? { reason } : {}),
    revocable: isRevocable(p),
    refund_account_required: accountRequired,
    refund_tel_required: needsRefundTel(p),
    ...(accountRequired ? { banks: [...banksFor(p.pg_provider)] } : {}),
    payout_estimate: accountRequired ? payoutEstimateFor(p.pg_provider) : null,
    // Whole units: a cap written with a fraction must not offer a fraction of a won.
    ...(grantRemaining === null ? {} : { grant_remaining: Math.floor(grantRemaining) }),
  };
};
