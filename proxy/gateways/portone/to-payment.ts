/**
 * @module toPayment(): a V2 payment as the proxy's own. V2's paymentId is both the gateway's id (the ledger's
 * `imp_uid`) and the order's (`merchant_uid`), since the merchant chooses it; statuses and methods take V1's words,
 * which the use case and the widget already know.
 */
import type { Cancellation, Payment } from '../../payments/payment.ts';
import { fromMinor } from './minor-units.ts';
import type { V2Cancellation, V2Payment } from './wire.ts';

const STATUS: Record<V2Payment['status'], string> = {
  READY: 'ready',
  PAY_PENDING: 'ready',
  VIRTUAL_ACCOUNT_ISSUED: 'ready',
  PAID: 'paid',
  // i'mport says `cancelled` for a partly refunded payment too (its cancel_amount tells how much): the answers and
  // events say the same on both gateways.
  PARTIAL_CANCELLED: 'cancelled',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
};

/** `PaymentMethod.type` in V1's `pay_method` words (an unknown method is kept as V2 names it). */
const METHOD: Readonly<Record<string, string>> = {
  PaymentMethodCard: 'card',
  PaymentMethodVirtualAccount: 'vbank',
  PaymentMethodTransfer: 'trans',
  PaymentMethodMobile: 'phone',
  PaymentMethodEasyPay: 'easypay',
  PaymentMethodGiftCertificate: 'giftcertificate',
  PaymentMethodConvenienceStore: 'cvs',
  PaymentMethodCrypto: 'crypto',
};

/** A cancellation as a cancel_history entry (or a pending or failed one); its id is what ties an attempt to it. */
export const toCancellation = (c: V2Cancellation, currency: string): Cancellation => ({
  pg_tid: c.pgCancellationId ?? null,
  amount: fromMinor(c.totalAmount, currency),
  cancelled_at: c.cancelledAt ?? c.requestedAt,
  reason: c.reason ?? null,
  cancellation_id: c.id,
  receipt_url: c.receiptUrl ?? null,
});

/** An unfinished cancellation, with the tax-free part it holds back from what is left (tax-split.ts). */
export const toPendingCancellation = (c: V2Cancellation, currency: string): Cancellation => ({
  ...toCancellation(c, currency),
  tax_free_amount: fromMinor(c.taxFreeAmount, currency),
});

export const toPayment = (p: V2Payment): Payment => {
  const inState = (status: V2Cancellation['status']) =>
    (p.cancellations ?? []).filter((c) => c.status === status).map((c) => toCancellation(c, p.currency));
  const pending = (p.cancellations ?? [])
    .filter((c) => c.status === 'REQUESTED')
    .map((c) => toPendingCancellation(c, p.currency));
  const major = (minor: number) => fromMinor(minor, p.currency);
  const failed = inState('FAILED');
  return {
    imp_uid: p.id,
    merchant_uid: p.id,
    pay_method: p.method ? (METHOD[p.method.type] ?? p.method.type) : '',
    pg_provider: p.channel?.pgProvider ?? '',
    name: p.orderName,
    amount: major(p.amount.total),
    cancel_amount: major(p.amount.cancelled),
    currency: p.currency,
    status: STATUS[p.status],
    paid_at: p.paidAt ?? null,
    receipt_url: p.receiptUrl ?? null,
    cancel_history: inState('SUCCEEDED'),
    tax_free: major(p.amount.taxFree),
    cancelled_tax_free: major(p.amount.cancelledTaxFree),
    ...(pending.length > 0 ? { cancels_pending: pending } : {}),
    ...(failed.length > 0 ? { cancels_failed: failed } : {}),
  };
};
