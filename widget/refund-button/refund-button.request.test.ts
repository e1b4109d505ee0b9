/**
 * @module Tests of `<refund-button>` in request mode: the dialog ends in a refund request the shop decides on, and
 * reopened it shows where the order's latest request stands (withdraw it, ask again).
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { RequestStatus, RequestView } from '../../shared/refund-requests.ts';
import type { RefundRequestedEvent, RequestWithdrawnEvent } from './events.ts';
import {
  $,
  $$,
  accessible,
  aRequest,
  asking,
  choosePartial,
  click,
  created,
  en,
  failure,
  fill,
  gets,
  json,
  ko,
  mount,
  openForm,
  posts,
  press,
  shows,
  textOf,
  toConfirm,
  UUID,
  uninstallProxy,
  vbank,
  withRequest,
} from './harness.ts';
import type { RefundButton } from './refund-button.ts';

/** Opens the dialog and waits for the request's step (a heading, no form). */
async function openRequest(el: RefundButton, heading: string): Promise<void> {
  await click(el, '[part=button]');
  await shows(el, heading);
}

/** The live region's text. */
const said = (el: RefundButton) => $(el, '[role=status]')!.textContent;

/** The buttons of the dialog's body, by their text. */
const buttons = (el: RefundButton) => $$(el, '[part=body] button').map((b) => b.textContent!.trim());

