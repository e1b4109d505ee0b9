/**
 * @module Tests of `<refund-button>` through what a customer sees: the button, loading the payment, a payment that
 * cannot be refunded, events, language and accessibility.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import {
  $,
  $$,
  accessible,
  asking,
  calls,
  card,
  click,
  dialog,
  en,
  errorFor,
  failure,
  fill,
  gets,
  held,
  json,
  ko,
  mount,
  openForm,
  press,
  proxy,
  shows,
  success,
  textOf,
  toConfirm,
  uninstallProxy,
  vbank,
} from './harness.ts';
import type { RefundButton } from './refund-button.ts';
import { STRINGS } from './strings.ts';

describe('<refund-button>', () => {
  afterEach(uninstallProxy);

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

    it('keeps its dialog, modal, when moved while open, and works again once closed', async () => {
      const el = await mount();
      await openForm(el);
      const parent = el.parentNode!;
      el.remove();
      parent.append(el);
      await el.updateComplete;
      expect(dialog(el).matches(':modal'), 'shown modal again, not inline in the page').to.be.true;
      expect($(el, 'form'), 'the form it held').to.exist;
      expect(el.close()).to.be.true;
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

    // The view's request mode and grant cap are the grant's: a form read under the old grant, kept after the page
    // swapped it, sent a refund the new one refuses (FORBIDDEN for a request-mode grant).
    it('reads the order again when the page gives another order or another grant while the dialog is open', async () => {
      const el = await mount('lang="ko"', [card, { ...card, merchant_uid: 'order-2' }, asking]);
      await openForm(el);
      el.setAttribute('merchant-uid', 'order-2');
      await waitUntil(() => gets().length === 2, 'not read again for another order');
      el.setAttribute('token', 'grant-2');
      await waitUntil(() => gets().length === 3, 'not read again for another grant');
      expect(gets()[2]!.headers.get('Authorization')).to.equal('Bearer grant-2');
      await waitUntil(() => $(el, 'form'));
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await shows(el, '9,000원 환불을 요청할까요?');
    });

    it('talks to the origin it was loaded from when no endpoint is given', async () => {
      proxy(card);
      const el = await fixture<RefundButton>(
        html`<refund-button merchant-uid="order-1" token="t" lang="ko"></refund-button>`,
      );
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
      const usd: RefundView = { ...card, currency: 'USD', amount: 12.5, cancel_amount: 0, cancelable_amount: 12.5 };
      const el = await mount('lang="en"', usd);
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

    it('says only that the payment did not load when the gateway failed the look, not that nothing was refunded', async () => {
      for (const lang of ['ko', 'en'] as const) {
        const el = await mount(`lang="${lang}"`, [
          failure('UPSTREAM_UNAVAILABLE', "i'mport could not be reached"),
          card,
        ]);
        const texts = lang === 'ko' ? ko : en;
        await click(el, '[part=button]');
        await shows(el, texts.loadFailed);
        // Opening the dialog tried no refund; of an order refunded in part before, "nothing was refunded" is untrue.
        expect(textOf(el)).to.not.include(texts.UPSTREAM_UNAVAILABLE);
        await press(el, texts.retry);
        await shows(el, '여름 티셔츠');
      }
    });

    it('offers no retry when the grant is refused', async () => {
      const el = await mount('lang="ko"', failure('UNAUTHORIZED', 'invalid signature'));
      await click(el, '[part=button]');
      await shows(el, ko.UNAUTHORIZED);
      expect($$(el, 'button').map((b) => b.textContent!.trim())).to.not.include(ko.retry);
    });

    it('judges an answer that is not ours by its status, and says "not found" once', async () => {
      const el = await mount('lang="ko"', new Response('<html>Not Found</html>', { status: 404 }));
      await click(el, '[part=button]');
      await shows(el, ko.PAYMENT_NOT_FOUND);
      expect(textOf(el)).to.not.include(ko.loadFailed); // it would say the same thing twice
      expect($(el, '[role=status]')!.textContent).to.equal(ko.PAYMENT_NOT_FOUND);
      expect($$(el, '[part=message] p')).to.have.length(0);
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
      // A request-mode grant on a proxy that takes no requests (no data key): said before any form.
      [{ ...card, refundable: false, reason: 'request_mode_off', request_mode: true }, ko.request_mode_off],
      [{ ...card, refundable: false }, ko.REFUND_NOT_ALLOWED],
      [{ ...vbank, banks: [] }, ko.refund_account_unsupported],
    ];
    for (const [view, message] of cases) {
      it(`says why and what to do instead, offering nothing as refundable: ${message}`, async () => {
        const el = await mount('lang="ko"', view);
        await click(el, '[part=button]');
        await shows(el, message);
        expect($(el, 'form')).to.be.null;
        const alert = $(el, '[role=alert]')!.textContent!.trim();
        expect(alert.startsWith(message) && alert.endsWith(ko.contactShop), alert).to.be.true;
        const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
        // Nothing was paid: the order's amount, never "paid" (a revoked account said "결제 금액 19,900원").
        const unpaid = view.reason === 'not_paid';
        expect(rows).to.deep.equal(
          unpaid
            ? ['주문금액12,000원']
            : [`결제금액12,000원`, `환불된금액${view.cancel_amount.toLocaleString('ko')}원`],
        );
        await accessible(el);
      });
    }

    it("links the shop's contact where the customer is told to contact the shop", async () => {
      const phoneOld: RefundView = { ...card, refundable: false, reason: 'phone_previous_month', pay_method: 'phone' };
      const el = await mount('lang="en" contact="02-1234-5678"', phoneOld);
      await click(el, '[part=button]');
      await shows(el, en.phone_previous_month);
      const link = $<HTMLAnchorElement>(el, '[role=alert] a[part=link]')!;
      expect(link.textContent).to.equal('02-1234-5678');
      expect(link.getAttribute('href')).to.equal('tel:0212345678');
      expect(textOf(el)).to.not.include(en.refundable);
      await accessible(el);
    });

    it('shows no stale figures while a refund is being checked, and checks again by reloading the payment', async () => {
      const checking: RefundView = { ...card, cancel_amount: 0, refundable: false, reason: 'OUTCOME_PENDING_CHECK' };
      const settled: RefundView = { ...card, cancel_amount: 12000, cancelable_amount: 0, refundable: false };
      const el = await mount('lang="ko"', [checking, { ...settled, reason: 'fully_refunded' }]);
      await click(el, '[part=button]');
      await shows(el, ko.OUTCOME_PENDING_CHECK);
      expect($(el, '[role=alert]')!.textContent!.trim()).to.equal(ko.OUTCOME_PENDING_CHECK);
      const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
      expect(rows).to.deep.equal(['결제금액12,000원']); // neither "refunded 0" nor "refundable 9,000" is known to be true
      expect(textOf(el)).to.not.include('아무것도'); // never "nothing was refunded"
      await accessible(el);
      await press(el, ko.checkAgain);
      await shows(el, ko.fully_refunded);
      expect(gets()).to.have.length(2);
      expect($$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''))).to.deep.equal([
        '결제금액12,000원',
        '환불된금액12,000원',
      ]);
    });
  });

  describe('events', () => {
    it('fires every event bubbling and composed, through a shadow root', async () => {
      proxy(card, success());
      const host = await fixture<HTMLDivElement>(html`<div></div>`);
      const root = host.attachShadow({ mode: 'open' });
      root.innerHTML =
        '<refund-button merchant-uid="order-1" token="t" endpoint="https://proxy.test" lang="ko"></refund-button>';
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

  describe('language', () => {
    it('follows the nearest lang, then the browser, and switches live', async () => {
      proxy(card);
      const wrapper = await fixture<HTMLDivElement>(
        html`<div lang="en-GB">
          <section>
            <refund-button merchant-uid="order-1" token="t" endpoint="https://proxy.test"></refund-button>
          </section>
        </div>`,
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
      expect($(el, '[part=dialog]')!.lang, 'the dialog says which language its texts are in').to.equal('en');
      wrapper.setAttribute('lang', 'fr');
      el.removeAttribute('lang');
      await el.updateComplete;
      const browser =
        navigator.languages
          .find((l) => /^(ko|en)/i.test(l))
          ?.slice(0, 2)
          .toLowerCase() ?? 'ko';
      expect($(el, '[part=button]')!.textContent!.trim()).to.equal(STRINGS[browser as 'ko' | 'en'].button);
      // Not the page's fr: a screen reader would read Korean or English text with a French voice.
      expect($(el, '[part=button]')!.lang).to.equal(browser);
      expect($(el, '[part=dialog]')!.lang).to.equal(browser);
    });

    it('keeps field errors in the new language', async () => {
      const el = await mount();
      await openForm(el);
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'preset')).to.equal(ko.reasonChoose);
      el.lang = 'en';
      await el.updateComplete;
      expect(errorFor(el, 'preset')).to.equal(en.reasonChoose);
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
