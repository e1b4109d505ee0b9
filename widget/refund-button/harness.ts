/**
 * @module What the tests of `<refund-button>` share: the fake proxy loaded with payments and answers, and a harness
 * that finds things in the shadow root and acts like a customer.
 */
import { expect, fixture, waitUntil } from '@open-wc/testing';
import type { RequestCreated, RequestView } from '../../shared/refund-requests.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import '../index.ts';
import { type Answer, type FakeProxy, installFakeProxy, json } from './fake-proxy.ts';
import type { RefundButton } from './refund-button.ts';
import { STRINGS } from './strings.ts';

export { failure, held, json } from './fake-proxy.ts';

// ---------------------------------------------------------------------------------------------------------------
// The fake proxy: GET /payments/:uid answers with a view, and every POST (a refund, a refund request, a withdrawal)
// from a queue.

/** The payment views to serve, in order. */
type Views = RefundView | Answer | (RefundView | Answer)[];

let fake: FakeProxy | undefined;

/** POST /payments/:uid/verify-account's answer (the holder check while typing): "unavailable" unless a test says. */
let verifyAnswer: () => Answer = () => json({ ok: true, holder_check: 'unavailable' });

/** Sets how the holder check while typing is answered (until the next proxy()). */
export const verifyWith = (answer: () => Answer): void => {
  verifyAnswer = answer;
};

/**
 * Installs the fake proxy: views are served in order (the last one repeats), POST answers likewise; the holder
 * check's calls are answered apart (verifyWith) and are not among posts().
 */
export function proxy(view: Views, ...cancel: Answer[]): void {
  fake?.uninstall();
  const asAnswer = (v: RefundView | Answer): Answer =>
    v instanceof Response || v === 'network' || v instanceof Promise ? v : json(v);
  const views = (Array.isArray(view) ? view : [view]).map(asAnswer);
  const next = (queue: Answer[]) => (queue.length > 1 ? queue.shift()! : queue[0]!); // a test gives at least one
  verifyAnswer = () => json({ ok: true, holder_check: 'unavailable' });
  fake = installFakeProxy(({ method, url }) =>
    isVerify(url) ? verifyAnswer() : next(method === 'POST' ? cancel : views),
  );
}

const isVerify = (url: string) => url.endsWith('/verify-account');

/** Puts the real `fetch` back (after each test). */
export function uninstallProxy(): void {
  fake?.uninstall();
  fake = undefined;
}

export const calls = () => fake?.calls ?? [];
export const posts = () => calls().filter((c) => c.method === 'POST' && !isVerify(c.url));
export const verifies = () => calls().filter((c) => isVerify(c.url));
export const gets = () => calls().filter((c) => c.method === 'GET');

// ---------------------------------------------------------------------------------------------------------------
// Payments and answers.

export const card: RefundView = {
  merchant_uid: 'order-1',
  name: '여름 티셔츠',
  amount: 12000,
  cancel_amount: 3000,
  cancelable_amount: 9000,
  currency: 'KRW',
  pay_method: 'card',
  pg_provider: 'html5_inicis',
  status: 'paid',
  paid_at: 1_700_000_000,
  refundable: true,
  revocable: false,
  refund_account_required: false,
  refund_tel_required: false,
  payout_estimate: null,
};

export const vbank: RefundView = {
  ...card,
  pay_method: 'vbank',
  refund_account_required: true,
  banks: [
    { code: '04', name_ko: 'KB국민은행', name_en: 'KB Kookmin Bank' },
    { code: '88', name_ko: '신한은행', name_en: 'Shinhan Bank' },
  ],
};

export const success = (extra: Partial<CancelSuccess> = {}): Response =>
  json({
    ok: true,
    merchant_uid: 'order-1',
    imp_uid: 'imp_1',
    refunded: 9000,
    cancel_amount: 12000,
    cancelable_amount: 0,
    status: 'cancelled',
    pay_method: 'card',
    pending: false,
    ...extra,
  } satisfies CancelSuccess);

/** A card payment under a request-mode grant, with no request yet. */
export const asking: RefundView = { ...card, request_mode: true, request: null };

/** 2026-12-03 12:00 UTC: December 3rd from UTC-11 to UTC+11, where the browser's clock shows it. */
export const MADE_AT = 1_796_299_200;

/** The order's latest request, requested unless `fields` say otherwise. */
export const aRequest = (fields: Partial<RequestView> = {}): RequestView => ({
  id: 'req_1',
  status: 'requested',
  amount: 9000,
  reason: '단순 변심',
  created_at: MADE_AT,
  decided_at: null,
  reject_reason: null,
  allow_new_request: false,
  ...fields,
});

