/** @module checkRequest(): decides locally whether a refund request can go to i'mport, and with what. */
import { type Bank, needsRefundAccount, needsRefundTel } from '../../shared/banks.ts';
import { inWholeUnits, unitsRule } from '../../shared/currency-units.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { CancelRequestOutput } from '../../shared/schemas/cancel-request.ts';
import { money, sameAmount } from '../payments/money.ts';
import type { Payment } from '../payments/payment.ts';
import { notRefundableReason, refundableNow } from './rules.ts';

export interface RefundFields {
  readonly refund_holder?: string;
  readonly refund_bank?: string;
  readonly refund_account?: string;
  readonly refund_tel?: string;
}

export type Checked =
  | { readonly ok: true; readonly amount: number; readonly refund: RefundFields }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly cancelable_amount?: number };

type Refused = Extract<Checked, { ok: false }>;

const refuse = (code: ErrorCode, message: string, cancelable_amount?: number): Refused =>
  cancelable_amount === undefined ? { ok: false, code, message } : { ok: false, code, message, cancelable_amount };

/**
 * Refused when the caller was shown another payment (`imp_uid`) or another balance (`checksum`) than the order's now,
 * `balance`: the order was paid again, refunded or paid since it was shown. A refund and a revocation alike.
 */
export const notAsShown = (
  p: Payment,
  req: Pick<CancelRequestOutput, 'imp_uid' | 'checksum'>,
  balance: number,
): Refused | null => {
  if (req.imp_uid !== undefined && req.imp_uid !== p.imp_uid) {
    return refuse(
      'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
      `The order's payment is now ${p.imp_uid}, not ${req.imp_uid}: it was paid again since it was shown. Nothing was ` +
        'done; check the figures and ask again with a new key.',
      balance,
    );
  }
  // The caller's balance against the order's own, as i'mport and PortOne check theirs: what is left once cancels the
  // gateway accepted and has not finished are counted (a view shows none while one runs: its refund waits for it).
  if (req.checksum !== undefined && !sameAmount(req.checksum, balance)) {
    return refuse(
      'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
      `The refundable amount is now ${balance} ${p.currency}, not the checksum ${req.checksum}: the order was ` +
        'refunded (or paid) since it was shown. Nothing was done; check the figures and ask again with a new key.',
      balance,
    );
  }
  return null;
};

/**
 * Refuses what i'mport would refuse (and what the grant does not allow); otherwise the amount and refund fields to
 * send.
 * `grantLeft`: what a capped grant still allows (grant-cap.ts), null for a grant without a cap. `banks`: the gateway's
 * refund banks for the payment (Gateway.refundBanks), the only codes `refund_bank` may name. `taxFree`: the tax-free
 * part of the refund the grant allows (its `tax_free_amount`), which the refund must at least cover; null without one.
 */
export const checkRequest = (
  p: Payment,
  req: CancelRequestOutput,
  grantLeft: number | null,
  nowMs: number,
  banks: readonly Bank[],
  taxFree: number | null = null,
): Checked => {
  switch (notRefundableReason(p, nowMs, banks)) {
    case 'not_paid':
      return refuse('PAYMENT_NOT_PAID', 'This payment has not been paid, so there is nothing to refund.');
    case 'fully_refunded':
      return refuse('PAYMENT_ALREADY_CANCELLED', 'This payment has already been fully refunded.', 0);
    case 'phone_previous_month':
      return refuse(
        'REFUND_NOT_ALLOWED',
        'A phone payment can only be refunded in the calendar month it was paid (KST).',
      );
    case 'refund_account_unsupported':
      return refuse(
        'REFUND_NOT_ALLOWED',
        `No refund bank table is known for PG "${p.pg_provider}"; refund it from the payment gateway's console.`,
      );
    case null:
      break;
  }
  const cancelable = refundableNow(p);
  const stale = notAsShown(p, req, cancelable);
  if (stale) return stale;
  if (req.cancel_request_amount !== undefined && !inWholeUnits(req.cancel_request_amount, p.currency)) {
    return refuse('INVALID_REQUEST', unitsRule('cancel_request_amount', p.currency));
  }
  // A caller's amount without floating-point noise, as the balance is (money.ts): what is sent and recorded.
  const amount = req.cancel_request_amount === undefined ? cancelable : money(req.cancel_request_amount);
  // `amount <= 0`: a whole refund while cancels the gateway accepted and has not finished (PortOne V2's REQUESTED) hold
  // all that is left. notRefundableReason() counts only finished cancels, so it let this through, and the whole cancel
  // went out with nothing to take (a second cancellation for one refund, answered "accepted" for 0); it is refused as
  // any amount beyond what is left is, with nothing sent.
  if (amount > cancelable || amount <= 0) {
    return refuse(
      'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
      `At most ${cancelable} ${p.currency} can be refunded.`,
      cancelable,
    );
  }
  if (grantLeft !== null && amount > grantLeft) {
    return refuse(
      'FORBIDDEN',
      `This grant allows refunding ${grantLeft} ${p.currency} more; ask for no more than that.`,
    );
  }
  if (taxFree !== null && amount < taxFree) {
    return refuse(
      'INVALID_REQUEST',
      `cancel_request_amount must be at least ${taxFree} ${p.currency}: the tax-free part of this refund (the grant's tax_free_amount).`,
    );
  }
  if (!needsRefundAccount(p)) return { ok: true, amount, refund: {} };

  const { refund_holder, refund_bank, refund_account, refund_tel } = req;
  if (!refund_holder || !refund_bank || !refund_account) {
    return refuse(
      'REFUND_ACCOUNT_REQUIRED',
      'refund_holder, refund_bank and refund_account are required to refund this payment.',
    );
  }
  if (!banks.some((bank) => bank.code === refund_bank)) {
    return refuse('INVALID_REQUEST', `refund_bank "${refund_bank}" is not a bank code that ${p.pg_provider} accepts.`);
  }
  if (needsRefundTel(p) && !refund_tel) {
    return refuse('REFUND_ACCOUNT_REQUIRED', `refund_tel is required by ${p.pg_provider} for this refund.`);
  }
  return {
    ok: true,
    amount,
    // The holder's phone goes wherever it was given, not only where the PG requires it: i'mport's own reference calls
    // it required for every virtual-account refund (iamport-v1.md §3.1), its guide does not.
    refund: { refund_holder, refund_bank, refund_account, ...(refund_tel ? { refund_tel } : {}) },
  };
};

/** An account number as the audit keeps it: the last four digits behind a fixed mask, so not even its length shows. */
export const maskAccount = (account: string | null | undefined): string | null =>
  account ? `****${account.slice(-4)}` : null;
