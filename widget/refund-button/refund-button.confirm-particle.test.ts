/**
 * @module The Korean confirm step's object particle. `{amount}을 환불할까요?` is right after 원 (9,000원을), but a
 * dollar amount is read "…달러", which takes 를: "US$12.34을 환불할까요?" is wrong Korean on a PayPal order's dialog. The
 * console (<refund-desk>) already writes no particle after an amount for this reason ("US$7.20 환불을 승인할까요?").
 */
import { expect } from '@open-wc/testing';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import { $, card, choosePartial, click, fill, ko, mount, shows, textOf, toConfirm, uninstallProxy } from './harness.ts';

describe('<refund-button> the confirm title in Korean for a payment not in won', () => {
  afterEach(uninstallProxy);

  it('keeps 원을 for won', async () => {
    const el = await mount('lang="ko"', card);
    await toConfirm(el);
    await shows(el, '9,000원을 환불할까요?');
  });

  it('writes no 을 after a dollar amount (read 달러, which would take 를)', async () => {
    const usd: RefundView = { ...card, currency: 'USD', amount: 20, cancel_amount: 0, cancelable_amount: 20 };
    const el = await mount('lang="ko"', usd);
    await toConfirm(el);
    const title = $(el, '[part=heading]')!.textContent!.trim();
    expect(title, textOf(el)).to.not.match(/\d을/);
    expect(title).to.equal('US$20.00 환불할까요?');
  });

  it('writes no 을 after a typed partial dollar amount either', async () => {
    const usd: RefundView = { ...card, currency: 'USD', amount: 20, cancel_amount: 0, cancelable_amount: 20 };
    const el = await mount('lang="ko"', usd);
    await click(el, '[part=button]');
    await shows(el, ko.full);
    await choosePartial(el, '12.34');
    await fill(el, 'preset', '0');
    await click(el, 'form [part=submit]');
    await shows(el, '환불할까요?');
    expect($(el, '[part=heading]')!.textContent!.trim()).to.equal('US$12.34 환불할까요?');
  });
});
