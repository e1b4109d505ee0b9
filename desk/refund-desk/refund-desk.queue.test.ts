/** The queue: oldest first with ages, filters and search as query parameters, pages with "load more". */
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import type { DeskErrorEvent } from './events.ts';
import { $, $$, api, click, desk, gets, request, text, type, until } from './harness.ts';

afterEach(() => api?.uninstall());

describe('<refund-desk> queue', () => {
  it('lists open requests oldest first, with their age, asking with the staff grant', async () => {
    const el = await desk([request('b', 1), request('a', 3), request('c', 0)]);
    const ids = $$(el, '.list .row').map((row) => row.dataset.id);
    expect(ids).to.deep.equal(['a', 'b', 'c']);
    expect($$(el, '.row .age').map((a) => a.textContent)).to.deep.equal(['3시간 전', '1시간 전', '1분 전']);
    const [first] = gets('/staff/refund-requests');
    expect(first!.headers.get('Authorization')).to.equal('Bearer staff-grant');
    expect(first!.url.searchParams.get('status')).to.equal('requested');
    expect(first!.url.searchParams.get('order'), 'the proxy pages it oldest first').to.equal('oldest');
    expect(first!.url.searchParams.has('cursor')).to.equal(false);
    expect(text(el)).to.include('처리할 환불 요청').and.include('45,000원');
    await expect(el).to.be.accessible();
  });

  it('sends the status, the date range and the merchant_uid searched for', async () => {
    const el = await desk([request('a', 3)]);
    await type(el, 'select[name=status]', '', 'change');
    await type(el, 'input[name=from]', '2026-01-01', 'change');
    await type(el, 'input[name=to]', '2026-01-05', 'change');
    await type(el, 'input[name=merchant_uid]', ' order-a ');
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click();
    await el.updateComplete;
    const last = gets('/staff/refund-requests').at(-1)!.url.searchParams;
    expect(last.has('status'), 'all statuses').to.equal(false);
    // Korean days, whatever the browser's zone: from midnight KST on the first to midnight KST after the last.
    expect(last.get('from')).to.equal('2026-01-01T00:00:00+09:00');
    expect(last.get('to'), 'the end day included').to.equal('2026-01-06T00:00:00+09:00');
    expect(last.get('merchant_uid')).to.equal('order-a');
  });

  it('shows the answer to the latest search, not an older one that came back later', async () => {
    const el = await desk([request('a', 3), request('b', 2)]);
    let release!: () => void;
    api.holdNext = new Promise<void>((resolve) => (release = resolve));
    await type(el, 'input[name=merchant_uid]', 'order-a');
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click(); // held
    await type(el, 'input[name=merchant_uid]', 'order-b');
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click();
    await waitUntil(() => $$(el, '.list .row').length === 1, 'the second search');
    release();
    await waitUntil(
      () => gets('/staff/refund-requests').filter((c) => c.url.searchParams.get('merchant_uid')).length === 2,
    );
    await new Promise((resolve) => requestAnimationFrame(resolve)); // the held answer has been read
    await el.updateComplete;
    expect($$(el, '.list .row').map((row) => row.dataset.id)).to.deep.equal(['b']);
  });

  it('loads the next page only when asked, with next_cursor', async () => {
    const many = Array.from({ length: 25 }, (_, i) => request(`r${i}`, 30 - i));
    const el = await desk(many);
    expect($$(el, '.list .row')).to.have.length(20);
    await click(el, '더 보기');
    await waitUntil(() => $$(el, '.list .row').length === 25, 'the second page');
    await waitUntil(
      () => el.shadowRoot!.activeElement?.closest('li')?.dataset.id === 'r20',
      'the keyboard goes on to the first row the page brought',
    );
    expect(gets('/staff/refund-requests').at(-1)!.url.searchParams.get('cursor')).to.equal('20');
    expect(
      $$(el, 'button').some((b) => b.textContent!.includes('더 보기')),
      'no more pages',
    ).to.equal(false);
  });

  it('says when an approved request was not refunded, shows it on asking, and its screen says why', async () => {
    const failed = request('f', 5, { status: 'failed', error_code: 'PG_PROVIDER', decided_at: 1_796_300_000 });
    const el = await desk([request('a', 3), failed]);
    expect(
      $$(el, '.list .row').map((row) => row.dataset.id),
      'the queue is of requests waiting',
    ).to.deep.equal(['a']);
    await waitUntil(() => text(el).includes('승인했지만 환불되지 않은 요청이 있어요.'), 'the notice');
    await expect(el).to.be.accessible();
    await click(el, '실패한 요청 보기');
    await waitUntil(() => $$(el, '.list .row').length === 1 && $(el, '.row[data-id=f]') !== null, 'the failed one');
    expect(gets('/staff/refund-requests').at(-1)!.url.searchParams.get('status')).to.equal('failed');
    expect(text(el)).to.not.include('승인했지만 환불되지 않은 요청이 있어요.');
    await click(el, '열기');
    await waitUntil(() => text(el).includes('(PG_PROVIDER)'), 'why it failed');
    expect(text(el)).to.include('승인했지만 환불되지 않았어요 (PG_PROVIDER)');
  });

  it('keeps the keyboard on the queue when the failed requests are shown, and on "load more" when its page fails', async () => {
    const failed = request('f', 50, { status: 'failed', error_code: 'PG_PROVIDER', decided_at: 1_796_300_000 });
    const el = await desk([...Array.from({ length: 25 }, (_, i) => request(`r${i}`, 30 - i)), failed]);
    await until(el, '승인했지만 환불되지 않은 요청이 있어요.');
    // A keyboard user presses the notice's button, which goes with the notice.
    const show = $$(el, 'button').find((b) => b.textContent!.trim() === '실패한 요청 보기')!;
    show.focus();
    show.click();
    await waitUntil(() => $(el, '.row[data-id=f]'), 'the failed one');
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement?.id, 'not dropped to the page').to.equal('h-queue');
    // Back to the open ones (20 of 25), then "load more" gets no answer: the keyboard stays on it, to try again.
    $<HTMLSelectElement>(el, '#queue-status')!.value = 'requested';
    $(el, '#queue-status')!.dispatchEvent(new Event('change'));
    $<HTMLButtonElement>(el, '.filters [type=submit]')!.click();
    await waitUntil(() => $$(el, '.list .row').length === 20, 'the open ones');
    await el.updateComplete;
    const more = $<HTMLButtonElement>(el, '.more')!;
    more.focus();
    api.uninstall();
    const real = window.fetch;
    window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    try {
      more.click();
      await el.updateComplete;
      expect(el.shadowRoot!.activeElement?.className, 'while its page loads').to.equal('more');
      await until(el, '서버에 연결할 수 없어요.');
      await el.updateComplete;
      expect(el.shadowRoot!.activeElement?.className, 'after it failed').to.equal('more');
    } finally {
      window.fetch = real;
    }
  });

  it('says nothing of failed requests when none waits', async () => {
    const el = await desk([request('a', 3)]);
    // The desk has asked; its answer is read before anything is said of it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await el.updateComplete;
    expect(text(el)).to.include('처리할 환불 요청');
    expect(text(el)).to.not.include('승인했지만 환불되지 않은 요청이 있어요.');
  });

  it('says a request made a moment ago was made now, not 0 minutes ago', async () => {
    const fresh = () => request('a', 0, { created_at: Math.floor(Date.now() / 1000) });
    expect(text(await desk([fresh()])))
      .to.include('지금')
      .and.not.include('0분');
    expect(text(await desk([fresh()], [], { lang: 'en' })))
      .to.include('now')
      .and.not.include('0 minutes');
  });

  it('says the server could not be reached when its endpoint is not the proxy (a bare 404), not a code of the proxy', async () => {
    api?.uninstall();
    // The test page's own server: it has no /staff/ routes and answers them 404 without the proxy's JSON.
    const el = document.createElement('refund-desk');
    Object.assign(el, { endpoint: location.origin, token: 'staff-grant', lang: 'ko' });
    const failed = oneEvent(el, 'refund-desk:error') as Promise<DeskErrorEvent>; // listening before it loads
    await fixture(el);
    expect((await failed).detail.code).to.equal('NETWORK');
    await until(el, '서버에 연결할 수 없어요.');
    expect(text(el)).to.not.include('PAYMENT_NOT_FOUND');
  });

  it('speaks English with lang="en"', async () => {
    const el = await desk([request('a', 3)], [], { lang: 'en' });
    expect(text(el)).to.include('Refund requests to handle').and.include('3 hours ago').and.include('₩45,000');
    await click(el, 'Open');
    // The amount and the time each named for what it is; the bank named in English.
    await until(el, 'Shinhan Bank 110-***-***789');
    const labels = [...el.shadowRoot!.querySelectorAll('dt')].map((dt) => dt.textContent);
    expect(labels).to.include.members(['Amount requested', 'Requested at']);
    expect(new Set(labels).size, 'no label twice').to.equal(labels.length);
  });
});
