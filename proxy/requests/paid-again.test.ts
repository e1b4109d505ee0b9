/**
 * A request is about the payment its order had when the customer made it. Should the order be paid again before staff
 * decide (the first payment refunded whole in i'mport's console, the order taken again under the same merchant_uid),
 * approving the request refunds nothing of the new payment: the customer's ask was about the first.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a refund request whose order was paid again before staff decided', () => {
  it('refunds nothing of the new payment, and ends failed for staff to reject', async () => {
    const harness = await withRequests();
    h = harness;
    const { ask, approve, reject } = requestCalls(harness);
    const first = harness.fake.addPayment({ merchant_uid: 'PA-1', amount: 20000 });
    const asked = await ask({ merchant_uid: 'PA-1', reason: '사이즈', cancel_request_amount: 8000 });
    assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
    const id = asked.body.request.id;
    // The shop refunds the first payment whole in i'mport's console, then the order is paid again.
    harness.clock.advance(1000);
    await cancelAtIamport(harness, first.imp_uid, 20000);
    await notifyOf(harness, first.imp_uid, 'PA-1');
    harness.clock.advance(1000);
    const second = harness.fake.addPayment({ merchant_uid: 'PA-1', amount: 20000 });
    await notifyOf(harness, second.imp_uid, 'PA-1', 'paid');
    assert.equal((await harness.view('PA-1')).body.imp_uid, second.imp_uid, 'the order shows the second payment');

    harness.clock.advance(1000);
    const sent = harness.fake.count('cancel');
    const approved = await approve(id);
    await harness.settled();
    assert.equal(
      approved.body.refund?.error?.code,
      'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
      JSON.stringify(approved.body),
    );
    assert.equal(approved.body.request?.status, 'failed');
    assert.equal(harness.fake.getPayment(second.imp_uid)?.cancel_amount, 0, 'the new payment is untouched');
    assert.equal(harness.fake.count('cancel'), sent, 'nothing sent');
    const rejected = await reject(id, { reason: '주문이 다시 결제되었어요' });
    assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
  });
});
