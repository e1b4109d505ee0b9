/** @module What i'mport and the PGs would refuse, decided locally so a refusal never costs an i'mport call. */
import { type Bank, needsRefundAccount } from '../../shared/banks.ts';
import type { NotRefundableReason } from '../../shared/schemas/refund-view.ts';
import { money, sumOf } from '../payments/money.ts';
import type { Payment } from '../payments/payment.ts';

const KST_OFFSET_MS = 9 * 3600 * 1000;

/** "2026-01" for an instant, in Korea Standard Time (the PGs' calendar). */
export const kstMonth = (epochMs: number): string => new Date(epochMs + KST_OFFSET_MS).toISOString().slice(0, 7);

/** What can still be refunded (i'mport's `checksum`). */
export const cancelableOf = (p: Pick<Payment, 'amount' | 'cancel_amount'>): number =>
  Math.max(0, money(p.amount - p.cancel_amount));

/**
 * What can be refunded now: cancelableOf less the cancels the gateway accepted and has not finished (PortOne V2's
 * REQUESTED ones, in a copy read fresh), which it no longer counts as cancellable either. The checksum a refund sends.
 */
export const refundableNow = (p: Pick<Payment, 'amount' | 'cancel_amount' | 'cancels_pending'>): number =>
  Math.max(0, money(cancelableOf(p) - sumOf((p.cancels_pending ?? []).map((c) => c.amount))));

/**
 * A payment whose PG may take a cancel and approve it later: PayPal's (iamport-v1.md §3.2 names `paypal_v2`; its PG list
 * has `paypal` too), and a Smartro (v2) virtual account's, whose cancel is finalised only once the PG has paid out and
 * sent its pingback (§3.4). i'mport then answers code 0 with the payment as it still stands: approved only once the
 * payment is `cancelled` with the cancel's entry, the outcome by webhook. Any other PG's code 0 is the cancel done.
 */
export const approvesLater = (p: Pick<Payment, 'pg_provider' | 'pay_method'>): boolean =>
  /^paypal/.test(p.pg_provider ?? '') || (p.pg_provider === 'smartro_v2' && p.pay_method === 'vbank');

/** An unpaid virtual account: cancelling it means revoking the account number. */
export const isRevocable = (p: Pick<Payment, 'pay_method' | 'status'>): boolean =>
  p.pay_method === 'vbank' && p.status === 'ready';

/**
 * A virtual account shown revoked as `cancelled`: never paid and nothing cancelled. i'mport's status after a revocation
 * is not documented (iamport-v1.md §4.2: the console says "계좌말소", `failed` most likely), and a paid account refunded
 * since has a `paid_at` and a `cancel_amount`, so this one can only be the revocation.
 */
export const isRevokedAsCancelled = (
  p: Pick<Payment, 'pay_method' | 'status' | 'paid_at' | 'cancel_amount'>,
): boolean => p.pay_method === 'vbank' && p.status === 'cancelled' && p.paid_at === null && p.cancel_amount === 0;

/**
 * Why a payment cannot be refunded now, or null when it can (or, for an unpaid virtual account, be revoked). `banks`:
 * the gateway's refund banks for the payment (Gateway.refundBanks); none known means no account can be taken.
 */
export const notRefundableReason = (p: Payment, nowMs: number, banks: readonly Bank[]): NotRefundableReason | null => {
  if (isRevocable(p)) return null;
  if ((p.status !== 'paid' && p.status !== 'cancelled') || isRevokedAsCancelled(p)) return 'not_paid';
  if (cancelableOf(p) <= 0) return 'fully_refunded';
  // Mobile micropayments can be refunded only within the calendar month they were paid in.
  if (p.pay_method === 'phone' && (p.paid_at === null || kstMonth(p.paid_at * 1000) !== kstMonth(nowMs))) {
    return 'phone_previous_month';
  }
  if (needsRefundAccount(p) && banks.length === 0) return 'refund_account_unsupported';
  return null;
};
