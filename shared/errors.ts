/**
 * @module The one table of error codes that the proxy answers with and the widget switches on.
 * Names follow PortOne V2 where V2 has the same failure, so a later V2 backend is a swap, not a rewrite.
 */

/** Every error code with its HTTP status, whether a retry can help, and a default English message. */
export const ERRORS = {
  INVALID_REQUEST: { status: 400, retryable: false, message: 'The request is not valid.' },
  REFUND_ACCOUNT_REQUIRED: { status: 400, retryable: false, message: 'A refund account is required for this payment.' },
  UNAUTHORIZED: { status: 401, retryable: false, message: 'A valid refund grant is required.' },
  FORBIDDEN: { status: 403, retryable: false, message: 'This grant does not allow this refund.' },
  PAYMENT_NOT_FOUND: { status: 404, retryable: false, message: 'The payment was not found.' },
  PAYMENT_NOT_PAID: { status: 409, retryable: false, message: 'The payment has not been paid.' },
  PAYMENT_ALREADY_CANCELLED: { status: 409, retryable: false, message: 'The payment has already been fully refunded.' },
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: {
    status: 409,
    retryable: false,
    message: 'The amount is larger than what can still be refunded.',
  },
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: {
    status: 409,
    retryable: false,
    message: 'The refundable amount has changed; check it and ask again.',
  },
  REFUND_NOT_ALLOWED: { status: 409, retryable: false, message: 'This payment cannot be refunded.' },
  REFUND_IN_PROGRESS: { status: 409, retryable: true, message: 'Another refund of this order is in progress.' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'The request body is larger than the proxy accepts.' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    retryable: false,
    message: 'This Idempotency-Key was already used with a different request.',
  },
  RATE_LIMITED: { status: 429, retryable: true, message: 'Too many requests; try again later.' },
  INTERNAL: { status: 500, retryable: true, message: 'Something went wrong.' },
  PG_PROVIDER: { status: 502, retryable: false, message: 'The payment provider refused the refund.' },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    retryable: true,
    message: 'The payment provider could not be reached; nothing was refunded.',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[]; // keys of a literal object: the cast only restores the union

/** True when the string is one of our error codes (for answers read from the network). */
export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERRORS, value);
