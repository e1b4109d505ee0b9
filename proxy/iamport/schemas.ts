/**
 * @module The i'mport (PortOne V1) wire format. snake_case stays in here and in the fake; everything i'mport
 * sends is validated by these schemas before the proxy believes it.
 */
import * as v from 'valibot';

/** `{ code, message, response }`: code 0 is success; anything else is a failure even with HTTP 200. */
export const envelopeOf = <T extends v.GenericSchema>(response: T) =>
  v.object({ code: v.number(), message: v.nullish(v.string()), response: v.nullable(response) });

export const TokenSchema = v.object({
  access_token: v.string(),
  now: v.number(),
  expired_at: v.number(),
});
export type Token = v.InferOutput<typeof TokenSchema>;

/** One (partial) cancellation in `cancel_history`. */
export const CancelHistoryEntrySchema = v.object({
  pg_tid: v.nullish(v.string()),
  amount: v.number(),
  cancelled_at: v.number(),
  reason: v.nullish(v.string()),
  cancellation_id: v.nullish(v.string()),
  receipt_url: v.nullish(v.string()),
});
export type CancelHistoryEntry = v.InferOutput<typeof CancelHistoryEntrySchema>;

/** The fields of i'mport's Payment object that the proxy uses; unknown fields are dropped. */
export const PaymentSchema = v.object({
  imp_uid: v.string(),
  merchant_uid: v.string(),
  pay_method: v.nullish(v.string()),
  pg_provider: v.nullish(v.string()),
  name: v.nullish(v.string()),
  amount: v.number(),
  cancel_amount: v.number(),
  currency: v.string(),
  status: v.string(),
  sandbox: v.optional(v.boolean()),
  paid_at: v.nullish(v.number()),
  cancelled_at: v.nullish(v.number()),
  receipt_url: v.nullish(v.string()),
  vbank_code: v.nullish(v.string()),
  vbank_name: v.nullish(v.string()),
  cancel_history: v.nullish(v.array(CancelHistoryEntrySchema)),
});
export type Payment = v.InferOutput<typeof PaymentSchema>;

export const TokenEnvelopeSchema = envelopeOf(TokenSchema);
export const PaymentEnvelopeSchema = envelopeOf(PaymentSchema);
export const AnyEnvelopeSchema = envelopeOf(v.unknown());

/** The body of `POST /payments/cancel` as i'mport takes it. */
export interface CancelParams {
  readonly imp_uid: string;
  readonly amount: number;
  readonly checksum: number;
  readonly reason: string;
  readonly refund_holder?: string;
  readonly refund_bank?: string;
  readonly refund_account?: string;
  readonly refund_tel?: string;
}
