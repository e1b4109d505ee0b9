/** @module toPayment(): i'mport's payment (wire format) as the proxy's own, mapped once, here. */
import type { Payment } from '../../payments/payment.ts';
import type { IamportPayment } from './schemas.ts';

export const toPayment = (p: IamportPayment): Payment => ({
  imp_uid: p.imp_uid,
  merchant_uid: p.merchant_uid,
  pay_method: p.pay_method ?? '',
  pg_provider: p.pg_provider ?? '',
  name: p.name ?? null,
  amount: p.amount,
  cancel_amount: p.cancel_amount,
  currency: p.currency,
  status: p.status,
  // i'mport writes 0 for "has not happened".
  paid_at: p.paid_at ? p.paid_at : null,
  receipt_url: p.receipt_url ?? null,
  cancel_history: p.cancel_history ?? [],
});
