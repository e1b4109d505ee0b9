/** @module Small templates the dialog's steps share: buttons, a step without a form, the payment's summary. */
import { html, nothing, type TemplateResult } from 'lit';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import { offerableOf } from './form.ts';
import type { RefundButtonStrings } from './strings.ts';

/** The texts in the element's language, and how it writes money and bank names. */
export interface Formatting {
  readonly s: RefundButtonStrings;
  readonly money: (value: number) => string;
  /** The name of one of the payment's banks; the code if the payment does not list it. */
  readonly bankName: (code: string) => string;
}

export const button = (
  text: string,
  onClick: () => unknown,
  part = 'submit',
  type: 'button' | 'submit' = 'button',
): TemplateResult => html`<button part=${part} type=${type} @click=${onClick}>${text}</button>`;

/** A row of buttons; a `false` one is left out. */
export const actions = (...buttons: (TemplateResult | false)[]): TemplateResult =>
  html`<div part="actions">${buttons.map((b) => b || nothing)}</div>`;

/** Why a step came back (a failure that reloaded the payment), above it; focused when it comes. */
export const notice = (text: string | false | undefined) =>
  text ? html`<p part="notice" role="alert" tabindex="-1">${text}</p>` : nothing;

/** A step without a form: an icon, a focused heading and the lines under it (falsy ones are left out). */
export const message = (heading: string, icon: unknown, ...lines: unknown[]): TemplateResult =>
  html`<div part="message">
    ${icon}
    <h3 part="heading" tabindex="-1" data-focus>${heading}</h3>
    ${lines.map((line) => (line ? html`<p>${line}</p>` : nothing))}
  </div>`;

/**
 * The product and what was paid, refunded and is refundable (an unpaid virtual account: the order amount). A payment
 * that cannot be refunded here (`blocked`: why) shows no refundable amount, and, while the outcome of a refund is being
 * checked, no refunded amount either: both may be stale.
 */
export const summary = ({ s, money }: Formatting, view: RefundView, blocked?: string): TemplateResult => {
  const row = (label: string, value: number) => html`<div><dt>${label}</dt><dd>${money(value)}</dd></div>`;
  return html`<section part="summary" aria-labelledby="product">
    <h3 id="product" tabindex="-1" data-focus>${view.name ?? view.merchant_uid}</h3>
    <dl>
      ${
        // Nothing was paid (an unpaid account, one revoked or closed unpaid, a failed payment): the order's amount, never
        // "paid".
        view.revocable || blocked === 'not_paid'
          ? row(s.orderAmount, view.amount)
          : [
              row(s.paid, view.amount),
              blocked === 'OUTCOME_PENDING_CHECK' ? nothing : row(s.refunded, view.cancel_amount),
              blocked ? nothing : row(s.refundable, offerableOf(view)),
            ]
      }
    </dl>
  </section>`;
};
