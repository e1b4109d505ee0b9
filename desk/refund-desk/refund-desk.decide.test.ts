/** A request: what it shows, approve (lower only, confirmed with the amount), reject (a reason), decided elsewhere. */
import { expect, oneEvent } from '@open-wc/testing';
import type { DeskApprovedEvent, DeskRejectedEvent } from './events.ts';
import { $, $$, api, click, desk, failure, posts, request, text, type, until } from './harness.ts';

afterEach(() => api?.uninstall());

const openFirst = async (el: HTMLElement & { updateComplete: Promise<boolean> }) => {
  await click(el as never, '열기');
  await until(el as never, '환불 가능 금액');
};

/** Staff approve the open request and the PG refuses its refund: the request is failed (nothing refunded). */
const approvedButRefused = async (el: Awaited<ReturnType<typeof desk>>) => {
  await click(el, '승인');
  await click(el, '승인');
  Object.assign(api.requests[0]!, { status: 'failed', error_code: 'PG_PROVIDER', decided_by: 'staff:staff-7' });
  api.next.push(failure('PG_PROVIDER'));
  await click(el, '환불하기');
  // Said from the request as it now stands (failed, with its code), however the approval was answered.
  await until(el, '승인했지만 환불되지 않았어요 (PG_PROVIDER). 원인을 확인한 뒤 다시 승인하거나 거절해 주세요.');
};

