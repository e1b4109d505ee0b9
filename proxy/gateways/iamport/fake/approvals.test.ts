/**
 * @module Tests of the fake's PGs that approve later (PayPal, a Smartro virtual account: iamport-v1.md §3.2, §3.4),
 * once `holdForApproval()` is called, and of a deposit landing on an unpaid virtual account.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asPayment, authed, setup } from './test-fixture.ts';

const paypal = {
  merchant_uid: 'pp-1',
  amount: 123.45,
  currency: 'USD',
  pay_method: 'paypal',
  pg_provider: 'paypal_v2',
};

describe('PGs that approve later', () => {
  it('answers code 0 with the payment unchanged, and shows the cancel once the PG approves it', async () => {
    const { fake } = setup();
    fake.holdForApproval();
    const { imp_uid } = fake.addPayment(paypal);
    const api = await authed(fake);
    const answer = await api.post('/payments/cancel', { imp_uid, amount: 12.34, checksum: 123.45, reason: '변심' });
    assert.equal(answer.code, 0);
    assert.deepEqual([asPayment(answer.response).status, asPayment(answer.response).cancel_amount], ['paid', 0]);
    assert.deepEqual(
      fake.awaitingApproval().map((x) => x.payment),
      [imp_uid],
    );
    assert.equal(fake.pgDecides(imp_uid, true), true);
    const shown = fake.getPayment(imp_uid)!;
    assert.deepEqual(
      [shown.status, shown.cancel_amount, shown.cancel_history[0]?.reason],
      ['cancelled', 12.34, '변심'],
    );
    assert.equal(fake.pgDecides(imp_uid, true), false, 'none waits any more');
  });

  it('shows nothing of a cancel the PG refuses; other PGs, and all before holdForApproval(), approve at once', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment(paypal);
    const card = fake.addPayment({ merchant_uid: 'card-1', amount: 1000 });
    const api = await authed(fake);
    await api.post('/payments/cancel', { imp_uid, amount: 1 });
    assert.equal(fake.getPayment(imp_uid)!.cancel_amount, 1, 'approved at once by default');
    fake.holdForApproval();
    await api.post('/payments/cancel', { imp_uid, amount: 2 });
    await api.post('/payments/cancel', { imp_uid: card.imp_uid, amount: 100 });
    assert.equal(fake.getPayment(card.imp_uid)!.cancel_amount, 100);
    assert.equal(fake.pgDecides(imp_uid, false), true);
    assert.equal(fake.getPayment(imp_uid)!.cancel_amount, 1);
    assert.deepEqual(fake.awaitingApproval(), []);
  });
});

describe('deposit', () => {
  it('makes an unpaid virtual account paid, and nothing else', async () => {
    const { fake, nowSec } = setup();
    const ready = fake.addPayment({ merchant_uid: 'vb-1', amount: 5000, pay_method: 'vbank', status: 'ready' });
    const card = fake.addPayment({ merchant_uid: 'card-1', amount: 1000 });
    assert.equal(fake.deposit(ready.imp_uid), true);
    const paid = fake.getPayment(ready.imp_uid)!;
    assert.deepEqual([paid.status, paid.paid_at, paid.deposit_history.length], ['paid', nowSec(), 1]);
    assert.equal(fake.deposit(ready.imp_uid), false, 'paid already');
    assert.equal(fake.deposit(card.imp_uid), false);
  });
});
