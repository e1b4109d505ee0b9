/**
 * @module Tests of `<refund-button>`'s holder check: while a virtual account's holder, bank and account are typed,
 * POST /payments/:uid/verify-account (after the last change, once all three are valid); "확인됨 / Verified" beside the
 * holder, a mismatch as the holder field's error, and the refund's own mismatch shown the same way.
 */
import { expect, waitUntil } from '@open-wc/testing';
import {
  $,
  accessible,
  click,
  en,
  errorFor,
  failure,
  fill,
  json,
  ko,
  mount,
  openForm,
  posts,
  press,
  shows,
  textOf,
  uninstallProxy,
  vbank,
  verifies,
  verifyWith,
} from './harness.ts';
import type { RefundButton } from './refund-button.ts';

const typeAccount = async (el: RefundButton, holder = '홍길동') => {
  await fill(el, 'holder', holder);
  await fill(el, 'bank', '88');
  await fill(el, 'account', '110-123-456789');
};

const verifiedText = (el: RefundButton) => $(el, '[part=verified]')?.textContent?.trim() ?? '';

describe('<refund-button> holder check', () => {
  afterEach(uninstallProxy);

  it('checks the account once all three are filled in, and shows 확인됨 beside the holder', async () => {
    const el = await mount('lang="ko"', vbank);
    verifyWith(() => json({ ok: true, holder_check: 'verified' }));
    await openForm(el);
    await fill(el, 'holder', '홍길동');
    await fill(el, 'bank', '88');
    expect(verifies()).to.have.length(0, 'not before the account is typed');
    await fill(el, 'account', '110-123-456789');
    await waitUntil(() => verifiedText(el) === ko.verified, 'never showed 확인됨');
    expect(verifies()).to.have.length(1);
    const [call] = verifies();
    expect(call!.url).to.equal('https://proxy.test/payments/order-1/verify-account');
    expect(call!.headers.get('Authorization')).to.equal('Bearer grant-1');
    expect(call!.body).to.deep.equal({ refund_holder: '홍길동', refund_bank: '88', refund_account: '110123456789' });
    expect($(el, '[part=verified]')!.getAttribute('role')).to.equal('status');
    expect(posts()).to.have.length(0, 'a check is no refund');
    await accessible(el);
  });

  it('forgets "verified" as soon as the account changes, and checks the new one', async () => {
    const el = await mount('lang="en"', vbank);
    verifyWith(() => json({ ok: true, holder_check: 'verified' }));
    await openForm(el);
    await typeAccount(el);
    await waitUntil(() => verifiedText(el) === en.verified);
    await fill(el, 'account', '110-123-456780');
    expect(verifiedText(el)).to.equal('');
    await waitUntil(() => verifies().length === 2 && verifiedText(el) === en.verified);
  });

  it('shows a mismatch under the holder field (aria-invalid, aria-describedby), gone once the holder is changed', async () => {
    const el = await mount('lang="ko"', vbank);
    verifyWith(() => failure('REFUND_ACCOUNT_HOLDER_MISMATCH'));
    await openForm(el);
    await typeAccount(el, '홍길순');
    await waitUntil(() => $(el, '#holder-error'), 'the mismatch never showed');
    expect(errorFor(el, 'holder')).to.equal(ko.REFUND_ACCOUNT_HOLDER_MISMATCH);
    expect($(el, '#holder-error')!.getAttribute('role')).to.equal('alert'); // announced: the customer typed elsewhere
    expect(verifiedText(el)).to.equal('');
    await accessible(el);
    verifyWith(() => json({ ok: true, holder_check: 'verified' }));
    await fill(el, 'holder', '홍길동');
    expect($(el, '[name=holder]')!.getAttribute('aria-invalid')).to.equal('false');
    await waitUntil(() => verifiedText(el) === ko.verified);
  });

  it('says nothing when the bank cannot say (unavailable), and the refund goes on as before', async () => {
    const el = await mount('lang="ko"', vbank);
    await openForm(el);
    await typeAccount(el);
    await waitUntil(() => verifies().length === 1);
    await el.updateComplete;
    expect(verifiedText(el)).to.equal('');
    expect($(el, '#holder-error')).to.be.null;
  });

  it("shows the refund's own REFUND_ACCOUNT_HOLDER_MISMATCH under the holder field of the reloaded form", async () => {
    const el = await mount('lang="en"', vbank, failure('REFUND_ACCOUNT_HOLDER_MISMATCH'));
    await openForm(el);
    await fill(el, 'preset', '0');
    await typeAccount(el, 'Hong Gildong');
    await click(el, 'form [part=submit]');
    await waitUntil(() => !$(el, 'form'));
    await press(el, en.refund);
    await waitUntil(() => $(el, '#holder-error'), `the mismatch never showed under the holder: "${textOf(el)}"`);
    expect(errorFor(el, 'holder')).to.equal(en.REFUND_ACCOUNT_HOLDER_MISMATCH);
    expect($(el, '[part~=notice]')).to.be.null;
    expect($<HTMLInputElement>(el, '[name=holder]')!.value).to.equal('Hong Gildong');
    await shows(el, en.REFUND_ACCOUNT_HOLDER_MISMATCH);
    await accessible(el);
  });
});
