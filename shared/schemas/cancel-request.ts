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
});

export type CancelRequestInput = v.InferInput<typeof CancelRequestSchema>;
export type CancelRequestOutput = v.InferOutput<typeof CancelRequestSchema>;
