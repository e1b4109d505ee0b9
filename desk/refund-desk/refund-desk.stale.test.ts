/**
 * Tests of `<refund-desk>` keeping what it shows true: an answer that comes after staff moved on (another request,
 * another order, filters changed), a decision that changes other screens' lists, and a read that failed.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { $, $$, api, click, desk, failure, gets, refund, request, text, type, until } from './harness.ts';

afterEach(() => api?.uninstall());

const frame = () => new Promise((resolve) => setTimeout(resolve, 100)); // the late answer read and rendered
const hold = () => {
  let release!: () => void;
  api.holdNext = new Promise<void>((resolve) => (release = resolve));
  return () => release();
};
const screenText = (el: HTMLElement) =>
  el.shadowRoot!.querySelector('[part~=screen]')!.textContent!.replace(/\s+/g, ' ');
const statusLine = (el: HTMLElement) => el.shadowRoot!.querySelector('[part=status-line]')!.textContent!.trim();

describe('<refund-desk> with answers that come late', () => {
  it('a request opened after another shows its own order, not the one read for the request opened before', async () => {
    const el = await desk([request('a', 3), request('b', 2, { merchant_uid: 'usd-b', amount: 10.1, currency: 'USD' })]);
    const release = hold(); // order-a's read is slow
    await click(el, '열기'); // a (oldest first)
    await click(el, '목록으로');
    $<HTMLButtonElement>(el, '.row[data-id=b] button')!.click();
    await until(el, '환불 요청 usd-b');
    await until(el, '환불 가능 금액');
    expect(screenText(el)).to.include('US$50,000.00'); // usd-b's order
    release(); // order-a's answer arrives late
    await waitUntil(() => gets('/staff/payments/order-a').length === 1);
    await frame();
    await el.updateComplete;
    const t = screenText(el);
    expect(t, "usd-b's screen").to.include('환불 요청 usd-b');
    expect(t, "not order-a's payment (paid 50,000원) on usd-b's screen").to.not.include('50,000원');
    expect(t, "usd-b's request in dollars, not 10원").to.include('US$10.10');
  });

  it('an order opened after another shows its own ledger, not the one read for the order opened before', async () => {
    const el = await desk([], [refund('r1'), refund('r2')]);
    await click(el, '환불 내역');
    await until(el, 'order-r2');
    const release = hold(); // order-r1's read is slow
    await click(el, 'order-r1');
    await click(el, '목록으로');
    await click(el, 'order-r2');
    await until(el, '웹훅 전송');
    release();
    await waitUntil(() => gets('/staff/payments/order-r1').length === 1);
    await frame();
    await el.updateComplete;
    expect($(el, '#h-order')!.textContent, 'the order clicked last').to.equal('주문 order-r2');
  });

  it('an approval answered after staff moved on to another request does not act on that one', async () => {
    const el = await desk([request('a', 3), request('b', 2, { merchant_uid: 'usd-b', amount: 10.1, currency: 'USD' })]);
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    await click(el, '승인');
    await click(el, '승인');
    const release = hold(); // the approval of a is slow
    await click(el, '환불하기');
    await click(el, '목록으로');
    $<HTMLButtonElement>(el, '.row[data-id=b] button')!.click();
    await until(el, '환불 요청 usd-b');
    await until(el, 'US$50,000.00');
    await click(el, '승인'); // staff start on b
    await type(el, '#approve-amount', '5');
    $<HTMLInputElement>(el, '#approve-amount')!.focus();
    release(); // a's answer: refunded
    await waitUntil(() => api.requests[0]!.status === 'refunded', 'a approved');
    await frame();
    await el.updateComplete;
    expect(screenText(el), "b's order, not a's (50,000원)").to.not.include('50,000원');
    expect($(el, '.approve-form'), "b's approve form, still open").to.not.equal(null);
    expect(el.shadowRoot!.activeElement?.id, 'the keyboard left where staff were typing').to.equal('approve-amount');
    expect(statusLine(el), "said of a's order, not taken for b's").to.equal(
      '주문 order-a: 45,000원 환불을 승인했어요.',
    );
  });

  it("'load more' continues the list shown, not filters edited and not applied", async () => {
    const many = Array.from({ length: 25 }, (_, i) => request(`r${i}`, 30 - i));
    const failed = Array.from({ length: 3 }, (_, i) => request(`f${i}`, 40 - i, { status: 'failed' }));
    const el = await desk([...many, ...failed]);
    expect($$(el, '.list .row')).to.have.length(20);
    await type(el, 'select[name=status]', 'failed', 'change'); // chosen, not applied (no 검색)
    await click(el, '더 보기');
    await waitUntil(() => !text(el).includes('불러오는 중'));
    const more = gets('/staff/refund-requests').at(-1)!.url.searchParams;
    expect(more.get('cursor')).to.equal('20');
    expect(more.get('status'), 'the next page of the list shown').to.equal('requested');
    expect($$(el, '.list .row'), 'all 25 open requests reachable').to.have.length(25);
  });

  it('the "not refunded" notice goes once no approved request waits failed', async () => {
    const el = await desk([request('a', 3)]);
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    api.approvalEndsAs = 'failed';
    await click(el, '승인');
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '승인했지만 환불되지 않았어요');
    api.approvalEndsAs = 'refunded'; // fixed, approved again: refunded
    await click(el, '승인');
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '45,000원 환불을 승인했어요.');
    expect(
      api.requests.filter((r) => r.status === 'failed'),
      'none waits failed',
    ).to.have.length(0);
    await click(el, '목록으로');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await el.updateComplete;
    expect(text(el)).to.not.include('승인했지만 환불되지 않은 요청이 있어요.');
  });

  it('the refunds list, seen before an approval, shows the refund that approval made', async () => {
    const el = await desk([request('a', 3)], [refund('r1')]);
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    await click(el, '환불 요청');
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    await click(el, '승인');
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '45,000원 환불을 승인했어요.');
    api.refunds.unshift(refund('ra', { merchant_uid: 'order-a', amount: 45000, requested_amount: 45000 })); // the ledger
    await click(el, '환불 내역');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await el.updateComplete;
    expect(
      $$(el, '.list .row').map((row) => row.dataset.id),
      'the refund just made',
    ).to.include('ra');
  });
});

describe('<refund-desk> with filters edited while a read is out', () => {
  it("'load more' continues the query the rows were read with, when the form was edited while the read was out", async () => {
    const many = Array.from({ length: 25 }, (_, i) => request(`r${i}`, 30 - i));
    const failed = Array.from({ length: 3 }, (_, i) => request(`f${i}`, 40 - i, { status: 'failed' }));
    const el = await desk([...many, ...failed]);
    expect($$(el, '.list .row')).to.have.length(20);
    // Apply "requested" again, slowly; while it is out, staff choose "failed" without applying it.
    let release!: () => void;
    api.holdNext = new Promise<void>((resolve) => (release = resolve));
    el.shadowRoot!.querySelector<HTMLButtonElement>('.filters button[type=submit]')!.click();
    await el.updateComplete;
    await type(el, 'select[name=status]', 'failed', 'change');
    release();
    await waitUntil(() => !text(el).includes('불러오는 중'));
    await new Promise((r) => setTimeout(r, 50));
    expect($$(el, '.list .row'), 'the rows shown are the requested ones').to.have.length(20);
    $$(el, 'button')
      .find((b) => b.textContent!.trim() === '더 보기')!
      .click();
    await waitUntil(() => gets('/staff/refund-requests').some((g) => g.url.searchParams.get('cursor') === '20'));
    const more = gets('/staff/refund-requests').at(-1)!.url.searchParams;
    expect(more.get('status'), 'the next page of the list shown (requested)').to.equal('requested');
  });
});

describe('<refund-desk> after a read that failed', () => {
  it('a queue that could not be read does not say that nothing matches', async () => {
    const el = await desk([request('a', 3)], [], { token: 'expired-grant' });
    await until(el, '권한이 없거나 로그인이 만료되었어요.');
    expect(text(el), 'nothing was read').to.not.include('조건에 맞는 항목이 없어요.');
  });

  it('a renewed grant after the first read was refused loads the queue', async () => {
    const el = await desk([request('a', 3)], [], { token: 'expired-grant' });
    await until(el, '권한이 없거나');
    const before = gets('/staff/refund-requests').length;
    el.token = 'staff-grant'; // the admin page minted a new grant on refund-desk:error UNAUTHORIZED
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gets('/staff/refund-requests').length, 'read again with the new grant').to.be.above(before);
  });

  it('the status line stops saying the server cannot be reached once a read succeeds again', async () => {
    const el = await desk([request('a', 3)]);
    api.offline = true;
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click();
    await until(el, '서버에 연결할 수 없어요.');
    api.offline = false;
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click();
    await frame(); // read and rendered
    await el.updateComplete;
    expect($$(el, '.list .row')).to.have.length(1);
    expect(statusLine(el), 'the list was read').to.not.include('서버에 연결할 수 없어요.');
  });

  it('an order that could not be read says so, not "loading" for ever, under a heading naming it', async () => {
    const el = await desk([], [refund('r1')]);
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    const fake = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input).includes('/staff/payments/') ? failure('PAYMENT_NOT_FOUND') : fake(input, init);
    try {
      await click(el, 'order-r1');
      await until(el, '처리하지 못했어요 (PAYMENT_NOT_FOUND).');
      await el.updateComplete;
      expect($(el, '#h-order')!.textContent, 'the heading names the order').to.equal('주문 order-r1');
      expect(screenText(el), 'not loading any more').to.not.include('불러오는 중');
    } finally {
      window.fetch = fake;
    }
  });

  it('a "send again" refused reads the order again, not leaving the event as it was', async () => {
    const el = await desk([], [refund('r1')]);
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    await click(el, 'order-r1');
    await until(el, '웹훅 전송');
    // Someone else sent it again meanwhile: it is pending now, and the proxy refuses (400 INVALID_REQUEST).
    api.next.push(failure('INVALID_REQUEST'));
    await click(el, '다시 보내기');
    await until(el, '처리하지 못했어요 (INVALID_REQUEST).');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gets('/staff/payments/order-r1').length, 'the order read again').to.equal(2);
  });
});
