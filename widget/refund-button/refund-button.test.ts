/** @module Tests of `<refund-button>` through what a customer sees, with the proxy stubbed at the fetch level. */
import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ERROR_CODES, ERRORS, type ErrorCode } from '../../shared/errors.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import '../index.ts';
import type { RefundErrorEvent, RefundStartEvent, RefundSuccessEvent } from './events.ts';
import type { RefundButton } from './refund-button.ts';
import { STRINGS } from './strings.ts';

// ---------------------------------------------------------------------------------------------------------------
// The fake proxy: answers GET /payments/:uid with a view and POST /payments/cancel from a queue, recording calls.

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

/** An answer: a Response, `'network'` (fetch rejects), or a promise of either (to hold a request in flight). */
type Answer = Response | 'network' | Promise<Response | 'network'>;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const failure = (code: ErrorCode, message = 'detail from the proxy', extra: object = {}, headers = {}): Response =>
  json({ ok: false, error: { code, message }, ...extra }, ERRORS[code].status, headers);

/** A request that stays in flight until `release` is called. */
const held = () => {
  let release!: (answer: Response | 'network') => void;
  const promise = new Promise<Response | 'network'>((resolve) => (release = resolve));
  return { promise, release };
};

const realFetch = window.fetch;
let calls: Call[] = [];
let viewAnswers: Answer[] = [];
let cancelAnswers: Answer[] = [];

/** Installs the fake proxy: views are served in order (the last one repeats), cancel answers likewise. */
function proxy(view: RefundView | Answer | (RefundView | Answer)[], ...cancel: Answer[]): void {
  calls = [];
  const asAnswer = (v: RefundView | Answer): Answer => (v instanceof Response || v === 'network' || v instanceof Promise ? v : json(v));
  viewAnswers = (Array.isArray(view) ? view : [view]).map(asAnswer);
  cancelAnswers = cancel;
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    calls.push({ url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body });
    const queue = url.endsWith('/payments/cancel') ? cancelAnswers : viewAnswers;
    const answer = await (queue.length > 1 ? queue.shift()! : queue[0]!);
    if (answer === 'network') throw new TypeError('Failed to fetch');
    return answer.clone();
  };
}

const posts = () => calls.filter((c) => c.method === 'POST');
const gets = () => calls.filter((c) => c.method === 'GET');

afterEach(() => {
  window.fetch = realFetch;
});

// ---------------------------------------------------------------------------------------------------------------
// Payments and answers.

const card: RefundView = {
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
};

const vbank: RefundView = {
  ...card,
  pay_method: 'vbank',
  refund_account_required: true,
  banks: [
    { code: '04', name_ko: 'KB국민은행', name_en: 'KB Kookmin Bank' },
    { code: '88', name_ko: '신한은행', name_en: 'Shinhan Bank' },
  ],
};

const success = (extra: Partial<CancelSuccess> = {}): Response =>
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

// ---------------------------------------------------------------------------------------------------------------
// A harness: find things in the shadow root, act like a customer.

const ko = STRINGS.ko;
const en = STRINGS.en;

async function mount(attrs = 'lang="ko"', view: RefundView | Answer | (RefundView | Answer)[] = card, ...cancel: Answer[]) {
  proxy(view, ...cancel);
  const el = await fixture<RefundButton>(
    `<refund-button ${attrs} merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>`, // the first of two same attributes wins
  );
  return el;
}

const $ = <T extends HTMLElement = HTMLElement>(el: RefundButton, selector: string): T | null =>
  el.shadowRoot!.querySelector<T>(selector);
