/**
 * @module Reads the proxy's answers field by field. Typed against the shared answer types, so a field added to or
 * removed from them is a compile error here. The shared valibot schemas would pull valibot (~1 KB gzipped) into a
 * bundle held to 19 KB; answers.test.ts holds these readers to those schemas on generated answers.
 */
import { codeForBareStatus, type ErrorCode, isErrorCode } from '../../shared/errors.ts';
import { REQUEST_STATUSES, type RequestCreated, type RequestView } from '../../shared/refund-requests.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import { NOT_REFUNDABLE_REASONS, type RefundView } from '../../shared/schemas/refund-view.ts';

/** Reads one value: `[value]` as it is to be used, or undefined when it does not fit. */
type Read = (value: unknown) => [unknown] | undefined;

const is =
  (test: (value: unknown) => boolean): Read =>
  (v) =>
    test(v) ? [v] : undefined;
const string = is((v) => typeof v === 'string');
const number = is((v) => typeof v === 'number' && !Number.isNaN(v)); // valibot's number() refuses NaN
const boolean = is((v) => typeof v === 'boolean');
const nullable =
  (read: Read): Read =>
  (v) =>
    v === null ? [v] : read(v);
const optional =
  (read: Read): Read =>
  (v) =>
    v === undefined ? [v] : read(v);

/** An array of objects `read` accepts, as it read them (so they lose unknown fields too). */
const arrayOf =
  (read: (item: unknown) => object | undefined): Read =>
  (v) => {
    if (!Array.isArray(v)) return undefined;
    const items = v.map(read);
    return items.every((item) => item) ? [items] : undefined;
  };

/** A reader of objects with these fields: others are dropped (as valibot's `object` does); undefined if one is off. */
const object =
  <T>(shape: { readonly [K in keyof T]-?: Read }) =>
  (value: unknown): T | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, read] of Object.entries<Read>(shape)) {
      const field = read((value as Record<string, unknown>)[key]); // any object can be read by key
      if (!field) return undefined;
      if (key in value) out[key] = field[0];
    }
    return out as T; // every field of T was read above
  };

/** An object reader as a field's reader. */
const nested =
  (read: (value: unknown) => object | undefined): Read =>
  (v) => {
    const out = read(v);
    return out && [out];
  };
const ok = is((v) => v === true);

const payout = nested(
  object<NonNullable<RefundView['payout_estimate']>>({
    min_business_days: number,
    max_business_days: nullable(number),
  }),
);

/** Reads a refund request as the view shows it (RequestViewSchema). */
const readRequest = object<RequestView>({
  id: string,
  status: is((v) => REQUEST_STATUSES.some((status) => status === v)),
  amount: number,
  approved_amount: optional(nullable(number)),
  reason: string,
  created_at: number,
  decided_at: nullable(number),
  reject_reason: nullable(string),
  allow_new_request: boolean,
});

const bank = object<NonNullable<RefundView['banks']>[number]>({ code: string, name_ko: string, name_en: string });

/** Reads the answer of `GET /payments/:merchant_uid` (RefundViewSchema). */
export const readView = object<RefundView>({
  merchant_uid: string,
  imp_uid: optional(string),
  name: nullable(string),
  amount: number,
  cancel_amount: number,
  cancelable_amount: number,
  cancelable_tax_free_amount: optional(nullable(number)),
  currency: string,
  pay_method: string,
  pg_provider: string,
  status: string,
  paid_at: nullable(number),
  refundable: boolean,
  reason: optional(is((v) => NOT_REFUNDABLE_REASONS.some((reason) => reason === v))),
  revocable: boolean,
  refund_account_required: boolean,
  refund_tel_required: boolean,
  banks: optional(arrayOf(bank)),
  payout_estimate: nullable(payout),
  grant_remaining: optional(number),
  grant_minimum: optional(number),
  request_mode: optional(boolean),
  request: optional(nullable(nested(readRequest))),
});

/** Reads the 201 answer of `POST /refund-requests` (RequestCreatedSchema). */
export const readCreated = object<RequestCreated>({
  ok,
  request: nested(
    object<RequestCreated['request']>({
      id: string,
      merchant_uid: string,
      status: is((v) => v === 'requested'),
      amount: number,
      reason: string,
      created_at: number,
    }),
  ),
});

/** Reads the answer of `POST /refund-requests/:id/withdraw`: `{ ok: true, request }`, the request as the view has it. */
export const readMoved = object<{ ok: true; request: RequestView }>({ ok, request: nested(readRequest) });

/** Reads a successful answer of `POST /payments/cancel` (CancelSuccessSchema). */
export const readSuccess = object<CancelSuccess>({
  ok,
  merchant_uid: string,
  imp_uid: string,
  refunded: number,
  cancel_amount: number,
  cancelable_amount: number,
  status: string,
  pay_method: string,
  pending: boolean,
  accepted: optional(boolean),
  revoked: optional(boolean),
  receipt_url: optional(string),
});

/** What an error answer says, as a failure shows it. */
export interface ErrorReading {
  readonly code: ErrorCode;
  readonly message: string;
  /** The fresh refundable amount, when it changed under the caller. */
  readonly cancelable_amount: number | undefined;
  /** The body named no code of ours: the code is the status's guess (a front server's page, or a body cut short). */
  readonly bare: boolean;
}

/**
 * Reads an error answer (ErrorAnswerSchema) with this HTTP status. Each field is read on its own, never refused as a
 * whole: a code this widget does not know (a newer proxy) or a body that is not ours (a gateway's HTML page) is judged
 * by the status, and a missing message becomes `HTTP <status>`.
 */
export const readError = (body: unknown, status: number): ErrorReading => {
  // Every field is checked before use, so reading the body as "maybe these fields, of unknown type" is safe.
  const answer = body as { error?: { code?: unknown; message?: unknown }; cancelable_amount?: unknown } | undefined;
  const { code, message } = answer?.error ?? {};
  return {
    code: isErrorCode(code) ? code : codeForBareStatus(status),
    message: typeof message === 'string' ? message : `HTTP ${status}`,
    cancelable_amount: number(answer?.cancelable_amount)?.[0] as number | undefined, // number() read a number
    bare: !isErrorCode(code),
  };
};