/** A request-mode payment whose latest request is `aRequest(fields)`. */
export const withRequest = (fields: Partial<RequestView> = {}): RefundView => ({
  ...asking,
  request: aRequest(fields),
});

/** The 201 answer of POST /refund-requests. */
export const created = (): Response =>
  json(
    {
      ok: true,
      request: {
        id: 'req_1',
        merchant_uid: 'order-1',
        status: 'requested',
        amount: 9000,
        reason: '단순 변심',
        created_at: MADE_AT,
      },
    } satisfies RequestCreated,
    201,
  );

// ---------------------------------------------------------------------------------------------------------------
// A harness: find things in the shadow root, act like a customer.

export const ko = STRINGS.ko;
export const en = STRINGS.en;

/** Renders a `<refund-button>` for order-1 on the fake proxy; `attrs` come first, so they win over the defaults. */
export async function mount(attrs = 'lang="ko"', view: Views = card, ...cancel: Answer[]): Promise<RefundButton> {
  proxy(view, ...cancel);
  return fixture<RefundButton>(
    `<refund-button ${attrs} merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>`,
  );
}

export const $ = <T extends HTMLElement = HTMLElement>(el: RefundButton, selector: string): T | null =>
  el.shadowRoot!.querySelector<T>(selector);
export const $$ = (el: RefundButton, selector: string): HTMLElement[] => [
  ...el.shadowRoot!.querySelectorAll<HTMLElement>(selector),
];
export const textOf = (el: RefundButton): string => ($(el, 'dialog')?.textContent ?? '').replace(/\s+/g, ' ');
export const dialog = (el: RefundButton) => $<HTMLDialogElement>(el, 'dialog')!;
/** The words of every button the widget shows, in order. */
export const buttons = (el: RefundButton): string[] => $$(el, 'button').map((b) => b.textContent!.trim());

/** Waits until the dialog shows `text` (and Lit has rendered). */
export async function shows(el: RefundButton, text: string): Promise<void> {
  const never = () => `dialog never showed "${text}"; it shows "${textOf(el)}"`;
  await waitUntil(() => textOf(el).includes(text), never(), { timeout: 3000 });
  await el.updateComplete;
}

export async function click(el: RefundButton, selector: string): Promise<void> {
  const target = $(el, selector);
  if (!target) throw new Error(`nothing matches ${selector}; the dialog shows "${textOf(el)}"`);
  target.click();
  await el.updateComplete;
}

/** Clicks the button whose text is `label`. */
export async function press(el: RefundButton, label: string): Promise<void> {
  const button = $$(el, 'button').find((b) => b.textContent!.trim() === label);
  if (!button) throw new Error(`no button "${label}"; the dialog shows "${textOf(el)}"`);
  button.click();
  await el.updateComplete;
}

/** Types into (or chooses in) the control named `name`, then leaves it. */
export async function fill(el: RefundButton, name: string, value: string): Promise<void> {
  const control = $<HTMLInputElement>(el, `[name=${name}]`);
  if (!control) throw new Error(`no control named ${name}`);
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  control.dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
  await el.updateComplete;
}

export async function choosePartial(el: RefundButton, amount: string): Promise<void> {
  const partial = $<HTMLInputElement>(el, '[name=scope][value=partial]')!;
  partial.click();
  await el.updateComplete;
  await fill(el, 'amount', amount);
}

export async function openForm(el: RefundButton): Promise<void> {
  await click(el, '[part=button]');
  await waitUntil(() => $(el, 'form'), `the form never showed; the dialog shows "${textOf(el)}"`);
  await el.updateComplete;
}

/** Opens the form, gives the first preset reason and continues to the confirm step. */
export async function toConfirm(el: RefundButton): Promise<void> {
  await openForm(el);
  await fill(el, 'preset', '0');
  await click(el, 'form [part=submit]');
  await waitUntil(() => !$(el, 'form'));
}

/** The error message tied to a control through aria-describedby, checking the control is marked invalid. */
export function errorFor(el: RefundButton, name: string): string {
  const control = $(el, `[name=${name}]`);
  if (!control) throw new Error(`no control ${name}: ${el.shadowRoot!.querySelector('form')?.innerHTML}`);
  expect(control.getAttribute('aria-invalid'), `${name} aria-invalid`).to.equal('true');
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ');
  const error = ids.map((id) => el.shadowRoot!.getElementById(id)).find((n) => n?.getAttribute('part') === 'error');
  expect(error, `${name} has an error in aria-describedby`).to.exist;
  return error!.textContent!.trim();
}

/** Runs axe once the dialog's opening animation is over (mid-fade, every colour is paler than it will be). */
export async function accessible(el: RefundButton): Promise<void> {
  const finite = el.shadowRoot!.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
  await Promise.all(finite.map((a) => a.finished));
  await expect(el).to.be.accessible();
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
