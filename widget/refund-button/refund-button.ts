/** @module `<refund-button>`: a button that opens a dialog through which a customer refunds one order. */
import { html, LitElement, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { NotRefundableReason, RefundView } from '../../shared/schemas/refund-view.ts';
import { dialogBody, statusOf, type DialogState, type Phase } from './dialog-body.ts';
import {
  RefundCloseEvent,
  RefundErrorEvent,
  RefundOpenEvent,
  RefundStartEvent,
  RefundSuccessEvent,
} from './events.ts';
import {
  buildRequest,
  emptyForm,
  invalidFields,
  isAmountValid,
  isFieldValid,
  needsAccount,
  offerableOf,
  type Field,
  type FormContext,
  type FormValues,
} from './form.ts';
import { fieldOf } from './form-template.ts';
import {
  cancelPayment,
  createIdempotencyKey,
  loadPayment,
  retryOf,
  type Connection,
  type Failure,
} from './request.ts';
import { styles } from './refund-button.styles.ts';
import { formatMoney, STRINGS, type FailureCode, type Lang, type RefundButtonStrings } from './strings.ts';

/** How long one call may take before it counts as "no answer". */
const TIMEOUT_MS = 30_000;
/** The pause before the one automatic retry after a request got no answer. */
const AUTO_RETRY_MS = 800;

// The origin this script was loaded from: the proxy serves it, so that is where the proxy is unless told otherwise.
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/**
 * A button that lets a customer refund one order through the refund proxy: it opens a dialog that shows what was
 * paid and what can still be refunded, asks for the amount, a reason and (for virtual accounts) the account to pay
 * into, confirms, and refunds.
 *
 * @summary A refund button for i'mport (PortOne V1) payments.
 * @tagname refund-button
 *
 * @fires {RefundOpenEvent} refund-open - The dialog opened.
 * @fires {RefundStartEvent} refund-start - A refund is about to be sent; cancelable: `preventDefault()` vetoes it.
 * @fires {RefundSuccessEvent} refund-success - The proxy refunded; `detail` is its answer.
 * @fires {RefundErrorEvent} refund-error - Loading or refunding failed; `detail` is `{ code, message }`.
 * @fires {RefundCloseEvent} refund-close - The dialog closed.
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
 * @csspart link - The receipt link.
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
      converter: (value: string | null) => value?.split('|').map((r) => r.trim()).filter(Boolean),
    },
    label: {},
    disabled: { type: Boolean, reflect: true },
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
  /** Overrides any of the widget's text (see `RefundButtonStrings`), whatever the language. */
  declare strings: Partial<RefundButtonStrings>;

  // The flow's state. Private fields (not reactive properties): every change goes through #go or requestUpdate.
  #phase: Phase = 'closed';
  #view?: RefundView;
  #form: FormValues = emptyForm();
  #invalid = new Set<Field>();
  #notice?: FailureCode;
  #failure?: Failure;
  #result?: CancelSuccess;
  #waiting = false;
  #key?: string;
  #seq = 0;
  #controller?: AbortController;
  #focus?: string;
  #langObserver = new MutationObserver(() => this.requestUpdate());

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
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#langObserver.disconnect();
    this.#abort();
    // A removed modal dialog leaves the top layer but stays open; close it so the button works if put back.
    this.#phase = 'closed';
    this.#dialog?.close(); // not rendered yet if removed right after being added
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.get('merchantUid') && this.#phase !== 'closed' && !this.#busy) void this.#load();
    if (this.#focus) this.shadowRoot!.querySelector<HTMLElement>(this.#focus)?.focus();
    this.#focus = undefined;
  }

  /** Opens the dialog and loads the payment. Does nothing while disabled or already open. */
  async show(): Promise<void> {
    if (this.disabled || this.#phase !== 'closed') return;
    this.#form = emptyForm();
    this.#view = this.#notice = undefined;
    this.#go('loading');
    await this.updateComplete;
    this.#dialog!.showModal(); // rendered by the update just awaited
    this.dispatchEvent(new RefundOpenEvent({ merchant_uid: this.merchantUid }));
    void this.#load();
  }

  /** Closes the dialog. Refused (returns false) while a refund is being sent. */
  close(): boolean {
    if (this.#busy) return false;
    this.#dialog!.close(); // the close button and the API are only reachable once rendered
    this.#onClose(); // now, not when the close event comes: show() may be called again before that
    return true;
  }

  get #dialog(): HTMLDialogElement | null | undefined {
    return this.shadowRoot?.querySelector('dialog');
  }

  get #busy(): boolean {
    return this.#phase === 'submitting';
  }

  /** Own or nearest ancestor `lang` (across shadow roots), then the browser's languages; `ko` when none is ko/en. */
  get #lang(): Lang {
    // Own `lang` from the property: render() runs before the update reflects it to the attribute.
    let tag: string | null = this.lang;
    let node: Node | null = this.parentNode;
    while (node && !tag) {
      tag = node instanceof Element ? node.getAttribute('lang') : null;
      node = node instanceof ShadowRoot ? node.host : node.parentNode;
    }
    for (const t of [tag ?? '', ...navigator.languages]) {
      const primary = t.slice(0, 2).toLowerCase();
      if (primary === 'ko' || primary === 'en') return primary;
    }
    return 'ko';
  }

  get #s(): RefundButtonStrings {
    return { ...STRINGS[this.#lang], ...this.strings };
  }

  get #ctx(): FormContext | undefined {
    const view = this.#view;
    const fixed = this.amount;
    return view && {
      view,
      presets: this.reasons ?? this.#s.presets,
      fixedAmount: fixed! > 0 && !view.revocable ? fixed : undefined, // undefined > 0 is false
    };
  }

  #money(value: number): string {
    return formatMoney(value, this.#view?.currency ?? 'KRW', this.#lang);
  }

  /** The name of one of the payment's banks in the widget's language; the code if the payment does not list it. */
  #bankName(code: string): string {
    const bank = this.#view?.banks?.find((b) => b.code === code);
    return (this.#lang === 'en' ? bank?.name_en : bank?.name_ko) ?? code;
  }

  /** Moves to a phase and, once it is rendered, focuses `focus` inside the dialog. */
  #go(phase: Phase, focus = '[data-focus]'): void {
    this.#phase = phase;
    this.#focus = focus;
    this.requestUpdate();
  }

  /** Forgets the call in flight: its answer, when it comes, is stale. */
  #abort(): void {
    this.#controller?.abort();
    this.#seq++;
  }

  /** Runs one call with a timeout; resolves undefined when a newer call or closing the dialog made it stale. */
  async #call<T>(run: (c: Connection) => Promise<T>): Promise<T | undefined> {
    this.#abort();
    const controller = (this.#controller = new AbortController());
    const seq = this.#seq;
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    const result = await run({
      endpoint: this.endpoint || SCRIPT_ORIGIN,
      token: this.token,
      signal: controller.signal,
      fetch: (...args) => fetch(...args), // looked up per call, so a page (or a test) may replace window.fetch
    });
    clearTimeout(timer);
    return seq === this.#seq ? result : undefined;
  }

  /**
   * Tells the page, then shows the failure in `phase` (holding the retry button until `Retry-After` has passed), or,
   * without a phase, reloads the payment and shows the failure above the form.
   */
  #fail(failure: Failure, phase?: Phase): void {
    const { code } = failure;
    this.dispatchEvent(new RefundErrorEvent({ code, message: failure.message }));
    if (!phase) return void this.#load(code);
    this.#failure = failure;
    if (code === 'RATE_LIMITED') {
      this.#waiting = true;
      setTimeout(() => {
        this.#waiting = false;
        this.requestUpdate();
      }, Math.max(failure.retryAfter ?? 0, 1) * 1000);
    }
    this.#go(phase);
  }

  /** Loads the payment afresh; `notice` is shown above the form afterwards (why it came back). */
  async #load(notice?: FailureCode): Promise<void> {
    this.#go('loading');
    const outcome = await this.#call((c) => loadPayment(c, this.merchantUid));
    if (!outcome) return;
    if (!outcome.ok) return this.#fail(outcome.error, 'load-error');
    this.#view = outcome.value;
    this.#notice = notice;
    this.#invalid = new Set();
    this.#go(this.#blocked() ? 'blocked' : 'form', notice ? '[part~=notice]' : undefined);
  }

  /** Why this payment cannot be refunded here, or undefined when it can. */
  #blocked(): FailureCode | NotRefundableReason | undefined {
    const ctx = this.#ctx!; // only asked once the payment is loaded
    const { view, fixedAmount } = ctx;
    if (!view.refundable) return view.reason ?? 'REFUND_NOT_ALLOWED';
    if (needsAccount(ctx) && !view.banks?.length) return 'refund_account_unsupported';
    // The shop's grant allows nothing more for this order.
    if (!view.revocable && offerableOf(view) <= 0) return 'FORBIDDEN';
    if (fixedAmount && !isAmountValid(fixedAmount, ctx)) return 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT';
    return undefined;
  }

  #onClose(): void {
    if (this.#phase === 'closed' || this.#dialog!.open) return; // already handled, or opened again since
    this.#abort();
    this.#phase = 'closed';
    this.requestUpdate();
    this.shadowRoot!.querySelector('button')!.focus(); // the page's button is the first one rendered
    this.dispatchEvent(new RefundCloseEvent());
  }

  // Esc must do nothing while a refund is in flight. Preventing the keydown stops the close request before it is
  // made; `cancel` is the fallback (Chrome ignores preventDefault on a second Esc without user activation).
  #onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape' && this.#busy) e.preventDefault();
  }

  #onCancel(e: Event): void {
    if (this.#busy) e.preventDefault();
  }

  /**
   * Marks a field valid or not; a field is checked as it is left, and on every keystroke while it is marked.
   * Returns whether its mark changed.
   */
  #check(name: string, always: boolean): boolean {
    const field = fieldOf(name);
    const was = this.#invalid.has(field);
    const ctx = this.#ctx;
    if (!ctx || (!always && !was)) return false; // no payment: the form is being taken down
    if (isFieldValid(field, this.#form, ctx)) this.#invalid.delete(field);
    else this.#invalid.add(field);
    return was !== this.#invalid.has(field);
  }

  #onInput(e: Event): void {
    const input = e.target as HTMLInputElement; // only inputs and selects fire input/change in the form
    const { name, value } = input;
    if (name === 'account' || name === 'phone') input.value = value.replace(/[^\d\s-]/g, '');
    this.#form = name === 'scope' ? { ...this.#form, partial: value === 'partial' } : { ...this.#form, [name]: input.value };
    if (name === 'preset' && value === 'other') this.#focus = '[name=other]';
    if (name === 'scope' && this.#form.partial) this.#focus = '[name=amount]';
    this.#check(name, false);
    this.requestUpdate(); // the choices show and hide fields
  }

  // Text fields are checked as they are left (selects are fine once chosen; an empty one is caught on Continue).
  #onFocusOut(e: FocusEvent): void {
    const input = e.target as HTMLInputElement; // focusout in the form comes from its controls
    // Only a change re-renders: focus also leaves a field when a step change moves it, in the middle of an update.
    if (input.localName === 'input' && input.type !== 'radio' && input.value && this.#check(input.name, true)) {
      this.requestUpdate();
    }
  }

  #onContinue(e: Event): void {
    e.preventDefault();
    this.#invalid = new Set(invalidFields(this.#form, this.#ctx!));
    if (this.#invalid.size) return this.#go('form', '[aria-invalid=true]');
    this.#notice = undefined;
    this.#go('confirm');
  }

  /** The customer confirmed: each confirmation gets a new Idempotency-Key. */
  #onConfirm(): void {
    if (this.#phase !== 'confirm') return;
    this.#key = createIdempotencyKey();
    void this.#send();
  }

  #onRetry(): void {
    if (this.#waiting) return;
    void (this.#phase === 'load-error' ? this.#load() : this.#send());
  }

  /** Sends the refund (once the page had its say), retrying once on its own when no answer came back. */
  async #send(): Promise<void> {
    const ctx = this.#ctx!; // a refund is only sent from a loaded form
    if (this.#busy) return;
    const body = buildRequest(this.#form, ctx);
    const { merchant_uid, cancel_request_amount, reason } = body;
    const start = new RefundStartEvent({
      merchant_uid,
      ...(cancel_request_amount != null && { cancel_request_amount }),
      reason,
      revoke: ctx.view.revocable,
    });
    if (!this.dispatchEvent(start)) return; // vetoed: nothing is sent
    const key = (this.#key ??= createIdempotencyKey());
    const send = () => this.#call((c) => cancelPayment(c, body, key));
    this.#go('submitting');
    let outcome = await send();
    if (outcome?.ok === false && outcome.error.code === 'NETWORK') {
      await new Promise((r) => setTimeout(r, AUTO_RETRY_MS));
      // The same key: if the first request did arrive, the proxy answers with its outcome instead of refunding again.
      outcome = await send();
    }
    if (!outcome) return;
    if (outcome.ok) {
      this.#key = undefined;
      this.#result = outcome.value;
      this.#go('done');
      this.dispatchEvent(new RefundSuccessEvent(outcome.value));
      return;
    }
    const { error } = outcome;
    // A retry keeps the key, because the outcome of the earlier attempt may be unknown (no answer, a 500, another
    // refund in flight that may be our own, or an UPSTREAM_UNAVAILABLE whose outcome i'mport could not yet confirm)
    // and only the same key lets the proxy answer with that outcome instead of refunding twice. (When nothing was
    // refunded, the proxy has released the key, so reusing it simply runs the refund.) A reload asks again after
    // reading the payment afresh, under a new key (IDEMPOTENCY_KEY_REUSED: this key cannot be used again).
    const reload = retryOf(error.code) === 'reload';
    if (reload) this.#key = undefined;
    this.#fail(error, reload ? undefined : 'failed');
  }

  override render(): TemplateResult {
    const s = this.#s;
    const phase = this.#phase;
    const open = phase !== 'closed';
    const d: DialogState = {
      phase,
      s,
      money: (value) => this.#money(value),
      bankName: (code) => this.#bankName(code),
      ctx: this.#ctx,
      values: this.#form,
      invalid: this.#invalid,
      notice: this.#notice,
      blocked: phase === 'blocked' ? this.#blocked() : undefined,
      failure: this.#failure,
      result: this.#result,
      waiting: this.#waiting,
    };
    const on = {
      close: this.close,
      retry: this.#onRetry,
      back: () => this.#go('form', '[part~=submit]'),
      confirm: this.#onConfirm,
      submit: this.#onContinue,
      input: this.#onInput,
      focusOut: this.#onFocusOut,
    };
    return html`<button part="button" type="button" aria-haspopup="dialog" ?disabled=${this.disabled} @click=${this.show}>
        ${this.label || s.button}
      </button>
      <dialog
        part="dialog"
        aria-labelledby="title"
        closedby=${this.#busy ? 'none' : 'closerequest'}
        @close=${this.#onClose}
        @cancel=${this.#onCancel}
        @keydown=${this.#onKeydown}
      >
        ${open
          ? html`<div part="header">
                <h2 id="title" part="title">${s.title}</h2>
                <button part="close-button" type="button" aria-label=${s.close} ?disabled=${this.#busy} @click=${this.close}>
                  <span aria-hidden="true">×</span>
                </button>
              </div>
              <div part="body" aria-busy=${phase === 'loading' || this.#busy}>${dialogBody(d, on)}</div>`
          : nothing}
        <p class="sr-only" role="status">${open ? statusOf(d) : ''}</p>
      </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'refund-button': RefundButton;
  }
}
