// An amount a millionth off a whole unit is not a whole unit: money() keeps it to the millionth, and that is what would be
// sent. KRW refused 1000.0000009 won before shared/currency-units.ts (Number.isInteger); its 1e-6 tolerance let it through.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('an amount a millionth off its currency’s unit', () => {
  it('is refused by a refund, a request and an approval, and nothing is sent', async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'FN-KRW', amount: 10_000 });
    await h.view('FN-KRW');
    const refund = await h.cancel({ merchant_uid: 'FN-KRW', cancel_request_amount: 1000.0000009, reason: 'x' });
    assert.equal(refund.res.status, 400, JSON.stringify(refund.body));
    assert.equal(refund.body.error.message, 'cancel_request_amount must be a whole number of won.');
    const asked = await ask({ merchant_uid: 'FN-KRW', cancel_request_amount: 1000.0000009, reason: 'x' });
    assert.equal(asked.res.status, 400, JSON.stringify(asked.body));
    const made = await ask({ merchant_uid: 'FN-KRW', cancel_request_amount: 2000, reason: 'x' });
    assert.equal(made.res.status, 201, JSON.stringify(made.body));
    const approved = await approve(made.body.request.id, { amount: 1000.0000009 });
    assert.equal(approved.res.status, 400, JSON.stringify(approved.body));
    h.fake.addPayment({ merchant_uid: 'FN-USD', amount: 10, currency: 'USD', pg_provider: 'html5_inicis' });
    await h.view('FN-USD');
    const cents = await h.cancel({ merchant_uid: 'FN-USD', cancel_request_amount: 1.0100009, reason: 'x' });
    assert.equal(cents.res.status, 400, JSON.stringify(cents.body));
    assert.equal(h.fake.count('cancel'), 0, 'nothing sent');
    const noisy = await h.cancel({ merchant_uid: 'FN-USD', cancel_request_amount: 0.1 + 0.2, reason: 'x' });
    assert.equal(noisy.res.status, 200, JSON.stringify(noisy.body));
  });
});
