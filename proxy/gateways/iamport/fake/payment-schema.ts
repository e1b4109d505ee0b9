/**
 * @module The full i'mport Payment object as the fake stores and returns it (iamport-v1.md §4.3), and the seed
 * input it accepts. One valibot schema is both the type and the check on the `/__fake/payments` control route.
 */
import * as v from 'valibot';

const text = v.nullable(v.string());

/** One entry of `cancel_history` (§3.3). */
export const FakeCancelEntrySchema = v.object({
  pg_tid: v.string(),
  amount: v.number(),
  cancelled_at: v.number(),
  reason: v.string(),
  cancellation_id: v.string(),
  receipt_url: text,
});
export type FakeCancelEntry = v.InferOutput<typeof FakeCancelEntrySchema>;

export const PaymentStatusSchema = v.picklist(['ready', 'paid', 'cancelled', 'failed']);
export type PaymentStatus = v.InferOutput<typeof PaymentStatusSchema>;

// Field order follows the OpenAPI PaymentAnnotation. Every "…_at" is UNIX seconds and 0 when it has not happened.
export const FakePaymentSchema = v.object({
  imp_uid: v.string(),
  merchant_uid: v.string(),
  pay_method: v.string(),
  channel: text,
  pg_provider: v.string(),
  emb_pg_provider: text,
  pg_tid: text,
  pg_id: text,
  sandbox: v.boolean(),
  escrow: v.boolean(),
  apply_num: text,
  bank_code: text,
  bank_name: text,
  card_code: text,
  card_name: text,
  card_issuer_code: text,
  card_issuer_name: text,
  card_publisher_code: text,
  card_publisher_name: text,
  card_quota: v.nullable(v.number()),
  card_number: text,
  card_type: v.nullable(v.number()),
  vbank_code: text,
  vbank_name: text,
  vbank_num: text,
  vbank_holder: text,
  vbank_date: v.number(),
  vbank_issued_at: v.number(),
  name: text,
  amount: v.number(),
  cancel_amount: v.number(),
  currency: v.string(),
  buyer_name: text,
  buyer_email: text,
  buyer_tel: text,
  buyer_addr: text,
  buyer_postcode: text,
  custom_data: text,
  user_agent: text,
  status: PaymentStatusSchema,
  started_at: v.number(),
  paid_at: v.number(),
  failed_at: v.number(),
  cancelled_at: v.number(),
  fail_reason: text,
  cancel_reason: text,
  receipt_url: text,
  cancel_history: v.array(FakeCancelEntrySchema),
  cancel_receipt_urls: v.array(v.string()),
  deposit_history: v.array(
    v.object({ pg_tid: v.string(), amount: v.number(), depositor_name: v.string(), deposited_at: v.number() }),
  ),
  cash_receipt_issued: v.boolean(),
  customer_uid: text,
  customer_uid_usage: text,
  promotion: v.nullable(v.object({ id: v.string(), discount: v.number() })),
});
/** A payment exactly as i'mport returns it (snake_case, every field present). */
export type FakePayment = v.InferOutput<typeof FakePaymentSchema>;

// Strict so that a misspelt field in a seed fails loudly instead of silently becoming a default.
export const FakePaymentInputSchema = v.strictObject({
  ...v.partial(FakePaymentSchema).entries,
  merchant_uid: v.string(),
  amount: v.number(),
});
/** Seed for a payment: `merchant_uid` and `amount`, anything else of the Payment object optional. */
export type FakePaymentInput = v.InferInput<typeof FakePaymentInputSchema>;
