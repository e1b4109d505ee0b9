/** @module Screen 4: an order's payment, its refund attempts and the merchant webhook deliveries, with "send again". */
import { html, nothing, type TemplateResult } from 'lit';
import type { Order } from './api.ts';
import type { DeskController } from './controller.ts';
import { attemptCells, dateTime, fill, money } from './format.ts';
import { type DeskStrings, type Lang, OTHER_STATUS_NAMES } from './strings.ts';

/**
 * How a delivery ended: the receiver's HTTP status, or in the desk's language that it never answered (the proxy's
 * own timeout), answered more than the proxy reads (AnswerTooLarge, recorded without its status: an answer all the
 * same), or could not be reached, with the connection's error as the runtime said it, for whoever fixes it.
 */
const delivered = (del: Order['events'][number]['deliveries'][number], s: DeskStrings) => {
  if (del.status !== null) return del.status;
  if (del.error?.startsWith('timeout:')) return s.timedOut;
  if (del.error?.startsWith('AnswerTooLarge')) return s.answerTooLarge;
  return del.error ? `${s.noAnswer} (${del.error})` : s.noAnswer;
};

/** Paid, refunded and refundable, as a definition list (the request screen shows it too). */
export const paymentSummary = (order: Order | null, s: DeskStrings, lang: Lang): TemplateResult | typeof nothing => {
  if (!order) return nothing;
  const { payment } = order;
  const m = (value: number) => money(value, lang, payment.currency);
  // While a refund's outcome is being checked the ledger's figures may be stale (that refund may have gone through):
  // they are not stated as known, as the customer's dialog does not state them either (OUTCOME_PENDING_CHECK).
  const left = (value: number) => (payment.needs_sync ? s.beingChecked : m(value));
  return html`<dl part="summary" class="summary">
    ${payment.name ? html`<dt>${s.product}</dt><dd>${payment.name}</dd>` : nothing}
    <dt>${s.paid}</dt><dd>${m(payment.amount)}</dd>
    <dt>${s.refunded}</dt><dd>${left(payment.cancel_amount)}</dd>
    <dt>${s.refundable}</dt><dd>${left(payment.cancelable_amount)}</dd>
  </dl>`;
};

/**
 * An event's attempts are counted from its deliveries listed under it: the ledger's `attempts` counts rounds since the
 * event was last queued (a "send again" starts it at 0), so beside the earlier deliveries it would read as too few.
 */
export const orderScreen = (d: DeskController, s: DeskStrings, lang: Lang, uid: string): TemplateResult => {
  const order = d.order;
  return html`<section part="screen" aria-labelledby="h-order">
    <button part="button" class="back" type="button" @click=${d.showRefunds}>← ${s.back}</button>
    <h2 part="heading" id="h-order" tabindex="-1">${fill(s.orderHeading, { uid })}</h2>
    ${order || d.orderFailed ? nothing : html`<p part="note">${s.loading}</p>`} ${paymentSummary(order, s, lang)}
    ${
      order
        ? html`<h3>${s.attempts}</h3>
          ${order.attempts.length ? nothing : html`<p part="note">${s.noneYet}</p>`}
          <ul part="list" class="list attempts">
            ${order.attempts.map((a) => {
              const { status, amount } = attemptCells(a, lang, order.payment.currency);
              return html`<li part="row" class="row">
                <span part="status" class="status">${status}</span>
                <span>${amount}</span>
                <span>${dateTime(a.created_at, lang)}</span>
                ${a.error_code ? html`<span class="code">${a.error_code}</span>` : nothing}
              </li>`;
            })}
          </ul>
          <h3>${s.webhooks}</h3>
          ${order.events.length ? nothing : html`<p part="note">${s.noneYet}</p>`}
          <ul part="list" class="list events">
            ${order.events.map(
              (event) => html`<li part="row" class="row event" data-id=${event.id} tabindex="-1">
                <span class="main"
                  ><strong>${event.type}</strong> <span part="status" class="status">${OTHER_STATUS_NAMES[lang][event.status] ?? event.status}</span>
                  <span>${fill(s.attemptsCount, { n: event.deliveries.length })}</span></span
                >
                <ul class="deliveries">
                  ${
                    event.deliveries.length
                      ? event.deliveries.map(
                          (del) =>
                            html`<li>${dateTime(del.attempted_at, lang)} · ${delivered(del, s)} · ${del.url}</li>`,
                        )
                      : html`<li>${s.noDeliveries}</li>`
                  }
                </ul>
                ${
                  event.status === 'pending'
                    ? nothing
                    : html`<button
                      part="button"
                      type="button"
                      aria-label="${s.sendAgain}: ${event.type}"
                      aria-disabled=${d.busy ? 'true' : 'false'}
                      @click=${() => void d.sendAgain(event.id)}
                    >
                      ${s.sendAgain}
                    </button>`
                }
              </li>`,
            )}
          </ul>`
        : nothing
    }
  </section>`;
};