describe('<refund-button> in request mode', () => {
  afterEach(uninstallProxy);

  describe('asking for a refund', () => {
    it('confirms, sends the request with the grant and an Idempotency-Key, and says it was received', async () => {
      const el = await mount('lang="ko"', asking, created());
      await toConfirm(el);
      expect(textOf(el)).to.include('9,000원 환불을 요청할까요?').and.include(ko.requestNote);
      expect(textOf(el)).to.not.include(ko.confirmBody); // nothing is refunded yet
      expect(buttons(el)).to.deep.equal([ko.back, ko.send]);
      await accessible(el);
      const requested = oneEvent(el, 'refund-requested');
      await press(el, ko.send);
      const { detail, bubbles, composed } = (await requested) as RefundRequestedEvent;
      expect({ bubbles, composed }).to.deep.equal({ bubbles: true, composed: true });
      expect(detail).to.deep.equal({
        id: 'req_1',
        merchant_uid: 'order-1',
        status: 'requested',
        amount: 9000,
        reason: '단순 변심',
        created_at: detail.created_at,
      });
      const [post, ...more] = posts();
      expect(more).to.have.length(0);
      expect(post!.url).to.equal('https://proxy.test/refund-requests');
      // With the balance shown, as a refund's: a request made from a stale view is refused, not left for staff to approve.
      expect(post!.body).to.deep.equal({
        merchant_uid: 'order-1',
        cancel_request_amount: 9000,
        reason: '단순 변심',
        checksum: 9000,
      });
      expect(post!.headers.get('Authorization')).to.equal('Bearer grant-1');
      expect(post!.headers.get('Content-Type')).to.equal('application/json');
      expect(post!.headers.get('Idempotency-Key')).to.match(UUID);
      await shows(el, '요청이 접수되었어요');
      expect(textOf(el)).to.include(ko.requestNote).and.include('2026. 12. 3. 요청 · 9,000원');
      expect(textOf(el)).to.not.include('환불이 완료');
      expect(said(el)).to.equal('요청이 접수되었어요');
      expect(el.shadowRoot!.activeElement?.textContent).to.equal('요청이 접수되었어요');
      expect(buttons(el)).to.deep.equal([ko.withdraw, ko.ok]);
      await accessible(el);
    });

    it('reloads the numbers when the order was refunded since it was shown, and makes no request of the old ones', async () => {
      const el = await mount(
        'lang="ko"',
        [asking, { ...asking, cancel_amount: 7000, cancelable_amount: 5000 }],
        failure('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 'changed', { cancelable_amount: 5000 }),
      );
      await toConfirm(el);
      await press(el, ko.send);
      await shows(el, ko.CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN);
      await waitUntil(() => $(el, 'form'));
      const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
      expect(rows[2]).to.equal('환불가능금액5,000원');
      expect(posts()[0]!.body).to.include({ checksum: 9000 });
    });

    it("sends a partial amount and a virtual account's refund account, as a refund would", async () => {
      const el = await mount('lang="en"', { ...vbank, request_mode: true, request: null }, created());
      await openForm(el);
      await choosePartial(el, '5000');
      await fill(el, 'preset', '1');
      await fill(el, 'holder', '홍길동');
      await fill(el, 'bank', '88');
      await fill(el, 'account', '110-123-458400');
      await click(el, 'form [part=submit]');
      await shows(el, 'Request a refund of ₩5,000?');
      expect(textOf(el)).to.include('It will be paid into Shinhan Bank ****8400 (홍길동).');
      await press(el, en.send);
      await shows(el, 'Request received');
      expect(posts()[0]!.body).to.deep.equal({
        merchant_uid: 'order-1',
        cancel_request_amount: 5000,
        reason: 'Damaged or defective',
        refund_holder: '홍길동',
        refund_bank: '88',
        refund_account: '110123458400',
        checksum: 9000,
      });
    });

    it('keeps the Idempotency-Key when the same request is sent again (no answer, then INTERNAL)', async () => {
      const el = await mount('lang="en"', asking, 'network', failure('INTERNAL'), created());
      await toConfirm(el);
      await press(el, en.send);
      await shows(el, en.INTERNAL);
      await press(el, en.retry);
      await shows(el, 'Request received');
      const keys = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(posts().map((p) => p.url)).to.deep.equal(Array(3).fill('https://proxy.test/refund-requests'));
      expect(new Set(keys).size).to.equal(1);
    });

    it("no answer of the proxy's own: says it is not known yet whether the request was received, and checks again", async () => {
      const el = await mount('lang="ko"', asking, 'network', new Response('<h1>502</h1>', { status: 502 }), created());
      await toConfirm(el);
      await press(el, ko.send);
      await shows(el, ko.requestUnknown);
      expect(textOf(el)).to.not.include(ko.NETWORK);
      expect(buttons(el)).to.include(ko.checkAgain);
      await accessible(el);
      await press(el, ko.checkAgain);
      await shows(el, ko.requested);
      expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
    });

    it('no answer, then UPSTREAM_UNAVAILABLE (the ledger out of reach): still not known whether it was received', async () => {
      const el = await mount('lang="ko"', asking, 'network', failure('UPSTREAM_UNAVAILABLE'), created());
      await toConfirm(el);
      await press(el, ko.send);
      await shows(el, ko.requestUnknown);
      expect(textOf(el)).to.not.include(ko.UPSTREAM_UNAVAILABLE);
      await press(el, ko.checkAgain);
      await shows(el, ko.requested);
      expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
    });

    // UPSTREAM_UNAVAILABLE on this route is the proxy's ledger out of reach (the request may have been written), or
    // the gateway out of reach: its refund text ("nothing was refunded") answered nothing the customer asked.
    it('answered UPSTREAM_UNAVAILABLE on the first send: not known yet whether it was received, checked again', async () => {
      const el = await mount('lang="en"', asking, failure('UPSTREAM_UNAVAILABLE'), created());
      await toConfirm(el);
      await press(el, en.send);
      await shows(el, en.requestUnknown);
      expect(textOf(el)).to.not.include(en.UPSTREAM_UNAVAILABLE);
      await press(el, en.checkAgain);
      await shows(el, en.requested);
      expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
    });

    it('asks nothing of an unpaid virtual account, which a request cannot revoke (from a proxy that offers it)', async () => {
      const unpaid = {
        ...asking,
        pay_method: 'vbank',
        status: 'ready',
        revocable: true,
        refund_account_required: true,
      };
      const el = await mount('lang="ko"', unpaid);
      await click(el, '[part=button]');
      await shows(el, ko.not_paid);
      expect(textOf(el)).to.not.include(ko.revokeNote);
      expect($(el, 'form')).to.be.null;
    });

    it('answered REFUND_REQUEST_OPEN, reads the order again and shows its open request', async () => {
      const open = aRequest({ id: 'req_0', amount: 4000, created_at: 1_796_299_200 });
      const el = await mount(
        'lang="ko"',
        [asking, withRequest(open)],
        failure('REFUND_REQUEST_OPEN', 'open', { request: open }),
      );
      await toConfirm(el);
      const error = oneEvent(el, 'refund-error');
      await press(el, ko.send);
      expect((await error).detail.code).to.equal('REFUND_REQUEST_OPEN');
      await shows(el, ko.REFUND_REQUEST_OPEN);
      expect(gets()).to.have.length(2);
      expect(textOf(el)).to.include(ko.requested).and.include('4,000원');
      expect(el.shadowRoot!.activeElement?.getAttribute('part')).to.equal('notice');
      expect(buttons(el)).to.include(ko.withdraw);
      await accessible(el);
    });

    it('answered REFUND_REQUEST_NOT_ALLOWED, says so with no retry', async () => {
      const el = await mount('lang="en"', asking, failure('REFUND_REQUEST_NOT_ALLOWED'));
      await toConfirm(el);
      await press(el, en.send);
      await shows(el, en.REFUND_REQUEST_NOT_ALLOWED);
      expect(buttons(el)).to.deep.equal([en.close]);
    });

    it('without request mode (or from an older proxy) refunds as before', async () => {
      const el = await mount('lang="en"', { ...asking, request_mode: false });
      await toConfirm(el);
      expect(textOf(el)).to.include('Refund ₩9,000?');
      expect(buttons(el)).to.deep.equal([en.back, en.refund]);
    });
  });

  describe('where the request stands', () => {
    /** Each status in both languages: its heading, and a line that must be under it. */
    const cases: [RequestStatus, Partial<RequestView>, string, string][] = [
      ['requested', {}, '2026. 12. 3. 요청 · 9,000원', '₩9,000 · requested Dec 3, 2026'],
      ['approved', { decided_at: 1_796_300_000 }, '9,000원', '₩9,000'],
      ['refunded', { decided_at: 1_796_300_000 }, '9,000원 환불 · 남은 금액 9,000원', '₩9,000 refunded · ₩9,000 left'],
      ['failed', { decided_at: 1_796_300_000 }, ko.requestFailedDetail, en.requestFailedDetail],
      [
        'rejected',
        { reject_reason: '이미 사용한 상품이에요', allow_new_request: true },
        '상점의 답변: 이미 사용한 상품이에요',
        "The shop's reason: 이미 사용한 상품이에요",
      ],
      // Withdrawn with no new request allowed (an earlier rejection barred them): the state itself, not the form, and why
      // no new request can be made.
      [
        'withdrawn',
        { decided_at: 1_796_300_000, allow_new_request: false },
        ko.REFUND_REQUEST_NOT_ALLOWED,
        en.REFUND_REQUEST_NOT_ALLOWED,
      ],
    ];
    const headings: Record<
      RequestStatus,
      'requested' | 'approved' | 'done' | 'requestFailed' | 'rejected' | 'withdrawn'
    > = {
      requested: 'requested',
      approved: 'approved',
      refunded: 'done',
      failed: 'requestFailed',
      rejected: 'rejected',
      withdrawn: 'withdrawn',
    };
    for (const [status, fields, koLine, enLine] of cases) {
      for (const [lang, s, line] of [
        ['ko', ko, koLine],
        ['en', en, enLine],
      ] as const) {
        it(`${status} (${lang}): says so, announces it, and is accessible`, async () => {
          const el = await mount(`lang="${lang}"`, withRequest({ status, ...fields }));
          const heading = s[headings[status]];
          await openRequest(el, heading);
          expect($(el, 'form')).to.equal(null);
          expect(textOf(el)).to.include(line);
          expect(said(el)).to.equal(heading);
          expect(el.shadowRoot!.activeElement?.textContent).to.equal(heading);
          expect(buttons(el)).to.include(status === 'rejected' ? s.again : s.ok);
          if (status !== 'requested') expect(buttons(el)).to.not.include(s.withdraw);
          await accessible(el);
        });
      }
    }

    it("dates the request by Korea's day, the shop's, whatever the browser's zone", async () => {
      // 16:00 UTC on 3 December is 01:00 on the 4th in Korea.
      const el = await mount(
        'lang="ko"',
        withRequest({ status: 'requested', created_at: Date.UTC(2026, 11, 3, 16) / 1000 }),
      );
      await openRequest(el, ko.requested);
      expect(textOf(el)).to.include('2026. 12. 4. 요청');
    });

    it('refunded with nothing left on the order: offers no new request, though one would be allowed', async () => {
      const el = await mount('lang="en"', {
        ...withRequest({ status: 'refunded', decided_at: 1_796_300_000, allow_new_request: true }),
        cancelable_amount: 0,
      });
      await openRequest(el, en.done);
      expect(buttons(el)).to.deep.equal([en.ok]);
    });

    it('refunded for less than was asked (staff lowered it): says what went back', async () => {
      for (const [lang, line] of [
        ['ko', '6,000원 환불 · 남은 금액 12,000원'],
        ['en', '₩6,000 refunded · ₩12,000 left'],
      ] as const) {
        const view = { ...withRequest({ status: 'refunded', approved_amount: 6000 }), cancel_amount: 6000 };
        const el = await mount(`lang="${lang}"`, { ...view, cancelable_amount: 12000 });
        await openRequest(el, (lang === 'ko' ? ko : en).done);
        expect(textOf(el)).to.include(line);
      }
    });

    it('approved for less than was asked: says what is being refunded', async () => {
      for (const [lang, s, line] of [
        ['ko', ko, '승인된 금액 6,000원'],
        ['en', en, 'Approved: ₩6,000'],
      ] as const) {
        const el = await mount(`lang="${lang}"`, withRequest({ status: 'approved', approved_amount: 6000 }));
        await openRequest(el, s.approved);
        expect(textOf(el)).to.include(line);
      }
      const same = await mount('lang="ko"', withRequest({ status: 'approved', approved_amount: 9000 }));
      await openRequest(same, ko.approved);
      expect(textOf(same)).to.not.include('승인된 금액');
    });

    it('refunded into a virtual account: says when the money arrives, as a refund does', async () => {
      const estimate = { min_business_days: 1, max_business_days: 2 };
      const view = {
        ...vbank,
        payout_estimate: estimate,
        request_mode: true,
        request: aRequest({ status: 'refunded' }),
      };
      const el = await mount('lang="ko"', view);
      await openRequest(el, ko.done);
      expect(textOf(el)).to.include('영업일 기준 1~2일 안에 입금돼요.');
    });

    it('failed: says the shop will follow up, with its contact', async () => {
      const el = await mount('lang="ko" contact="02-1234-5678"', withRequest({ status: 'failed' }));
      await openRequest(el, ko.requestFailed);
      expect($(el, 'a[part=link]')!.getAttribute('href')).to.equal('tel:0212345678');
    });

    it('rejected, a new request allowed: the reason, and "Request again" leads to the form', async () => {
      const view = withRequest({ status: 'rejected', reject_reason: 'Worn already', allow_new_request: true });
      const el = await mount('lang="en"', view, created());
      await openRequest(el, en.rejected);
      expect(textOf(el)).to.include("The shop's reason: Worn already");
      expect(textOf(el)).to.not.include(en.REFUND_REQUEST_NOT_ALLOWED);
      expect(buttons(el)).to.deep.equal([en.close, en.again]);
      await press(el, en.again);
      await waitUntil(() => $(el, 'form'));
      await fill(el, 'preset', '0');
      await click(el, 'form [part=submit]');
      await press(el, en.send);
      await shows(el, 'Request received');
      expect(posts()[0]!.url).to.equal('https://proxy.test/refund-requests');
    });

    it('rejected, no new request allowed: says so with the contact, and offers none', async () => {
      const view = withRequest({ status: 'rejected', reject_reason: '사용 흔적이 있어요', allow_new_request: false });
      const el = await mount('lang="ko" contact="help@shop.example"', view);
      await openRequest(el, ko.rejected);
      expect(textOf(el)).to.include('상점의 답변: 사용 흔적이 있어요').and.include(ko.REFUND_REQUEST_NOT_ALLOWED);
      expect($(el, 'a[part=link]')!.getAttribute('href')).to.equal('mailto:help@shop.example');
      expect(buttons(el)).to.deep.equal([ko.ok]);
      await accessible(el);
    });

    it('withdrawn, a new request allowed: opens on the form', async () => {
      const el = await mount('lang="ko"', withRequest({ status: 'withdrawn', allow_new_request: true }));
      await openForm(el);
      expect(textOf(el)).to.not.include(ko.withdrawn);
    });
  });

  describe('withdrawing', () => {
    it('confirms first, posts the withdrawal with the grant, then shows it withdrawn and tells the page', async () => {
      const withdrawn = aRequest({ status: 'withdrawn', decided_at: 1_796_300_000, allow_new_request: true });
      const el = await mount('lang="ko"', withRequest(), json({ ok: true, request: withdrawn }));
      await openRequest(el, ko.requested);
      await press(el, ko.withdraw);
      await shows(el, ko.withdrawTitle);
      expect(posts()).to.have.length(0);
      expect(el.shadowRoot!.activeElement?.textContent).to.equal(ko.withdrawTitle);
      expect(textOf(el)).to.include('2026. 12. 3. 요청 · 9,000원');
      expect(buttons(el)).to.deep.equal([ko.back, ko.withdraw]);
      await accessible(el);
      const event = oneEvent(el, 'refund-request-withdrawn');
      await press(el, ko.withdraw);
      const { detail, bubbles, composed } = (await event) as RequestWithdrawnEvent;
      expect(detail).to.deep.equal(withdrawn);
      expect({ bubbles, composed }).to.deep.equal({ bubbles: true, composed: true });
      const [post] = posts();
      expect(post!.url).to.equal('https://proxy.test/refund-requests/req_1/withdraw');
      expect(post!.headers.get('Authorization')).to.equal('Bearer grant-1');
      await shows(el, ko.withdrawn);
      expect(said(el)).to.equal(ko.withdrawn);
      expect(el.shadowRoot!.activeElement?.textContent).to.equal(ko.withdrawn);
      expect(buttons(el)).to.deep.equal([ko.close, ko.again]);
      await accessible(el);
      await press(el, ko.again);
      await waitUntil(() => $(el, 'form'));
    });

    it('goes back to the request without sending anything', async () => {
      const el = await mount('lang="en"', withRequest());
      await openRequest(el, en.requested);
      await press(el, en.withdraw);
      await press(el, en.back);
      await shows(el, en.requested);
      expect(buttons(el)).to.deep.equal([en.withdraw, en.ok]);
      expect(posts()).to.have.length(0);
    });

    it('answered REFUND_REQUEST_DECIDED (the shop decided first), shows the request as it now stands', async () => {
      const decided = aRequest({ status: 'approved', decided_at: 1_796_300_000 });
      const el = await mount('lang="en"', [withRequest(), withRequest(decided)], failure('REFUND_REQUEST_DECIDED'));
      await openRequest(el, en.requested);
      await press(el, en.withdraw);
      await press(el, en.withdraw);
      await shows(el, en.REFUND_REQUEST_DECIDED);
      expect(textOf(el)).to.include(en.approved);
      expect(buttons(el)).to.deep.equal([en.ok]);
    });

    it('no answer, yet it was withdrawn: reads the request again and shows it withdrawn, never "not reached"', async () => {
      const withdrawn = aRequest({ status: 'withdrawn', decided_at: 1_796_300_000, allow_new_request: false });
      const el = await mount('lang="en"', [withRequest(), withRequest(withdrawn)], 'network');
      await openRequest(el, en.requested);
      await press(el, en.withdraw);
      const error = oneEvent(el, 'refund-error');
      await press(el, en.withdraw);
      expect((await error).detail.code).to.equal('NETWORK'); // the page hears of it
      await shows(el, en.withdrawn);
      expect(textOf(el)).to.not.include(en.NETWORK);
      expect(gets()).to.have.length(2);
      expect(posts().map((p) => p.url)).to.deep.equal(['https://proxy.test/refund-requests/req_1/withdraw']);
    });

    it('answered UPSTREAM_UNAVAILABLE (the ledger out of reach): reads the request again, never "nothing was refunded"', async () => {
      const withdrawn = aRequest({ status: 'withdrawn', decided_at: 1_796_300_000, allow_new_request: false });
      const el = await mount('lang="en"', [withRequest(), withRequest(withdrawn)], failure('UPSTREAM_UNAVAILABLE'));
      await openRequest(el, en.requested);
      await press(el, en.withdraw);
      await press(el, en.withdraw);
      await shows(el, en.withdrawn);
      expect(textOf(el)).to.not.include(en.UPSTREAM_UNAVAILABLE);
      expect(gets()).to.have.length(2);
    });

    it('no answer, and it was not withdrawn: shows the request still open, with "withdraw" offered again', async () => {
      const el = await mount('lang="ko"', withRequest(), 'network');
      await openRequest(el, ko.requested);
      await press(el, ko.withdraw);
      await press(el, ko.withdraw);
      await waitUntil(() => gets().length === 2, 'the request is read again');
      await shows(el, ko.requested);
      expect(textOf(el)).to.not.include(ko.NETWORK);
      expect(buttons(el)).to.deep.equal([ko.withdraw, ko.ok]);
      await accessible(el);
    });

    it('no answer, and the request cannot be read either: says the payment could not be loaded, and tries again', async () => {
      const el = await mount('lang="en"', [withRequest(), 'network', withRequest()], 'network');
      await openRequest(el, en.requested);
      await press(el, en.withdraw);
      await press(el, en.withdraw);
      await shows(el, en.loadFailed); // of the read, which changes nothing, not of the withdrawal
      await press(el, en.retry);
      await shows(el, en.requested);
      expect(posts()).to.have.length(1); // "Try again" read the request; it sent nothing
    });
  });
});
