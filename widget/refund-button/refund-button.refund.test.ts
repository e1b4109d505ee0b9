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
});
