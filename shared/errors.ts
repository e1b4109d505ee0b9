/**
 * @module The one table of error codes that the proxy answers with and the widget switches on.
 * Names follow PortOne V2 where V2 has the same failure, so a later V2 backend is a swap, not a rewrite.
 */

/**
 * What a client can do after a failure:
 * - `same_key`: send the same request again with the same Idempotency-Key (the outcome may be unknown, or nothing
 *   happened yet); the proxy answers with the earlier outcome or runs the refund once.
 * - `reload`: the figures on screen or the form are stale or wrong; read the payment again, then ask again (a new key).
 * - `none`: asking again cannot help; the customer needs the shop.
 */
export type Retry = 'same_key' | 'reload' | 'none';

export interface ErrorRule {
  readonly status: number;
  readonly retry: Retry;
  /** This code is what an answer with this status and no readable body (a gateway's HTML page, say) stands for. */
  readonly bare?: true;
}

/** Every error code with its HTTP status and what a client can do next. Kept small: the widget bundles it. */
export const ERRORS = {
  INVALID_REQUEST: { status: 400, retry: 'reload', bare: true },
  REFUND_ACCOUNT_REQUIRED: { status: 400, retry: 'reload' },
  // The bank's holder of the refund account is not `refund_holder` (or there is no such account): fix the form.
  REFUND_ACCOUNT_HOLDER_MISMATCH: { status: 400, retry: 'reload' },
  UNAUTHORIZED: { status: 401, retry: 'none', bare: true },
  FORBIDDEN: { status: 403, retry: 'none', bare: true },
  PAYMENT_NOT_FOUND: { status: 404, retry: 'none', bare: true },
  PAYMENT_NOT_PAID: { status: 409, retry: 'none' },
  PAYMENT_ALREADY_CANCELLED: { status: 409, retry: 'none' },
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: { status: 409, retry: 'reload' },
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: { status: 409, retry: 'reload' },
  // PortOne V2's own refusals (its error types of the same names): the PG's limit, and the grant's tax split.
  MAX_CANCEL_COUNT_REACHED: { status: 409, retry: 'none' },
  CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT: { status: 409, retry: 'none' },
  CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT: { status: 409, retry: 'none' },
  SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT: { status: 409, retry: 'none' },
  REFUND_NOT_ALLOWED: { status: 409, retry: 'none' },
  REFUND_IN_PROGRESS: { status: 409, retry: 'same_key' },
  // Request mode (shared/refund-requests.ts): the order's open request is read again and shown.
  REFUND_REQUEST_OPEN: { status: 409, retry: 'reload' },
  REFUND_REQUEST_DECIDED: { status: 409, retry: 'reload' },
  REFUND_REQUEST_NOT_ALLOWED: { status: 409, retry: 'none' },
  PAYLOAD_TOO_LARGE: { status: 413, retry: 'none', bare: true },
  // The key was sent with another request: it cannot be used again, and what it did is read afresh.
  IDEMPOTENCY_KEY_REUSED: { status: 422, retry: 'reload' },
  RATE_LIMITED: { status: 429, retry: 'same_key', bare: true },
  INTERNAL: { status: 500, retry: 'same_key' },
  PG_PROVIDER: { status: 502, retry: 'none' },
  UPSTREAM_UNAVAILABLE: { status: 503, retry: 'same_key', bare: true },
  // A cancel was sent and its outcome could not be learned: the same key later answers what really happened.
  REFUND_OUTCOME_UNKNOWN: { status: 503, retry: 'same_key' },
} as const satisfies Record<string, ErrorRule>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[]; // keys of a literal object: the cast only restores the union

/** The proxy's default English message per code (the widget words its own, in Korean and English). */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  INVALID_REQUEST: 'The request is not valid.',
  REFUND_ACCOUNT_REQUIRED: 'A refund account is required for this payment.',
  REFUND_ACCOUNT_HOLDER_MISMATCH: "The account holder does not match the bank's records for this account.",
  UNAUTHORIZED: 'A valid refund grant is required.',
  FORBIDDEN: 'This grant does not allow this refund.',
  PAYMENT_NOT_FOUND: 'The payment was not found.',
  PAYMENT_NOT_PAID: 'The payment has not been paid.',
  PAYMENT_ALREADY_CANCELLED: 'The payment has already been fully refunded.',
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: 'The amount is larger than what can still be refunded.',
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: 'The refundable amount has changed; check it and ask again.',
  MAX_CANCEL_COUNT_REACHED: 'This payment has been partly refunded as many times as its payment provider allows.',
  CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT:
    'The tax-free part of the refund is larger than the tax-free part still refundable.',
  CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT:
    'The taxable part of the refund is larger than the taxable part still refundable.',
  SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT: 'The tax-free part and the VAT of the refund add up to more than its amount.',
  REFUND_NOT_ALLOWED: 'This payment cannot be refunded.',
  REFUND_IN_PROGRESS: 'Another refund of this order is in progress.',
  REFUND_REQUEST_OPEN: 'This order already has an open refund request.',
  REFUND_REQUEST_DECIDED: 'This refund request has already been decided or withdrawn.',
  REFUND_REQUEST_NOT_ALLOWED: 'The shop does not take another refund request for this order.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the proxy accepts.',
  IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was already used with a different request.',
  RATE_LIMITED: 'Too many requests; try again later.',
  INTERNAL: 'Something went wrong.',
  PG_PROVIDER: 'The payment provider refused the refund.',
  UPSTREAM_UNAVAILABLE: 'The payment provider could not be reached; nothing was refunded.',
  REFUND_OUTCOME_UNKNOWN:
    'The refund was sent but its outcome is not known yet; send the same request with the same Idempotency-Key.',
};

/** True when the string is one of our error codes (for answers read from the network). */
export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERRORS, value);

/** The code an answer with this status but no readable body stands for; INTERNAL for any other status. */
export const codeForBareStatus = (status: number): ErrorCode =>
  ERROR_CODES.find((code) => ERRORS[code].status === status && 'bare' in ERRORS[code]) ?? 'INTERNAL';
