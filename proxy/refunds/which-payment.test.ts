// Which of an order's payments the proxy shows and refunds when i'mport holds several under one merchant_uid. The plain
// find answers the most recently started one (iamport-v1.md §4.1), which need not be the order's money: a duplicate the
// shop refunded in the console beside the paid payment, a failed card try after an unpaid virtual account.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';

let h: Harness;
afterEach(async () => h?.close());

const T0 = Date.UTC(2026, 2, 10, 3, 0, 0);
const NOW = Math.floor(T0 / 1000);

describe("the order's payment among several", () => {
  it('is the paid one beside a newer duplicate refunded in full: refundable, and refunded on it', async () => {
    h = await createHarness({ clock: createClock(T0) });
    const paid = h.fake.addPayment({ merchant_uid: 'WP-1', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    h.fake.addPayment({
      merchant_uid: 'WP-1',
      amount: 30000,
      status: 'cancelled',
      started_at: NOW - 300,
      paid_at: NOW - 290,
      cancel_amount: 30000,
      cancel_history: [
        {
          pg_tid: 't',
          amount: 30000,
          cancelled_at: NOW - 100,
          reason: 'dup',
          cancellation_id: 'c1',
          receipt_url: null,
        },
      ],
    });
    const view = await h.view('WP-1');
    assert.deepEqual(
      [view.body.imp_uid, view.body.refundable, view.body.cancelable_amount],
      [paid.imp_uid, true, 30000],
      'not "already fully refunded" while 30,000 is paid and unrefunded',
    );
    const done = await h.cancel({ merchant_uid: 'WP-1', reason: 'r', cancel_request_amount: 10000 });
    assert.deepEqual([done.res.status, done.body.imp_uid], [200, paid.imp_uid]);
    assert.equal(h.fake.getPayment(paid.imp_uid)?.cancel_amount, 10000);
  });

  it('is the unpaid virtual account before a newer failed card try: shown unpaid, and revoked', async () => {
    h = await createHarness({ clock: createClock(T0) });
    const account = h.fake.addPayment({
      merchant_uid: 'WP-2',
      amount: 12000,
      pay_method: 'vbank',
      pg_provider: 'kicc',
      status: 'ready',
      paid_at: 0,
      started_at: NOW - 600,
    });
    h.fake.addPayment({ merchant_uid: 'WP-2', amount: 12000, status: 'failed', paid_at: 0, started_at: NOW - 60 });
    const view = await h.view('WP-2');
    assert.deepEqual([view.body.imp_uid, view.body.revocable], [account.imp_uid, true]);
    const revoked = await h.cancel({ merchant_uid: 'WP-2', reason: 'r' });
    assert.deepEqual([revoked.res.status, revoked.body.revoked], [200, true]);
  });

  it('moves to the paid one when the payment the ledger holds is refunded in full in the console', async () => {
    h = await createHarness({ clock: createClock(T0) });
    const paid = h.fake.addPayment({ merchant_uid: 'WP-4', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    const dup = h.fake.addPayment({ merchant_uid: 'WP-4', amount: 30000, started_at: NOW - 300, paid_at: NOW - 290 });
    const first = await h.view('WP-4');
    assert.equal(first.body.imp_uid, dup.imp_uid, "the newest paid payment, as i'mport answers");
    // The shop refunds the duplicate in i'mport's console; i'mport tells the proxy.
    await cancelAtIamport(h, dup.imp_uid, 30000);
    const told = await notifyOf(h, dup.imp_uid, 'WP-4');
    assert.equal(told.status, 200);
    await h.settled();
    const view = await h.view('WP-4');
    assert.deepEqual(
      [view.body.imp_uid, view.body.refundable, view.body.cancelable_amount],
      [paid.imp_uid, true, 30000],
      `30,000 is paid and unrefunded on ${paid.imp_uid}: ${JSON.stringify(view.body)}`,
    );
  });

  it("asks i'mport once for an order with one paid payment", async () => {
    h = await createHarness({ clock: createClock(T0) });
    h.fake.addPayment({ merchant_uid: 'WP-3', amount: 5000 });
    const before = h.fake.count('find');
    await h.view('WP-3');
    assert.equal(h.fake.count('find') - before, 1);
  });
});
