/**
 * @module verifyAccount(): `POST /payments/:merchant_uid/verify-account`, the holder check the widget makes while the
 * customer types, so a typo is fixed before the refund is asked for. It checks as the refund will (holder-check.ts),
 * sends nothing and writes no attempt; the bank's name for the holder is never answered.
 */
import { needsRefundAccount } from '../../shared/banks.ts';
import type { RefundDeps } from '../refunds/deps.ts';
import { loadPayment } from '../refunds/ledger-sync.ts';
import { notRefundableHere } from '../refunds/other-gateway.ts';
import { type Failure, fail } from '../refunds/outcome.ts';
import { cancelableOf } from '../refunds/rules.ts';
import { type CheckedAccount, checkHolder } from './holder-check.ts';

/** What the customer is told: `unavailable` also when the gateway offers no lookup (the refund may still go on). */
export type VerifyOutcome =
  | { readonly kind: 'checked'; readonly holder_check: 'verified' | 'unavailable' | 'off' }
  | Failure;

export const verifyAccount = async (
  deps: RefundDeps,
  merchantUid: string,
  account: CheckedAccount,
): Promise<VerifyOutcome> => {
  if ((deps.holderCheck ?? 'when_available') === 'off') return { kind: 'checked', holder_check: 'off' };
  // The other gateway's payment (other-gateway.ts): refused as its refund is, before this gateway or a bank is asked.
  const stored = await deps.store.getPayment(merchantUid);
  if (stored && !deps.gateway.owns(stored)) return notRefundableHere(deps.gateway, 'no account was checked');
  const loaded = await loadPayment(deps, merchantUid, { read: stored });
  if (loaded.kind === 'not_found') return fail('PAYMENT_NOT_FOUND', 'No payment was found for this order.');
  if (loaded.kind === 'unavailable') {
    deps.log({
      level: 'warn',
      msg: `${deps.gateway.label} lookup failed before an account check`,
      detail: loaded.detail,
    });
    return fail(
      'UPSTREAM_UNAVAILABLE',
      `${deps.gateway.label} could not be reached; the account was not checked. Try again.`,
    );
  }
  const payment = loaded.payment;
  // Nothing left to refund, nothing to check: the route is no way to ask the bank about accounts. (A refund the gateway
  // accepted and has not finished is not "fully refunded": it may yet fail.)
  if (cancelableOf(payment) <= 0) {
    return fail('PAYMENT_ALREADY_CANCELLED', 'This payment has been fully refunded; there is no account to check.', 0);
  }
  if (!needsRefundAccount(payment)) {
    return fail('INVALID_REQUEST', 'This payment is refunded without an account, so there is none to check.');
  }
  if (!deps.gateway.refundBanks(payment).some((bank) => bank.code === account.bank)) {
    return fail(
      'INVALID_REQUEST',
      `refund_bank "${account.bank}" is not a bank code that ${payment.pg_provider} accepts.`,
    );
  }
  const checked = await checkHolder(deps, account, merchantUid);
  if (checked.failure?.code === 'REFUND_ACCOUNT_HOLDER_MISMATCH') return checked.failure;
  return { kind: 'checked', holder_check: checked.check === 'verified' ? 'verified' : 'unavailable' };
};
