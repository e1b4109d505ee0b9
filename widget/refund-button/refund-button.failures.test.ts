/**
 * @module Tests of `<refund-button>` when a refund fails: each code's message and next step (shared/errors.ts), retries
 * and Idempotency-Keys.
 */
import { aTimeout, expect, oneEvent, waitUntil } from '@open-wc/testing';
import { ERROR_CODES, ERRORS } from '../../shared/errors.ts';
import type { RefundErrorEvent } from './events.ts';
import {
  $,
  $$,
  accessible,
  card,
  click,
  en,
  failure,
  gets,
  ko,
  mount,
  posts,
  press,
  shows,
  success,
  textOf,
  toConfirm,
  UUID,
  uninstallProxy,
} from './harness.ts';
import { STRINGS } from './strings.ts';

describe('<refund-button>', () => {
  afterEach(uninstallProxy);

  describe('failures', () => {
    for (const code of ERROR_CODES) {
      it(`shows its own message for ${code}, in both languages`, async () => {
        for (const lang of ['ko', 'en'] as const) {
          const el = await mount(`lang="${lang}"`, card, failure(code, 'card issuer said no'));
          const s = STRINGS[lang];
          await toConfirm(el);
          const error = oneEvent(el, 'refund-error');
          await press(el, s.refund);
          expect(((await error) as RefundErrorEvent).detail).to.deep.equal({ code, message: 'card issuer said no' });
          const message = s[code];
          await shows(el, message);
          expect(textOf(el)).to.not.include('card issuer said no'); // the proxy's message is for the page's developer
          const buttons = $$(el, 'button').map((b) => b.textContent!.trim());
          if (ERRORS[code].retry === 'reload') {
            await waitUntil(() => $(el, 'form'));
            expect($(el, '[part=notice]')!.textContent).to.equal(message);
            expect(gets()).to.have.length(2); // the numbers were loaded again
          } else {
            expect($(el, '[role=status]')!.textContent).to.equal(message);
            // An outcome that is not known yet is checked again; anything else that can be sent again is tried again.
            const retry = code === 'REFUND_OUTCOME_UNKNOWN' ? s.checkAgain : s.retry;
            expect(buttons.includes(retry), `retry offered for ${code}`).to.equal(ERRORS[code].retry === 'same_key');
          }
          await accessible(el);
        }
      });
    }

    it('reloads the numbers when the refundable amount changed, and asks again', async () => {
      const el = await mount(
        'lang="ko"',
        [card, { ...card, cancel_amount: 7000, cancelable_amount: 5000 }],
        failure('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 'changed', { cancelable_amount: 5000 }),
        success({ refunded: 5000 }),
      );
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN);
      await waitUntil(() => $(el, 'form'));
      expect(el.shadowRoot!.activeElement).to.equal($(el, '[part=notice]'));
      const rows = $$(el, 'dl div').map((row) => row.textContent!.replace(/\s+/g, ''));
      expect(rows[2]).to.equal('환불가능금액5,000원');
      await click(el, 'form [part=submit]');
      await shows(el, '5,000원을 환불할까요?');
      await press(el, ko.refund);
      await shows(el, ko.done);
      const [first, second] = posts();
      expect(first!.headers.get('Idempotency-Key')).to.not.equal(second!.headers.get('Idempotency-Key'));
    });

    it('retries by itself after no answer, with the same Idempotency-Key', async () => {
      const el = await mount('lang="ko"', card, 'network', success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.done);
      const [first, second] = posts();
      expect(posts()).to.have.length(2);
      expect(first!.headers.get('Idempotency-Key')).to.match(UUID);
      expect(second!.headers.get('Idempotency-Key')).to.equal(first!.headers.get('Idempotency-Key'));
    });

    it('offers to check again with the same key when the automatic retry got no answer either', async () => {
      const el = await mount('lang="ko"', card, 'network', 'network', success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.REFUND_OUTCOME_UNKNOWN); // sent: it may have been made
      await accessible(el);
      await press(el, ko.checkAgain);
      await shows(el, ko.done);
      const keys = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(3);
      expect(new Set(keys).size).to.equal(1);
    });

    // The proxy holds a key to its first body (key-use.ts): a body built afresh (the page switched language, so the
    // preset reason is another text) was answered IDEMPOTENCY_KEY_REUSED, never the first refund's outcome.
    it('checks again with the very body first sent under the key, whatever changed on the page since', async () => {
      const el = await mount('lang="ko"', card, 'network', 'network', success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
      el.lang = 'en';
      await el.updateComplete;
      await press(el, en.checkAgain);
      await shows(el, en.done);
      const [first, , third] = posts();
      expect(third!.headers.get('Idempotency-Key')).to.equal(first!.headers.get('Idempotency-Key'));
      expect(third!.body).to.deep.equal(first!.body);
    });

    it('after an unknown outcome, a check again answered UPSTREAM_UNAVAILABLE still says it is not known', async () => {
      // The proxy's ledger out of reach: the check sent nothing, and says nothing of what the first send did.
      const el = await mount(
        'lang="en"',
        card,
        failure('REFUND_OUTCOME_UNKNOWN'),
        failure('UPSTREAM_UNAVAILABLE', 'The refund ledger is unavailable; this request sent no refund.'),
        success(),
      );
      const en = STRINGS.en;
      await toConfirm(el);
      await press(el, en.refund);
      await shows(el, en.REFUND_OUTCOME_UNKNOWN);
      const error = oneEvent(el, 'refund-error');
      await press(el, en.checkAgain);
      expect(((await error) as RefundErrorEvent).detail.code).to.equal('UPSTREAM_UNAVAILABLE'); // the page hears it
      await waitUntil(() => $(el, '[role=status]'));
      expect($(el, '[role=status]')!.textContent).to.equal(en.REFUND_OUTCOME_UNKNOWN);
      expect(textOf(el)).to.not.include(en.UPSTREAM_UNAVAILABLE);
      await accessible(el);
      await press(el, en.checkAgain);
      await shows(el, en.done);
      expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
      expect(posts()).to.have.length(3);
    });

    it('no answer, then the automatic retry answered UPSTREAM_UNAVAILABLE: not known, never "nothing was refunded"', async () => {
      const el = await mount('lang="ko"', card, 'network', failure('UPSTREAM_UNAVAILABLE'), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
      expect(textOf(el)).to.not.include(ko.UPSTREAM_UNAVAILABLE);
      await press(el, ko.checkAgain);
      await shows(el, ko.done);
      expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
    });

    it('keeps the key for a retry after UPSTREAM_UNAVAILABLE, whose refund may yet turn out to be done', async () => {
      const el = await mount('lang="ko"', card, failure('UPSTREAM_UNAVAILABLE'), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.UPSTREAM_UNAVAILABLE);
      await press(el, ko.retry);
      await shows(el, ko.done);
      const [a, b] = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(b).to.equal(a);
    });

    it('keeps the key after a 500; when the key is spent, reloads and asks with a new one', async () => {
      const el = await mount('lang="ko"', card, failure('INTERNAL'), failure('IDEMPOTENCY_KEY_REUSED'), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.INTERNAL);
      await press(el, ko.retry);
      await shows(el, ko.IDEMPOTENCY_KEY_REUSED);
      await waitUntil(() => $(el, 'form'));
      expect($(el, '[part=notice]')!.textContent).to.equal(ko.IDEMPOTENCY_KEY_REUSED);
      expect(gets()).to.have.length(2); // the payment was read again
      await click(el, 'form [part=submit]');
      await press(el, ko.refund);
      await shows(el, ko.done);
      const [a, b, c] = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(b).to.equal(a);
      expect(c).to.not.equal(b);
    });

    it('tells the page refund-start once a refund: not again when the same refund is sent again', async () => {
      const el = await mount('lang="ko"', card, failure('UPSTREAM_UNAVAILABLE', 'down'), success());
      let starts = 0;
      el.addEventListener('refund-start', () => (starts += 1));
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.UPSTREAM_UNAVAILABLE);
      await press(el, ko.retry);
      await shows(el, ko.done);
      expect(posts()).to.have.length(2);
      expect(starts).to.equal(1);
    });

    it('takes a new key for each confirmation', async () => {
      const el = await mount('lang="ko"', card, success());
      await toConfirm(el);
      el.addEventListener('refund-start', (e) => e.preventDefault(), { once: true });
      await press(el, ko.refund);
      await press(el, ko.back);
      await click(el, 'form [part=submit]');
      await press(el, ko.refund);
      await shows(el, ko.done);
      await press(el, ko.ok);
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.done);
      const keys = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(2);
      expect(keys[0]).to.not.equal(keys[1]);
    });

    it('holds the retry until Retry-After has passed', async () => {
      const limited = failure('RATE_LIMITED', 'slow down', {}, { 'Retry-After': '1' });
      const el = await mount('lang="ko"', card, limited, success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.RATE_LIMITED);
      const retry = () => $$(el, 'button').find((b) => b.textContent!.trim() === ko.retry)!;
      expect(retry().getAttribute('aria-disabled')).to.equal('true');
      retry().click();
      await aTimeout(50);
      expect(posts()).to.have.length(1);
      const released = () => retry().getAttribute('aria-disabled') === 'false';
      await waitUntil(released, 'retry never released', { timeout: 2500 });
      await press(el, ko.retry);
      await shows(el, ko.done);
      expect(posts()).to.have.length(2);
    });

    it("releases a Retry-After wait when the dialog closes: a later dialog's retry is not held by it", async () => {
      const limited = failure('RATE_LIMITED', 'slow down', {}, { 'Retry-After': '30' });
      const el = await mount('lang="ko"', [limited, card], failure('INTERNAL'), success());
      await click(el, '[part=button]');
      await shows(el, ko.loadFailed);
      await press(el, ko.close);
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.INTERNAL);
      await press(el, ko.retry);
      await shows(el, ko.done);
      expect(posts()).to.have.length(2);
    });

    // The reloaded order can no longer be refunded: its notice is no control, and focus fell to the page's body.
    it('keeps focus in the dialog when a refusal reloads an order that can no longer be refunded', async () => {
      const gone = { ...card, cancel_amount: 12000, cancelable_amount: 0, refundable: false, reason: 'fully_refunded' };
      const el = await mount(
        'lang="ko"',
        [card, gone as typeof card],
        failure('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 'changed', { cancelable_amount: 0 }),
      );
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.fully_refunded);
      await el.updateComplete;
      expect(el.shadowRoot!.activeElement, 'focus in the dialog').to.exist;
    });
  });
});
