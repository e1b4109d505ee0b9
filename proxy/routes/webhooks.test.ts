// POST /webhooks/iamport: trusts only i'mport's own answer, and settles attempts a crash left unknown.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

const post = (body: string, type: string) =>
  h.app.request('/webhooks/iamport', { method: 'POST', headers: { 'Content-Type': type }, body });

/** Cancels at the fake directly, as if from the i'mport console (our ledger does not see it). */
const cancelBehindOurBack = async (impUid: string, amount: number) => {
  const token = (await (await h.fake.fetch('http://iamport.test/users/getToken', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ imp_key: 'test_imp_key', imp_secret: 'test_imp_secret' }) })).json()) as { response: { access_token: string } };
  await h.fake.fetch('http://iamport.test/payments/cancel', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.response.access_token}` }, body: JSON.stringify({ imp_uid: impUid, amount, reason: 'console' }) });
};

describe('POST /webhooks/iamport', () => {
  it('re-fetches the payment and updates the ledger, ignoring what the body claims (JSON)', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-1', amount: 10000 });
    await h.view('W-1');
    await cancelBehindOurBack(p.imp_uid, 2500);
    const res = await post(JSON.stringify({ imp_uid: p.imp_uid, merchant_uid: 'W-1', status: 'paid', cancel_amount: 0 }), 'application/json');
    assert.equal(res.status, 200);
    assert.equal((await h.store.getPayment('W-1'))!.cancel_amount, 2500);
    assert.equal((await h.view('W-1')).body.cancelable_amount, 7500);
  });

  it('accepts a form-encoded body and stores an order the ledger did not know', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-2', amount: 3000 });
    const res = await post(new URLSearchParams({ imp_uid: p.imp_uid, merchant_uid: 'W-2', status: 'paid' }).toString(), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    assert.equal((await h.store.getPayment('W-2'))!.imp_uid, p.imp_uid);
  });

  it('answers 5xx when i\'mport cannot be reached (so i\'mport retries), 404 for an unknown payment, 400 for a bad body', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-3', amount: 3000 });
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    assert.equal((await post(JSON.stringify({ imp_uid: p.imp_uid }), 'application/json')).status, 503);
    assert.equal((await post(JSON.stringify({ imp_uid: 'imp_000000000000' }), 'application/json')).status, 404);
    assert.equal((await post('{', 'application/json')).status, 400);
    assert.equal((await post('imp_uid=x', 'text/plain')).status, 400);
  });

  it('settles an attempt a crash left without an outcome (the cancel had applied) as succeeded', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-4', amount: 5000 });
    await h.view('W-4');
    // The proxy wrote its attempt, i'mport applied the cancel, and the process died before the ledger write.
    const startedAt = h.clock.now();
    await h.store.insertAttempt({
      id: 'crashed-attempt', merchant_uid: 'W-4', imp_uid: p.imp_uid, requested_amount: 5000, amount: 5000, checksum: 5000, reason: 'x',
      refund_bank: null, refund_account_masked: null, grant_subject: 'W-4', grant_jti: null, client_ip: null, origin: null, idempotency_key: null, started_at: startedAt,
    });
    await cancelBehindOurBack(p.imp_uid, 5000);
    const res = await post(JSON.stringify({ imp_uid: p.imp_uid, status: 'cancelled' }), 'application/json');
    assert.equal(res.status, 200);
    const attempt = await h.store.getAttempt('crashed-attempt');
    assert.equal(attempt!.outcome, 'succeeded');
    assert.equal((await h.store.getPayment('W-4'))!.cancel_amount, 5000);
  });
});
