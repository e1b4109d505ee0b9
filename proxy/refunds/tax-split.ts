/**
 * @module The tax-free part and the VAT a refund sends to the gateway. The grant's parts describe what it allows in
 * all (as its max_amount does), and the gateway keeps what of the payment's tax-free part is left (PortOne V2 reports
 * it; i'mport V1 does not), so:
 * - the grant's tax_free_amount is sent with the grant's first refund, up to what of the payment's tax-free part is
 *   left: a grant's second refund, after its first took the tax-free part, sends what the payment needs (below), where
 *   sending the part again was refused by PortOne and taken as more tax-free by i'mport;
 * - without one, on a payment with a tax-free part left, the least that lets the refund through: what of it exceeds
 *   the taxable part left (so refunding everything sends the whole tax-free part left; the gateway takes an omitted
 *   part as taxable and would refuse);
 * - the grant's vat_amount only on the grant's first refund: it is the VAT of the grant's refund, and on a later one the
 *   gateway computes the VAT itself, where sending it again counted it twice.
 */
import { inWholeUnits, unitsRule } from '../../shared/currency-units.ts';
import type { Grant } from '../auth/grant.ts';
import { money, sumOf } from '../payments/money.ts';
import type { Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { isRevokeAttempt } from './cancel-history.ts';
import { isUnderGrant } from './grant-cap.ts';
import { type Failure, fail } from './outcome.ts';
import { refundableNow } from './rules.ts';
import { isUnsettled } from './settle.ts';

/** What of the payment's tax-free part can still be refunded, where the gateway reports it; null where it does not. */
export const taxFreeLeft = (payment: Payment): number | null =>
  payment.tax_free == null ? null : Math.max(0, money(payment.tax_free - (payment.cancelled_tax_free ?? 0)));

/**
 * taxFreeLeft less the tax-free parts of cancels the gateway accepted and has not finished, as refundableNow() is
 * cancelableOf() less their amounts: PortOne holds both back, and refuses a split that counts them as still there.
 */
const taxFreeLeftNow = (payment: Payment): number | null => {
  const left = taxFreeLeft(payment);
  const held = sumOf((payment.cancels_pending ?? []).map((c) => c.tax_free_amount ?? 0));
  return left === null ? null : Math.max(0, money(left - held));
};

/** Whether an earlier refund under this grant went through (or may have): its tax-free part and VAT were sent then. */
const refundedUnder = (grant: Grant, attempts: readonly Attempt[]): boolean =>
  attempts.some((a) => isUnderGrant(grant, a) && !isRevokeAttempt(a) && (a.outcome === 'succeeded' || isUnsettled(a)));

/**
 * The grant's tax-free part as this refund may still send it (checkRequest's floor for the amount); null without, or
 * once an earlier refund under the grant took it (a refund is never smaller than it, so the first takes it whole):
 * i'mport V1 keeps no tax-free balance to stop the part being sent again with each refund, and on PortOne V2 a payment
 * with more tax-free left than the grant's part would take it again too. A later refund then sends what the payment
 * needs, as one without the claim does.
 */
export const grantTaxFree = (grant: Grant, payment: Payment, attempts: readonly Attempt[]): number | null => {
  if (grant.tax_free_amount === undefined || refundedUnder(grant, attempts)) return null;
  const left = taxFreeLeftNow(payment);
  const part = money(grant.tax_free_amount); // the shop's figure without floating-point noise, as amounts are kept
  return left === null ? part : Math.min(part, left);
};

/** The parts to send with a refund of `amount` (each left out when there is none to send). */
export const taxSplit = (
  grant: Grant,
  payment: Payment,
  amount: number,
  attempts: readonly Attempt[],
): { readonly taxFree?: number; readonly vat?: number } => {
  const left = taxFreeLeftNow(payment);
  const fromGrant = grantTaxFree(grant, payment, attempts);
  const least = left === null ? 0 : Math.min(left, Math.max(0, money(amount - (refundableNow(payment) - left))));
  const taxFree = fromGrant ?? (least > 0 ? least : null);
  // Never more VAT than the refund's taxable part (an approval may lower the amount the shop's parts were given for).
  const taxable = money(amount - (taxFree ?? 0));
  const vat =
    grant.vat_amount !== undefined && !refundedUnder(grant, attempts)
      ? Math.min(money(grant.vat_amount), taxable)
      : null;
  return { ...(taxFree === null ? {} : { taxFree }), ...(vat === null ? {} : { vat }) };
};

/**
 * The grant's tax parts finer than the payment's currency's smallest unit (half a won, say), refused before anything
 * is sent: a grant carries no currency, so only the payment can tell, as for `cancel_request_amount`. Unchecked, the
 * gateway was sent the fraction (i'mport took it; PortOne refused the cancel).
 */
export const grantPartsRefused = (
  grant: Pick<Grant, 'tax_free_amount' | 'vat_amount'>,
  currency: string,
): Failure | null => {
  for (const field of ['tax_free_amount', 'vat_amount'] as const) {
    const value = grant[field];
    if (value !== undefined && !inWholeUnits(value, currency))
      return fail('INVALID_REQUEST', `The grant's ${unitsRule(field, currency)}`);
  }
  return null;
};
