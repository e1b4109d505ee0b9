/**
 * @module A refund (or a request) sent with no answer, whose retry under the same key finds the order's lease
 * still held by that very send (the proxy answers REFUND_IN_PROGRESS: "Another refund of this order is still running").
 * The running refund is the customer's own, so its outcome is not known: the dialog must say so (neutral mark, "다시 확인"),
 * never "이 주문의 다른 환불을 처리하고 있어요" under a red "!", which says this refund did not go and another one is running.
 */
import { expect, oneEvent } from '@open-wc/testing';
import {
  $,
  accessible,
  asking,
  buttons,
  card,
  created,
  en,
  failure,
  ko,
  mount,
  posts,
  press,
  shows,
  success,
  textOf,
  toConfirm,
  uninstallProxy,
} from './harness.ts';

describe('<refund-button> REFUND_IN_PROGRESS after a send that got no answer', () => {
  afterEach(uninstallProxy);

  for (const [lang, s] of [
    ['ko', ko],
    ['en', en],
  ] as const) {
    it(`(${lang}) says the refund's outcome is not known yet, not that another refund is running`, async () => {
      // The first send gets no answer (the widget's 30 s timeout, a dropped connection); the automatic retry, under the
      // same key, waits for the order's lease that the first send still holds and is answered REFUND_IN_PROGRESS.
      const el = await mount(`lang="${lang}"`, card, 'network', failure('REFUND_IN_PROGRESS'), success());
      await toConfirm(el);
      await press(el, s.refund);
      await shows(el, s.REFUND_OUTCOME_UNKNOWN);
      expect(textOf(el)).to.not.include(s.REFUND_IN_PROGRESS);
      expect($(el, '[part=mark]')!.classList.contains('bad'), 'no red mark on an unknown outcome').to.equal(false);
      expect(buttons(el)).to.include(s.checkAgain);
      await accessible(el);
      await press(el, s.checkAgain);
      await shows(el, s.done);
      expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
    });
  }

  it('after REFUND_OUTCOME_UNKNOWN, a check again answered REFUND_IN_PROGRESS still says the outcome is not known', async () => {
    // The proxy still settling the first send under the order's lease: the check again waited for it, in vain.
    const el = await mount(
      'lang="ko"',
      card,
      failure('REFUND_OUTCOME_UNKNOWN'),
      failure('REFUND_IN_PROGRESS'),
      success(),
    );
    await toConfirm(el);
    await press(el, ko.refund);
    await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
    const told = oneEvent(el, 'refund-error');
    await press(el, ko.checkAgain);
    expect((await told).detail.code).to.equal('REFUND_IN_PROGRESS'); // the page hears the code
    await el.updateComplete;
    await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
    expect(posts()).to.have.length(2);
    expect(textOf(el)).to.not.include(ko.REFUND_IN_PROGRESS);
    await press(el, ko.checkAgain);
    await shows(el, ko.done);
  });

  it('in request mode: says it is not known yet whether the request was received', async () => {
    const el = await mount('lang="ko"', asking, 'network', failure('REFUND_IN_PROGRESS'), created());
    await toConfirm(el);
    await press(el, ko.send);
    await shows(el, ko.requestUnknown);
    expect(textOf(el)).to.not.include(ko.REFUND_IN_PROGRESS);
    await press(el, ko.checkAgain);
    await shows(el, ko.requested);
  });

  it('a first send answered REFUND_IN_PROGRESS (someone else\'s refund) still says so, with "Try again"', async () => {
    const el = await mount('lang="ko"', card, failure('REFUND_IN_PROGRESS'), success());
    await toConfirm(el);
    await press(el, ko.refund);
    await shows(el, ko.REFUND_IN_PROGRESS);
    expect(buttons(el)).to.include(ko.retry);
  });
});
