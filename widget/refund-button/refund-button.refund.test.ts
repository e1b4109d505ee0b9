/** @module Tests of `<refund-button>` confirming and sending a refund, and what it shows when the refund is done. */
import { aTimeout, expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import type { RefundStartEvent, RefundSuccessEvent } from './events.ts';
import {
  $,
  $$,
  accessible,
  card,
  choosePartial,
  click,
  dialog,
  en,
  fill,
  held,
  ko,
  mount,
  openForm,
  posts,
  press,
  shows,
  success,
  textOf,
  toConfirm,
  UUID,
  uninstallProxy,
  vbank,
} from './harness.ts';
import type { RefundButton } from './refund-button.ts';

describe('<refund-button>', () => {
  afterEach(uninstallProxy);

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
      expect(detail).to.deep.equal({
        merchant_uid: 'order-1',
        cancel_request_amount: 9000,
        reason: '단순 변심',
        revoke: false,
      });
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
      const ready: RefundView = {
        ...vbank,
        status: 'ready',
        revocable: true,
        refund_account_required: false,
        cancel_amount: 0,
        cancelable_amount: 12000,
      };
      const revoked = success({ refunded: 0, revoked: true, cancelable_amount: 0, pay_method: 'vbank' });
      const el = await mount('lang="ko"', ready, revoked);
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
      // With the balance shown: should the order be paid (by card, again) before it arrives, nothing is refunded.
      expect(posts()[0]!.body).to.deep.equal({ merchant_uid: 'order-1', reason: '주문 실수', checksum: 12000 });
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

    it('calls the revocation in English what it is: cancelling the deposit account', async () => {
      const ready: RefundView = { ...vbank, status: 'ready', revocable: true, refund_account_required: false };
      const el = await mount('lang="en"', ready, success({ refunded: 0, revoked: true, pay_method: 'vbank' }));
      await toConfirm(el);
      await press(el, 'Cancel the deposit account');
      await shows(el, 'Deposit account cancelled');
      expect(textOf(el)).to.not.include('Cancel account');
    });
  });

  describe('a refund the payment provider accepted and finishes later (PortOne V2)', () => {
    it('says it was accepted, not done, and what comes next, without an amount as if it had gone back', async () => {
      for (const [lang, s] of [
        ['ko', ko],
        ['en', en],
      ] as const) {
        const el = await mount(
          `lang="${lang}"`,
          card,
          success({ pending: true, accepted: true, cancelable_amount: 0 }),
        );
        await toConfirm(el);
        await press(el, s.refund);
        await shows(el, s.accepted);
        const text = textOf(el);
        expect(text).to.include(s.acceptedDetail);
        expect(text, 'never "complete"').to.not.include(s.done);
        expect(text).to.not.include(lang === 'ko' ? '환불 · 남은 금액' : 'refunded ·');
        await accessible(el);
        uninstallProxy();
      }
    });
  });

  describe('when the money of a virtual-account refund arrives', () => {
    /** Refunds a paid virtual account into Shinhan Bank, stopping at the confirm step; the texts of confirm and done. */
    const refund = async (
      attrs: string,
      estimate: RefundView['payout_estimate'],
      props: Partial<RefundButton> = {},
    ) => {
      const el = await mount(attrs, { ...vbank, payout_estimate: estimate }, success({ pending: true }));
      Object.assign(el, props);
      await openForm(el);
      await fill(el, 'preset', '0');
      await fill(el, 'holder', '홍길동');
      await fill(el, 'bank', '88');
      await fill(el, 'account', '110-123-458400');
      await click(el, 'form [part=submit]');
      await waitUntil(() => !$(el, 'form'));
      const confirm = textOf(el);
      const s = el.lang === 'en' ? en : ko;
      await press(el, s.refund);
      await shows(el, s.done); // done, not "requested"
      return { confirm, done: textOf(el) };
    };

    const cases: [RefundView['payout_estimate'], string][] = [
      [{ min_business_days: 1, max_business_days: 1 }, '영업일 기준 1일 안에 입금돼요.'],
      [{ min_business_days: 1, max_business_days: 2 }, '영업일 기준 1~2일 안에 입금돼요.'],
      [{ min_business_days: 3, max_business_days: 3 }, '영업일 기준 3일 안에 입금돼요.'],
      [{ min_business_days: 7, max_business_days: null }, '입금까지 영업일 기준 7일 이상 걸릴 수 있어요.'],
    ];
    for (const [estimate, line] of cases) {
      it(`says "${line}" on confirming and once done, from the payment's estimate`, async () => {
        const { confirm, done } = await refund('lang="ko"', estimate);
        expect(confirm).to.include('신한은행 ****8400 (예금주 홍길동) 계좌로 환불돼요.').and.include(line);
        expect(done).to.include(line);
        expect(done).to.not.include('접수');
      });
    }

    it('says it in English, with one business day in the singular', async () => {
      const en12 = await refund('lang="en"', { min_business_days: 1, max_business_days: 2 });
      expect(en12.done).to.include('The money arrives within 1–2 business days.');
      const en1 = await refund('lang="en"', { min_business_days: 1, max_business_days: 1 });
      expect(en1.done).to.include('The money arrives within one business day.');
      const en7 = await refund('lang="en"', { min_business_days: 7, max_business_days: null });
      expect(en7.confirm).to.include('The money can take 7 or more business days to arrive.');
      expect(en7.done).to.not.include('Refund requested');
    });

    it('says nothing about when without an estimate: no guess', async () => {
      const { confirm, done } = await refund('lang="ko"', null);
      expect(confirm).to.not.include('영업일');
      expect(done).to.not.include('영업일');
    });

    it("takes the shop's payout-days over the estimate, and ignores one it cannot read", async () => {
      const kiwoom = { min_business_days: 7, max_business_days: null };
      const said: [string, string][] = [
        ['1', '영업일 기준 1일 안에'],
        ['1-2', '영업일 기준 1~2일 안에'],
        ['7+', '영업일 기준 7일 이상'],
        ['abc', '영업일 기준 7일 이상'],
        ['0', '영업일 기준 7일 이상'],
        ['3-1', '영업일 기준 7일 이상'],
        ['', '영업일 기준 7일 이상'],
      ];
      for (const [days, line] of said) {
        const { done } = await refund(`lang="ko" payout-days="${days}"`, kiwoom);
        expect(done, `payout-days="${days}"`).to.include(line);
      }
      const byProperty = await refund('lang="ko"', null, { payoutDays: '1-2' });
      expect(byProperty.done).to.include('영업일 기준 1~2일 안에');
    });
  });
});
