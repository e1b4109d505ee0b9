/** @module The dialog's body, one branch per phase of the flow, rendered from a snapshot of the element's state. */
import { html, nothing, type TemplateResult } from 'lit';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { NotRefundableReason } from '../../shared/schemas/refund-view.ts';
import { contactLink } from './contact.ts';
import { actions, button, type Formatting, message, summary } from './dialog-parts.ts';
import { type FormContext, needsAccount, refundAmountOf } from './form.ts';
import { type FormHandlers, type FormState, refundForm } from './form-template.ts';
import { fill } from './format.ts';
import type { ShownFailure } from './refund-flow.ts';
import { retryOf } from './request.ts';
import {
  type RequestHandlers,
  type RequestState,
  requestHeading,
  requestStatus,
  withdrawConfirm,
} from './request-status.ts';
import type { FailureCode, FailureText } from './strings.ts';

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
  | 'failed'
  // Request mode: where the order's latest request stands, and the confirm step of its withdrawal.
  | 'request'
  | 'withdraw';

/** What the dialog shows; `ctx` once the payment is loaded, `failure` and `result` once the flow has them. */
export interface DialogState extends Formatting, Omit<FormState, 'ctx'> {
  readonly phase: Phase;
  readonly ctx?: FormContext;
  /** Why the payment cannot be refunded here (the blocked phase). */
  readonly blocked?: FailureCode | NotRefundableReason;
  readonly failure?: ShownFailure;
  readonly result?: CancelSuccess;
  /** The retry is held until `Retry-After` has passed. */
  readonly waiting: boolean;
  /** The shop's contact (the `contact` attribute). */
  readonly contact?: string;
  /** When a paid-out refund's money arrives, in words; undefined when nobody knows. */
  readonly payout?: string;
  /** A day (UNIX seconds) in the widget's language. */
  readonly date: (seconds: number) => string;
  /** What the submitting step says is being sent. */
  readonly sending: 'submitting' | 'sending' | 'withdrawing';
}

/** The failures whose text tells the customer to contact the shop, and so come with the shop's contact. */
const CONTACT_TEXTS: readonly FailureText[] = [
  'PG_PROVIDER',
  'UNAUTHORIZED',
  'MAX_CANCEL_COUNT_REACHED',
  'CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT',
  'CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT',
  'SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT',
  'REFUND_REQUEST_NOT_ALLOWED',
];

/** The failures that say what was sent is not known yet: "Check again" sends it again under the same key. */
const UNKNOWN_TEXTS: readonly FailureText[] = ['REFUND_OUTCOME_UNKNOWN', 'requestUnknown'];

/** What the dialog's buttons and form call; Lit calls them with the element as `this`. */
export interface DialogHandlers extends FormHandlers, RequestHandlers {
  readonly retry: () => void;
  readonly back: () => void;
  readonly confirm: () => void;
  /** Loads the payment again. */
  readonly reload: () => void;
}

/**
 * The heading of a step without a form, which the live region announces too; empty for the steps with a form (they
 * speak through their labelled fields) and for confirm (its heading is focused instead).
 */
export const statusOf = ({ s, phase, failure, result: r, ctx, sending }: DialogState): string => {
  const said = failure && s[failure.text];
  const request = ctx?.view.request;
  const texts: Partial<Record<Phase, string>> = {
    loading: s.loading,
    submitting: s[sending],
    request: request ? requestHeading(s, request) : '',
    // "Couldn't load the payment" above "We couldn't find this payment" would say one thing twice.
    'load-error': failure?.code === 'PAYMENT_NOT_FOUND' ? said : s.loadFailed,
    failed: said,
    done: r?.revoked ? s.revoked : r?.accepted ? s.accepted : r?.pending ? s.pending : s.done,
  };
  return texts[phase] ?? '';
};

/** What will happen, in words, with Back and Refund (or Cancel account). */
const confirm = (d: DialogState, ctx: FormContext, on: DialogHandlers): TemplateResult => {
  const { s, values: f } = d;
  const { revocable, request_mode: asking } = ctx.view;
  const account =
    needsAccount(ctx) &&
    fill(s.confirmAccount, {
      bank: d.bankName(f.bank),
      account: `****${f.account.replace(/\D/g, '').slice(-4)}`,
      holder: f.holder.trim(),
    });
  // 원 takes 을 (9,000원을), but another currency's amount is read in its unit (US$7.20: 달러, which takes 를): none then.
  const ask = ctx.view.currency === 'KRW' ? s.confirmTitle : s.confirmTitle.replace('}을', '}');
  const title = fill(asking ? s.requestTitle : ask, { amount: d.money(refundAmountOf(f, ctx)) });
  // A request is decided by the shop first: when its money would arrive is not known yet.
  return html`${
    revocable
      ? message(s.revokeTitle, nothing, s.revokeBody)
      : message(title, nothing, asking ? s.requestNote : s.confirmBody, account, account && !asking && d.payout)
  }
    ${actions(
      button(s.back, on.back, 'secondary'),
      button(revocable ? s.revoke : asking ? s.send : s.refund, on.confirm),
    )}`;
};

