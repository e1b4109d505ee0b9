/**
 * @module The refund flow the element runs: which phase the dialog is in, the calls to the proxy (one at a time, each
 * with a timeout, a stale answer dropped), the Idempotency-Key, and what each answer leads to. It is not the element's
 * controller on purpose: a refund sent goes on while the page moves or removes the element, and its outcome is told.
 */

import type { ReactiveControllerHost } from 'lit';
import type { ErrorCode } from '../../shared/errors.ts';
import type { RequestCreated } from '../../shared/refund-requests.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { CancelRequestInput } from '../../shared/schemas/cancel-request.ts';
import type { NotRefundableReason, RefundView } from '../../shared/schemas/refund-view.ts';
import type { Phase } from './dialog-body.ts';
import {
  RefundErrorEvent,
  RefundRequestedEvent,
  RefundStartEvent,
  RefundSuccessEvent,
  RequestWithdrawnEvent,
} from './events.ts';
import { type FormContext, isAmountValid, isUnderMinimum, needsAccount, offerableOf } from './form.ts';
import { isGrantExpired } from './grant-expiry.ts';
import {
  type Connection,
  cancelPayment,
  createIdempotencyKey,
  type Failure,
  loadPayment,
  type Outcome,
  requestRefund,
  retryOf,
  verifyAccount,
  withdrawRequest,
} from './request.ts';
import type { FailureCode, FailureText } from './strings.ts';

/** What the bank said of the account's holder (POST verify-account, or the refund's own answer). */
export type HolderCheck = 'verified' | 'mismatch';

export const MISMATCH = 'REFUND_ACCOUNT_HOLDER_MISMATCH' satisfies ErrorCode;

/** How long one call may take before it counts as "no answer". */
const TIMEOUT_MS = 30_000;
/** The pause before the one automatic retry after a request got no answer. */
const AUTO_RETRY_MS = 800;

// The origin this script was loaded from: the proxy serves it, so that is where the proxy is unless told otherwise.
const SCRIPT_ORIGIN = new URL(import.meta.url).origin;

/** The element the flow runs in: where to call and as whom, and where its events are fired. */
export interface FlowHost extends ReactiveControllerHost, EventTarget {
  readonly endpoint: string;
  readonly token: string;
  readonly merchantUid: string;
}

/** A failure as the dialog shows it: with what it says, which may be more than its code knows. */
export interface ShownFailure extends Failure {
  readonly text: FailureText;
}

/** What the flow asks of the element's form. */
export interface FlowForm {
  /** The payment, presets and fixed amount the form works with; undefined before the payment is loaded. */
  context(): FormContext | undefined;
  /** The request the form's values make (asked only once they are valid). */
  request(ctx: FormContext): CancelRequestInput;
  /** A phase is about to render: focus `focus` inside it once it has; a loaded payment starts with no field marked. */
  entered(phase: Phase, focus: string): void;
}

export class RefundFlow {
  phase: Phase = 'closed';
  view?: RefundView;
  /** Why the form came back (a failure that reloaded the payment), shown above it. */
  notice?: FailureCode;
  failure?: ShownFailure;
  result?: CancelSuccess;
  /** The retry is held until `Retry-After` has passed. */
  waiting = false;
  /** What is being sent, in the words of the submitting step. */
  sending: 'submitting' | 'sending' | 'withdrawing' = 'submitting';
  #key?: string;
  /** The body sent under `#key`: a retry sends it again as it was, whatever changed on the page since (lang, presets). */
  #body?: CancelRequestInput & { checksum: number; imp_uid?: string };
  /** The pending end of a Retry-After wait. */
  #wait?: ReturnType<typeof setTimeout>;
  /** The key whose refund (or request) was sent and whose outcome the dialog last said is not known yet. */
  #unknownKey?: string;
  /** What "Try again" after a failed send sends again: the refund (or request), or the withdrawal. */
  #redo = () => this.#send();
  /** The developer has been told once why the proxy could not be reached. */
  #told = false;
  #seq = 0;
  #controller?: AbortController;
  readonly #host: FlowHost;
  readonly #form: FlowForm;

