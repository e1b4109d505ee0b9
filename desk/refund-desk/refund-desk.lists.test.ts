/** The refunds list with its CSV export, an order's attempts and webhook deliveries with "send again", and 360 px. */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { DeskRedeliveredEvent } from './events.ts';
import { $, $$, api, click, desk, gets, posts, refund, request, text, type, until } from './harness.ts';

afterEach(() => api?.uninstall());

describe('<refund-desk> refunds and orders', () => {
  it('lists refunds page by page and exports them as CSV (Accept: text/csv, a Blob URL)', async () => {
    const el = await desk([], [refund('r1'), refund('r2', { status: 'failed', error_code: 'PG_PROVIDER' })]);
    await click(el, '환불 내역');
    await until(el, 'order-r2');
    expect(el.shadowRoot!.activeElement?.id).to.equal('h-refunds');
    expect(text(el)).to.include('9,000원').and.include('PG_PROVIDER');
    expect(gets('/staff/refunds')[0]!.url.searchParams.get('limit')).to.equal('20');
    await expect(el).to.be.accessible();

    const created: Blob[] = [];
    const real = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      created.push(blob as Blob);
      return 'blob:refunds';
    };
    const clicked = new Promise<HTMLAnchorElement>((resolve) => {
      const realClick = HTMLAnchorElement.prototype.click;
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        HTMLAnchorElement.prototype.click = realClick;
        resolve(this);
      };
    });
    try {
      await click(el, 'CSV 내보내기');
      const link = await clicked;
      expect(link.download).to.equal('refunds.csv');
      expect(link.href).to.equal('blob:refunds');
    } finally {
      URL.createObjectURL = real;
    }
    const csv = gets('/staff/refunds').at(-1)!;
    expect(csv.headers.get('Accept')).to.equal('text/csv');
    expect(csv.url.searchParams.has('limit'), 'every row').to.equal(false);
    expect(await created[0]!.text()).to.include('order-r1');
    await until(el, 'CSV 파일을 준비했어요.');
  });

  // The file is the list on screen: filters chosen and not applied (no 검색) select other rows than those shown.
  it('exports the rows the list shows, by the filters applied to it, not those only chosen since', async () => {
    const el = await desk([], [refund('r1')]);
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    const real = URL.createObjectURL;
    URL.createObjectURL = () => 'blob:refunds';
    const realClick = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = () => undefined;
    try {
      await type(el, '#refunds-status', 'failed', 'change');
      await click(el, 'CSV 내보내기');
      await until(el, 'CSV 파일을 준비했어요.');
      expect(gets('/staff/refunds').at(-1)!.url.searchParams.get('status'), 'as shown: every status').to.equal(null);
    } finally {
      URL.createObjectURL = real;
      HTMLAnchorElement.prototype.click = realClick;
    }
  });

  it("names an unpaid virtual account's revocation and a gateway's refusal for what they are", async () => {
    const el = await desk(
      [],
      [
        refund('v1', { amount: 0, requested_amount: null, checksum: null }),
        refund('g1', { status: 'rejected', error_code: 'PG_PROVIDER' }),
        // Refused by the proxy before anything was sent (a customer's stale checksum): no amount, no checksum.
        refund('p1', {
          status: 'rejected',
          error_code: 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
          amount: null,
          checksum: null,
        }),
      ],
    );
    await click(el, '환불 내역');
    await until(el, 'order-g1');
    const revoked = $(el, '.row[data-id=v1]')!.textContent!;
    expect(revoked, 'no money moved').to.include('가상계좌 취소됨').and.not.include('환불됨').and.not.include('0원');
    const refused = $(el, '.row[data-id=g1]')!.textContent!;
    expect(refused, "not staff's word for a request turned down").to.include('결제사 거부').and.not.include('거절됨');
    const ours = $(el, '.row[data-id=p1]')!.textContent!;
    expect(ours, 'nothing reached the gateway').to.include('환불 거부').and.not.include('결제사');
  });

  // The receiver answered, with more than the proxy reads (1 MiB): the dispatcher records no status, the error
  // `AnswerTooLarge: …`. That is an answer, not "no answer": staff would look for a receiver that is down.
  it('says a delivery answered at too great a length was answered, in both languages', async () => {
    for (const [lang, said, wrong] of [
      ['ko', '응답이 너무 큼', '응답 없음'],
      ['en', 'Answer too large', 'No answer'],
    ] as const) {
      const el = await desk([], [refund('r1')], { lang });
      const fake = window.fetch;
      window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fake(input, init);
        const url = input instanceof Request ? input.url : String(input);
        if (!url.includes('/staff/payments/')) return res;
        const body = (await res.json()) as {
          events: { deliveries: { status: number | null; error: string | null }[] }[];
        };
        const error = 'AnswerTooLarge: the answer was longer than 1048576 bytes; the proxy stopped reading it';
        body.events[0]!.deliveries = body.events[0]!.deliveries.slice(0, 1).map((d) => ({ ...d, status: null, error }));
        return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
      };
      await click(el, lang === 'ko' ? '환불 내역' : 'Refunds');
      await until(el, 'order-r1');
      await click(el, 'order-r1');
      await until(el, lang === 'ko' ? '웹훅 전송' : 'Webhook deliveries');
      const deliveries = $$(el, '.deliveries li').map((li) => li.textContent!);
      expect(deliveries, lang).to.have.length(1);
      expect(deliveries[0], lang).to.include(` · ${said} · `).and.not.include(wrong);
    }
  });

  it("shows an order's attempts and webhook deliveries, and sends one again", async () => {
    const el = await desk([], [refund('r1')]);
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    await click(el, 'order-r1');
    await until(el, '웹훅 전송');
    expect(gets('/staff/payments/order-r1')).to.have.length(1);
    const t = text(el);
    expect(t).to.include('환불 시도').and.include('환불됨').and.include('5,000원');
    expect(t)
      .to.include('refund.succeeded')
      .and.include('실패')
      .and.include('시도 3회') // the deliveries listed, though the event was queued again since
      .and.include('https://shop.test/hooks')
      .and.include('500');
    // How each delivery ended, in the desk's language; a refused connection keeps the runtime's words for IT.
    const deliveries = [...el.shadowRoot!.querySelectorAll('.deliveries li')].map((li) => li.textContent!);
    expect(deliveries).to.have.length(3);
    expect(deliveries[0]).to.include(' · 500 · ');
    expect(deliveries[1]).to.include(' · 응답 없음 (Error: connect ECONNREFUSED 203.0.113.5:443) · ');
    expect(deliveries[2]).to.include(' · 응답 시간 초과 · ').and.not.include('timeout');
    await expect(el).to.be.accessible();
    const sent = oneEvent(el, 'refund-desk:redelivered') as Promise<DeskRedeliveredEvent>;
    await click(el, '다시 보내기');
    expect((await sent).detail).to.deep.equal({ event_id: 'evt_1', merchant_uid: 'order-r1' });
    expect(posts()[0]!.url.pathname).to.equal('/staff/events/evt_1/redeliver');
    await until(el, '웹훅을 다시 보내도록 했어요.');
    await waitUntil(() => gets('/staff/payments/order-r1').length === 2, 'the order read again');
    await waitUntil(
      () => (el.shadowRoot!.activeElement as HTMLElement | null)?.dataset.id === 'evt_1',
      'the keyboard stays on the event sent again, not the page',
    );
  });

  it("writes each row's amount in its order's currency: a PayPal order's in dollars, on every list", async () => {
    const el = await desk(
      [request('u', 2, { merchant_uid: 'usd-u', amount: 10.1, currency: 'USD' }), request('k', 1)],
      [refund('u1', { merchant_uid: 'usd-u1', amount: 7.2, currency: 'USD' })],
    );
    await until(el, 'usd-u');
    expect($(el, '.row[data-id=u]')!.textContent).to.include('US$10.10').and.not.include('원');
    expect($(el, '.row[data-id=k]')!.textContent).to.include('45,000원');
    await click(el, '환불 내역');
    await until(el, 'usd-u1');
    expect($(el, '.row[data-id=u1]')!.textContent).to.include('US$7.20').and.not.include('원');
    await click(el, 'usd-u1');
    await until(el, '웹훅 전송');
    expect($(el, '.attempts .row')!.textContent).to.include('US$2.90').and.not.include('원');
  });

  it('fits 360 px without scrolling sideways, on every screen', async () => {
    const long = request('a', 3, {
      merchant_uid: 'ORDER2026061100000000000000000000000000000000001',
      reason: '가'.repeat(120),
    });
    const el = await desk([long], [refund('r1')], { width: 360 });
    const fits = (where: string) => {
      for (const node of [el, ...$$(el, '*')]) {
        expect(node.scrollWidth, `${where}: ${node.tagName}.${node.className}`).to.be.at.most(
          node.clientWidth || node.scrollWidth,
        );
      }
      expect(el.getBoundingClientRect().width).to.be.at.most(360);
    };
    fits('queue');
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    await click(el, '거절');
    fits('request');
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    fits('refunds');
    expect($(el, 'nav')).to.not.equal(null);
  });
});
