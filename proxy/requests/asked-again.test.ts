// A customer's refund got no answer and was settled as not made ten minutes on; the gateway applied it later, with no
// webhook (or one lost), so the ledger's copy still shows the money unrefunded. The customer, told it was not refunded,
// asks for it again as a request: the request was taken on the stale copy, its first approval refused by i'mport's
// checksum and its second refunded the ask again (16,000 for one 8,000). A request on such an order now reads the
// payment from the gateway first, and a balance other than the ledger's is told to the customer before anything is
// taken.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness | undefined;
afterEach(async () => h?.close());

const MINUTE = 60_000;
const ASK = { merchant_uid: 'AA-1', reason: '사이즈', cancel_request_amount: 8000 };

describe('a request for what a refund settled as not made already gave back', () => {
  it('is refused with the fresh figures, nothing taken, and the view then shows them', async () => {
    h = await withRequests({ timeoutMs: 300 });
    const payment = h.fake.addPayment({ merchant_uid: 'AA-1', amount: 30000 });
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const direct = await h.cancel(ASK, { key: 'k-direct' });
    assert.equal(direct.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(10 * MINUTE + 1000);
    assert.equal((await h.view('AA-1')).body.cancelable_amount, 30000, 'settled as not made');
    h.clock.advance(30_000);
    await cancelAtIamport(h, payment.imp_uid, 8000, 30000, '사이즈'); // applied late, no webhook
    h.clock.advance(11 * MINUTE);

    const { ask } = requestCalls(h);
    const asked = await ask(ASK);
    assert.deepEqual(
      [asked.res.status, asked.body.error?.code, asked.body.cancelable_amount],
      [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 22000],
      JSON.stringify(asked.body),
    );
    assert.equal(await h.store.latestRequest('AA-1'), null, 'no request taken');
    assert.equal((await h.view('AA-1')).body.cancelable_amount, 22000, 'the ledger learnt it');
    assert.equal(h.fake.getPayment(payment.imp_uid)?.cancel_amount, 8000, 'one refund for one ask');
  });

  it('is taken as usual when the gateway shows nothing more than the ledger does', async () => {
    h = await withRequests({ timeoutMs: 300 });
    h.fake.addPayment({ merchant_uid: 'AA-1', amount: 30000 });
    h.fake.inject({ kind: 'drop', route: 'cancel' }); // never applied
    await h.cancel(ASK, { key: 'k-direct' });
    h.clock.advance(21 * MINUTE);
    const asked = await requestCalls(h).ask(ASK);
    assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
  });
});
