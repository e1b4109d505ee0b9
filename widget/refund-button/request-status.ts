/**
 * @module Request mode's steps: where the order's latest refund request stands (with its actions: withdraw it, ask
 * again), and the confirm step of a withdrawal.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { RequestView } from '../../shared/refund-requests.ts';
import { contactLink } from './contact.ts';
import { actions, button, message, notice } from './dialog-parts.ts';
import { fill } from './format.ts';
import type { RefundButtonStrings } from './strings.ts';

/** What the request steps need of the dialog's state (dialog-body.ts's DialogState has it all). */
export interface RequestState {
  readonly s: RefundButtonStrings;
  readonly money: (value: number) => string;
  /** A day (UNIX seconds) in the widget's language. */
  readonly date: (seconds: number) => string;
  readonly request: RequestView;
  /** What is still refundable on the order (for a refunded request's "left"). */
  readonly left: number;
  /** When a paid-out refund's money arrives: the order pays out into an account and someone knows when. */
  readonly payout?: string | false;
  readonly contact?: string;
  /** Why the request is shown again (a failure that reloaded it): shown above it. */
  readonly notice?: string;
}

export interface RequestHandlers {
  readonly close: () => unknown;
  /** To the withdrawal's confirm step. */
  readonly askWithdraw: () => void;
  readonly withdraw: () => void;
  readonly back: () => void;
  readonly again: () => void;
}

/** The heading of where the request stands (each status's own text, but two), which the live region announces too. */
export const requestHeading = (s: RefundButtonStrings, { status }: RequestView): string =>
  s[status === 'refunded' ? 'done' : status === 'failed' ? 'requestFailed' : status];

const ok = html`<span part="mark" aria-hidden="true">✓</span>`;
const bad = html`<span part="mark" class="bad" aria-hidden="true">!</span>`;

/** The request's amount and the day it was made. */
const madeOn = ({ s, money, date, request: r }: RequestState) =>
  fill(s.requestedDetail, { amount: money(r.amount), date: date(r.created_at) });

/** The amount staff approved, below what was asked. */
const approvedLower = ({ s, money, request: r }: RequestState) =>
  fill(s.approvedAmount, { amount: money(r.approved_amount!) }); // shown only with an approved amount

/** Where the request stands, what it means, and what the customer can do next. */
export const requestStatus = (d: RequestState, heading: string, on: RequestHandlers): TemplateResult => {
  const { s, money, request: r } = d;
  // Staff may approve less than was asked: what went back is what they approved.
  const amount = money(r.approved_amount ?? r.amount);
  const contact = contactLink(d.contact);
  // An ended request that may not be followed by another (a rejection barred new ones): why, and whom to ask.
  const barred = !r.allow_new_request && html`${s.REFUND_REQUEST_NOT_ALLOWED} ${contact}`;
  const [icon, ...lines]: unknown[] = {
    requested: [ok, madeOn(d), s.requestNote],
    // What was asked, and what is being refunded when staff approved less.
    approved: [nothing, madeOn(d), r.approved_amount != null && r.approved_amount !== r.amount && approvedLower(d)],
    refunded: [ok, fill(s.doneDetail, { refunded: amount, left: money(d.left) }), d.payout],
    failed: [bad, s.requestFailedDetail, contact],
    rejected: [bad, r.reject_reason && fill(s.rejectReason, { reason: r.reject_reason }), barred],
    withdrawn: [nothing, barred],
  }[r.status];
  // The proxy allows a new request only once this one has ended, and only while something is left to refund.
  const again = r.allow_new_request && d.left > 0;
  return html`${notice(d.notice)}
    ${message(heading, icon, ...lines)}
    ${actions(
      r.status === 'requested' && button(s.withdraw, on.askWithdraw, 'secondary'),
      again ? button(s.close, on.close, 'secondary') : button(s.ok, on.close),
      again && button(s.again, on.again),
    )}`;
};

/** The withdrawal's confirm step: which request, Back, and Withdraw. */
export const withdrawConfirm = (d: RequestState, on: RequestHandlers): TemplateResult =>
  html`${message(d.s.withdrawTitle, nothing, madeOn(d))}
  ${actions(button(d.s.back, on.back, 'secondary'), button(d.s.withdraw, on.withdraw))}`;
