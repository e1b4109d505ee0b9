/** @module V2 error answers: JSON `{ type, message }` with the HTTP status each error schema documents. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Each `type` the fake answers, with its status (`x-portone-status-code` of the error schema in the OpenAPI). */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  PLATFORM_NOT_SUPPORTED_BANK: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PLATFORM_NOT_ENABLED: 403,
  PAYMENT_NOT_FOUND: 404,
  PAYMENT_NOT_PAID: 409,
  PAYMENT_ALREADY_CANCELLED: 409,
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: 409,
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: 409,
  SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT: 409,
  CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT: 409,
  CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT: 409,
  MAX_CANCEL_COUNT_REACHED: 409,
  PAYMENT_NOT_WAITING_FOR_DEPOSIT: 409,
  // Not in the OpenAPI: the REST V2 overview page ("멱등 키", src/routes/(root)/api/rest-v2/[...slug].tsx).
  IDEMPOTENCY_OUTSTANDING_REQUEST: 409,
  PG_PROVIDER: 502,
  PLATFORM_EXTERNAL_API_FAILED: 503,
  PLATFORM_EXTERNAL_API_TEMPORARILY_FAILED: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorType = keyof typeof ERROR_STATUS;

/** An error outcome a rule can return before anything is answered. */
export interface Refusal {
  readonly type: ErrorType;
  readonly message: string;
  readonly pgCode?: string;
  readonly pgMessage?: string;
}

export const refusal = (type: ErrorType, message: string, pg?: { pgCode: string; pgMessage: string }): Refusal => ({
  type,
  message,
  ...pg,
});

export const answerError = (c: Context, { type, message, pgCode, pgMessage }: Refusal) =>
  c.json(
    { type, message, ...(pgCode === undefined ? {} : { pgCode }), ...(pgMessage === undefined ? {} : { pgMessage }) },
    ERROR_STATUS[type],
  );
