// Whether an order takes another refund request after rejections (bar.ts, barringRejection()), through the customer's
// ask and view and the staff's reject: of several rejections that took no new request, the latest decides.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('a rejection barring a new request', () => {
  // Guards bar.ts's pick of the LATEST barring rejection (`>`): the order's first bar was lifted by a later rejection
  // that took a new request, then staff barred the order again. Only that second bar counts; the first one, lifted,
  // would let the customer ask again.
  it('of two rejections that took no new request, the latest bars the order, though the earlier was lifted', async () => {
    h = await withRequests();
    const { ask, approve, reject } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'BAR-1', amount: 20_000 });
    const body = { merchant_uid: 'BAR-1', reason: '환불', cancel_request_amount: 8000 };
    // A failed request, then a newer one beside it.
    const first = (await ask(body)).body.request.id;
    h.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(first)).body.request.status, 'failed');
    h.clock.advance(1000);
    const second = (await ask({ ...body, reason: '다시' })).body.request.id;
    // The first bar, on the older request...
    h.clock.advance(1000);
    assert.equal((await reject(first, { reason: '반품 불가 상품', allow_new_request: false })).res.status, 200);
    // ...lifted by a later rejection of the newer request that takes a new one.
    h.clock.advance(1000);
    assert.equal((await reject(second, { reason: '계좌 확인 후 다시', allow_new_request: true })).res.status, 200);
    h.clock.advance(1000);
    const third = await ask({ ...body, reason: '세 번째' });
    assert.equal(third.res.status, 201, JSON.stringify(third.body));
    // The second bar, decided last: nothing lifts it.
    h.clock.advance(1000);
    const barred = await reject(third.body.request.id, { reason: '더 이상 받지 않아요', allow_new_request: false });
    assert.equal(barred.res.status, 200);
    assert.equal((await h.view('BAR-1')).body.request.allow_new_request, false);
    const fourth = await ask({ ...body, reason: '네 번째' });
    assert.deepEqual([fourth.res.status, fourth.body.error?.code], [409, 'REFUND_REQUEST_NOT_ALLOWED']);
    assert.equal(fourth.body.request.id, third.body.request.id, 'the latest rejection is the one that says so');
  });
});
