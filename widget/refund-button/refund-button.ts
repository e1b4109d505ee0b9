/** @module `<refund-button>`: a button that opens a dialog through which a customer refunds one order. */
import { html, LitElement, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { type DialogState, dialogBody, statusOf } from './dialog-body.ts';
import { RefundCloseEvent, RefundOpenEvent } from './events.ts';
import { buildRequest, type FormContext, needsAccount } from './form.ts';
import { formatDate, formatMoney } from './format.ts';
import { langOf } from './lang.ts';
import { payoutLine } from './payout.ts';
import { styles } from './refund-button.styles.ts';
import { MISMATCH, RefundFlow } from './refund-flow.ts';
import { RefundForm } from './refund-form.ts';
import { type Lang, type RefundButtonStrings, STRINGS } from './strings.ts';

/**
 * A button that lets a customer refund one order through the refund proxy: it opens a dialog that shows what was
 * paid and what can still be refunded, asks for the amount, a reason and (for virtual accounts) the account to pay
 * into, confirms, and refunds. Under a request-mode grant (the view's `request_mode`) it sends a refund request the
 * shop approves or rejects instead, and shows where the order's latest request stands.
 *
 * @summary A refund button for i'mport (PortOne V1) payments.
 * @tagname refund-button
 *
 * @attr {string} endpoint - The refund proxy's origin; default: the origin this script was loaded from.
 * @attr {string} merchant-uid - The order to refund.
 * @attr {string} token - The refund grant the merchant's server minted for this order.
 * @attr {string} contact - How to reach the shop, shown where the customer is told to: a phone number (a `tel:` link),
 *   an email (`mailto:`) or an https URL; anything else is shown as text.
 * @attr {string} payout-days - When a virtual account's refund reaches the customer, in business days: `1`, `1-2` or
 *   `7+`. Absent or unreadable: the proxy's estimate for the payment's PG (none for a PG without a published one).
 *
 * @fires {RefundOpenEvent} refund-open - The dialog opened.
 * @fires {RefundStartEvent} refund-start - A refund (in request mode, a refund request) is about to be sent;
 *   cancelable: `preventDefault()` vetoes it.
 * @fires {RefundSuccessEvent} refund-success - The proxy refunded; `detail` is its answer.
 * @fires {RefundErrorEvent} refund-error - Loading, refunding, requesting or withdrawing failed; `detail` is
 *   `{ code, message }`.
 * @fires {RefundCloseEvent} refund-close - The dialog closed.
 * @fires {RefundRequestedEvent} refund-requested - Request mode: the proxy took the refund request; `detail` is
 *   the request (`{ id, merchant_uid, status, amount, reason, created_at }`).
 * @fires {RequestWithdrawnEvent} refund-request-withdrawn - Request mode: the customer withdrew the order's
 *   request; `detail` is the request as the proxy now has it (`status: "withdrawn"`).
 *
 * @csspart button - The button on the page.
 * @csspart dialog - The `<dialog>`.
 * @csspart header - The dialog's top row (title and close button).
 * @csspart title - The dialog's title.
 * @csspart close-button - The × button.
 * @csspart body - Everything under the header.
 * @csspart summary - The product name and the paid / refunded / refundable amounts.
 * @csspart form - The refund form.
 * @csspart group - A group of fields (amount choice, refund account).
 * @csspart field - One field: label, control, hint and error.
 * @csspart label - A field's label or a group's legend.
 * @csspart input - A text input or select.
 * @csspart choice - A full / partial refund option.
 * @csspart hint - A hint under a field.
 * @csspart error - A field's error message.
 * @csspart notice - A message above the form (why the payment cannot be refunded, or why the form came back).
 * @csspart note - The explanation shown instead of the amount when an unpaid virtual account is cancelled.
 * @csspart mark - The ✓ or ! above a finished step.
 * @csspart message - A step without a form (loading, confirm, processing, done, failed).
 * @csspart heading - The heading of such a step.
 * @csspart spinner - The loading and processing indicator.
 * @csspart actions - A row of buttons.
 * @csspart submit - A primary button (continue, refund, retry, done).
 * @csspart secondary - A secondary button (close, back).
 * @csspart link - The receipt link, and the shop's contact.
 *
 * @cssprop --refund-button-accent - Primary colour (buttons, focus ring, selection).
 * @cssprop --refund-button-on-accent - Text on the primary colour.
 * @cssprop --refund-button-bg - Dialog and field background.
 * @cssprop --refund-button-fg - Text colour.
 * @cssprop --refund-button-muted - Secondary text colour.
 * @cssprop --refund-button-surface - Background of the summary, notices and secondary buttons.
 * @cssprop --refund-button-border - Border colour of fields.
 * @cssprop --refund-button-danger - Error colour.
 * @cssprop --refund-button-success - Success colour.
 * @cssprop --refund-button-radius - Corner radius of buttons and fields.
 * @cssprop --refund-button-font - Font family.
 * @cssprop --refund-button-backdrop - What covers the page behind the dialog.
 * @cssprop --refund-button-width - The dialog's width (it never exceeds the screen).
 */
export class RefundButton extends LitElement {
  static override styles = styles;

  // Declared statically, not with decorators (Vite does not lower standard decorators). The fields below are
  // `declare`d so that no class field shadows the accessors Lit puts on the prototype.
  static override properties: PropertyDeclarations = {
    endpoint: {},
    merchantUid: { attribute: 'merchant-uid' },
    token: {},
    lang: { reflect: true },
    amount: { type: Number },
    reasons: {
      converter: (value: string | null) =>
        value
          ?.split('|')
          .map((r) => r.trim())
          .filter(Boolean),
    },
    label: {},
    disabled: { type: Boolean, reflect: true },
    contact: {},
    payoutDays: { attribute: 'payout-days' },
    strings: { attribute: false },
  };

  /** The refund proxy's origin (`https://refunds.example.com`). Default: the origin this script was loaded from. */
  declare endpoint: string;
  /** The order to refund, as i'mport knows it. */
  declare merchantUid: string;
  /** The refund grant the merchant's server minted for this order. */
  declare token: string;
  /** `ko` or `en`. Default: the nearest `lang` above the element, then the browser's languages; else `ko`. */
  declare lang: string;
  /** A fixed amount to refund (a partial refund the customer cannot change). Absent: the customer chooses. */
  declare amount: number | undefined;
  /** Preset reasons, separated by `|` in the attribute. Absent: the default presets; empty: free text only. */
  declare reasons: string[] | undefined;
  /** The button's text. Default: `환불 요청` / `Request refund`. */
  declare label: string;
  /** Disables the button. */
  declare disabled: boolean;
  /** How to reach the shop: a phone number, an email or an https URL (a link), or any text. */
  declare contact: string | undefined;
  /** When a virtual account's refund arrives, in business days: `1`, `1-2` or `7+`. Absent: the proxy's estimate. */
  declare payoutDays: string | undefined;
  /** Overrides any of the widget's text (see `RefundButtonStrings`), whatever the language. */
  declare strings: Partial<RefundButtonStrings>;

  // Not reactive properties: every change to the form or the flow goes through requestUpdate.
  #form: RefundForm = new RefundForm(
    () => this.#ctx,
    (body) => this.#flow.verify(body),
    () => this.requestUpdate(),
  );
  /** What to focus once the next update has rendered. */
  #focus?: string;
  #flow: RefundFlow = new RefundFlow(this, {
    context: () => this.#ctx,
    request: (ctx) => buildRequest(this.#form.values, ctx),
    entered: (phase, focus) => {
      this.#focus = focus;
      if (phase === 'loading') this.#form.invalid = new Map(); // a payment loaded afresh starts with no field marked
      // The refund's own mismatch is said under the holder's field, as the check's is, rather than above the form.
      if (phase === 'form' && this.#flow.notice === MISMATCH && needsAccount(this.#ctx!)) {
        this.#flow.notice = undefined;
        this.#form.found('mismatch');
        this.#focus = '#holder';
      }
    },
  });
  #langObserver = new MutationObserver(() => this.requestUpdate());

  /** What last took focus in the dialog: by the time the page's removal is heard, focus has already left it. */
  #was?: HTMLElement;

  constructor() {
    super();
    this.endpoint = '';
    this.merchantUid = '';
    this.token = '';
    this.label = '';
    this.disabled = false;
    this.strings = {};
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A `lang` set on an ancestor (or the page) after load still switches the language.
    this.#langObserver.observe(document.documentElement, { subtree: true, attributeFilter: ['lang'] });
    // Moved (a list re-sorted, a page re-rendered), the dialog and what it does (a refund in flight) carry on, and the
    // page hears how it ended. A removed modal dialog leaves the top layer but stays open: shown modal again. Its close
    // event, which comes later, finds it open and is ignored. Focus goes back where the customer was: showing it focuses
    // its first control (×), heard as the last focus, so what was is read before.
    const was = this.#was;
    const dialog = this.#dialog;
    if (dialog?.open) {
      dialog.close();
      dialog.showModal();
      was?.focus();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#langObserver.disconnect();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const flow = this.#flow;
    // Another order, or another grant for it (its mode, its cap): the view on screen was read for what no longer holds.
    const reread = changed.get('merchantUid') || changed.has('token');
    if (reread && flow.phase !== 'closed' && !flow.busy) void flow.load();
    if (this.#focus) this.shadowRoot!.querySelector<HTMLElement>(this.#focus)?.focus();
    this.#focus = undefined;
  }

  /** Opens the dialog and loads the payment. Does nothing while disabled or already open. */
  async show(): Promise<void> {
    const flow = this.#flow;
    if (this.disabled || flow.phase !== 'closed') return;
    this.#form.clear();
    flow.view = flow.notice = undefined;
    flow.go('loading');
    await this.updateComplete;
    // Taken out of the page before it could open (a row re-rendered on the click): nothing opened, and the button works
    // once put back.
    if (!this.isConnected) return flow.close();
    this.#dialog!.showModal(); // rendered by the update just awaited
    this.dispatchEvent(new RefundOpenEvent({ merchant_uid: this.merchantUid }));
    void flow.load();
  }

  /** Closes the dialog. Refused (returns false) while a refund is being sent. */
  close(): boolean {
    if (this.#flow.busy) return false;
    this.#dialog!.close(); // the close button and the API are only reachable once rendered
    this.#onClose(); // now, not when the close event comes: show() may be called again before that
    return true;
  }

  get #dialog(): HTMLDialogElement | null | undefined {
    return this.shadowRoot?.querySelector('dialog');
  }

  get #lang(): Lang {
    // Own `lang` from the property: render() runs before the update reflects it to the attribute.
    return langOf(this.lang, this.parentNode);
  }

  get #s(): RefundButtonStrings {
    return { ...STRINGS[this.#lang], ...this.strings };
  }

  get #ctx(): FormContext | undefined {
    const view = this.#flow.view;
    const fixed = this.amount;
    return (
      view && {
        view,
        presets: this.reasons ?? this.#s.presets,
        // Set but unreadable ("1,000", 0): blocked() refuses it, never taken for "no amount" (a refund in full).
        fixedAmount: fixed != null && !view.revocable ? fixed : undefined,
      }
    );
  }

  #money(value: number): string {
    return formatMoney(value, this.#flow.view?.currency ?? 'KRW', this.#lang);
  }

  /** The name of one of the payment's banks in the widget's language; the code if the payment does not list it. */
  #bankName(code: string): string {
    const bank = this.#flow.view?.banks?.find((b) => b.code === code);
    return (this.#lang === 'en' ? bank?.name_en : bank?.name_ko) ?? code;
  }

  #onClose(): void {
    if (this.#flow.phase === 'closed' || this.#dialog!.open) return; // already handled, or opened again since
    this.#flow.close();
    this.requestUpdate();
    this.shadowRoot!.querySelector('button')!.focus(); // the page's button is the first one rendered
    this.dispatchEvent(new RefundCloseEvent());
  }

  // Esc must do nothing while a refund is in flight. Preventing the keydown stops the close request before it is
  // made; `cancel` is the fallback (Chrome ignores preventDefault on a second Esc without user activation).
  #onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.#flow.busy) e.preventDefault();
  }

  #onCancel(e: Event): void {
    if (this.#flow.busy) e.preventDefault();
  }

  #onInput(e: Event): void {
    // Only inputs and selects fire input/change in the form.
    this.#form.input(e.target as HTMLInputElement);
    this.requestUpdate(); // the choices show and hide fields
  }

  #onFocusOut(e: FocusEvent): void {
    // Only a change re-renders: focus also leaves a field when a step change moves it, in the middle of an update.
    // Focusout in the form comes from its controls.
    if (this.#form.left(e.target as HTMLInputElement)) this.requestUpdate();
  }

  #onContinue(e: Event): void {
    e.preventDefault();
    if (this.#form.validate()) {
      this.#flow.notice = undefined;
      this.#flow.go('confirm');
    } else {
      this.#flow.go('form', '[aria-invalid=true]');
    }
  }

  override render(): TemplateResult {
    const s = this.#s;
    // Said in the language the texts are in, whatever the page's lang (ja, none): a screen reader picks its voice by it.
    const lang = this.#lang;
    const flow = this.#flow;
    const { phase, busy } = flow;
    const open = phase !== 'closed';
    const d: DialogState = {
      phase,
      s,
      money: (value) => this.#money(value),
      bankName: (code) => this.#bankName(code),
      ctx: this.#ctx,
      values: this.#form.values,
      invalid: this.#form.invalid,
      check: this.#form.check,
      notice: flow.notice,
      blocked: phase === 'blocked' ? flow.blocked() : undefined,
      failure: flow.failure,
      result: flow.result,
      waiting: flow.waiting,
      contact: this.contact,
      payout: payoutLine(s, this.payoutDays, flow.view?.payout_estimate),
      date: (seconds) => formatDate(seconds, lang),
      sending: flow.sending,
    };
    const on = {
      close: this.close,
      retry: () => flow.retry(),
      back: () => (phase === 'withdraw' ? flow.go('request') : flow.go('form', '[part~=submit]')),
      confirm: () => flow.confirm(),
      reload: () => flow.load(),
      askWithdraw: () => flow.go('withdraw'),
      withdraw: () => flow.withdraw(),
      again: () => flow.again(),
      submit: this.#onContinue,
      input: this.#onInput,
      focusOut: this.#onFocusOut,
    };
    return html`<button
        part="button"
        lang=${lang}
        type="button"
        aria-haspopup="dialog"
        ?disabled=${this.disabled}
        @click=${this.show}
      >
        ${this.label || s.button}
      </button>
      <dialog
        part="dialog"
        lang=${lang}
        aria-labelledby="title"
        closedby=${busy ? 'none' : 'closerequest'}
        @close=${this.#onClose}
        @cancel=${this.#onCancel}
        @keydown=${this.#onKeydown}
        @focusin=${(e: FocusEvent) => (this.#was = e.target as HTMLElement)}
      >
        ${
          open
            ? html`<div part="header">
                <h2 id="title" part="title">${s.title}</h2>
                <button part="close-button" type="button" aria-label=${s.close} ?disabled=${busy} @click=${this.close}>
                  <span aria-hidden="true">×</span>
                </button>
              </div>
              <div part="body" aria-busy=${phase === 'loading' || busy}>${dialogBody(d, on)}</div>`
            : nothing
        }
        <p class="sr-only" role="status">${open ? statusOf(d) : ''}</p>
      </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'refund-button': RefundButton;
  }
}
