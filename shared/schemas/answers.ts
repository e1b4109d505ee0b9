/** @module The answers of `POST /payments/cancel`, and the error body every route shares. */
import * as v from 'valibot';
import { ERROR_CODES } from '../errors.ts';

/** A refund that happened (or, for a virtual account, was accepted by the PG and is paid out later). */
export const CancelSuccessSchema = v.object({
  ok: v.literal(true),
  merchant_uid: v.string(),
  imp_uid: v.string(),
  /** What this request refunded (0 when an unpaid virtual account was revoked). */
  refunded: v.number(),
  cancel_amount: v.number(),
  cancelable_amount: v.number(),
  status: v.string(),
  pay_method: v.string(),
  /** A virtual-account refund is paid out by the PG on the next business day. */
  pending: v.boolean(),
  /**
   * The gateway accepted the refund and finishes it later (PortOne V2's REQUESTED cancellation; `pending` too): it is
   * not done yet, and the merchant's webhook says how it ended.
   */
  accepted: v.optional(v.boolean()),
  /** An unpaid virtual account was revoked instead of refunded. */
  revoked: v.optional(v.boolean()),
  receipt_url: v.optional(v.string()),
});

export type CancelSuccess = v.InferOutput<typeof CancelSuccessSchema>;

/** Every failure: `{ ok: false, error: { code, message } }`, with the fresh balance when it changed under the caller. */
export const ErrorAnswerSchema = v.object({
  ok: v.literal(false),
  error: v.object({ code: v.picklist(ERROR_CODES), message: v.string() }),
  cancelable_amount: v.optional(v.number()),
});

export type ErrorAnswer = v.InferOutput<typeof ErrorAnswerSchema>;