/** What was refunded and what is left, or that the account was cancelled; the receipt when there is one. */
const done = (
  { s, money, payout }: DialogState,
  r: CancelSuccess,
  heading: string,
  on: DialogHandlers,
): TemplateResult => {
  const receipt = r.receipt_url && /^https?:\/\//.test(r.receipt_url) && r.receipt_url; // never a javascript: URL
  // Accepted is not refunded yet: what comes next, not an amount as if it had gone back.
  const detail = r.accepted
    ? s.acceptedDetail
    : fill(s.doneDetail, { refunded: money(r.refunded), left: money(r.cancelable_amount) });
  return html`${message(
    heading,
    html`<span part="mark" aria-hidden="true">✓</span>`,
    r.revoked ? s.revokedDetail : detail,
    r.pending && !r.revoked && !r.accepted && payout,
    receipt && html`<a part="link" href=${receipt} target="_blank" rel="noopener">${s.receipt}</a>`,
  )}
    ${actions(button(s.ok, on.close))}`;
};

/**
 * The failure, with the shop's contact where its text says to ask the shop, and "Try again" ("Check again" after an
 * unknown outcome) when the same request may be sent again (held while `waiting`).
 */
const failed = (d: DialogState, failure: ShownFailure, heading: string, on: DialogHandlers): TemplateResult => {
  const { s } = d;
  const said = s[failure.text];
  const unknown = UNKNOWN_TEXTS.includes(failure.text);
  const retry = html`<button part="submit" type="button" aria-disabled=${d.waiting} @click=${on.retry}
    >${unknown ? s.checkAgain : s.retry}</button
  >`;
  // Not known is not failed: a neutral mark, not the red one. A load the gateway failed tried no refund: the heading
  // says it all, not UPSTREAM_UNAVAILABLE's "so nothing was refunded" (untrue of an order refunded in part before).
  return html`${message(
    heading,
    unknown
      ? html`<span part="mark" class="unknown" aria-hidden="true">?</span>`
      : html`<span part="mark" class="bad" aria-hidden="true">!</span>`,
    heading !== said && !(d.phase === 'load-error' && failure.code === 'UPSTREAM_UNAVAILABLE') && said,
    CONTACT_TEXTS.includes(failure.text) && contactLink(d.contact),
  )}
    ${actions(button(s.close, on.close, 'secondary'), (unknown || retryOf(failure.code) === 'same_key') && retry)}`;
};

/**
 * Why the payment cannot be refunded here and what to do instead, under a summary that offers nothing as refundable;
 * an outcome still being checked offers to check again instead.
 */
const blocked = (d: DialogState, ctx: FormContext, why: FailureCode | NotRefundableReason, on: DialogHandlers) => {
  const { s } = d;
  const checking = why === 'OUTCOME_PENDING_CHECK';
  return html`${summary(d, ctx.view, why)}
    <p part="notice" role="alert">
      ${s[why]}${checking ? nothing : html`<br />${s.contactShop} ${contactLink(d.contact)}`}
    </p>
    ${actions(button(s.close, on.close, 'secondary'), checking && button(s.checkAgain, on.reload))}`;
};

/** The request steps' view of the dialog's state: the order's latest request and what surrounds it. */
const requestState = (d: DialogState, ctx: FormContext): RequestState => {
  const { view } = ctx;
  return {
    ...d,
    request: view.request!, // the request steps are only reached with a request
    left: view.cancelable_amount,
    payout: view.refund_account_required && d.payout,
    notice: d.notice && d.s[d.notice],
  };
};

export const dialogBody = (d: DialogState, on: DialogHandlers): TemplateResult => {
  const { ctx } = d;
  const heading = statusOf(d);
  switch (d.phase) {
    case 'request':
      return requestStatus(requestState(d, ctx!), heading, on); // a request is shown from a loaded payment
    case 'withdraw':
      return withdrawConfirm(requestState(d, ctx!), on);
    case 'load-error':
    case 'failed':
      return failed(d, d.failure!, heading, on); // set before a failure is shown
    case 'blocked':
      return blocked(d, ctx!, d.blocked!, on); // blocked is decided on a loaded payment
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
