/** @module The refund form's template: the amount choice, the reason and (for a paid virtual account) the account. */
import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { actions, button, type Formatting, notice, summary } from './dialog-parts.ts';
import {
  amountLimits,
  type Field,
  type FormContext,
  type FormValues,
  fieldsOf,
  isCapped,
  needsAccount,
} from './form.ts';
import { currencyDigits, fill } from './format.ts';
import type { HolderCheck } from './refund-flow.ts';
import type { FailureCode, RefundButtonStrings } from './strings.ts';

/** What the form shows: the loaded payment, the values as typed and the fields marked invalid. */
export interface FormState extends Formatting {
  readonly ctx: FormContext;
  readonly values: FormValues;
  /** The fields marked invalid, each with whether its error is announced (an alert) as it appears. */
  readonly invalid: ReadonlyMap<Field, boolean>;
  /** Why the form came back (shown above it), if it did. */
  readonly notice?: FailureCode;
  /** What the bank said of the account's holder, while it still holds. */
  readonly check?: HolderCheck | undefined;
}

/** What the form's events call; Lit calls them with the element as `this`. */
export interface FormHandlers {
  readonly submit: (e: Event) => void;
  readonly input: (e: Event) => void;
  readonly focusOut: (e: FocusEvent) => void;
  readonly close: () => unknown;
}

/** Optional attributes of a text field. */
interface InputOptions {
  label?: string;
  hint?: string;
  type?: 'text' | 'tel';
  mode?: 'numeric' | 'decimal' | 'tel';
  auto?: 'off' | 'name' | 'tel';
  max?: number;
}

/** The form field a control's `name` belongs to. */
export const fieldOf = (name: string): Field =>
  (name === 'preset' || name === 'other' ? 'reason' : name === 'scope' ? 'amount' : name) as Field; // names are ours

/**
 * One field: its controls, then its error (tied to them through `aria-describedby`) while it is marked, announced as
 * it appears (an alert): focus alone does not say it when it is already in the field (Enter there, refused), nor for a
 * field left behind (checked as it is left; the bank's "not this holder", found while the customer types elsewhere).
 * Of the fields Continue marks, only the first one's is an alert (focus goes to it): several would be said at once.
 */
const field = (f: FormState, name: Field, error: string, ...controls: unknown[]): TemplateResult =>
  html`<div part="field">
    ${controls}
    ${
      f.invalid.has(name)
        ? html`<p id="${name}-error" part="error" role=${ifDefined(f.invalid.get(name) ? 'alert' : undefined)}>${error}</p>`
        : nothing
    }
  </div>`;

/** A control's `aria-describedby`: its hint and, while its field is marked, the field's error. */
const describedBy = (f: FormState, name: Field, hint?: string): string | typeof nothing =>
  [hint, f.invalid.has(name) && `${name}-error`].filter(Boolean).join(' ') || nothing;

/** A text field; without a visible `label` it is named by `aria-label` (the text next to it already says what). */
const input = (f: FormState, name: keyof FormValues, o: InputOptions, ariaLabel?: string): TemplateResult => {
  const marked = fieldOf(name);
  return html`${o.label ? html`<label part="label" for=${name}>${o.label}</label>` : nothing}
    <input
      part="input"
      id=${name}
      name=${name}
      type=${o.type ?? 'text'}
      inputmode=${o.mode ?? nothing}
      autocomplete=${o.auto ?? 'off'}
      maxlength=${ifDefined(o.max)}
      aria-label=${ariaLabel ?? nothing}
      aria-invalid=${f.invalid.has(marked)}
      aria-describedby=${describedBy(f, marked, o.hint && `${name}-hint`)}
      .value=${f.values[name] as string}
    />
    ${o.hint ? html`<p id="${name}-hint" part="hint">${o.hint}</p>` : nothing}`;
};

/** A select with a "choose" option first; `marked` says whether the field's error belongs to it. */
const select = (f: FormState, name: 'preset' | 'bank', label: string, options: string[][], marked = true) => {
  const owner = fieldOf(name);
  const value = f.values[name];
  const all = [['', f.s.choose], ...options];
  return html`<label part="label" for=${name}>${label}</label>
    <select
      part="input"
      id=${name}
      name=${name}
      aria-invalid=${marked && f.invalid.has(owner)}
      aria-describedby=${marked ? describedBy(f, owner) : nothing}
    >
      ${all.map(([v, text]) => html`<option value=${v!} ?selected=${v === value}>${text}</option>`)}
    </select>`;
};

