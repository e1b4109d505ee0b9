// i'mport's webhook for an order's payment refunded in full looks the order up again and stores the payment beside it
// (sync-from-webhook.ts). That copy may be the ledger's first of it, and show a console cancel whose own webhook was
// lost (i'mport sends once by default, iamport-v1.md §6): it is told as payment.cancelled_externally, as the view's first
// read of an order tells such cancels, and only once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import type { WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

// The receiver verifies against the real clock: the harness's runs from now.
const start = webhookStacks({ secret: newWebhookSecret(), retryDelaysMs: [5_000] });

/** What the receiver got, each verified: exactly one `payment.cancelled_externally` per [imp_uid, amount] given. */
const assertToldOnce = (receiver: WebhookReceiver, cancels: readonly (readonly [string, number])[]) => {
  for (const got of receiver.received) assert.equal(got.verifyError, null);
  const byPayment = (a: readonly unknown[], b: readonly unknown[]) => String(a[1]).localeCompare(String(b[1]));
  const events = receiver.received
    .map((got) => JSON.parse(got.body) as { type: string; data: Record<string, unknown> })
    .map((e) => [e.type, e.data.imp_uid, e.data.amount])
    .sort(byPayment);
  const expected = cancels.map(([impUid, amount]) => ['payment.cancelled_externally', impUid, amount]).sort(byPayment);
  assert.deepEqual(events, expected);
};

describe("the other payment an i'mport webhook brings into the ledger", () => {
  it('has its console cancels told once, as a first read of it would', async () => {
    const { h, receiver } = await start();
    const NOW = Math.floor(h.clock.now() / 1000);
    const paid = h.fake.addPayment({ merchant_uid: 'WO-1', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    const dup = h.fake.addPayment({ merchant_uid: 'WO-1', amount: 30000, started_at: NOW - 300, paid_at: NOW - 290 });
    assert.equal((await h.view('WO-1')).body.imp_uid, dup.imp_uid);
    // A console cancel on the older payment whose webhook never came, then the duplicate refunded in full (notified).
    h.clock.advance(1000);
    await cancelAtIamport(h, paid.imp_uid, 4000);
    h.clock.advance(1000);
    await cancelAtIamport(h, dup.imp_uid, 30000);
    assert.equal((await notifyOf(h, dup.imp_uid, 'WO-1')).status, 200);
    await h.settled();
    const view = await h.view('WO-1');
    assert.deepEqual([view.body.imp_uid, view.body.cancelable_amount], [paid.imp_uid, 26000]);
    // Again: nothing new.
    assert.equal((await notifyOf(h, dup.imp_uid, 'WO-1')).status, 200);
    await h.view('WO-1');
    await h.settled();
    assertToldOnce(receiver, [
      [dup.imp_uid, 30000],
      [paid.imp_uid, 4000],
    ]);
  });

  it('the same when the payment beside it is the newer one (found by the plain find)', async () => {
    const { h, receiver } = await start();
    const NOW = Math.floor(h.clock.now() / 1000);
    const first = h.fake.addPayment({ merchant_uid: 'WO-2', amount: 30000, started_at: NOW - 600, paid_at: NOW - 590 });
    assert.equal((await h.view('WO-2')).body.imp_uid, first.imp_uid);
    // A second checkout of the order, paid (its webhook came), then 4,000 of it refunded in the console (whose did not).
    const second = h.fake.addPayment({
      merchant_uid: 'WO-2',
      amount: 30000,
      started_at: NOW - 300,
      paid_at: NOW - 290,
    });
    assert.equal((await notifyOf(h, second.imp_uid, 'WO-2', 'paid')).status, 200);
    await h.settled();
    h.clock.advance(1000);
    await cancelAtIamport(h, second.imp_uid, 4000);
    h.clock.advance(1000);
    await cancelAtIamport(h, first.imp_uid, 30000);
    assert.equal((await notifyOf(h, first.imp_uid, 'WO-2')).status, 200);
    await h.settled();
    const view = await h.view('WO-2');
    assert.deepEqual([view.body.imp_uid, view.body.cancelable_amount], [second.imp_uid, 26000]);
    await h.settled();
    assertToldOnce(receiver, [
      [first.imp_uid, 30000],
      [second.imp_uid, 4000],
    ]);
  });
});
