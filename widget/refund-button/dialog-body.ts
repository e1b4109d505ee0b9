/** @module The dialog's body, one branch per phase of the flow, rendered from a snapshot of the element's state. */
import { html, nothing, type TemplateResult } from 'lit';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { NotRefundableReason } from '../../shared/schemas/refund-view.ts';
import { actions, button, type Formatting, message, summary } from './dialog-parts.ts';
import { type FormContext, needsAccount, refundAmountOf } from './form.ts';
import { type FormHandlers, type FormState, refundForm } from './form-template.ts';
import { fill } from './format.ts';
import { type Failure, retryOf } from './request.ts';
import type { FailureCode, RefundButtonStrings } from './strings.ts';

/** One render branch per phase of the flow. */
export type Phase =
  | 'closed'
  | 'loading'
  | 'load-error'
  | 'blocked'
  | 'form'
  | 'confirm'
  | 'submitting'
  | 'done'
  | 'failed';

/** What the dialog shows; `ctx` once the payment is loaded, `failure` and `result` once the flow has them. */
export interface DialogState extends Formatting, Omit<FormState, 'ctx'> {
  readonly phase: Phase;
  readonly ctx?: FormContext;
  /** Why the payment cannot be refunded here (the blocked phase). */
  readonly blocked?: FailureCode | NotRefundableReason;
  readonly failure?: Failure;
  readonly result?: CancelSuccess;
  /** The retry is held until `Retry-After` has passed. */
  readonly waiting: boolean;
}

/** What the dialog's buttons and form call; Lit calls them with the element as `this`. */
export interface DialogHandlers extends FormHandlers {
  readonly retry: () => void;
  readonly back: () => void;
  readonly confirm: () => void;
}

/** A failure in words: the code's text, with the proxy's own message where the text has a place for it. */
export const messageOf = (s: RefundButtonStrings, failure: Failure): string =>
  fill(s[failure.code], { message: failure.message });

/**
 * The heading of a step without a form, which the live region announces too; empty for the steps with a form (they
 * speak through their labelled fields) and for confirm (its heading is focused instead).
 */
export const statusOf = ({ s, phase, failure, result: r }: DialogState): string => {
  const texts: Partial<Record<Phase, string>> = {
    loading: s.loading,
    submitting: s.submitting,
    'load-error': s.loadFailed,
    failed: failure && messageOf(s, failure),
    done: r?.revoked ? s.revoked : r?.pending ? s.pending : s.done,
  };
  return texts[phase] ?? '';
};

/** What will happen, in words, with Back and Refund (or Cancel account). */
const confirm = (d: DialogState, ctx: FormContext, on: DialogHandlers): TemplateResult => {
  const { s, values: f } = d;
  const { revocable } = ctx.view;
  const account =
    needsAccount(ctx) &&
    fill(s.confirmAccount, {
      bank: d.bankName(f.bank),
      account: `****${f.account.replace(/\D/g, '').slice(-4)}`,
      holder: f.holder.trim(),
    });
  const title = fill(s.confirmTitle, { amount: d.money(refundAmountOf(f, ctx)) });
  return html`${
    revocable ? message(s.revokeTitle, nothing, s.revokeBody) : message(title, nothing, s.confirmBody, account)
  }
    ${actions(button(s.back, on.back, 'secondary'), button(revocable ? s.revoke : s.refund, on.confirm))}`;
};

/** What was refunded and what is left, or that the account was cancelled; the receipt when there is one. */
const done = ({ s, money }: DialogState, r: CancelSuccess, heading: string, on: DialogHandlers): TemplateResult => {
  const receipt = r.receipt_url && /^https?:\/\//.test(r.receipt_url) && r.receipt_url; // never a javascript: URL
  const detail = fill(s.doneDetail, { refunded: money(r.refunded), left: money(r.cancelable_amount) });
  return html`${message(
    heading,
    html`<span part="mark" aria-hidden="true">✓</span>`,
    r.revoked ? s.revokedDetail : detail,
    r.pending && !r.revoked && s.pendingDetail,
    receipt && html`<a part="link" href=${receipt} target="_blank" rel="noopener">${s.receipt}</a>`,
  )}
    ${actions(button(s.ok, on.close))}`;
};

/** The failure, with "Try again" when the same request may be sent again (held while `waiting`). */
const failed = (d: DialogState, failure: Failure, heading: string, on: DialogHandlers): TemplateResult => {
  const { s } = d;
  const retry = html`<button part="submit" type="button" aria-disabled=${d.waiting} @click=${on.retry}
    >${s.retry}</button
  >`;
  return html`${message(
    heading,
    html`<span part="mark" class="bad" aria-hidden="true">!</span>`,
    d.phase === 'load-error' && messageOf(s, failure),
  )}
    ${actions(button(s.close, on.close, 'secondary'), retryOf(failure.code) === 'same_key' && retry)}`;
};

export const dialogBody = (d: DialogState, on: DialogHandlers): TemplateResult => {
  const { s, ctx } = d;
  const heading = statusOf(d);
  switch (d.phase) {
    case 'load-error':
    case 'failed':
      return failed(d, d.failure!, heading, on); // set before a failure is shown
    case 'blocked':
      return html`${summary(d, ctx!.view)}
        <p part="notice" role="alert">${s[d.blocked!]}</p>
        ${actions(button(s.close, on.close, 'secondary'))}`; // blocked is decided on a loaded payment
    case 'form':
      return refundForm({ ...d, ctx: ctx! }, on); // the form is only shown once the payment is loaded
    case 'confirm':
      return confirm(d, ctx!, on); // confirm follows a loaded form
    case 'done':
      return done(d, d.result!, heading, on); // done is only reached with an answer
    default: // loading, submitting (closed renders nothing)
      return message(heading, html`<span part="spinner"></span>`);
  }
};
