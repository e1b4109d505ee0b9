/**
 * @module One valibot schema per form field, built from the shared rules (field-rules.ts) the widget checks its fields
 * with, so a value the widget accepts is a value the proxy accepts. No custom messages: the widget shows its own
 * localized ones and the proxy words each issue from the rule it broke (describeIssues).
 */
import * as v from 'valibot';
import { AMOUNT_RULE, isPlainText, stripSeparators, TEXT_RULES } from './field-rules.ts';

const { merchant_uid, reason, refund_holder, refund_bank, refund_account, refund_tel } = TEXT_RULES;

/** Said of a text isPlainText refuses; never quotes the text. */
export const NOT_PLAIN_TEXT =
  'must be visible text without control characters, line separators, zero-width spaces, ' +
  'bidirectional overrides or unpaired surrogates';

/** The merchant's order id: i'mport's merchant_uid or PortOne V2's paymentId (field-rules.ts); plain text. */
export const MerchantUidSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(merchant_uid.min),
  v.maxLength(merchant_uid.max),
  v.check(isPlainText, NOT_PLAIN_TEXT),
);

/** A refund amount: positive and finite. Whole numbers for KRW are checked once the payment's currency is known. */
// Below the smallest unit of any currency (1 won, a cent): worded for every currency, since the payment's (whole won or
// cents, checked later) is not known yet; "at least 0.01" would read as allowed for won.
export const AmountSchema = v.pipe(
  v.number(),
  v.finite(),
  v.check(
    (n) => n >= AMOUNT_RULE.min,
    "must be at least the currency's smallest unit (1 won; 0.01 of a currency with cents)",
  ),
  v.maxValue(AMOUNT_RULE.max),
);

/** Why the customer wants the refund; i'mport keeps at most 256 characters. */
export const ReasonSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(reason.min),
  v.maxLength(reason.max),
  v.check(isPlainText, NOT_PLAIN_TEXT),
);

/** The name on the refund account. */
export const HolderSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(refund_holder.min),
  v.maxLength(refund_holder.max),
  v.check(isPlainText, NOT_PLAIN_TEXT),
);

/** A PG's bank code (KCP `BK88`, Inicis `88`, KFTC `088` …); checked against the payment's PG by the proxy. */
export const BankCodeSchema = v.pipe(v.string(), v.trim(), v.regex(refund_bank.pattern));

/** A Korean bank account number: digits only once spaces and hyphens are removed, 8 to 16 of them. */
export const AccountNumberSchema = v.pipe(v.string(), v.transform(stripSeparators), v.regex(refund_account.pattern));

/** A Korean phone number: digits only once spaces and hyphens are removed, 9 to 11 of them, starting with 0. */
export const PhoneSchema = v.pipe(v.string(), v.transform(stripSeparators), v.regex(refund_tel.pattern));

/**
 * The keys the proxy makes itself begin with this: an approval's refund runs under `request:<id>` (`request:<id>:<n>`),
 * in the same ledger as the keys clients send, so a client's key may not take one before the approval does.
 */
export const RESERVED_KEY_PREFIX = 'request:';

/** An `Idempotency-Key` header: 1 to 255 visible ASCII characters, as Stripe allows, and not one the proxy keeps. */
export const IdempotencyKeySchema = v.pipe(
  v.string(),
  v.regex(/^[\x21-\x7e]{1,255}$/),
  v.check(
    (key) => !key.startsWith(RESERVED_KEY_PREFIX),
    `must not begin with "${RESERVED_KEY_PREFIX}" (kept for approvals)`,
  ),
);
