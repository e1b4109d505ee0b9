/**
 * @module An order whose refund's outcome is not known yet (the ledger's row `needs_sync`: a cancel was sent
 * and i'mport's answer never came) has figures that may be stale: the customer's dialog shows neither a refunded nor a
 * refundable amount then (OUTCOME_PENDING_CHECK). The console showed "환불된 금액 0원 · 환불 가능 금액 45,000원" as known,
 * on the very screen where staff decide, right after an approval whose outcome it says is not known.
 */
import { expect } from '@open-wc/testing';
import type { Order } from './api.ts';
import { $$, api, click, desk, refund, request, text, until } from './harness.ts';

afterEach(() => api?.uninstall());

/** Answers every order read as the ledger has it while an attempt is unsettled: `needs_sync`, figures before it. */
const unsettledOrders = () => {
  const inner = window.fetch;
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await inner(input, init);
    if (!new URL(String(input)).pathname.startsWith('/staff/payments/')) return response;
    const order = (await response.json()) as Order;
    const payment = { ...order.payment, needs_sync: true };
    const attempts = order.attempts.map((a) => ({ ...a, status: 'unknown', error_code: 'REFUND_OUTCOME_UNKNOWN' }));
    return new Response(JSON.stringify({ ...order, payment, attempts }), {
      headers: { 'Content-Type': 'application/json' },
    });
  };
};

/** The summary's rows as `label=value`. */
const rows = (el: Awaited<ReturnType<typeof desk>>) => {
  const dl = $$(el, '[part~=screen] dl').at(-1)!; // the payment's summary (a request's own comes first)
  const dts = [...dl.querySelectorAll('dt')].map((n) => n.textContent!.trim());
  const dds = [...dl.querySelectorAll('dd')].map((n) => n.textContent!.trim());
  return dts.map((dt, i) => `${dt}=${dds[i]}`);
};

describe('<refund-desk> figures of an order whose refund is being checked', () => {
  it('after an approval whose outcome is not known, does not state what was refunded or is refundable', async () => {
    const el = await desk([request('a', 3)]);
    unsettledOrders();
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    api.approvalEndsAs = 'approved'; // i'mport did not answer: the request stays approved, its outcome being checked
    await click(el, '승인');
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '승인했어요. 환불 결과를 아직 알 수 없어 확인하고 있어요.');
    await until(el, '결제 금액');
    const summary = rows(el);
    expect(summary).to.include('결제 금액=50,000원'); // what was paid is known
    expect(summary, text(el)).to.not.include('환불된 금액=5,000원');
    expect(summary).to.not.include('환불 가능 금액=45,000원');
    expect(summary).to.include('환불된 금액=확인 중').and.include('환불 가능 금액=확인 중');
    await expect(el).to.be.accessible();
  });

  it("on an order's screen, in English too", async () => {
    const el = await desk([], [refund('r1')], { lang: 'en' });
    unsettledOrders();
    await click(el, 'Refunds');
    await until(el, 'order-r1');
    await click(el, 'order-r1');
    await until(el, 'Webhook deliveries');
    const summary = rows(el);
    expect(summary).to.include('Paid=₩50,000');
    expect(summary).to.include('Refunded=Being checked').and.include('Refundable=Being checked');
  });

  it('an order with nothing unsettled shows its figures as before', async () => {
    const el = await desk([request('a', 3)]);
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    expect(rows(el)).to.include('환불된 금액=5,000원').and.include('환불 가능 금액=45,000원');
  });
});
