// A whole refund asked while PortOne V2 holds everything left in a cancel it accepted and has not finished
// (REQUESTED): there is nothing to refund beside it, so nothing may be sent. Found by the model (reliability/model.test.ts):
// the proxy sent V2 a whole cancel with `currentCancellableAmount: 0`, which the fake took as a second REQUESTED
// cancellation of 0, and told the customer 200 "accepted" with `refunded: 0`; both finished as two cancellations for
// one refund, and a request asked for the whole amount meanwhile was taken for 0.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, type Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
let fake: FakePortOne;
afterEach(async () => h?.close());

/** ORD-A (10,000 on V2), refunded in full and accepted: V2 holds the whole amount as REQUESTED. */
const acceptedWhole = async () => {
  const clock = createClock();
  fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
  h = await withRequests({ clock, portone: fake });
  fake.addPayment({ paymentId: 'ORD-A', total: 10_000 });
  const first = await h.cancel({ merchant_uid: 'ORD-A', reason: '단순 변심' }, { key: 'key-a-1' });
  assert.deepEqual([first.res.status, first.body.accepted, first.body.refunded], [200, true, 10_000]);
  await h.settled();
};

const cancels = () => fake.calls.filter((c) => c.route === 'cancel').length;

describe('a whole refund while V2 holds all that is left in an accepted cancel', () => {
  it('is refused with nothing sent, and the accepted cancel finishes as the only refund', async () => {
    await acceptedWhole();
    const again = await h.cancel({ merchant_uid: 'ORD-A', reason: '단순 변심' }, { key: 'key-a-2' });
    assert.equal(again.res.status, 409, JSON.stringify(again.body));
    assert.equal(again.body.error.code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    assert.equal(again.body.cancelable_amount, 0);
    assert.equal(cancels(), 1, 'no second cancel went to PortOne');
    const [only] = fake.getPayment('ORD-A')!.cancellations;
    fake.settleCancellation('ORD-A', only!.id, 'SUCCEEDED');
    await h.view('ORD-A');
    await h.settled();
    assert.deepEqual(
      fake.getPayment('ORD-A')!.cancellations.map((c) => [c.status, c.totalAmount]),
      [['SUCCEEDED', 10_000]],
    );
    assert.equal((await h.store.getPayment('ORD-A'))?.cancel_amount, 10_000);
  });

  it('takes no refund request for nothing', async () => {
    await acceptedWhole();
    const asked = await requestCalls(h).ask({ merchant_uid: 'ORD-A', reason: '사이즈' }, { key: 'ask-a-1' });
    assert.equal(asked.res.status, 409, JSON.stringify(asked.body));
    assert.equal(asked.body.error.code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    assert.equal(cancels(), 1);
  });
});
