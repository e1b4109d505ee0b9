/**
 * @module The i'mport (PortOne V1) wire format. snake_case stays in here and in the fake; everything i'mport
 * sends is validated by these schemas before the proxy believes it, and brought to what the ledger can store.
 */
import * as v from 'valibot';

/** `{ code, message, response }`: code 0 is success; anything else is a failure even with HTTP 200. */
export const envelopeOf = <T extends v.GenericSchema>(response: T) =>
  v.object({ code: v.number(), message: v.nullish(v.string()), response: v.nullable(response) });

// Epoch seconds reach year 5138 at 1e11, epoch milliseconds passed 1e11 in 1973: below it a value is seconds, above
// it (up to 1e14, year 5138 in ms) milliseconds. Anything larger is neither and is refused.
const MS_FROM = 1e11;
const MS_UNTIL = 1e14;

/**
 * A point in time as the ledger keeps it: whole UNIX seconds (a BIGINT column on PostgreSQL). Fractional seconds are
 * truncated and milliseconds converted, so every backend stores the same value; a string, a negative or an absurd
 * number is refused.
 */
export const EpochSecondsSchema = v.pipe(
  v.number(),
  v.finite(),
  v.minValue(0),
  v.maxValue(MS_UNTIL - 1, 'not epoch seconds or milliseconds'),
  v.transform((t) => Math.trunc(t >= MS_FROM ? t / 1000 : t)),
);

/** An amount of money: finite and never negative (fractions are allowed: non-KRW currencies have them). */
export const MoneySchema = v.pipe(v.number(), v.finite(), v.minValue(0));

export const TokenSchema = v.object({
  access_token: v.string(),
  now: EpochSecondsSchema,
  expired_at: EpochSecondsSchema,
});
export type Token = v.InferOutput<typeof TokenSchema>;

/** One (partial) cancellation in `cancel_history`. */
export const CancelHistoryEntrySchema = v.object({
  pg_tid: v.nullish(v.string()),
  amount: MoneySchema,
  cancelled_at: EpochSecondsSchema,
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
  amount: MoneySchema,
  cancel_amount: MoneySchema,
  currency: v.string(),
  status: v.string(),
  sandbox: v.optional(v.boolean()),
  paid_at: v.nullish(EpochSecondsSchema),
  cancelled_at: v.nullish(EpochSecondsSchema),
  receipt_url: v.nullish(v.string()),
  vbank_code: v.nullish(v.string()),
  vbank_name: v.nullish(v.string()),
  cancel_history: v.nullish(v.array(CancelHistoryEntrySchema)),
});
export type IamportPayment = v.InferOutput<typeof PaymentSchema>;

export const TokenEnvelopeSchema = envelopeOf(TokenSchema);
export const PaymentEnvelopeSchema = envelopeOf(PaymentSchema);
export const AnyEnvelopeSchema = envelopeOf(v.unknown());
/** `GET /vbanks/holder`'s answer (undocumented since 2024); a name is at most a few dozen characters. */
export const HolderEnvelopeSchema = envelopeOf(
  v.object({ bank_holder: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)) }),
);

/** The body of `POST /payments/cancel` as i'mport takes it. */
export interface CancelParams {
  readonly imp_uid: string;
  readonly amount: number;
  readonly checksum: number;
  readonly reason: string;
  /** The tax-free part of `amount`, and its VAT (iamport-v1.md §cancel); sent only where the caller knows them. */
  readonly tax_free?: number;
  readonly vat_amount?: number;
  readonly refund_holder?: string;
  readonly refund_bank?: string;
  readonly refund_account?: string;
  readonly refund_tel?: string;
  /**
   * Who asked (iamport-v1.md §3.1: `customer`, or `admin`, i'mport's default): required for Naver Pay, whose review
   * wants a customer's own refund told as one.
   */
  readonly extra?: { readonly requester: 'customer' | 'admin' };
}
