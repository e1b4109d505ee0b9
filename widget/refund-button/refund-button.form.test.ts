/**
 * @module Tests of `<refund-button>`'s refund form: amounts, reasons, the refund account, and using it by keyboard
 * alone.
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import {
  $,
  $$,
  accessible,
  card,
  choosePartial,
  click,
  dialog,
  en,
  errorFor,
  fill,
  ko,
  mount,
  openForm,
  posts,
  press,
  shows,
  success,
  textOf,
  uninstallProxy,
  vbank,
} from './harness.ts';

describe('<refund-button>', () => {
  afterEach(uninstallProxy);

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
      // The amount confirmed, even for everything, and the balance shown (the checksum): a balance that changed since
      // is then refused, not refunded.
      expect(posts()[0]!.body).to.deep.equal({
        merchant_uid: 'order-1',
        cancel_request_amount: 9000,
        reason: '단순 변심',
        checksum: 9000,
      });
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
      const usd: RefundView = { ...card, currency: 'USD', amount: 20, cancel_amount: 0, cancelable_amount: 20 };
      const el = await mount('lang="en"', usd, success());
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
      expect(errorFor(el, 'preset')).to.equal(ko.reasonChoose); // chosen, not typed
      $<HTMLSelectElement>(el, '[name=preset]')!.focus();
      await fill(el, 'preset', 'other');
      // Shown, and focus left on the select: arrow keys move through its options (changing it), and reaching "other"
      // must not carry the customer off the select (WCAG 3.2.2).
      expect($(el, '[name=other]')).to.not.be.null;
      expect(el.shadowRoot!.activeElement?.getAttribute('name'), 'focus stays on the select').to.equal('preset');
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
      const options = $$(el, '[name=preset] option').map((o) => o.textContent);
      expect(options).to.deep.equal([ko.choose, '사이즈 교환', '색상 불만', ko.other]);
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
      const banks = $$(el, '[name=bank] option').map((o) => o.textContent);
      expect(banks).to.deep.equal([ko.choose, 'KB국민은행', '신한은행']);
      expect($(el, '[name=phone]')).to.be.null;
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'holder')).to.equal(ko.holderError);
      // One alert, the first field's, where focus goes (heard twice beats not heard: Enter in that field); the others
      // are shown and described, not all said at once.
      expect($$(el, '[part=error]').map((e) => e.getAttribute('role'))).to.deep.equal(['alert', null, null]);
      expect(errorFor(el, 'bank')).to.equal(ko.bankError);
      expect(errorFor(el, 'account')).to.equal(ko.accountError);
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[name=holder]'));
      await accessible(el);

      await fill(el, 'holder', ' 홍길동 ');
      await fill(el, 'bank', '88');
      await fill(el, 'account', '110-12');
      expect(errorFor(el, 'account')).to.equal(ko.accountError);
      expect($(el, '#account-hint')!.textContent).to.equal("숫자만 입력해 주세요. '-'는 넣어도 돼요.");
      await fill(el, 'account', '110-123 4568400가');
      expect($<HTMLInputElement>(el, '[name=account]')!.value).to.equal('110-123 4568400'); // letters never get in
      expect($(el, '[name=account]')!.getAttribute('aria-invalid')).to.equal('false'); // hyphens and spaces are fine
      await click(el, 'form [part=submit]');
      await shows(el, '신한은행 ****8400 (예금주 홍길동) 계좌로 환불돼요.');
      expect(textOf(el)).to.not.include('영업일'); // this payment's PG has no published estimate: no guess
      await press(el, ko.refund);
      await shows(el, ko.pending);
      expect(textOf(el)).to.not.include('영업일');
      expect(posts()[0]!.body).to.deep.equal({
        merchant_uid: 'order-1',
        cancel_request_amount: 9000,
        reason: '단순 변심',
        refund_holder: '홍길동',
        refund_bank: '88',
        refund_account: '1101234568400',
        checksum: 9000,
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
      await shows(el, 'It will be paid into KB Kookmin Bank ****5678 (Hong Gildong).');
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

    it('refuses a fixed amount the page wrote so that it cannot be read, instead of offering a refund in full', async () => {
      // 1.5: a fraction of a won is no amount one can refund, not "more than can be refunded".
      for (const amount of ['1,000', '0', 'abc', '1.5']) {
        const el = await mount(`lang="ko" amount="${amount}"`);
        await click(el, '[part=button]');
        await shows(el, ko.REFUND_NOT_ALLOWED);
        expect($(el, 'form'), amount).to.be.null;
      }
      expect(posts()).to.have.length(0);
    });

    it('reads typed amounts as digits only (full-width ones too), never as other notations', async () => {
      const el = await mount();
      await openForm(el);
      await fill(el, 'preset', '1');
      for (const typed of ['0x3e8', '0b11', '1e3', '+1000']) {
        await choosePartial(el, typed);
        await click(el, 'form [part=submit]');
        expect(errorFor(el, 'amount'), typed).to.equal('1원 이상 9,000원 이하로 입력해 주세요.');
      }
      await fill(el, 'amount', '１，０００');
      await click(el, 'form [part=submit]');
      await shows(el, '1,000원을 환불할까요?');
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
      // The balance shown is the order's (9,000), not the grant's 3,000: the proxy checks it against the order's own.
      const sent = { merchant_uid: 'order-1', cancel_request_amount: 3000, reason: '단순 변심', checksum: 9000 };
      expect(posts()[0]!.body).to.deep.equal(sent);
    });

    // A grant's tax-free part is a floor the proxy holds a refund to (grant_minimum): asked for less, it refuses.
    it("asks for no less than the grant's least refund, and names it", async () => {
      const el = await mount('lang="ko"', { ...card, grant_minimum: 3000 }, success({ refunded: 3000 }));
      await openForm(el);
      await fill(el, 'preset', '0');
      await choosePartial(el, '2999');
      await click(el, 'form [part=submit]');
      expect(errorFor(el, 'amount')).to.equal('3,000원 이상 9,000원 이하로 입력해 주세요.');
      await fill(el, 'amount', '3000');
      await click(el, 'form [part=submit]');
      await shows(el, '3,000원을 환불할까요?');
      await press(el, ko.refund);
      await shows(el, ko.done);
      expect(posts().map((p) => (p.body as { cancel_request_amount: number }).cancel_request_amount)).to.deep.equal([
        3000,
      ]);
    });

    // A floor, not a step: 5,000 above a 3,000 floor was refused as not a multiple of it.
    it("takes any whole amount above the grant's least refund, typed or the page's own", async () => {
      const el = await mount('lang="ko"', { ...card, grant_minimum: 3000 }, success({ refunded: 5000 }));
      await openForm(el);
      await fill(el, 'preset', '0');
      await choosePartial(el, '5000');
      await click(el, 'form [part=submit]');
      await shows(el, '5,000원을 환불할까요?');
      const fixed = await mount('lang="ko" amount="5000"', { ...card, grant_minimum: 3000 });
      await openForm(fixed);
      await fill(fixed, 'preset', '0');
      await click(fixed, 'form [part=submit]');
      await shows(fixed, '5,000원을 환불할까요?');
    });

    it('takes cents above a floor in dollars, on a keyboard with a decimal point', async () => {
      const usd = { ...card, currency: 'USD', amount: 20, cancel_amount: 0, cancelable_amount: 20, grant_minimum: 3.5 };
      const el = await mount('lang="en"', usd, success());
      await openForm(el);
      await choosePartial(el, '12.34');
      expect($(el, '[name=amount]')!.getAttribute('inputmode'), 'cents can be typed').to.equal('decimal');
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await shows(el, 'Refund $12.34?');
    });

    it("offers nothing when less is left than the grant's least refund", async () => {
      const el = await mount('lang="en"', { ...card, cancelable_amount: 2000, grant_minimum: 3000 });
      await click(el, '[part=button]');
      await shows(el, en.REFUND_NOT_ALLOWED);
      expect($(el, 'form')).to.be.null;
    });

    it('offers nothing once the grant allows nothing more', async () => {
      const el = await mount('lang="en"', { ...card, grant_remaining: 0 });
      await click(el, '[part=button]');
      await shows(el, en.FORBIDDEN);
      expect($(el, 'form')).to.be.null;
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

    // Enter in a text field submits the form where focus already is: when that field is the first one marked, focusing
    // it again moves nothing, and a screen reader says nothing of a description that changes (NVDA, VoiceOver), as if
    // Enter did nothing. Continue pressed as a button is heard (focus moves to the field).
    it('says why Enter in a field did not continue, when that field is the first marked', async () => {
      const el = await mount('lang="en"');
      await openForm(el);
      await click(el, '[name=scope][value=partial]');
      const amount = $<HTMLInputElement>(el, '[name=amount]')!;
      amount.focus();
      await sendKeys({ type: '9001' }); // more than is refundable
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      expect(el.shadowRoot!.activeElement, 'focus stays in the amount').to.equal(amount);
      expect(errorFor(el, 'amount')).to.equal('Enter an amount from ₩1 to ₩9,000.');
      const live = [...el.shadowRoot!.querySelectorAll('[role=status], [role=alert], [aria-live]')];
      expect(
        live.some((region) => region.textContent!.includes('Enter an amount from ₩1 to ₩9,000.')),
        'the error is announced',
      ).to.equal(true);
    });

    // Continue with several fields wrong put as many alerts in the page at once: a screen reader said them over each
    // other (or only the last). One is said, the first field's, and focus goes to that field; the others are shown,
    // marked and described, and one marked afresh later (left wrong again) is said as it appears.
    it('says one error when Continue finds several, and focuses the first field marked', async () => {
      for (const lang of ['ko', 'en'] as const) {
        const s = lang === 'ko' ? ko : en;
        const el = await mount(`lang="${lang}"`, vbank);
        await openForm(el);
        await click(el, 'form [part=submit]');
        const alerts = () => $$(el, '[role=alert]').map((e) => `${e.id}: ${e.textContent!.trim()}`);
        expect(alerts(), lang).to.deep.equal([`reason-error: ${s.reasonChoose}`]);
        expect(el.shadowRoot!.activeElement?.getAttribute('name'), lang).to.equal('preset');
        expect(
          ['holder', 'bank', 'account'].map((name) => errorFor(el, name)),
          `${lang}: the others, marked and described`,
        ).to.deep.equal([s.holderError, s.bankError, s.accountError]);

        await fill(el, 'account', '110123456789');
        await fill(el, 'account', '12');
        expect(alerts(), `${lang}: marked afresh`).to.deep.equal([
          `reason-error: ${s.reasonChoose}`,
          `account-error: ${s.accountError}`,
        ]);
        await click(el, 'form [part=submit]');
        expect(alerts(), `${lang}: Continue again`).to.deep.equal([`reason-error: ${s.reasonChoose}`]);
        await accessible(el);
      }
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
      // The arrows stay in the group, so a keyboard can go back to "full" and forth again; Tab goes on to the amount.
      expect(focused()?.getAttribute('value')).to.equal('partial');
      await sendKeys({ press: 'ArrowLeft' });
      await el.updateComplete;
      expect([focused()?.getAttribute('value'), $(el, '[name=amount]')]).to.deep.equal(['full', null]);
      await sendKeys({ press: 'ArrowRight' });
      await el.updateComplete;
      await sendKeys({ press: 'Tab' });
      expect(focused()?.getAttribute('name')).to.equal('amount');
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
      const sent = { merchant_uid: 'order-1', cancel_request_amount: 4000, reason: en.presets[0], checksum: 9000 };
      expect(posts()[0]!.body).to.deep.equal(sent);
    });
  });
});