describe('<refund-desk> request', () => {
  it('shows the order, the reason and the masked account, and moves focus to the screen', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    const t = text(el);
    expect(t).to.include('환불 요청 order-a').and.include('사이즈가 맞지 않아요');
    expect(t).to.include('50,000원').and.include('5,000원'); // paid, refunded
    // The bank by name: BK88 is Shinhan at NHN KCP, the order's PG.
    await until(el, '신한은행 110-***-***789');
    expect(el.shadowRoot!.activeElement?.id).to.equal('h-request');
    // Focused by script for screen readers, by a keyboard's Enter too: no ring on a heading, nothing there to operate.
    expect(getComputedStyle(el.shadowRoot!.activeElement!).outlineStyle).to.equal('none');
    await expect(el).to.be.accessible();
  });

  it("shows when it was made in Korean time, the day the filters count it in, whatever the browser's zone", async () => {
    // 23:30 UTC on 15 January is 08:30 on the 16th in Korea.
    const created_at = Date.UTC(2026, 0, 15, 23, 30) / 1000;
    const el = await desk([request('a', 3, { created_at })]);
    await openFirst(el);
    expect(text(el)).to.include('2026. 1. 16. 오전 8:30');
  });

  it('approves a lowered amount after a confirm step that repeats it', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    expect(el.shadowRoot!.activeElement?.id, 'focus in the amount').to.equal('approve-amount');
    await type(el, '#approve-amount', '30,000');
    await type(el, '#approve-note', ' 부분 반품 ');
    await click(el, '승인');
    expect($(el, '[part~=question]')!.textContent).to.equal('30,000원 환불을 승인할까요?');
    expect(posts(), 'nothing sent before the confirm').to.have.length(0);
    await expect(el).to.be.accessible();
    const approved = oneEvent(el, 'refund-desk:approved') as Promise<DeskApprovedEvent>;
    await click(el, '환불하기');
    const event = await approved;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail.request.status).to.equal('refunded');
    expect(event.detail.request.note, "the proxy's answer, the note included").to.equal('부분 반품');
    const [post] = posts();
    expect(post!.url.pathname).to.equal('/staff/refund-requests/a/approve');
    expect(post!.body).to.deep.equal({ amount: 30000, note: '부분 반품' });
    await until(el, '30,000원 환불을 승인했어요.');
    expect($(el, '[role=status]')!.textContent).to.equal('30,000원 환불을 승인했어요.');
    expect(text(el)).to.include('환불됨');
    expect(
      $$(el, 'button').some((b) => b.textContent!.trim() === '승인'),
      'no approve once decided',
    ).to.equal(false);
    expect(text(el), 'what was approved, beside what was asked').to.include('승인 금액30,000원');
    await click(el, '목록으로');
    expect($(el, '.row[data-id=a] .status')!.textContent, 'the row updated').to.equal('환불됨');
    // Refunded for what staff approved, not the 45,000원 asked.
    expect($(el, '.row[data-id=a]')!.textContent!.replace(/\s+/g, ' '))
      .to.include('30,000원')
      .and.not.include('45,000원');
  });

  it('approves an amount with cents for a payment in dollars, shown in dollars', async () => {
    const el = await desk([request('a', 3, { merchant_uid: 'usd-a', amount: 10.1 })]);
    await openFirst(el);
    expect(text(el)).to.include('US$10.10');
    await click(el, '승인');
    await type(el, '#approve-amount', '7.2');
    await click(el, '승인');
    expect($(el, '[part~=question]')!.textContent).to.equal('US$7.20 환불을 승인할까요?');
    await click(el, '환불하기');
    await until(el, 'US$7.20 환불을 승인했어요.');
    expect(posts()[0]!.body).to.deep.equal({ amount: 7.2 });
  });

  it("shows a dollar request's amounts in dollars before its order has loaded", async () => {
    const el = await desk([request('a', 3, { merchant_uid: 'usd-a', amount: 10.1, currency: 'USD' })]);
    let release = () => {};
    api.holdNext = new Promise<void>((resolve) => {
      release = resolve;
    });
    await click(el, '열기');
    await until(el, '환불 요청 usd-a');
    expect(text(el), 'not ₩10 or 10원 while the order loads').to.include('US$10.10').and.not.include('10원');
    release();
    await until(el, '환불 가능 금액');
  });

  // The approval reached the proxy and refunded; only its answer was lost. Saying "could not be reached" alone left
  // staff to think nothing happened.
  it('reads the request again when an approval gets no answer, and says what it came to', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await click(el, '승인');
    api.loseNextAnswer = true;
    await click(el, '환불하기');
    await until(el, '45,000원 환불을 승인했어요.');
    expect(text(el)).to.include('환불됨');
    expect(
      $$(el, 'button').some((b) => b.textContent!.trim() === '승인'),
      'no approve once refunded',
    ).to.equal(false);
  });

  it('says it is not known whether an approval went through when neither it nor the request can be read', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await click(el, '승인');
    api.offline = true;
    await click(el, '환불하기');
    await until(el, '처리되었는지 확인하지 못했어요.');
    expect($(el, '[role=status]')!.textContent).to.include('다시 처리해도 두 번 환불되지는 않아요.');
    // The approval stays open to send again: on the proxy, a second approval of one request never refunds twice.
    api.offline = false;
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '45,000원 환불을 승인했어요.');
  });

  it('sends no amount when the whole request is approved', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await click(el, '승인');
    expect($(el, '[part~=question]')!.textContent).to.equal('45,000원 환불을 승인할까요?');
    await click(el, '환불하기');
    await until(el, '승인했어요');
    expect(posts()[0]!.body).to.deep.equal({});
  });

  it('says the amount the request was refunded for, when it is not the one typed', async () => {
    // Approved again, a failed request took an earlier approval's refund, applied late, for that one's 6,000원.
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    const row = api.requests[0]!;
    const refunded = { ...row, status: 'refunded', approved_amount: 6000, error_code: null };
    api.next.push(Response.json({ ok: true, request: refunded, refund: { ok: true, refunded: 6000 } }));
    await click(el, '승인');
    await click(el, '승인');
    expect($(el, '[part~=question]')!.textContent).to.equal('45,000원 환불을 승인할까요?');
    await click(el, '환불하기');
    await until(el, '6,000원 환불을 승인했어요.');
  });

  it('refuses on screen an amount above the request', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await type(el, '#approve-amount', '45001');
    await click(el, '승인');
    expect($(el, '#approve-error')!.textContent).to.equal('요청 금액(45,000원)보다 많이 환불할 수 없어요.');
    expect($(el, '#approve-amount')!.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '[part~=question]')).to.equal(null);
    expect(posts()).to.have.length(0);
  });

  it('says an amount refused as Enter is pressed in its field, where the keyboard already is', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await type(el, '#approve-amount', '45001');
    $<HTMLFormElement>(el, '.approve-form')!.requestSubmit(); // Enter in the amount: focus does not move
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement?.id).to.equal('approve-amount');
    // Focus staying put, the error is heard only if it is announced as it appears.
    const error = $(el, '#approve-error')!;
    expect(error.textContent).to.equal('요청 금액(45,000원)보다 많이 환불할 수 없어요.');
    expect(error.closest('[role=alert], [aria-live=assertive], [aria-live=polite]'), 'an alert').to.not.equal(null);
  });

  it('keeps the keyboard on the screen while a decision is sent and when it fails with nothing to read again', async () => {
    const focused = (el: HTMLElement) => el.shadowRoot!.activeElement?.textContent?.trim() ?? 'the page';
    for (const code of ['FORBIDDEN', 'INVALID_REQUEST'] as const) {
      const el = await desk([request('a', 3)]);
      await openFirst(el);
      await click(el, '승인');
      await click(el, '승인');
      expect(focused(el), 'the confirm step').to.equal('환불하기');
      let answer!: () => void;
      api.holdNext = new Promise((resolve) => (answer = resolve));
      api.next.push(failure(code));
      $<HTMLButtonElement>(el, '.do-approve')!.click();
      await el.updateComplete;
      expect(focused(el), `${code}: while it is sent`).to.equal('환불하기');
      answer();
      await until(el, code === 'FORBIDDEN' ? '권한이 없거나' : '처리하지 못했어요 (INVALID_REQUEST).');
      await el.updateComplete;
      expect(focused(el), `${code}: once it failed`).to.equal('환불 요청 order-a');
      api.uninstall();
    }
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '거절');
    await type(el, '#reject-preset', '이미 배송된 상품이에요', 'change');
    const reject = $$(el, 'button').find((b) => b.textContent!.trim() === '거절하기')!;
    reject.focus();
    let answer!: () => void;
    api.holdNext = new Promise((resolve) => (answer = resolve));
    api.next.push(failure('FORBIDDEN'));
    reject.click();
    await el.updateComplete;
    expect(focused(el), 'rejecting: while it is sent').to.equal('거절하기');
    answer();
    await until(el, '권한이 없거나');
    await el.updateComplete;
    expect(focused(el), 'rejecting: once it failed').to.not.equal('the page');
  });

  it("writes the least it approves as money, in the order's currency: 1원, ₩1, US$0.01", async () => {
    for (const [uid, lang, buttons, said] of [
      ['order-a', 'ko', ['열기', '승인'], '1원 이상의 금액을 입력해 주세요.'],
      ['order-a', 'en', ['Open', 'Approve'], 'Enter an amount of at least ₩1.'],
      ['usd-a', 'ko', ['열기', '승인'], 'US$0.01 이상의 금액을 입력해 주세요.'],
    ] as const) {
      const el = await desk([request('a', 3, { merchant_uid: uid })], [], { lang });
      await click(el, buttons[0]);
      await until(el, lang === 'ko' ? '환불 가능 금액' : 'Refundable');
      await click(el, buttons[1]);
      await type(el, '#approve-amount', '0');
      await click(el, buttons[1]);
      expect($(el, '#approve-error')!.textContent, `${uid} ${lang}`).to.equal(said);
      api.uninstall();
    }
    // Finer than a cent is no amount of dollars: it was taken, and the confirm step asked "US$0.00 환불을 승인할까요?".
    const el = await desk([request('a', 3, { merchant_uid: 'usd-a' })]);
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    await click(el, '승인');
    for (const typed of ['0.001', '1.005']) {
      await type(el, '#approve-amount', typed);
      await click(el, '승인');
      expect($(el, '#approve-error')?.textContent, typed).to.equal('US$0.01 이상의 금액을 입력해 주세요.');
    }
  });

  it('requires a reason to reject, and sends the typed one with allow_new_request', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '거절');
    expect(($(el, 'input[name=allow_new_request]') as HTMLInputElement).checked, 'allowed by default').to.equal(true);
    await click(el, '거절하기');
    expect($(el, '#reject-error')!.textContent).to.equal('거절 사유를 입력해 주세요.');
    expect(posts()).to.have.length(0);
    expect(el.shadowRoot!.activeElement?.id, 'focus on the reason').to.equal('reject-preset');
    expect($(el, '#reject-preset')!.getAttribute('aria-invalid')).to.equal('true');
    // Said as the widget says it: a dash alone is read as nothing, or as "em dash".
    expect($(el, '#reject-preset option')!.textContent).to.equal('선택해 주세요');
    await expect(el).to.be.accessible();
    await type(el, '#reject-preset', '*', 'change');
    await click(el, '거절하기'); // "other", nothing typed: the typed reason is what is missing
    expect(el.shadowRoot!.activeElement?.id).to.equal('reject-typed');
    expect($(el, '#reject-typed')!.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#reject-preset')!.getAttribute('aria-invalid')).to.equal('false');
    expect(posts()).to.have.length(0);
    await type(el, '#reject-typed', '포장이 훼손되었어요');
    const box = $<HTMLInputElement>(el, 'input[name=allow_new_request]')!;
    box.click();
    await el.updateComplete;
    const rejected = oneEvent(el, 'refund-desk:rejected') as Promise<DeskRejectedEvent>;
    await click(el, '거절하기');
    expect((await rejected).detail.request.status).to.equal('rejected');
    expect(posts()[0]!.url.pathname).to.equal('/staff/refund-requests/a/reject');
    expect(posts()[0]!.body).to.deep.equal({ reason: '포장이 훼손되었어요', allow_new_request: false });
    await until(el, '요청을 거절했어요.');
  });

  it('says a rejection that failed did not reject, not that a refund failed', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '거절');
    await type(el, '#reject-preset', '*', 'change');
    await type(el, '#reject-typed', '재고가 없어요');
    api.next.push(failure('INTERNAL'));
    await click(el, '거절하기');
    await until(el, '거절하지 못했어요 (INTERNAL). 요청의 최신 상태를 불러왔어요.');
    expect(text(el)).to.not.include('환불하지 못했어요');
  });

  it('rejects with a preset reason', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '거절');
    await type(el, '#reject-preset', '이미 배송된 상품이에요', 'change');
    await click(el, '거절하기');
    await until(el, '요청을 거절했어요.');
    expect(posts()[0]!.body).to.deep.equal({ reason: '이미 배송된 상품이에요', allow_new_request: true });
  });

  it('on REFUND_REQUEST_DECIDED reads the request again and says it was decided already', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await click(el, '승인');
    // Another staff member rejected it meanwhile.
    Object.assign(api.requests[0]!, { status: 'rejected', reject_reason: '중복 요청', decided_by: 'staff:staff-2' });
    api.next.push(failure('REFUND_REQUEST_DECIDED'));
    const error = oneEvent(el, 'refund-desk:error');
    await click(el, '환불하기');
    expect((await error).detail.code).to.equal('REFUND_REQUEST_DECIDED');
    await until(el, '이미 처리되어 더 이상 결정할 수 없는 요청이에요.');
    await until(el, '거절 사유: 중복 요청');
    expect(text(el)).to.include('처리: staff-2'); // the staff member by name, not as the ledger keeps it (staff:…)
    expect(text(el)).to.not.include('staff:');
    expect($$(el, 'button').some((b) => ['승인', '거절'].includes(b.textContent!.trim()))).to.equal(false);
  });

  it('a failed request the proxy will not approve again (its order has a newer request): says so, approve not offered again', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    // Approved once, and the PG refused the refund: the request is failed, which the table lets staff approve again.
    await approvedButRefused(el);
    // Meanwhile the customer asked anew: the proxy approves only the order's latest request.
    await click(el, '승인');
    await click(el, '승인');
    api.next.push(failure('REFUND_REQUEST_DECIDED'));
    await click(el, '환불하기');
    await until(el, '이미 처리되어 더 이상 결정할 수 없는 요청이에요.');
    expect(text(el)).to.not.include('다른 직원');
    const actions = $$(el, 'button').map((b) => b.textContent!.trim());
    expect(actions).to.not.include('승인');
    expect(actions, 'the table still allows a rejection, which the proxy may take').to.include('거절');
  });

  it('when the approved refund fails, shows the request as it now stands and why', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await approvedButRefused(el);
    expect($(el, '[part~=screen] .status')!.textContent).to.equal('실패');
    expect(el.shadowRoot!.activeElement?.id, 'focus back on the screen').to.equal('h-request');
    // Nothing was refunded: staff may approve it again once the cause is fixed, or reject it (shared table).
    const actions = $$(el, 'button').map((b) => b.textContent!.trim());
    expect(actions).to.include.members(['승인', '거절']);
  });

  it('says what an approval ended in: a refund the PG refused (then approve again), or an outcome not known yet', async () => {
    const el = await desk([request('a', 3), request('b', 2)]);
    await openFirst(el);
    api.approvalEndsAs = 'failed';
    await click(el, '승인');
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '승인했지만 환불되지 않았어요 (PG_PROVIDER). 원인을 확인한 뒤 다시 승인하거나 거절해 주세요.');
    expect($(el, '[part~=screen] .status')!.textContent).to.equal('실패');
    // The PG fixed, staff approve the failed request again, as the shared table allows.
    api.approvalEndsAs = 'refunded';
    await click(el, '승인');
    await click(el, '승인');
    await click(el, '환불하기');
    await until(el, '환불을 승인했어요.');
    expect(posts().map((p) => p.url.pathname)).to.deep.equal([
      '/staff/refund-requests/a/approve',
      '/staff/refund-requests/a/approve',
    ]);
    // Said of this request: back on the list, the status line no longer says it.
    await click(el, '목록으로');
    await until(el, 'order-b');
    expect($(el, '[part=status-line]')!.textContent!.trim()).to.equal('');
  });

  it('says when an approved refund is still being checked', async () => {
    const el = await desk([request('a', 3)], [], { lang: 'en' });
    await click(el, 'Open');
    api.approvalEndsAs = 'approved';
    await click(el, 'Approve');
    await click(el, 'Approve');
    await click(el, 'Refund');
    await until(el, "Approved. The refund's outcome is not known yet and is being checked. Check again shortly.");
  });

  it('says the gateway accepted an approved refund to finish later, not that its outcome is unknown', async () => {
    for (const [lang, said] of [
      ['ko', '승인했어요. 결제사가 45,000원 환불을 접수했어요. 결제사가 처리를 마치면 그 결과가 여기에 보여요.'],
      [
        'en',
        'Approved. The gateway accepted the refund of ₩45,000; how it ends shows here once the gateway finishes it.',
      ],
    ] as const) {
      const el = await desk([request('a', 3)], [], { lang });
      await click(el, lang === 'ko' ? '열기' : 'Open');
      api.approvalEndsAs = 'accepted';
      const approve = lang === 'ko' ? '승인' : 'Approve';
      await click(el, approve);
      await click(el, approve);
      await click(el, lang === 'ko' ? '환불하기' : 'Refund');
      await until(el, said);
      expect(text(el)).to.not.include(lang === 'ko' ? '알 수 없어' : 'not known');
      api.uninstall();
    }
  });

  it('says when an approval is already running (REFUND_IN_PROGRESS)', async () => {
    const el = await desk([request('a', 3)]);
    await openFirst(el);
    await click(el, '승인');
    await click(el, '승인');
    api.next.push(failure('REFUND_IN_PROGRESS'));
    await click(el, '환불하기');
    await until(el, '이 요청의 환불이 진행 중이에요.');
  });

  it('says when the staff grant is refused, and fires refund-desk:error', async () => {
    const error = new Promise<CustomEvent>((resolve) =>
      document.addEventListener('refund-desk:error', (e) => resolve(e as CustomEvent), { once: true }),
    );
    const el = await desk([request('a', 3)], [], { token: 'expired-grant' });
    expect((await error).detail.code).to.equal('UNAUTHORIZED');
    await until(el, '권한이 없거나 로그인이 만료되었어요.');
  });

  it('asks in English', async () => {
    const el = await desk([request('a', 3)], [], { lang: 'en' });
    await click(el, 'Open');
    await until(el, 'Refundable');
    await click(el, 'Approve');
    await type(el, '#approve-amount', '30000');
    await click(el, 'Approve');
    expect($(el, '[part~=question]')!.textContent).to.equal('Refund ₩30,000?');
  });

  it("names a request decided through the admin API by its key's id, in either language", async () => {
    for (const [lang, buttons, words] of [
      ['ko', ['열기', '승인', '환불하기'], '처리: API 키 1a2b3c4d'],
      ['en', ['Open', 'Approve', 'Refund'], 'Decided by API key 1a2b3c4d'],
    ] as const) {
      const el = await desk([request('a', 3)], [], { lang });
      await click(el, buttons[0]);
      await click(el, buttons[1]);
      await click(el, buttons[1]);
      // The merchant's server rejected it meanwhile, through the admin API.
      Object.assign(api.requests[0]!, { status: 'rejected', reject_reason: 'x', decided_by: 'key:1a2b3c4d' });
      api.next.push(failure('REFUND_REQUEST_DECIDED'));
      await click(el, buttons[2]);
      await until(el, words);
      expect(text(el)).to.not.include('key:');
      api.uninstall();
    }
  });
});
