/** @module `<refund-desk>`: the staff console of the merchant's back office over the proxy's `/staff/` routes. */

import { html, LitElement, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { langOf } from '../../widget/refund-button/lang.ts';
import { StaffApi } from './api.ts';
import { DeskController } from './controller.ts';
import { orderScreen } from './order.ts';
import { queueScreen } from './queue.ts';
import { refundsScreen } from './refunds.ts';
import { requestScreen } from './request.ts';
import { type DeskStrings, type Lang, STRINGS } from './strings.ts';
import { styles } from './styles.ts';

// The origin this script was loaded from: the proxy serves it, so that is where the proxy is unless told otherwise
// (as <refund-button> does); the admin page it is embedded in is often on another origin.
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/**
 * The console where staff see the customers' refund requests, approve or reject them, and look through every refund
 * and each order's merchant webhooks. It authorizes with a short-lived staff grant, never an admin key.
 *
 * @summary The staff console for refund requests (request mode).
 * @tagname refund-desk
 *
 * @attr {string} endpoint - The refund proxy's origin; default: the origin this script was loaded from.
 * @attr {string} token - The staff grant (`role: "staff"`) the merchant's backend minted for the signed-in staff member.
 * @attr {string} lang - `ko` or `en`; default: the nearest `lang` above, then the browser's; else `ko`.
 *
 * @fires {DeskApprovedEvent} refund-desk:approved - A request was approved; `detail` is `{ ok, request, refund }`.
 * @fires {DeskRejectedEvent} refund-desk:rejected - A request was rejected; `detail` is `{ request }`.
 * @fires {DeskRedeliveredEvent} refund-desk:redelivered - A webhook event was queued again; `{ event_id, merchant_uid }`.
 * @fires {DeskErrorEvent} refund-desk:error - A call failed; `detail` is `{ code, message }`.
 *
 * @csspart nav - The tabs (requests, refunds).
 * @csspart tab - One tab.
 * @csspart status-line - The live region that says each action's outcome.
 * @csspart screen - The screen shown.
 * @csspart heading - A screen's heading.
 * @csspart filters - The filter form above a list.
 * @csspart field - A labelled control.
 * @csspart label - A control's label.
 * @csspart input - An input, select or textarea.
 * @csspart list - A list of requests, refunds, attempts or webhook events.
 * @csspart row - One item of such a list.
 * @csspart status - A status badge.
 * @csspart age - How long ago a request was made.
 * @csspart summary - The amounts of a request or order.
 * @csspart form - The approve or reject form.
 * @csspart hint - A hint under a field.
 * @csspart error - A field's error.
 * @csspart choice - The "allow a new request" checkbox.
 * @csspart confirm - The approve confirm step.
 * @csspart question - Its question ("45,000원 환불을 승인할까요?").
 * @csspart actions - A row of buttons.
 * @csspart submit - A primary button.
 * @csspart button - Any other button.
 * @csspart link - An order number that opens the order.
 * @csspart note - A muted line (loading, empty, decided by).
 *
 * @cssprop --refund-desk-accent - Primary colour (primary buttons, focus ring, current tab).
 * @cssprop --refund-desk-on-accent - Text on the primary colour.
 * @cssprop --refund-desk-bg - Background.
 * @cssprop --refund-desk-fg - Text colour.
 * @cssprop --refund-desk-muted - Secondary text colour.
 * @cssprop --refund-desk-surface - Background of summaries, badges and buttons.
 * @cssprop --refund-desk-border - Border colour of fields and buttons.
 * @cssprop --refund-desk-danger - Error colour.
 * @cssprop --refund-desk-radius - Corner radius.
 * @cssprop --refund-desk-font - Font family.
 */
export class RefundDesk extends LitElement {
  static override styles = styles;

  // Declared statically and `declare`d, as <refund-button> does: no decorators, no class fields over Lit's accessors.
  static override properties: PropertyDeclarations = {
    endpoint: {},
    token: {},
    lang: { reflect: true },
  };

  /** The refund proxy's origin. Default: the origin this script was loaded from. */
  declare endpoint: string;
  /** The staff grant. */
  declare token: string;
  /** `ko` or `en`. */
  declare lang: string;

  #desk = new DeskController(this);
  #api: StaffApi | null = null;
  #apiKey = '';

  constructor() {
    super();
    this.endpoint = '';
    this.token = '';
  }

  /** @internal The client for the current endpoint and grant. */
  get api(): StaffApi {
    const endpoint = this.endpoint || SCRIPT_ORIGIN;
    const key = `${endpoint} ${this.token}`;
    if (!this.#api || key !== this.#apiKey) {
      this.#api = new StaffApi(endpoint, this.token);
      this.#apiKey = key;
    }
    return this.#api;
  }

  /** @internal */
  get s(): DeskStrings {
    return STRINGS[this.uiLang];
  }

  /** @internal The language shown. */
  get uiLang(): Lang {
    return langOf(this.lang ?? '', this.parentNode);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.token) this.#loadQueue();
  }

  /** The queue's first page, then whether a failed request waits (the queue's notice). */
  #loadQueue(): void {
    void this.#desk.loadQueue().then(this.#desk.checkFailed);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A grant given after the element was added (a backend call away) loads the queue then.
    // A grant renewed after the queue's read was refused (an expired one) reads it again.
    if (changed.has('token') && this.token && (changed.get('token') === '' || this.#desk.queue.failed))
      this.#loadQueue();
    const focus = this.#desk.focus;
    this.#desk.focus = null;
    if (focus) this.shadowRoot!.querySelector<HTMLElement>(`[part~='screen'] ${focus}`)?.focus();
  }

  override render(): TemplateResult {
    const d = this.#desk;
    const s = this.s;
    const lang = this.uiLang;
    const now = Date.now();
    const tab = (label: string, current: boolean, go: () => void) =>
      html`<button part="tab" type="button" aria-current=${current ? 'page' : 'false'} @click=${go}>${label}</button>`;
    const listScreen = d.screen === 'queue' || d.screen === 'request';
    return html`<h1>${s.title}</h1>
      <nav part="nav" aria-label=${s.title}>
        ${tab(s.tabQueue, listScreen, d.showQueue)} ${tab(s.tabRefunds, !listScreen, d.showRefunds)}
      </nav>
      <p part="status-line" role="status">${keyed(d.messageSeq, html`<span>${d.message}</span>`)}</p>
      ${
        d.screen === 'queue'
          ? queueScreen(d, s, lang, now)
          : d.screen === 'request'
            ? requestScreen(d, s, lang, now)
            : d.screen === 'refunds'
              ? refundsScreen(d, s, lang)
              : orderScreen(d, s, lang, d.orderUid)
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'refund-desk': RefundDesk;
  }
}
