/** @module The body of `POST /payments/cancel`: the fields the i'mport guide's own client sends. */
import * as v from 'valibot';
import {
  AccountNumberSchema,
  AmountSchema,
  BankCodeSchema,
  HolderSchema,
  MerchantUidSchema,
  PhoneSchema,
  ReasonSchema,
} from './fields.ts';

/**
 * A refund request. An absent `cancel_request_amount` means everything that is still refundable; `null` is refused, as
 * is any field not named here: a misspelt amount (`amount`, i'mport's own name for it) or a NaN that JSON wrote as null
 * would otherwise refund the whole order.
 */
export const CancelRequestSchema = v.strictObject({
  merchant_uid: MerchantUidSchema,
  cancel_request_amount: v.optional(AmountSchema),
  reason: ReasonSchema,
  refund_holder: v.nullish(HolderSchema),
  refund_bank: v.nullish(BankCodeSchema),
  refund_account: v.nullish(AccountNumberSchema),
  refund_tel: v.nullish(PhoneSchema),
  /**
   * The refundable balance as the caller last saw it (the view's `cancelable_amount`), as i'mport's own `checksum`:
   * when the order has another balance now (a second tab refunded it, the shop's console did, an earlier ask applied
   * late), nothing is done and the answer is 409 CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN with the balance. A retry under
   * the same Idempotency-Key carries the same one, so a refund that was not made is never made later on figures the
   * customer did not see. Absent: no check.
   */
  checksum: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
  /**
   * The payment the caller was shown (the view's `imp_uid`), as i'mport's cancel names one: when the order's payment is
   * another now (it was paid again since, perhaps by the same amount, which no checksum tells apart), nothing is done,
   * with the same 409. Absent: no check.
   */
  imp_uid: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))),
});

export type CancelRequestInput = v.InferInput<typeof CancelRequestSchema>;
export type CancelRequestOutput = v.InferOutput<typeof CancelRequestSchema>;
