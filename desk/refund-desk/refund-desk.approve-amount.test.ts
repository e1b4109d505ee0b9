/**
 * @module The amount staff type to approve is read as Korean staff write money. "40,000원" (or full-width
 * digits from a Korean IME) was refused with "1원 이상의 금액을 입력해 주세요." — untrue of 40,000원 — and "1e3" was taken as
 * 1,000원. The customer's widget reads amounts this way already (form.ts parseAmount).
 */
import { expect } from '@open-wc/testing';
import { $, api, click, desk, posts, request, type, until } from './harness.ts';

afterEach(() => api?.uninstall());

const toApprove = async (typed: string) => {
  const el = await desk([request('a', 3)]);
  await click(el, '열기');
  await until(el, '환불 가능 금액');
  await click(el, '승인');
  await type(el, '#approve-amount', typed);
  await click(el, '승인');
  return el;
};

describe('<refund-desk> the approved amount as staff type it', () => {
  for (const typed of ['40,000원', '40000원', '４００００', '₩40,000']) {
    it(`reads "${typed}" as 40,000원 and asks to confirm it`, async () => {
      const el = await toApprove(typed);
      expect($(el, '#approve-error')?.textContent ?? '', 'no error for a plain amount').to.equal('');
      expect($(el, '[part~=question]')?.textContent).to.equal('40,000원 환불을 승인할까요?');
      await click(el, '환불하기');
      await until(el, '40,000원 환불을 승인했어요.');
      expect(posts()[0]!.body).to.deep.equal({ amount: 40000 });
    });
  }

  it('does not read "1e3" as 1,000원', async () => {
    const el = await toApprove('1e3');
    expect($(el, '[part~=question]')?.textContent ?? null, 'no confirm step').to.equal(null);
    expect($(el, '#approve-error')!.textContent).to.equal('1원 이상의 금액을 입력해 주세요.');
  });
});