const $$ = (el: RefundButton, selector: string): HTMLElement[] => [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
const textOf = (el: RefundButton): string => ($(el, 'dialog')?.textContent ?? '').replace(/\s+/g, ' ');
const dialog = (el: RefundButton) => $<HTMLDialogElement>(el, 'dialog')!;

/** Waits until the dialog shows `text` (and Lit has rendered). */
async function shows(el: RefundButton, text: string): Promise<void> {
  await waitUntil(() => textOf(el).includes(text), `dialog never showed "${text}"; it shows "${textOf(el)}"`, { timeout: 3000 });
  await el.updateComplete;
}

async function click(el: RefundButton, selector: string): Promise<void> {
  const target = $(el, selector);
  if (!target) throw new Error(`nothing matches ${selector}; the dialog shows "${textOf(el)}"`);
  target.click();
  await el.updateComplete;
}

/** Clicks the button whose text is `label`. */
async function press(el: RefundButton, label: string): Promise<void> {
  const button = $$(el, 'button').find((b) => b.textContent!.trim() === label);
  if (!button) throw new Error(`no button "${label}"; the dialog shows "${textOf(el)}"`);
  button.click();
  await el.updateComplete;
}

/** Types into (or chooses in) the control named `name`, then leaves it. */
async function fill(el: RefundButton, name: string, value: string): Promise<void> {
  const control = $<HTMLInputElement>(el, `[name=${name}]`);
  if (!control) throw new Error(`no control named ${name}`);
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  control.dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
  await el.updateComplete;
}

async function choosePartial(el: RefundButton, amount: string): Promise<void> {
  const partial = $<HTMLInputElement>(el, '[name=scope][value=partial]')!;
  partial.click();
  await el.updateComplete;
  await fill(el, 'amount', amount);
}

async function openForm(el: RefundButton): Promise<void> {
  await click(el, '[part=button]');
  await waitUntil(() => $(el, 'form'), `the form never showed; the dialog shows "${textOf(el)}"`);
  await el.updateComplete;
}

/** Opens the form, gives the first preset reason and continues to the confirm step. */
async function toConfirm(el: RefundButton): Promise<void> {
  await openForm(el);
  await fill(el, 'preset', '0');
  await click(el, 'form [part=submit]');
  await waitUntil(() => !$(el, 'form'));
}

/** The error message tied to a control through aria-describedby, checking the control is marked invalid. */
function errorFor(el: RefundButton, name: string): string {
  const control = $(el, `[name=${name}]`);
  if (!control) throw new Error(`no control ${name}: ${el.shadowRoot!.querySelector('form')?.innerHTML}`);
  expect(control.getAttribute('aria-invalid'), `${name} aria-invalid`).to.equal('true');
  const ids = (control.getAttribute('aria-describedby') ?? '').split(' ');
  const error = ids.map((id) => el.shadowRoot!.getElementById(id)).find((n) => n?.getAttribute('part') === 'error');
  expect(error, `${name} has an error in aria-describedby`).to.exist;
  return error!.textContent!.trim();
}

/** Runs axe once the dialog's opening animation is over (mid-fade, every colour is paler than it will be). */
async function accessible(el: RefundButton): Promise<void> {
  const finite = el.shadowRoot!.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
  await Promise.all(finite.map((a) => a.finished));
  await expect(el).to.be.accessible();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------------------------

describe('<refund-button>', () => {
  describe('button', () => {
    it('renders the default label for the language, or the label attribute', async () => {
      const el = await mount();
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal('환불 요청');
      el.lang = 'en';
      await el.updateComplete;
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal('Request refund');
      el.label = '주문 취소';
      await el.updateComplete;
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal('주문 취소');
    });

    it('does not open while disabled', async () => {
      const el = await mount('lang="ko" disabled');
      expect($<HTMLButtonElement>(el, '[part=button]')!.disabled).to.be.true;
      await el.show();
      expect(dialog(el).open).to.be.false;
      expect(calls).to.have.length(0);
    });

    it('works again after being removed while open', async () => {
      const el = await mount();
      await openForm(el);
      const parent = el.parentNode!;
      el.remove();
      parent.append(el);
      await el.updateComplete;
      expect(dialog(el).open).to.be.false;
      await openForm(el);
      expect(gets()).to.have.length(2);
    });

    it('is accessible when closed', async () => {
      const el = await mount();
      await accessible(el);
    });
  });

  describe('loading the payment', () => {
    it('opens a modal dialog, shows loading, then the summary with Intl-formatted amounts', async () => {
      const pending = held();
      const el = await mount('lang="ko"', pending.promise);
      const opened = oneEvent(el, 'refund-open');
      await click(el, '[part=button]');
      expect((await opened).detail).to.deep.equal({ merchant_uid: 'order-1' });
      expect(dialog(el).open).to.be.true;
      expect(dialog(el).matches(':modal')).to.be.true;
      await shows(el, ko.loading);
      expect($(el, '[part=body]')!.getAttribute('aria-busy')).to.equal('true');
      expect($(el, '[role=status]')!.textContent).to.equal(ko.loading);
      await accessible(el);

      pending.release(json(card));
      await shows(el, '여름 티셔츠');
      expect($(el, '[part=body]')!.getAttribute('aria-busy')).to.equal('false');
      const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
      expect(rows).to.deep.equal(['결제금액12,000원', '환불된금액3,000원', '환불가능금액9,000원']);
      await accessible(el);
    });

    it('asks the proxy with the grant, at the endpoint', async () => {
      const el = await mount('lang="ko" merchant-uid="order/1"');
      await openForm(el);
      expect(gets()).to.have.length(1);
      expect(gets()[0]!.url).to.equal('https://proxy.test/payments/order%2F1');
      expect(gets()[0]!.headers.get('Authorization')).to.equal('Bearer grant-1');
    });

    it('talks to the origin it was loaded from when no endpoint is given', async () => {
      proxy(card);
      const el = await fixture<RefundButton>(html`<refund-button merchant-uid="order-1" token="t" lang="ko"></refund-button>`);
      await openForm(el);
      expect(gets()[0]!.url).to.equal(`${location.origin}/payments/order-1`);
    });

    it('shows English amounts as ₩9,000', async () => {
      const el = await mount('lang="en"');
      await openForm(el);
      const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
      expect(rows).to.deep.equal(['Paid₩12,000', 'Alreadyrefunded₩3,000', 'Refundable₩9,000']);
    });

    it('formats other currencies with Intl', async () => {
      const el = await mount('lang="en"', { ...card, currency: 'USD', amount: 12.5, cancel_amount: 0, cancelable_amount: 12.5 });
      await openForm(el);
      expect(textOf(el)).to.include('$12.50');
    });

    it('shows an error with a retry when loading fails, and retries', async () => {
      const el = await mount('lang="ko"', ['network', card]);
      const error = oneEvent(el, 'refund-error');
      await click(el, '[part=button]');
      expect((await error).detail.code).to.equal('NETWORK');
      await shows(el, ko.loadFailed);
      expect(textOf(el)).to.include(ko.NETWORK);
      await accessible(el);
      await press(el, ko.retry);
      await shows(el, '여름 티셔츠');
      expect(gets()).to.have.length(2);
    });

    it('offers no retry when the grant has expired', async () => {
      const el = await mount('lang="ko"', json({ ok: false, error: { code: 'UNAUTHORIZED', message: 'expired' } }, 401));
      await click(el, '[part=button]');
      await shows(el, ko.UNAUTHORIZED);
      expect($$(el, 'button').map((b) => b.textContent!.trim())).to.not.include(ko.retry);
    });

    it('judges an answer that is not ours by its status', async () => {
      const el = await mount('lang="ko"', new Response('<html>Not Found</html>', { status: 404 }));
      await click(el, '[part=button]');
      await shows(el, ko.PAYMENT_NOT_FOUND);
    });

    it('does not trust a view that does not match the schema', async () => {
      const el = await mount('lang="ko"', json({ ...card, cancelable_amount: 'lots' }));
      await click(el, '[part=button]');
      await shows(el, ko.INTERNAL);
    });
  });

  describe('a payment that cannot be refunded', () => {
    const cases: [RefundView, string][] = [
      [{ ...card, refundable: false, reason: 'fully_refunded', cancelable_amount: 0 }, ko.fully_refunded],
      [{ ...card, refundable: false, reason: 'phone_previous_month', pay_method: 'phone' }, ko.phone_previous_month],
      [{ ...card, refundable: false, reason: 'not_paid', status: 'ready' }, ko.not_paid],
      [{ ...card, refundable: false, reason: 'refund_account_unsupported' }, ko.refund_account_unsupported],
      [{ ...card, refundable: false }, ko.REFUND_NOT_ALLOWED],
      [{ ...vbank, banks: [] }, ko.refund_account_unsupported],
    ];
    for (const [view, message] of cases) {
      it(`says why: ${message}`, async () => {
        const el = await mount('lang="ko"', view);
        await click(el, '[part=button]');
        await shows(el, message);
        expect($(el, 'form')).to.be.null;
        expect($(el, '[role=alert]')!.textContent).to.equal(message);
        await accessible(el);
      });
    }
  });

  describe('the form', () => {
    it('refunds everything refundable by default, and omits the amount', async () => {
      const el = await mount('lang="ko"', card, success());
      await openForm(el);
      expect($<HTMLInputElement>(el, '[value=full]')!.checked).to.be.true;
      expect($(el, '[name=amount]')).to.be.null;
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await shows(el, '9,000원을 환불할까요?');
      await press(el, ko.refund);
      await shows(el, ko.done);
      expect(posts()[0]!.body).to.deep.equal({ merchant_uid: 'order-1', reason: '단순 변심' });
    });

    it('checks a partial amount: required, at most the refundable amount, whole won', async () => {
      const el = await mount();
      await openForm(el);
      await choosePartial(el, '');
      await fill(el, 'preset', '1');
      await click(el, 'form [part=submit]');
      const message = '1원 이상 9,000원 이하로 입력해 주세요.';
      expect(errorFor(el, 'amount')).to.equal(message);
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[name=amount]'));
      expect($(el, '[name=amount]')!.getAttribute('aria-describedby')).to.include('amount-hint');
      expect($(el, '#amount-hint')!.textContent).to.equal('최대 9,000원');
      await accessible(el);

      await fill(el, 'amount', '9001');
      expect(errorFor(el, 'amount')).to.equal(message);
      await fill(el, 'amount', '100.5');
      expect(errorFor(el, 'amount')).to.equal(message);
      await fill(el, 'amount', '5,000');
      expect($(el, '[name=amount]')!.getAttribute('aria-invalid')).to.equal('false');
      expect($(el, '#amount-error')).to.be.null;
      await click(el, 'form [part=submit]');
      await shows(el, '5,000원을 환불할까요?');
    });

    it('allows cents in a currency that has them', async () => {
      const el = await mount('lang="en"', { ...card, currency: 'USD', amount: 20, cancel_amount: 0, cancelable_amount: 20 }, success());
      await openForm(el);
      await choosePartial(el, '12.34');
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await shows(el, 'Refund $12.34?');
      await press(el, en.refund);
      await shows(el, en.done);
      expect(posts()[0]!.body!.cancel_request_amount).to.equal(12.34);
    });

    it('requires a reason, from the presets or typed', async () => {
      const el = await mount();
      await openForm(el);
      expect($$(el, '[name=preset] option').map((o) => o.textContent)).to.deep.equal([
        ko.choose,
        ...ko.presets,
        ko.other,
      ]);
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'preset')).to.equal(ko.reasonError);
      await fill(el, 'preset', 'other');
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[name=other]'));
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'other')).to.equal(ko.reasonError);
      expect($(el, '[name=preset]')!.getAttribute('aria-invalid')).to.equal('false');
      await fill(el, 'other', '   ');
      expect(errorFor(el, 'other')).to.equal(ko.reasonError);
      await fill(el, 'other', '  사이즈가 안 맞아요 ');
      expect($(el, '[name=other]')!.getAttribute('aria-invalid')).to.equal('false');
      await click(el, 'form [part=submit]');
      await shows(el, ko.confirmBody);
    });

    it('takes the presets from the reasons attribute, and free text only when it is empty', async () => {
      const el = await mount('lang="ko" reasons="사이즈 교환 | 색상 불만"', card, success());
      await openForm(el);
      expect($$(el, '[name=preset] option').map((o) => o.textContent)).to.deep.equal([ko.choose, '사이즈 교환', '색상 불만', ko.other]);
      await fill(el, 'preset', '1');
      await click(el, 'form [part=submit]');
      await press(el, ko.refund);
      await shows(el, ko.done);
      expect(posts()[0]!.body!.reason).to.equal('색상 불만');

      const free = await mount('lang="ko" reasons=""');
      await openForm(free);
      expect($(free, '[name=preset]')).to.be.null;
      expect($(free, 'label[for=other]')!.textContent).to.equal(ko.reason);
      await click(free, 'form [part=submit]');
      expect(errorFor(free, 'other')).to.equal(ko.reasonError);
    });

    it('asks for the refund account of a virtual account, checking each field', async () => {
      const el = await mount('lang="ko"', vbank, success({ pending: true, pay_method: 'vbank' }));
      await openForm(el);
      expect($$(el, 'legend').map((l) => l.textContent)).to.deep.equal([ko.amount, ko.account]);
      expect($$(el, '[name=bank] option').map((o) => o.textContent)).to.deep.equal([ko.choose, 'KB국민은행', '신한은행']);
      expect($(el, '[name=phone]')).to.be.null;
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'holder')).to.equal(ko.holderError);
      expect(errorFor(el, 'bank')).to.equal(ko.bankError);
      expect(errorFor(el, 'account')).to.equal(ko.accountError);
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[name=holder]'));
      await accessible(el);

      await fill(el, 'holder', ' 홍길동 ');
      await fill(el, 'bank', '88');
      await fill(el, 'account', '110-12');
      expect(errorFor(el, 'account')).to.equal(ko.accountError);
      await fill(el, 'account', '110-123 4568400가');
      expect($<HTMLInputElement>(el, '[name=account]')!.value).to.equal('110-123 4568400'); // letters never get in
      expect($(el, '[name=account]')!.getAttribute('aria-invalid')).to.equal('false');
      await click(el, 'form [part=submit]');
      await shows(el, '신한은행 ****8400 (예금주 홍길동) 계좌로 영업일 기준 1일 안에 입금돼요.');
      await press(el, ko.refund);
      await shows(el, ko.pending);
      expect(textOf(el)).to.include(ko.pendingDetail);
      expect(posts()[0]!.body).to.deep.equal({
        merchant_uid: 'order-1',
        reason: '단순 변심',
        refund_holder: '홍길동',
        refund_bank: '88',
        refund_account: '1101234568400',
      });
    });

    it('asks for a phone number where the PG needs one', async () => {
      const el = await mount('lang="en"', { ...vbank, pg_provider: 'smartro', refund_tel_required: true }, success());
      await openForm(el);
      await fill(el, 'preset', '0');
      await fill(el, 'holder', 'Hong Gildong');
      await fill(el, 'bank', '04');
      await fill(el, 'account', '12345678');
      await fill(el, 'phone', '010-12');
      expect(errorFor(el, 'phone')).to.equal(en.phoneError);
      await fill(el, 'phone', '010-1234-5678');
      await click(el, 'form [part=submit]');
      await shows(el, 'It will be paid into KB Kookmin Bank ****5678 (Hong Gildong) within one business day.');
      await press(el, en.refund);
      await shows(el, en.done);
      expect(posts()[0]!.body!.refund_tel).to.equal('01012345678');
    });

    it('refunds a fixed amount given by the page', async () => {
      const el = await mount('lang="ko" amount="5000"', card, success({ refunded: 5000, cancelable_amount: 4000 }));
      await openForm(el);
      expect($(el, '[name=scope]')).to.be.null;
      expect(textOf(el)).to.include('5,000원');
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await shows(el, '5,000원을 환불할까요?');
      await press(el, ko.refund);
      await shows(el, '5,000원 환불 · 남은 금액 4,000원');
      expect(posts()[0]!.body!.cancel_request_amount).to.equal(5000);
    });

    it('refuses a fixed amount above what can be refunded', async () => {
      const el = await mount('lang="ko" amount="10000"');
      await click(el, '[part=button]');
      await shows(el, ko.CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT);
      expect($(el, 'form')).to.be.null;
    });
    it('offers no more than the grant still allows, and sends that amount for "all"', async () => {
      const capped: RefundView = { ...card, grant_remaining: 3000 };
      const el = await mount('lang="ko"', capped, success({ refunded: 3000, cancelable_amount: 6000 }));
      await openForm(el);
      expect($(el, '[part=summary]')!.textContent!.replace(/\s+/g, '')).to.include('환불가능금액3,000원');
      expect($(el, '[value=full]')!.parentElement!.textContent!.trim()).to.equal('최대 3,000원');
      await choosePartial(el, '4000');
      expect(errorFor(el, 'amount')).to.equal('1원 이상 3,000원 이하로 입력해 주세요.');
      $<HTMLInputElement>(el, '[name=scope][value=full]')!.click();
      await el.updateComplete;
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await shows(el, '3,000원을 환불할까요?');
      await press(el, ko.refund);
      await shows(el, ko.done);
      expect(posts()[0]!.body).to.deep.equal({ merchant_uid: 'order-1', cancel_request_amount: 3000, reason: '단순 변심' });
    });

    it('offers nothing once the grant allows nothing more', async () => {
      const el = await mount('lang="en"', { ...card, grant_remaining: 0 });
      await click(el, '[part=button]');
      await shows(el, en.FORBIDDEN);
      expect($(el, 'form')).to.be.null;
    });
  });

  describe('confirming and refunding', () => {
    it('says exactly what will happen, and sends the grant and an Idempotency-Key', async () => {
      const el = await mount('lang="en"', card, success());
      await toConfirm(el);
      expect(textOf(el)).to.include('Refund ₩9,000?');
      expect(textOf(el)).to.include("This can't be undone.");
      expect(el.shadowRoot!.activeElement?.textContent).to.equal('Refund ₩9,000?'); // not the Refund button
      await accessible(el);
      const succeeded = oneEvent(el, 'refund-success');
      await press(el, en.refund);
      const { detail } = (await succeeded) as RefundSuccessEvent;
      expect(detail.imp_uid).to.equal('imp_1');
      const post = posts()[0]!;
      expect(post.url).to.equal('https://proxy.test/payments/cancel');
      expect(post.headers.get('Authorization')).to.equal('Bearer grant-1');
      expect(post.headers.get('Content-Type')).to.equal('application/json');
      expect(post.headers.get('Idempotency-Key')).to.match(UUID);
      await shows(el, en.done);
      expect(textOf(el)).to.include('₩9,000 refunded · ₩0 left');
      expect($(el, '[role=status]')!.textContent).to.equal(en.done);
      await accessible(el);
      await press(el, en.ok);
      expect(dialog(el).open).to.be.false;
    });

    it('shows processing, and cannot be submitted twice or closed while in flight', async () => {
      const pending = held();
      const el = await mount('lang="ko"', card, pending.promise);
      await toConfirm(el);
      const refund = $$(el, 'button').find((b) => b.textContent!.trim() === ko.refund)!;
      refund.click();
      refund.click();
      await shows(el, ko.submitting);
      expect($(el, '[part=body]')!.getAttribute('aria-busy')).to.equal('true');
      expect($<HTMLButtonElement>(el, '[part=close-button]')!.disabled).to.be.true;
      await accessible(el);
      expect(el.close()).to.be.false;
      await sendKeys({ press: 'Escape' });
      await sendKeys({ press: 'Escape' });
      expect(dialog(el).open).to.be.true;
      pending.release(success());
      await shows(el, ko.done);
      expect(posts()).to.have.length(1);
    });

    it('lets the page veto the refund', async () => {
      const el = await mount('lang="ko"', card, success());
      await toConfirm(el);
      el.addEventListener('refund-start', (e) => e.preventDefault(), { once: true });
      const start = oneEvent(el, 'refund-start');
      await press(el, ko.refund);
      const { detail } = (await start) as RefundStartEvent;
      expect(detail).to.deep.equal({ merchant_uid: 'order-1', reason: '단순 변심', revoke: false });
      await aTimeout(50);
      expect(posts()).to.have.length(0);
      expect(textOf(el)).to.include(ko.confirmBody); // still asking
      await press(el, ko.refund); // no veto this time
      await shows(el, ko.done);
      expect(posts()).to.have.length(1);
    });

    it('goes back to the form with what was entered', async () => {
      const el = await mount();
      await openForm(el);
      await choosePartial(el, '3000');
      await fill(el, 'preset', '2');
      await click(el, 'form [part=submit]');
      await press(el, ko.back);
      await waitUntil(() => $(el, 'form'));
      expect($<HTMLInputElement>(el, '[name=amount]')!.value).to.equal('3000');
      expect($<HTMLSelectElement>(el, '[name=preset]')!.value).to.equal('2');
      expect(el.shadowRoot!.activeElement).to.equal($(el, 'form [part=submit]'));
    });

    it('revokes an unpaid virtual account instead of refunding', async () => {
      const ready: RefundView = { ...vbank, status: 'ready', revocable: true, refund_account_required: false, cancel_amount: 0, cancelable_amount: 12000 };
      const el = await mount('lang="ko"', ready, success({ refunded: 0, revoked: true, cancelable_amount: 0, pay_method: 'vbank' }));
      await openForm(el);
      expect(textOf(el)).to.include(ko.revokeNote);
      expect(textOf(el)).to.include('주문 금액');
      expect($(el, '[name=scope]')).to.be.null;
      expect($(el, '[name=holder]')).to.be.null;
      await fill(el, 'preset', '3');
      await click(el, 'form [part=submit]');
      await shows(el, ko.revokeTitle);
      expect(textOf(el)).to.include(ko.revokeBody);
      const start = oneEvent(el, 'refund-start');
      await press(el, ko.revoke);
      expect(((await start) as RefundStartEvent).detail.revoke).to.be.true;
      await shows(el, ko.revoked);
      expect(textOf(el)).to.include(ko.revokedDetail);
      expect(posts()[0]!.body).to.deep.equal({ merchant_uid: 'order-1', reason: '주문 실수' });
    });

    it('links the receipt when the proxy gives one, never a script URL', async () => {
      const el = await mount('lang="ko"', card, success({ receipt_url: 'https://receipt.test/1' }));
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.receipt);
      expect($<HTMLAnchorElement>(el, '[part=link]')!.href).to.equal('https://receipt.test/1');

      const bad = await mount('lang="ko"', card, success({ receipt_url: 'javascript:alert(1)' }));
      await toConfirm(bad);
      await press(bad, ko.refund);
      await shows(bad, ko.done);
      expect($(bad, '[part=link]')).to.be.null;
    });
  });

  describe('failures', () => {
    for (const code of ERROR_CODES) {
      it(`shows its own message for ${code}, in both languages`, async () => {
        for (const lang of ['ko', 'en'] as const) {
          const el = await mount(`lang="${lang}"`, card, failure(code, 'card issuer said no'));
          const s = STRINGS[lang];
          await toConfirm(el);
          const error = oneEvent(el, 'refund-error');
          await press(el, s.refund);
          expect(((await error) as RefundErrorEvent).detail).to.deep.equal({ code, message: 'card issuer said no' });
          const message = s[code].replace('{message}', 'card issuer said no');
          await shows(el, message);
          const buttons = $$(el, 'button').map((b) => b.textContent!.trim());
          if (ERRORS[code].retry === 'reload') {
            await waitUntil(() => $(el, 'form'));
            expect($(el, '[part=notice]')!.textContent).to.equal(message);
            expect(gets()).to.have.length(2); // the numbers were loaded again
          } else {
            expect($(el, '[role=status]')!.textContent).to.equal(message);
            expect(buttons.includes(s.retry), `retry offered for ${code}`).to.equal(ERRORS[code].retry === 'same_key');
          }
          await accessible(el);
        }
      });
    }

    it('reloads the numbers when the refundable amount changed, and asks again', async () => {
      const el = await mount(
        'lang="ko"',
        [card, { ...card, cancel_amount: 7000, cancelable_amount: 5000 }],
        failure('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 'changed', { cancelable_amount: 5000 }),
        success({ refunded: 5000 }),
      );
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN);
      await waitUntil(() => $(el, 'form'));
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[part=notice]'));
      const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
      expect(rows[2]).to.equal('환불가능금액5,000원');
      await click(el, 'form [part=submit]');
      await shows(el, '5,000원을 환불할까요?');
      await press(el, ko.refund);
      await shows(el, ko.done);
      const [first, second] = posts();
      expect(first!.headers.get('Idempotency-Key')).to.not.equal(second!.headers.get('Idempotency-Key'));
    });

    it('retries by itself after no answer, with the same Idempotency-Key', async () => {
      const el = await mount('lang="ko"', card, 'network', success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.done);
      const [first, second] = posts();
      expect(posts()).to.have.length(2);
      expect(first!.headers.get('Idempotency-Key')).to.match(UUID);
      expect(second!.headers.get('Idempotency-Key')).to.equal(first!.headers.get('Idempotency-Key'));
    });

    it('offers a retry with the same key when the automatic retry got no answer either', async () => {
      const el = await mount('lang="ko"', card, 'network', 'network', success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.NETWORK);
      await accessible(el);
      await press(el, ko.retry);
      await shows(el, ko.done);
      const keys = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(3);
      expect(new Set(keys).size).to.equal(1);
    });

    it('keeps the key for a retry after UPSTREAM_UNAVAILABLE, whose refund may still turn out to have happened', async () => {
      const el = await mount('lang="ko"', card, failure('UPSTREAM_UNAVAILABLE'), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.UPSTREAM_UNAVAILABLE);
      await press(el, ko.retry);
      await shows(el, ko.done);
      const [a, b] = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(b).to.equal(a);
    });

    it('keeps the key for a retry after a 500; when the proxy says the key is spent, reloads and asks with a new one', async () => {
      const el = await mount('lang="ko"', card, failure('INTERNAL'), failure('IDEMPOTENCY_KEY_REUSED'), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.INTERNAL);
      await press(el, ko.retry);
      await shows(el, ko.IDEMPOTENCY_KEY_REUSED);
      await waitUntil(() => $(el, 'form'));
      expect($(el, '[part=notice]')!.textContent).to.equal(ko.IDEMPOTENCY_KEY_REUSED);
      expect(gets()).to.have.length(2); // the payment was read again
      await click(el, 'form [part=submit]');
      await press(el, ko.refund);
      await shows(el, ko.done);
      const [a, b, c] = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(b).to.equal(a);
      expect(c).to.not.equal(b);
    });

    it('takes a new key for each confirmation', async () => {
      const el = await mount('lang="ko"', card, success());
      await toConfirm(el);
      el.addEventListener('refund-start', (e) => e.preventDefault(), { once: true });
      await press(el, ko.refund);
      await press(el, ko.back);
      await click(el, 'form [part=submit]');
      await press(el, ko.refund);
      await shows(el, ko.done);
      await press(el, ko.ok);
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.done);
      const keys = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(2);
      expect(keys[0]).to.not.equal(keys[1]);
    });

    it('holds the retry until Retry-After has passed', async () => {
      const el = await mount('lang="ko"', card, failure('RATE_LIMITED', 'slow down', {}, { 'Retry-After': '1' }), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.RATE_LIMITED);
      const retry = () => $$(el, 'button').find((b) => b.textContent!.trim() === ko.retry)!;
      expect(retry().getAttribute('aria-disabled')).to.equal('true');
      retry().click();
      await aTimeout(50);
      expect(posts()).to.have.length(1);
      await waitUntil(() => retry().getAttribute('aria-disabled') === 'false', 'retry never released', { timeout: 2500 });
      await press(el, ko.retry);
      await shows(el, ko.done);
      expect(posts()).to.have.length(2);
    });
  });

  describe('events', () => {
    it('fires every event bubbling and composed, through a shadow root', async () => {
      proxy(card, success());
      const host = await fixture<HTMLDivElement>(html`<div></div>`);
      const root = host.attachShadow({ mode: 'open' });
      root.innerHTML = '<refund-button merchant-uid="order-1" token="t" endpoint="https://proxy.test" lang="ko"></refund-button>';
      const el = root.querySelector('refund-button')!; // typed RefundButton through HTMLElementTagNameMap
      await el.updateComplete;
      const seen: string[] = [];
      for (const name of ['refund-open', 'refund-start', 'refund-success', 'refund-error', 'refund-close'] as const) {
        document.addEventListener(name, (e) => seen.push(`${e.type}:${e.bubbles}:${e.composed}`), { once: true });
      }
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.done);
      await press(el, ko.ok);
      expect(seen).to.deep.equal([
        'refund-open:true:true',
        'refund-start:true:true',
        'refund-success:true:true',
        'refund-close:true:true',
      ]);
    });
  });

  describe('keyboard and focus', () => {
    it('moves focus into the dialog and back to the button; Esc closes', async () => {
      const el = await mount();
      $(el, '[part=button]')!.focus();
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => $(el, 'form'));
      await el.updateComplete;
      expect(dialog(el).contains(el.shadowRoot!.activeElement)).to.be.true;
      const closed = oneEvent(el, 'refund-close');
      await sendKeys({ press: 'Escape' });
      await closed;
      expect(dialog(el).open).to.be.false;
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[part=button]'));
    });

    it('works through the whole flow by keyboard alone', async () => {
      const el = await mount('lang="en"', card, success());
      $(el, '[part=button]')!.focus();
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => $(el, 'form'));
      await el.updateComplete;
      const focused = () => el.shadowRoot!.activeElement as HTMLElement | null;
      // Focus starts on the product name; Tab goes through the controls in order.
      await sendKeys({ press: 'Tab' });
      expect(focused()?.getAttribute('value')).to.equal('full');
      await sendKeys({ press: 'ArrowRight' }); // partial refund
      await el.updateComplete;
      await waitUntil(() => focused()?.getAttribute('name') === 'amount', 'focus moves to the amount');
      await sendKeys({ type: '4000' });
      await sendKeys({ press: 'Tab' }); // reason
      expect(focused()?.getAttribute('name')).to.equal('preset');
      await sendKeys({ press: 'ArrowDown' }); // the first preset
      await sendKeys({ press: 'Tab' }); // Close
      await sendKeys({ press: 'Tab' }); // Continue
      expect(focused()?.textContent?.trim()).to.equal(en.next);
      await sendKeys({ press: 'Enter' });
      await shows(el, 'Refund ₩4,000?');
      await sendKeys({ press: 'Tab' }); // Back
      await sendKeys({ press: 'Tab' }); // Refund
      expect(focused()?.textContent?.trim()).to.equal(en.refund);
      await sendKeys({ press: 'Enter' });
      await shows(el, en.done);
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Enter' }); // Done
      await waitUntil(() => !dialog(el).open);
      expect(posts()[0]!.body).to.deep.equal({ merchant_uid: 'order-1', cancel_request_amount: 4000, reason: en.presets[0] });
    });
  });

  describe('language', () => {
    it('follows the nearest lang, then the browser, and switches live', async () => {
      proxy(card);
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="en-GB"><section><refund-button merchant-uid="order-1" token="t" endpoint="https://proxy.test"></refund-button></section></div>`,
      );
      const el = wrapper.querySelector('refund-button')!;
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal(en.button);
      wrapper.setAttribute('lang', 'ko');
      await waitUntil(() => $(el, '[part=button]')!.textContent!.trim() === ko.button, 'follows the ancestor');
      await openForm(el);
      expect(textOf(el)).to.include('환불 가능 금액');
      el.lang = 'en'; // its own lang wins, and the open dialog switches
      await el.updateComplete;
      expect(textOf(el)).to.include('Refundable');
      expect(textOf(el)).to.include('₩9,000');
      wrapper.setAttribute('lang', 'fr');
      el.removeAttribute('lang');
      await el.updateComplete;
      const browser = navigator.languages.find((l) => /^(ko|en)/i.test(l))?.slice(0, 2).toLowerCase() ?? 'ko';
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal(STRINGS[browser as 'ko' | 'en'].button);
    });

    it('keeps field errors in the new language', async () => {
      const el = await mount();
      await openForm(el);
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'preset')).to.equal(ko.reasonError);
      el.lang = 'en';
      await el.updateComplete;
      expect(errorFor(el, 'preset')).to.equal(en.reasonError);
    });

    it('lets the page override any text', async () => {
      const el = await mount();
      el.strings = { button: '반품하고 환불받기', confirmTitle: '{amount} 돌려드릴까요?' };
      await el.updateComplete;
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal('반품하고 환불받기');
      await toConfirm(el);
      expect(textOf(el)).to.include('9,000원 돌려드릴까요?');
    });
  });

  it('is accessible with dark colours and reduced motion too', async () => {
    const { emulateMedia } = await import('@web/test-runner-commands');
    await emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    try {
      const el = await mount('lang="ko"', vbank);
      await openForm(el);
      await click(el, 'form [part=submit]');
      await accessible(el);
      const spinner = getComputedStyle(dialog(el)).animationName;
      expect(spinner).to.equal('none');
    } finally {
      await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    }
  });
});
