/** @module toRefundView(): the proxy's copy of a payment, as the widget renders it. */
import { banksFor, needsRefundAccount, needsRefundTel } from '../../shared/banks.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import type { PaymentRecord } from '../store/store.ts';
import { cancelableOf, isRevocable, notRefundableReason } from './rules.ts';

/** `grantRemaining`: what a capped grant still allows (grant-cap.ts), or null for a grant without a cap. */
export const toRefundView = (p: PaymentRecord, nowMs: number, grantRemaining: number | null = null): RefundView => {
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
    // Whole units: a cap written with a fraction must not offer a fraction of a won.
    ...(grantRemaining === null ? {} : { grant_remaining: Math.floor(grantRemaining) }),
  };
};
