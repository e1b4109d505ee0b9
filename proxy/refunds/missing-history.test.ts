// i'mport may send a payment without `cancel_history` (iamport-v1.md §4.3: all but a few fields may be absent) while its
// cancel_amount counts every cancel. A refund whose answer was lost is then not shown by an entry, yet may have applied:
// it is never settled as not made (and sent again under its key) while cancel_amount holds more than the history shows.
// Through app.request(), i'mport's lookups rewritten to leave the history out.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';
import { patchPayments, rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A harness whose i'mport lookups leave cancel_history out while `hidden.now` is true. */
const withHistoryHidden = async () => {
  const clock = createClock();
  const fake = createFakeIamport({ now: clock.now });
  const hidden = { now: true };
  const isLookup = (path: string) => path.startsWith('/payments/') && path !== '/payments/cancel';
  const fetch = rewriteAnswers(
    fake.fetch,
    patchPayments((p) => {
      if (hidden.now) p.cancel_history = null;
    }, isLookup),
  );
  h = await createHarness({ clock, fake: withFetch(fake, fetch), timeoutMs: 300 });
  return hidden;
};

describe('a payment i’mport shows without its cancel_history', () => {
  it('a lost-answer refund it counts in cancel_amount is held, not sent again under its key; settled once shown', async () => {
    const hidden = await withHistoryHidden();
    const p = h.fake.addPayment({ merchant_uid: 'NH-1', amount: 10_000 });
    h.fake.inject({ kind: 'lose_response' }); // applied at i'mport, its answer lost
    const body = { merchant_uid: 'NH-1', cancel_request_amount: 3000, reason: '단순 변심' };
    const first = await h.cancel(body, { key: 'nh-1' });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');

    // Past the window in which a cancel may still be running: not shown by an entry is still no proof.
    h.clock.advance(11 * 60_000);
    const retry = await h.cancel(body, { key: 'nh-1' });
    assert.equal(h.fake.count('cancel'), 1, `sent once (the retry answered ${JSON.stringify(retry.body)})`);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000);
    assert.equal(retry.body.ok, false);
    const view = await h.view('NH-1');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const other = await h.cancel({ ...body, cancel_request_amount: 1000 }, { key: 'nh-2' });
    assert.equal(other.body.error?.code, 'REFUND_IN_PROGRESS', 'nothing else sent for the order meanwhile');
    assert.equal(h.fake.count('cancel'), 1);

    // i'mport shows the history again: the attempt is settled from its entry, once.
    hidden.now = false;
    const settled = await h.view('NH-1');
    assert.deepEqual([settled.body.refundable, settled.body.cancelable_amount], [true, 7000]);
    const [attempt] = (await h.store.listAttempts('NH-1')).filter((a) => a.idempotency_key === 'nh-1');
    assert.deepEqual([attempt?.outcome, attempt?.refunded], ['succeeded', 3000]);
  });

  it('a refund its checksum proves did not apply is settled as not made, though an earlier cancel is missing too', async () => {
    await withHistoryHidden();
    const p = h.fake.addPayment({ merchant_uid: 'NH-3', amount: 10_000 });
    await cancelAtIamport(h, p.imp_uid, 5000); // the shop's console cancel, never listed in i'mport's copies
    assert.equal((await h.view('NH-3')).body.cancelable_amount, 5000);
    h.fake.inject({ kind: 'drop', route: 'cancel' }); // never reached i'mport
    const body = { merchant_uid: 'NH-3', cancel_request_amount: 3000, reason: '단순 변심', checksum: 5000 };
    assert.equal((await h.cancel(body, { key: 'nh-4' })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    // cancel_amount is 5,000, what it was when the refund was sent with its checksum of 5,000: nothing applied since.
    h.clock.advance(11 * 60_000);
    const retry = await h.cancel(body, { key: 'nh-4' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 8000, 'sent again, applied once');
  });

  it("a PG's refusal that applied all the same, its history not shown: not known, never refused (a capped grant holds)", async () => {
    await withHistoryHidden();
    const p = h.fake.addPayment({ merchant_uid: 'NH-4', amount: 10_000 });
    const grant = () => h.grant('NH-4', { maxAmount: 5000, jti: 'nh-4-grant' });
    await h.view('NH-4', { grant: await grant() });
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    const body = { merchant_uid: 'NH-4', reason: '단순 변심', cancel_request_amount: 5000 };
    const first = await h.cancel(body, { key: 'nh-5', grant: await grant() });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
    const view = await h.view('NH-4', { grant: await grant() });
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const again = await h.cancel({ ...body, checksum: 5000 }, { key: 'nh-6', grant: await grant() });
    assert.equal(again.body.ok, false, JSON.stringify(again.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000, 'refunded once, within the cap');
  });

  it('a refund that did not apply is still settled as not made: cancel_amount holds no more than the history shows', async () => {
    await withHistoryHidden();
    const p = h.fake.addPayment({ merchant_uid: 'NH-2', amount: 10_000 });
    h.fake.inject({ kind: 'drop', route: 'cancel' }); // no answer, nothing applied
    const body = { merchant_uid: 'NH-2', cancel_request_amount: 3000, reason: '단순 변심' };
    assert.equal((await h.cancel(body, { key: 'nh-3' })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(11 * 60_000);
    const retry = await h.cancel(body, { key: 'nh-3' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, 'sent again, applied once');
  });
});
