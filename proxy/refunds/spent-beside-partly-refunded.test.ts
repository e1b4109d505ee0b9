// i'mport V1 says `cancelled` for a partly refunded payment too (iamport-v1.md §4.2). An order with two payments: the
// one the ledger shows refunded in full in the console, the other partly refunded (25,000 of it still paid). i'mport's
// webhook for the full refund must not leave the order shown as refunded in full: the customer would be told nothing is
// left while 25,000 is.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';

let h: Harness;
afterEach(async () => h?.close());

const T0 = Date.UTC(2026, 2, 10, 3, 0, 0);
const NOW = Math.floor(T0 / 1000);

describe("i'mport's webhook for an order's payment refunded in full, beside a partly refunded one", () => {
  it('shows the partly refunded payment (its webhooks in the order i’mport sent them)', async () => {
    h = await createHarness({ clock: createClock(T0) });
    const older = h.fake.addPayment({ merchant_uid: 'WS-1', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    const dup = h.fake.addPayment({ merchant_uid: 'WS-1', amount: 30000, started_at: NOW - 300, paid_at: NOW - 290 });
    assert.equal((await h.view('WS-1')).body.imp_uid, dup.imp_uid, "the newest paid payment, as i'mport answers");
    // The staff refund 5,000 of the older payment in the console, then the duplicate in full; i'mport tells of each.
    await cancelAtIamport(h, older.imp_uid, 5000);
    assert.equal((await notifyOf(h, older.imp_uid, 'WS-1')).status, 200);
    await h.settled();
    await cancelAtIamport(h, dup.imp_uid, 30000);
    assert.equal((await notifyOf(h, dup.imp_uid, 'WS-1')).status, 200);
    await h.settled();
    const view = await h.view('WS-1');
    assert.deepEqual(
      [view.body.imp_uid, view.body.refundable, view.body.cancelable_amount],
      [older.imp_uid, true, 25000],
      `25,000 is paid and unrefunded on ${older.imp_uid}: ${JSON.stringify(view.body)}`,
    );
  });

  it('shows the partly refunded payment when only the full refund was notified', async () => {
    h = await createHarness({ clock: createClock(T0) });
    const older = h.fake.addPayment({ merchant_uid: 'WS-2', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    const dup = h.fake.addPayment({ merchant_uid: 'WS-2', amount: 30000, started_at: NOW - 300, paid_at: NOW - 290 });
    assert.equal((await h.view('WS-2')).body.imp_uid, dup.imp_uid);
    // i'mport sends each webhook once by default (iamport-v1.md §6): the partial refund's was lost.
    await cancelAtIamport(h, older.imp_uid, 5000);
    await cancelAtIamport(h, dup.imp_uid, 30000);
    assert.equal((await notifyOf(h, dup.imp_uid, 'WS-2')).status, 200);
    await h.settled();
    const view = await h.view('WS-2');
    assert.deepEqual(
      [view.body.imp_uid, view.body.refundable, view.body.cancelable_amount],
      [older.imp_uid, true, 25000],
      `25,000 is paid and unrefunded on ${older.imp_uid}: ${JSON.stringify(view.body)}`,
    );
  });

  it('the first view of such an order, never seen before, shows the partly refunded payment too', async () => {
    h = await createHarness({ clock: createClock(T0) });
    const older = h.fake.addPayment({ merchant_uid: 'WS-3', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    const dup = h.fake.addPayment({ merchant_uid: 'WS-3', amount: 30000, started_at: NOW - 300, paid_at: NOW - 290 });
    await cancelAtIamport(h, older.imp_uid, 5000);
    await cancelAtIamport(h, dup.imp_uid, 30000);
    const view = await h.view('WS-3');
    assert.deepEqual(
      [view.body.imp_uid, view.body.refundable, view.body.cancelable_amount],
      [older.imp_uid, true, 25000],
    );
    const done = await h.cancel({ merchant_uid: 'WS-3', reason: 'r', cancel_request_amount: 25000 });
    assert.deepEqual([done.res.status, done.body.imp_uid], [200, older.imp_uid]);
    assert.equal(h.fake.getPayment(dup.imp_uid)?.cancel_amount, 30000, 'the duplicate is not refunded again');
  });
});
