/**
 * @module The PortOne V2 wire format, as the proxy reads it: valibot schemas for the parts of V2's answers it uses
 * (names and shapes from `components.schemas` of `src/schema/v2.openapi.json`, portone-io/developers.portone.io).
 * Unknown fields are dropped; every answer is validated here once, before the proxy believes it.
 */
import * as v from 'valibot';

/** An amount of money: V2 sends int64 amounts; never negative. */
const MoneySchema = v.pipe(v.number(), v.finite(), v.minValue(0));

/**
 * A date-time with its offset: RFC 3339 always carries one. One without (never documented) is read as UTC, the same
 * on every server: Date.parse would read it in the server's own zone, moving a payment's month for the phone rule.
 */
const withOffset = (s: string): string => (/T[^Z+-]*$/i.test(s) ? `${s}Z` : s);

/** A V2 date-time (RFC 3339) as whole UNIX seconds, which is how the ledger keeps time. */
export const DateTimeSchema = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(withOffset(s))), 'not a date-time'),
  v.transform((s) => Math.floor(Date.parse(withOffset(s)) / 1000)),
);

/** `PaymentAmount`: `total − cancelled` is what remains (V2 has no field for it). */
const PaymentAmountSchema = v.object({
  total: MoneySchema,
  taxFree: MoneySchema,
  paid: MoneySchema,
  cancelled: MoneySchema,
  cancelledTaxFree: MoneySchema,
});

/** `PaymentCancellation`, the union by `status`; only SUCCEEDED ones moved money. */
export const CancellationSchema = v.object({
  status: v.picklist(['REQUESTED', 'SUCCEEDED', 'FAILED']),
  id: v.string(),
  pgCancellationId: v.optional(v.string()),
  totalAmount: MoneySchema,
  taxFreeAmount: MoneySchema,
  vatAmount: MoneySchema,
  reason: v.optional(v.string()),
  requestedAt: DateTimeSchema,
  cancelledAt: v.optional(DateTimeSchema),
  receiptUrl: v.optional(v.string()),
});
export type V2Cancellation = v.InferOutput<typeof CancellationSchema>;

/** `Payment`, the union by `status`; the fields each variant may lack are optional here. */
export const PaymentSchema = v.object({
  status: v.picklist([
    'READY',
    'PAY_PENDING',
    'VIRTUAL_ACCOUNT_ISSUED',
    'PAID',
    'FAILED',
    'PARTIAL_CANCELLED',
    'CANCELLED',
  ]),
  id: v.string(),
  storeId: v.string(),
  /** `PaymentMethod`, a union by `type` (PaymentMethodCard, PaymentMethodVirtualAccount, …); only `type` is read. */
  method: v.optional(v.object({ type: v.string() })),
  /** `SelectedChannel`: a TEST channel's payment is never a live one. */
  channel: v.optional(v.object({ type: v.picklist(['LIVE', 'TEST']), pgProvider: v.string() })),
  orderName: v.string(),
  amount: PaymentAmountSchema,
  currency: v.string(),
  paidAt: v.optional(DateTimeSchema),
  receiptUrl: v.optional(v.string()),
  cancellations: v.optional(v.array(CancellationSchema)),
});
export type V2Payment = v.InferOutput<typeof PaymentSchema>;

/** `CancelPaymentResponse`. */
export const CancelResponseSchema = v.object({ cancellation: CancellationSchema });

/** `CloseVirtualAccountResponse`. */
export const CloseResponseSchema = v.object({ closedAt: DateTimeSchema });

/** `PlatformAccountHolder`. */
export const HolderSchema = v.object({ holderName: v.string(), accountVerificationId: v.string() });

/** Every V2 error: `type` discriminates; `PgProviderError` adds the PG's own `pgCode` and `pgMessage`. */
export const ErrorBodySchema = v.object({
  type: v.string(),
  message: v.optional(v.string()),
  pgCode: v.optional(v.string()),
  pgMessage: v.optional(v.string()),
});
export type V2Error = v.InferOutput<typeof ErrorBodySchema>;

/** `CancelPaymentBody`, as far as the proxy sends it. */
export interface CancelBody {
  readonly reason: string;
  readonly amount?: number;
  readonly taxFreeAmount?: number;
  readonly vatAmount?: number;
  readonly requester: 'CUSTOMER' | 'ADMIN';
  readonly currentCancellableAmount: number;
  readonly refundAccount?: {
    readonly bank: string;
    readonly number: string;
    readonly holderName: string;
    readonly holderPhoneNumber?: string;
  };
  readonly storeId?: string;
}
