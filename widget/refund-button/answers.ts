/**
 * @module Reads the proxy's success answers field by field. Typed against the shared answer types, so a field added to
 * or removed from them is a compile error here. The shared valibot schemas would pull valibot (~1 KB gzipped) into a
 * bundle held to 17 KB; the proxy's own tests hold its answers to those schemas instead.
 */
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import { NOT_REFUNDABLE_REASONS, type RefundView } from '../../shared/schemas/refund-view.ts';

/** Tells whether a value has one field's type. */
type Check = (value: unknown) => boolean;

const string: Check = (v) => typeof v === 'string';
const number: Check = (v) => typeof v === 'number';
const boolean: Check = (v) => typeof v === 'boolean';
const nullable = (check: Check): Check => (v) => v === null || check(v);
const optional = (check: Check): Check => (v) => v === undefined || check(v);

/** A reader of objects with these fields: others are dropped (as valibot's `object` does); undefined if one is wrong. */
const object =
  <T>(shape: { readonly [K in keyof T]-?: Check }) =>
  (value: unknown): T | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries<Check>(shape)) {
      const field = (value as Record<string, unknown>)[key]; // any object can be read by key
      if (!check(field)) return undefined;
      if (key in value) out[key] = field;
    }
    return out as T; // every field of T was checked above
  };

const bank = object<NonNullable<RefundView['banks']>[number]>({ code: string, name_ko: string, name_en: string });

/** Reads the answer of `GET /payments/:merchant_uid` (RefundViewSchema). */
export const readView = object<RefundView>({
  merchant_uid: string,
  name: nullable(string),
  amount: number,
  cancel_amount: number,
  cancelable_amount: number,
  currency: string,
  pay_method: string,
  pg_provider: string,
  status: string,
  paid_at: nullable(number),
  refundable: boolean,
  reason: optional((v) => NOT_REFUNDABLE_REASONS.some((reason) => reason === v)),
  revocable: boolean,
  refund_account_required: boolean,
  refund_tel_required: boolean,
  banks: optional((v) => Array.isArray(v) && v.every((b) => bank(b))),
  grant_remaining: optional(number),
});

/** Reads a successful answer of `POST /payments/cancel` (CancelSuccessSchema). */
export const readSuccess = object<CancelSuccess>({
  ok: (v) => v === true,
  merchant_uid: string,
  imp_uid: string,
  refunded: number,
  cancel_amount: number,
  cancelable_amount: number,
  status: string,
  pay_method: string,
  pending: boolean,
  revoked: optional(boolean),
  receipt_url: optional(string),
});
