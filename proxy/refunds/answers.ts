/** @module The success answer of a refund, built the same way for a fresh refund, a settled one and a revocation. */
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { Answer } from '../errors.ts';
import type { Cancellation } from '../payments/payment.ts';
import type { PaymentRecord } from '../store/store.ts';
import { cancelableOf } from './rules.ts';

export const successAnswer = (
  p: PaymentRecord,
  refunded: number,
  { entry, revoked = false }: { entry?: Cancellation | undefined; revoked?: boolean } = {},
): Answer<CancelSuccess> => ({
  status: 200,
  body: {
    ok: true,
    merchant_uid: p.merchant_uid,
    imp_uid: p.imp_uid,
    refunded,
    cancel_amount: p.cancel_amount,
    cancelable_amount: revoked ? 0 : cancelableOf(p),
    status: p.status,
    pay_method: p.pay_method,
    // A virtual-account refund is a transfer the PG makes on the next business day.
    pending: p.pay_method === 'vbank' && !revoked,
    ...(revoked ? { revoked: true } : {}),
    ...(entry?.receipt_url ? { receipt_url: entry.receipt_url } : {}),
  },
});
