/**
 * @module The refund form's rules: which fields a payment needs, each checked with the shared rule the proxy checks it
 * with, and the `POST /payments/cancel` body built from them.
 */
import type { CancelRequestInput } from '../../shared/schemas/cancel-request.ts';
import { checkAmount, checkText, TEXT_RULES } from '../../shared/schemas/field-rules.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import { currencyDigits } from './format.ts';

export type Field = 'amount' | 'reason' | 'holder' | 'bank' | 'account' | 'phone';

/** What the customer typed, as typed. `preset` is a preset's index, `'other'`, or `''` for no choice yet. */
export interface FormValues {
  partial: boolean;
  amount: string;
  preset: string;
  other: string;
  holder: string;
  bank: string;
  account: string;
  phone: string;
}

/** What the rules depend on: the payment, the preset reasons offered, and a merchant-fixed amount. */
export interface FormContext {
  readonly view: RefundView;
  readonly presets: readonly string[];
  readonly fixedAmount?: number;
}

export const emptyForm = (): FormValues => ({
  partial: false,
  amount: '',
  preset: '',
  other: '',
  holder: '',
  bank: '',
  account: '',
  phone: '',
});

/** True when the customer must give the account the money is paid back into. */
export const needsAccount = ({ view }: FormContext): boolean => view.refund_account_required && !view.revocable;

/** The fields this payment's form shows, in order. */
export const fieldsOf = (ctx: FormContext): Field[] => [
  ...(ctx.view.revocable || ctx.fixedAmount ? [] : (['amount'] as const)),
  'reason',
  ...(needsAccount(ctx) ? (['holder', 'bank', 'account'] as const) : []),
  // The phone number goes with the account.
  ...(needsAccount(ctx) && ctx.view.refund_tel_required ? (['phone'] as const) : []),
];

/** The most this page may refund: what is refundable, or less when the shop's grant caps it (`grant_remaining`). */
export const offerableOf = (view: RefundView): number =>
  Math.min(view.cancelable_amount, view.grant_remaining ?? Infinity);

/** True when the grant allows less than everything refundable, so "everything" must be sent as an amount. */
export const isCapped = (view: RefundView): boolean => offerableOf(view) < view.cancelable_amount;

/**
 * The smallest and largest amount one refund may be, in the payment's currency: at least one unit, or the tax-free part
 * the shop's grant says a refund must cover (`grant_minimum`).
 */
export const amountLimits = ({ view }: FormContext): { min: number; max: number } => ({
  min: Math.max(10 ** -currencyDigits(view.currency), view.grant_minimum ?? 0),
  max: offerableOf(view),
});

/** True when the grant's least refund is more than this page may refund: no amount can be sent. */
export const isUnderMinimum = (view: RefundView): boolean => offerableOf(view) < (view.grant_minimum ?? 0);

/** Full-width digits (a Korean IME's, in its full-width mode) as ASCII ones. */
export const halfWidth = (text: string): string =>
  text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));

/**
 * Reads a typed amount: digits (full-width ones too, as a Korean keyboard may type them) with a decimal point, grouping
 * commas, spaces and a currency sign; anything else (0x3e8, 1e3) makes it NaN.
 */
export const parseAmount = (text: string): number => {
  const clean = halfWidth(text.replace(/[\s,，원₩]/g, ''));
  return /^\d+(\.\d+)?$/.test(clean) ? Number(clean) : Number.NaN;
};

/** True when the amount is one this payment can refund: within the limits and in whole units of the currency. */
export const isAmountValid = (amount: number, ctx: FormContext): boolean => {
  const { min, max } = amountLimits(ctx);
  // Whole units of the currency (1원, US$0.01), not of `min`: a grant's floor (grant_minimum) is no step.
  const units = amount * 10 ** currencyDigits(ctx.view.currency);
  return checkAmount(amount) && amount >= min && amount <= max && Math.abs(units - Math.round(units)) < 1e-6;
};

/** The reason the form holds: the chosen preset, or the typed text for "other" (and when there are no presets). */
export const reasonOf = (values: FormValues, presets: readonly string[]): string =>
  !presets.length || values.preset === 'other'
    ? values.other
    : values.preset
      ? (presets[Number(values.preset)] ?? '')
      : '';

/** The amount that will be refunded (the merchant's fixed one, the typed part, or everything refundable). */
export const refundAmountOf = (values: FormValues, ctx: FormContext): number =>
  ctx.fixedAmount ?? (values.partial ? parseAmount(values.amount) : offerableOf(ctx.view));

/** The request body's name for each field the proxy checks on its own, which is also the name of its shared rule. */
const BODY_NAMES = {
  reason: 'reason',
  holder: 'refund_holder',
  bank: 'refund_bank',
  account: 'refund_account',
  phone: 'refund_tel',
} as const satisfies Record<Exclude<Field, 'amount'>, keyof CancelRequestInput & keyof typeof TEXT_RULES>;

/** A text field's value as it is sent (trimmed, separators stripped), or undefined when its rule refuses it. */
const textOf = (field: keyof typeof BODY_NAMES, values: FormValues, ctx: FormContext): string | undefined =>
  checkText(TEXT_RULES[BODY_NAMES[field]], field === 'reason' ? reasonOf(values, ctx.presets) : values[field]);

/** True when one field's value is acceptable. */
export const isFieldValid = (field: Field, values: FormValues, ctx: FormContext): boolean =>
  field === 'amount'
    ? !values.partial || isAmountValid(parseAmount(values.amount), ctx)
    : textOf(field, values, ctx) !== undefined;

/** The request body for a valid form, with values as they are sent (trimmed, separators stripped). */
export const buildRequest = (values: FormValues, ctx: FormContext): CancelRequestInput => {
  const body: CancelRequestInput = { merchant_uid: ctx.view.merchant_uid, reason: '' }; // reason: set below
  // Always the amount the customer confirmed, a full refund's too: left out, the proxy refunds whatever is left when
  // it arrives, which may be less than the confirm step said (another refund in between).
  if (!ctx.view.revocable) body.cancel_request_amount = refundAmountOf(values, ctx);
  for (const field of fieldsOf(ctx)) {
    if (field !== 'amount') body[BODY_NAMES[field]] = textOf(field, values, ctx) ?? '';
  }
  return body;
};
