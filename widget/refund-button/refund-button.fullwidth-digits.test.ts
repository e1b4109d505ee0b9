/**
 * @module A Korean IME in full-width mode types digits as ０-９. The amount field reads them (form.ts
 * parseAmount), but the account number and phone fields deleted them as they were typed: the customer typed their
 * account and nothing appeared, then was told to "enter the account number in digits".
 */
import { expect } from '@open-wc/testing';
import { $, click, fill, ko, mount, openForm, posts, press, shows, success, uninstallProxy, vbank } from './harness.ts';

describe('<refund-button> full-width digits in the refund account', () => {
  afterEach(uninstallProxy);

  it('keeps full-width digits typed into the account number (as digits) and refunds to that account', async () => {
    const el = await mount('lang="ko"', vbank, success({ pending: true, pay_method: 'vbank' }));
    await openForm(el);
    await fill(el, 'preset', '0');
    await fill(el, 'holder', '홍길동');
    await fill(el, 'bank', '88');
    await fill(el, 'account', '１１０－１２３－４５６８４００'.replace(/－/g, '-'));
    expect($<HTMLInputElement>(el, '[name=account]')!.value).to.equal('110-123-4568400');
    await click(el, 'form [part=submit]');
    await shows(el, '신한은행 ****8400 (예금주 홍길동) 계좌로 환불돼요.');
    await press(el, ko.refund);
    await shows(el, ko.pending);
    expect(posts()[0]!.body!.refund_account).to.equal('1101234568400');
  });

  it('keeps full-width digits typed into the phone number', async () => {
    const el = await mount('lang="ko"', { ...vbank, refund_tel_required: true });
    await openForm(el);
    await fill(el, 'phone', '０１０-１２３４-５６７８');
    expect($<HTMLInputElement>(el, '[name=phone]')!.value).to.equal('010-1234-5678');
  });
});