/** The amount: a note for a revocation, the merchant's fixed amount, or a full / partial choice. */
const amount = (f: FormState, s: RefundButtonStrings): TemplateResult => {
  const { view, fixedAmount } = f.ctx;
  const { min, max } = amountLimits(f.ctx);
  const upTo = fill(s.upTo, { amount: f.money(max) });
  const choice = (value: 'full' | 'partial', checked: boolean) =>
    html`<label part="choice"
      ><input type="radio" name="scope" value=${value} .checked=${checked} />${
        value === 'full' && isCapped(view)
          ? upTo // the shop's grant allows less than everything
          : s[value]
      }</label
    >`;
  if (view.revocable) return html`<p part="note">${s.revokeNote}</p>`;
  if (fixedAmount) {
    return html`<div part="field"><span part="label">${s.amount}</span><strong>${f.money(fixedAmount)}</strong></div>`;
  }
  const partial = f.values.partial;
  const error = fill(s.amountError, { min: f.money(min), max: f.money(max) });
  return html`<fieldset part="group">
    <legend part="label">${s.amount}</legend>
    <div class="choices">${choice('full', !partial)}${choice('partial', partial)}</div>
    ${
      partial
        ? field(
            f,
            'amount',
            error,
            input(
              f,
              'amount',
              { hint: upTo, mode: currencyDigits(view.currency) > 0 ? 'decimal' : 'numeric' },
              s.amount,
            ),
          )
        : nothing
    }
  </fieldset>`;
};

/** The reason: a preset (with "other" to type one), or free text when there are no presets. */
const reason = (f: FormState, s: RefundButtonStrings): TemplateResult => {
  const { presets } = f.ctx;
  const other = f.values.preset === 'other' || !presets.length;
  // With presets, the typed reason sits under the select, named by aria-label; alone, it has the visible label.
  const typed = presets.length
    ? input(f, 'other', { max: 256 }, s.otherLabel)
    : input(f, 'other', { label: s.reason, max: 256 });
  const options = [...presets.map((p, i) => [`${i}`, p]), ['other', s.other]];
  return field(
    f,
    'reason',
    other ? s.reasonError : s.reasonChoose, // the error sits under the control the customer must use
    presets.length ? select(f, 'preset', s.reason, options, !f.values.preset) : nothing,
    other ? typed : nothing,
  );
};

/** The account the money is paid back into, and a phone number where the PG needs one. */
const account = (f: FormState, s: RefundButtonStrings): TemplateResult => {
  const banks = (f.ctx.view.banks ?? []).map((b) => [b.code, f.bankName(b.code)]);
  const accountNumber: InputOptions = { label: s.accountNumber, hint: s.accountHint, mode: 'numeric', max: 24 };
  const phone: InputOptions = { label: s.phone, type: 'tel', mode: 'tel', auto: 'tel', max: 16 };
  return html`<fieldset part="group">
    <legend part="label">${s.account}</legend>
    ${field(
      f,
      'holder',
      f.check ? s.REFUND_ACCOUNT_HOLDER_MISMATCH : s.holderError, // shown only while marked: never when verified
      input(f, 'holder', { label: s.holder, auto: 'name', max: 30 }),
      html`<span part="verified" role="status">${f.check === 'verified' ? s.verified : ''}</span>`,
    )}
    ${field(f, 'bank', s.bankError, select(f, 'bank', s.bank, banks))}
    ${field(f, 'account', s.accountError, input(f, 'account', accountNumber))}
    ${fieldsOf(f.ctx).includes('phone') ? field(f, 'phone', s.phoneError, input(f, 'phone', phone)) : nothing}
  </fieldset>`;
};

/** The payment's summary, why the form came back (if it did), and the form. */
export const refundForm = (f: FormState, on: FormHandlers): TemplateResult => {
  const { s } = f;
  return html`${summary(f, f.ctx.view)}
    ${notice(f.notice && s[f.notice])}
    <form part="form" novalidate @submit=${on.submit} @input=${on.input} @change=${on.input} @focusout=${on.focusOut}>
      ${amount(f, s)} ${reason(f, s)} ${needsAccount(f.ctx) ? account(f, s) : nothing}
      ${actions(
        button(s.close, on.close, 'secondary'),
        button(s.next, () => {}, 'submit', 'submit'),
      )}
    </form>`;
};
