/**
 * A failed request approved again after the order was refunded outside it (the customer's own refund, under a
 * refund-mode grant the shop also gave) is refused, whatever the request's first approval left behind: decide.test.ts
 * has the case where that approval's refund was sent and refused; these, one that never sent anything, and an outside
 * refund that applied late.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { ACCOUNT, requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The error code an approval's answer carries, from the refund it ran or from the approval itself. */
const codeOf = (answer: { body: { refund?: { error?: { code?: string } }; error?: { code?: string } } }) =>
  answer.body.refund?.error?.code ?? answer.body.error?.code;

describe('a failed request approved again after the order was refunded outside it', () => {
  it('is refused when its first approval sent nothing (the order busy), and a third approval too', async () => {
    const harness = await withRequests({ leaseWaitMs: 50 });
    h = harness;
    const { ask, approve, reject } = requestCalls(harness);
    harness.fake.addPayment({ merchant_uid: 'RO-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const body = {
      merchant_uid: 'RO-1',
      reason: '사이즈',
      cancel_request_amount: 8000,
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: ACCOUNT,
    };
    const id = (await ask(body)).body.request.id;
    // Something else holds the order (the hourly look, a view settling an attempt) while staff approve: the approval
    // ends failed with no attempt of its own written.
    assert.ok(await harness.store.acquireLease('order:RO-1', 'someone-else', 60_000, harness.clock.now()));
    const first = await approve(id);
    assert.equal(first.body.request.status, 'failed', JSON.stringify(first.body));
    await harness.store.releaseLease('order:RO-1', 'someone-else');
    assert.equal(harness.fake.count('cancel'), 0);

    harness.clock.advance(1000);
    const direct = await harness.cancel(body);
    assert.equal(direct.res.status, 200, JSON.stringify(direct.body));
    for (const time of ['again', 'once more']) {
      harness.clock.advance(1000);
      const again = await approve(id);
      assert.equal(codeOf(again), 'REFUND_REQUEST_DECIDED', `${time}: ${JSON.stringify(again.body)}`);
    }
    await harness.settled();
    assert.equal(harness.fake.count('cancel'), 1, 'the direct refund alone was sent');
    assert.equal((await harness.view('RO-1')).body.cancel_amount, 8000);
    const rejected = await reject(id, { reason: '직접 환불되었어요' });
    assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
  });

  it('is refused when the outside refund got no answer, was settled as not made, and then applied late', async () => {
    const harness = await withRequests({ timeoutMs: 300 });
    h = harness;
    const { ask, approve } = requestCalls(harness);
    const payment = harness.fake.addPayment({ merchant_uid: 'RO-2', amount: 30000 });
    const body = { merchant_uid: 'RO-2', reason: '사이즈', cancel_request_amount: 8000 };
    const id = (await ask(body)).body.request.id;
    harness.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');

    // The customer's own refund of the same ask loses its answer, is settled as not made once it could no longer be
    // running, and i'mport applies it after all (in its words), its webhook telling the proxy.
    harness.clock.advance(1000);
    harness.fake.inject({ kind: 'drop', route: 'cancel' });
    const direct = await harness.cancel(body, { key: 'k-direct' });
    assert.equal(codeOf(direct), 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(direct.body));
    harness.clock.advance(10 * 60_000 + 1000);
    assert.equal((await harness.view('RO-2')).body.refundable, true, 'settled as not made');
    await cancelAtIamport(harness, payment.imp_uid, 8000, 30000, '사이즈');
    await notifyOf(harness, payment.imp_uid, 'RO-2');
    await harness.settled();

    harness.clock.advance(1000);
    const again = await approve(id);
    await harness.settled();
    assert.equal(codeOf(again), 'REFUND_REQUEST_DECIDED', JSON.stringify(again.body));
    assert.equal(harness.fake.getPayment(payment.imp_uid)?.cancel_amount, 8000, 'one refund for one ask');
  });
});