  constructor(host: FlowHost, form: FlowForm) {
    this.#host = host;
    this.#form = form;
  }

  get busy(): boolean {
    return this.phase === 'submitting';
  }

  /** Moves to a phase and, once it is rendered, focuses `focus` inside the dialog. */
  go(phase: Phase, focus = '[data-focus]'): void {
    this.phase = phase;
    this.#form.entered(phase, focus);
    this.#host.requestUpdate();
  }

  /** The dialog closed: the call in flight is forgotten. */
  close(): void {
    this.#abort();
    clearTimeout(this.#wait);
    this.waiting = false;
    this.phase = 'closed';
  }

  /** Why this payment cannot be refunded here, or undefined when it can. */
  blocked(): FailureCode | NotRefundableReason | undefined {
    const ctx = this.#form.context()!; // only asked once the payment is loaded
    const { view, fixedAmount } = ctx;
    if (!view.refundable) return view.reason ?? 'REFUND_NOT_ALLOWED';
    // A request cannot revoke an unpaid virtual account (the proxy answers PAYMENT_NOT_PAID): say so before the form.
    if (view.request_mode && view.revocable) return 'not_paid';
    if (needsAccount(ctx) && !view.banks?.length) return 'refund_account_unsupported';
    // The shop's grant allows nothing more for this order.
    if (!view.revocable && offerableOf(view) <= 0) return 'FORBIDDEN';
    // Less is left than the tax-free part the shop's grant says a refund must cover: the shop's to settle.
    if (!view.revocable && isUnderMinimum(view)) return 'REFUND_NOT_ALLOWED';
    if (fixedAmount !== undefined && !isAmountValid(fixedAmount, ctx)) {
      // The page's amount is more than is left, or no amount one can refund (a typo in the attribute, a fraction of a
      // won): the shop's to fix.
      return fixedAmount > offerableOf(view) ? 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT' : 'REFUND_NOT_ALLOWED';
    }
    return undefined;
  }

  /** Loads the payment afresh; `notice` is shown above the form afterwards (why it came back). */
  async load(notice?: FailureCode): Promise<void> {
    this.go('loading');
    const outcome = await this.#call((c) => loadPayment(c, this.#host.merchantUid));
    if (!outcome) return;
    if (!outcome.ok) return this.#fail(outcome.error, 'load-error');
    const view = (this.view = outcome.value);
    const request = view.request;
    this.notice = notice;
    // The order's latest request shows where it stands; a withdrawn one that may be asked again leads to the form.
    const shown = request && !(request.status === 'withdrawn' && request.allow_new_request);
    const next = shown ? 'request' : this.blocked() ? 'blocked' : 'form';
    this.go(next, notice && next !== 'blocked' ? '[part~=notice]' : undefined);
  }

  /** "Request again" after a request that ended: the form (or why there is none). */
  again(): void {
    this.notice = undefined;
    this.go(this.blocked() ? 'blocked' : 'form');
  }

  /** The customer confirmed the withdrawal of the order's request. */
  withdraw(): void {
    if (this.phase === 'withdraw') void this.#withdraw();
  }

  /** The customer confirmed: each confirmation is a new refund, with a new Idempotency-Key (made by #send). */
  confirm(): void {
    if (this.phase !== 'confirm') return;
    this.#key = this.#body = undefined;
    void this.#send();
  }

  /** "Try again": loads the payment again, or sends the same request under the same key. */
  retry(): void {
    if (this.waiting) return;
    void (this.phase === 'load-error' ? this.load() : this.#redo());
  }

  /**
   * What the bank says of the account's holder while the form is shown: `verified`, `mismatch`, or undefined when
   * it cannot say. A call of its own, so it never aborts the flow's.
   */
  async verify(body: object): Promise<HolderCheck | undefined> {
    if (this.phase !== 'form') return;
    const c = { ...this.#connection, signal: AbortSignal.timeout(TIMEOUT_MS) };
    const o = await verifyAccount(c, this.#host.merchantUid, body);
    return o.ok ? (o.value === 'verified' ? o.value : undefined) : o.error.code === MISMATCH ? 'mismatch' : undefined;
  }

  get #connection() {
    // fetch is looked up per call, so a page (or a test) may replace window.fetch
    return {
      endpoint: this.#endpoint,
      token: this.#host.token,
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
    };
  }

  get #endpoint(): string {
    return this.#host.endpoint || SCRIPT_ORIGIN;
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
    const result = await run({ ...this.#connection, signal: controller.signal });
    clearTimeout(timer);
    return seq === this.#seq ? result : undefined;
  }

  /**
   * Tells the page, then shows the failure in `phase` (holding the retry button until `Retry-After` has passed), or,
   * without a phase, reloads the payment and shows the failure above the form.
   */
  #fail(failure: Failure, phase?: Phase, unknown?: FailureText): void {
    const { code } = failure;
    this.#host.dispatchEvent(new RefundErrorEvent({ code, message: failure.message }));
    // Unanswered, the reload shows what came of it: no notice says the service was not reached.
    if (!phase) return void this.load(failure.unanswered ? undefined : code);
    const offline = code === 'NETWORK' && !navigator.onLine;
    if (code === 'NETWORK' && !offline && !this.#told) {
      // The browser hides why (a CORS refusal looks like a server that is down): the page's developer is told once.
      this.#told = true;
      console.error(
        `<refund-button>: no answer from ${this.#endpoint}; if it is up, its ALLOWED_ORIGINS must list ${location.origin}`,
      );
    }
    const expired = code === 'UNAUTHORIZED' && isGrantExpired(this.#host.token, Date.now());
    this.failure = { ...failure, text: offline ? 'offline' : expired ? 'expired' : (unknown ?? code) };
    if (code === 'RATE_LIMITED') {
      this.waiting = true;
      clearTimeout(this.#wait);
      this.#wait = setTimeout(
        () => {
          this.waiting = false;
          this.#host.requestUpdate();
        },
        Math.max(failure.retryAfter ?? 0, 1) * 1000,
      );
    }
    this.go(phase);
  }

  /** Sends the refund (once the page had its say), retrying once on its own when no answer came back. */
  async #send(): Promise<void> {
    const ctx = this.#form.context()!; // a refund is only sent from a loaded form
    if (this.busy) return;
    const body = this.#form.request(ctx);
    const { merchant_uid, cancel_request_amount, reason } = body;
    const start = new RefundStartEvent({
      merchant_uid,
      ...(cancel_request_amount != null && { cancel_request_amount }),
      reason,
      revoke: ctx.view.revocable,
    });
    // Once a refund: a retry sends the same one again (its key kept), which the page has already let through.
    if (!this.#key && !this.#host.dispatchEvent(start)) return; // vetoed: nothing is sent
    const key = (this.#key ??= createIdempotencyKey());
    const asking = ctx.view.request_mode;
    // A refund (and a request, which staff approve later) carries the balance the customer was shown: should the order
    // have been refunded since (another tab, a retry of this one hours later), the proxy makes nothing and answers the
    // fresh figures (a reload). A revocation too: an account paid since, or an order paid again by card, is then not
    // refunded in full for "cancel it". And the payment shown, which tells apart an order paid again by the same amount.
    const refund = (this.#body ??= { ...body, checksum: ctx.view.cancelable_amount, imp_uid: ctx.view.imp_uid });
    const send = () =>
      this.#call<Outcome<CancelSuccess | RequestCreated>>((c) =>
        (asking ? requestRefund : cancelPayment)(c, refund, key),
      );
    this.#redo = () => this.#send();
    this.sending = asking ? 'sending' : 'submitting';
    this.go('submitting');
    let outcome = await send();
    if (outcome?.ok === false && outcome.error.code === 'NETWORK') {
      this.#unknownKey = key; // sent with no answer: it may have been made
      await new Promise((r) => setTimeout(r, AUTO_RETRY_MS));
      // The same key: if the first request did arrive, the proxy answers with its outcome instead of refunding again.
      outcome = await send();
    }
    if (!outcome) return;
    if (outcome.ok) {
      this.#key = this.#body = undefined;
      const { value } = outcome;
      if ('request' in value) {
        // Request mode: the new request is the order's latest, open, so no other may be asked for.
        this.view!.request = { ...value.request, decided_at: null, reject_reason: null, allow_new_request: false };
        this.go('request');
        this.#host.dispatchEvent(new RefundRequestedEvent(value.request));
        return;
      }
      this.result = value;
      this.go('done');
      this.#host.dispatchEvent(new RefundSuccessEvent(value));
      return;
    }
    const { error } = outcome;
    // A retry keeps the key, because the outcome of the earlier attempt may be unknown (no answer, a 500, another
    // refund in flight that may be our own, or an UPSTREAM_UNAVAILABLE whose outcome i'mport could not yet confirm)
    // and only the same key lets the proxy answer with that outcome instead of refunding twice. (When nothing was
    // refunded, the proxy has released the key, so reusing it simply runs the refund.) A reload asks again after
    // reading the payment afresh, under a new key (IDEMPOTENCY_KEY_REUSED: this key cannot be used again).
    const reload = retryOf(error.code) === 'reload';
    if (reload) this.#key = this.#body = undefined;
    // Sent, with no answer of the proxy's own (none, or a front server's page): it may have been made. The dialog
    // says it is not known yet, never that the service was not reached or that nothing was refunded.
    // So is a check again of such a send answered UPSTREAM_UNAVAILABLE (the proxy's ledger or i'mport out of reach):
    // that says this try sent nothing, not what the first one did, and its text ("nothing was refunded") would.
    // And one answered REFUND_IN_PROGRESS: the order's lease may be held by that very send, still running, so "another
    // refund is in progress" (under a red mark) would say this one did not go.
    const again = key === this.#unknownKey;
    const unknown =
      (error.unanswered ||
        ((asking || again) && error.code === 'UPSTREAM_UNAVAILABLE') ||
        (again && error.code === 'REFUND_IN_PROGRESS')) &&
      (asking ? 'requestUnknown' : 'REFUND_OUTCOME_UNKNOWN');
    // Kept for the key whatever a later try answers: only an outcome read for it (a success, a refusal) ends the doubt.
    if (unknown || error.code === 'REFUND_OUTCOME_UNKNOWN') this.#unknownKey = key;
    this.#fail(error, reload ? undefined : 'failed', unknown || undefined);
  }

  /** Withdraws the order's request; a request decided meanwhile (REFUND_REQUEST_DECIDED) is read again and shown. */
  async #withdraw(): Promise<void> {
    const { id } = this.view!.request!; // the withdraw step is only reached from a request
    this.#redo = () => this.#withdraw();
    this.sending = 'withdrawing';
    this.go('submitting');
    const outcome = await this.#call((c) => withdrawRequest(c, id));
    if (!outcome) return;
    // Sent with no answer of the proxy's own, it may have been withdrawn: the request is read again and shown as it
    // stands, never said not to have reached the shop.
    if (!outcome.ok) {
      const { error } = outcome;
      const maybe = error.unanswered || error.code === 'UPSTREAM_UNAVAILABLE'; // the ledger's write may have been made
      if (maybe) return this.#fail({ ...error, unanswered: true }); // read again, shown as it stands, no notice
      return this.#fail(error, retryOf(error.code) === 'reload' ? undefined : 'failed');
    }
    const { request } = outcome.value;
    this.view!.request = request;
    this.notice = undefined;
    this.go('request');
    this.#host.dispatchEvent(new RequestWithdrawnEvent(request));
  }
}
