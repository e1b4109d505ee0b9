/** @module The answer of `GET /payments/:merchant_uid`: everything the widget needs to render a refund form. */
import * as v from 'valibot';
import { RequestViewSchema } from '../refund-requests.ts';

/** Why a payment cannot be refunded, when `refundable` is false. */
export const NOT_REFUNDABLE_REASONS = [
  'fully_refunded',
  'phone_previous_month',
  'not_paid',
  'refund_account_unsupported',
  // A request-mode grant on a proxy without DATA_ENCRYPTION_KEY: request mode is off (no request can be made).
  'request_mode_off',
  // A refund of this order was sent and its outcome is not known yet; the view settles it once i'mport answers.
  'OUTCOME_PENDING_CHECK',
] as const;
export type NotRefundableReason = (typeof NOT_REFUNDABLE_REASONS)[number];

/** Business days until a payout reaches the customer's account; a null maximum means "or more". */
export const PayoutEstimateSchema = v.object({
  min_business_days: v.number(),
  max_business_days: v.nullable(v.number()),
});

export const BankSchema = v.object({ code: v.string(), name_ko: v.string(), name_en: v.string() });

/** What the proxy tells the widget about one order. Times are UNIX seconds, null when the event has not happened. */
export const RefundViewSchema = v.object({
  merchant_uid: v.string(),
  /**
   * The payment shown (i'mport's imp_uid; PortOne V2's payment id), which a refund names back: an order paid again
   * since, by the same amount, is not refunded for a dialog that showed the earlier payment. Optional so that an older
   * proxy's view still parses.
   */
  imp_uid: v.optional(v.string()),
  name: v.nullable(v.string()),
  amount: v.number(),
  cancel_amount: v.number(),
  cancelable_amount: v.number(),
  /**
   * The tax-free part still refundable, where the gateway reports a payment's tax-free part (PortOne V2: taxFree −
   * cancelledTaxFree); null on i'mport V1.
   */
  cancelable_tax_free_amount: v.optional(v.nullable(v.number())),
  currency: v.string(),
  pay_method: v.string(),
  pg_provider: v.string(),
  status: v.string(),
  paid_at: v.nullable(v.number()),
  refundable: v.boolean(),
  reason: v.optional(v.picklist(NOT_REFUNDABLE_REASONS)),
  /** True for an unpaid virtual account: "refunding" it revokes the account number, nothing is paid back. */
  revocable: v.boolean(),
  refund_account_required: v.boolean(),
  refund_tel_required: v.boolean(),
  banks: v.optional(v.array(BankSchema)),
  /**
   * When a refund paid out into the customer's account (`refund_account_required`) arrives, for the payment's PG
   * (shared/payout.ts); null when the refund is not such a payout or no estimate is published for the PG.
   */
  payout_estimate: v.nullable(PayoutEstimateSchema),
  /**
   * Present when the grant has a `max_amount`: what it still allows (a whole number of won for KRW), across every
   * refund under it. The widget offers no more than the smaller of this and `cancelable_amount`.
   */
  grant_remaining: v.optional(v.number()),
  /**
   * Present when the grant has a `tax_free_amount` the next refund must cover: the least one refund under it may be.
   * The widget asks for no less; above what it may offer (`grant_remaining`, `cancelable_amount`), nothing can be
   * refunded under this grant, and the customer is sent to the shop.
   */
  grant_minimum: v.optional(v.number()),
  /**
   * True when the grant is a request-mode grant: the dialog ends in a refund request (`POST /refund-requests`) that
   * the shop approves or rejects, not in a refund. Optional so that a proxy without request mode still parses.
   */
  request_mode: v.optional(v.boolean()),
  /** The order's latest refund request (shared/refund-requests.ts), null when it has none; absent from older proxies. */
  request: v.optional(v.nullable(RequestViewSchema)),
});

export type RefundView = v.InferOutput<typeof RefundViewSchema>;
