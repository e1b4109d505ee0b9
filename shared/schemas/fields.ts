/**
 * @module One schema per form field, shared by the proxy (request validation) and the widget (inline validation),
 * so a value the widget accepts is a value the proxy accepts.
 */
import * as v from 'valibot';

/** Removes the spaces and hyphens people type into account and phone numbers. */
const stripSeparators = (s: string): string => s.replace(/[\s-]/g, '');

/** The merchant's order id, as i'mport stores it (≤ 40 characters). */
export const MerchantUidSchema = v.pipe(
  v.string('merchant_uid must be a string'),
  v.trim(),
  v.minLength(1, 'merchant_uid is required'),
  v.maxLength(40, 'merchant_uid is at most 40 characters'),
);

/** A refund amount: positive and finite. Whole numbers for KRW are checked once the payment's currency is known. */
export const AmountSchema = v.pipe(
  v.number('cancel_request_amount must be a number'),
  v.finite('cancel_request_amount must be a finite number'),
  v.minValue(0.01, 'cancel_request_amount must be more than 0'),
  v.maxValue(1e12, 'cancel_request_amount is too large'),
);

/** Why the customer wants the refund; i'mport keeps at most 256 characters. */
export const ReasonSchema = v.pipe(
  v.string('reason must be a string'),
  v.trim(),
  v.minLength(1, 'reason is required'),
  v.maxLength(256, 'reason is at most 256 characters'),
);

/** The name on the refund account. */
export const HolderSchema = v.pipe(
  v.string('refund_holder must be a string'),
  v.trim(),
  v.minLength(1, 'refund_holder is required'),
  v.maxLength(30, 'refund_holder is at most 30 characters'),
);

/** A PG's bank code (KCP `BK88`, Inicis `88`, KFTC `088` …); checked against the payment's PG by the proxy. */
export const BankCodeSchema = v.pipe(
  v.string('refund_bank must be a string'),
  v.trim(),
  v.regex(/^[A-Z0-9]{2,8}$/, 'refund_bank must be a bank code'),
);

/** A Korean bank account number: digits only once spaces and hyphens are removed, 8 to 16 of them. */
export const AccountNumberSchema = v.pipe(
  v.string('refund_account must be a string'),
  v.transform(stripSeparators),
  v.regex(/^\d{8,16}$/, 'refund_account must be 8 to 16 digits'),
);

/** A Korean phone number: digits only once spaces and hyphens are removed, 9 to 11 of them, starting with 0. */
export const PhoneSchema = v.pipe(
  v.string('refund_tel must be a string'),
  v.transform(stripSeparators),
  v.regex(/^0\d{8,10}$/, 'refund_tel must be a phone number'),
);

/** An `Idempotency-Key` header: 1 to 255 visible ASCII characters, as Stripe allows. */
export const IdempotencyKeySchema = v.pipe(
  v.string(),
  v.regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 visible ASCII characters'),
);
