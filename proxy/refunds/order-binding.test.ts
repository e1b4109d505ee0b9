// Which payment an order is: the first paid one found for its merchant_uid. Another payment with the same
// merchant_uid, brought by i'mport's webhook or a lookup, is recorded beside it and never takes its place, except
// once the first has nothing left at stake (README, "Which payment an order is").
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

const webhook = (impUid: string) =>
  h.app.request('/webhooks/iamport', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ imp_uid: impUid }),
  });

/** The imp_uid of every cancel the proxy sent to i'mport. */
const cancelledImpUids = () =>
  h.fake.calls.filter((c) => c.route === 'cancel').map((c) => (c.body as { imp_uid: string }).imp_uid);

describe('an order is tied to one payment', () => {
  it("a test-mode payment sharing a live merchant_uid, announced by i'mport's own webhook, never replaces the real order", async () => {
    h = await createHarness();
    const real = h.fake.addPayment({ merchant_uid: 'BIND-1', amount: 30000 });
    assert.equal((await h.view('BIND-1')).body.amount, 30000);
    const test = h.fake.addPayment({ merchant_uid: 'BIND-1', amount: 100, sandbox: true });
    await webhook(test.imp_uid);
    assert.equal(await h.store.getPaymentByImpUid(test.imp_uid), null, 'a test payment is never stored');
    assert.ok(!h.fake.calls.some((c) => c.path.includes(test.imp_uid) && c.status === 200), 'nor asked for');
    const view = await h.view('BIND-1');
    assert.deepEqual([view.body.amount, view.body.cancelable_amount], [30000, 30000]);
    assert.equal(
      (await h.cancel({ merchant_uid: 'BIND-1', cancel_request_amount: 1000, reason: 'x' })).res.status,
      200,
    );
    assert.deepEqual(cancelledImpUids(), [real.imp_uid]);
  });

  it('a second paid payment for the same merchant_uid (a retried checkout) is recorded, not shown, and not refunded', async () => {
    h = await createHarness();
    const first = h.fake.addPayment({ merchant_uid: 'BIND-2', amount: 20000 });
    await h.view('BIND-2');
    const second = h.fake.addPayment({ merchant_uid: 'BIND-2', amount: 5000 });
    assert.equal((await webhook(second.imp_uid)).status, 200);
    assert.equal((await h.store.getPaymentByImpUid(second.imp_uid))?.amount, 5000, 'recorded');
    assert.equal(await h.store.tiedImpUid('BIND-2'), first.imp_uid);
    assert.ok(
      h.logs.some((l) => l.level === 'warn' && l.imp_uid === second.imp_uid && l.tied_imp_uid === first.imp_uid),
      'and said so in the log',
    );
    assert.equal((await h.view('BIND-2')).body.amount, 20000);
    const refund = await h.cancel({ merchant_uid: 'BIND-2', reason: 'x' });
    assert.equal(refund.res.status, 200);
    assert.equal(refund.body.imp_uid, first.imp_uid);
    assert.deepEqual(cancelledImpUids(), [first.imp_uid]);
  });

  it('finds the paid payment of an order first seen through a failed attempt', async () => {
    h = await createHarness();
    const paid = h.fake.addPayment({ merchant_uid: 'BIND-3', amount: 8000 });
    // The newest attempt failed; i'mport's plain lookup by merchant_uid answers the most recently started one.
    h.fake.addPayment({ merchant_uid: 'BIND-3', amount: 8000, status: 'failed', paid_at: 0 });
    const view = await h.view('BIND-3');
    assert.deepEqual([view.body.status, view.body.refundable], ['paid', true]);
    assert.equal(await h.store.tiedImpUid('BIND-3'), paid.imp_uid);
  });

  it('moves to a later paid payment once the first was refunded in full', async () => {
    h = await createHarness();
    const first = h.fake.addPayment({ merchant_uid: 'BIND-4', amount: 3000 });
    assert.equal((await h.cancel({ merchant_uid: 'BIND-4', reason: 'x' })).res.status, 200);
    const again = h.fake.addPayment({ merchant_uid: 'BIND-4', amount: 4000 });
    await webhook(again.imp_uid);
    assert.equal(await h.store.tiedImpUid('BIND-4'), again.imp_uid);
    const view = await h.view('BIND-4');
    assert.deepEqual([view.body.amount, view.body.cancelable_amount], [4000, 4000]);
    assert.notEqual(first.imp_uid, again.imp_uid);
  });
});
