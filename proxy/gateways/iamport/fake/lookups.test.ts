/** @module Tests of the lookups: complete Payment objects, 404 when unknown, include_sandbox, find by order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asPayment, authed, setup } from './test-fixture.ts';

describe('GET /payments/:imp_uid', () => {
  it('returns the complete payment with defaults for a paid card payment', async () => {
    const { fake, nowSec } = setup();
    const seeded = fake.addPayment({ merchant_uid: 'order-1', amount: 15000, name: '티셔츠' });
    const api = await authed(fake);
    const answer = await api.get(`/payments/${seeded.imp_uid}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.code, 0);
    const payment = asPayment(answer.response);
    assert.deepEqual(payment, seeded);
    assert.match(payment.imp_uid, /^imp_\d{12}$/);
    assert.equal(payment.pay_method, 'card');
    assert.equal(payment.pg_provider, 'html5_inicis');
    assert.equal(payment.currency, 'KRW');
    assert.equal(payment.status, 'paid');
    assert.equal(payment.paid_at, nowSec());
    assert.equal(payment.cancel_amount, 0);
    assert.equal(payment.cancelled_at, 0);
    assert.equal(payment.failed_at, 0);
    assert.deepEqual(payment.cancel_history, []);
  });

  it('answers HTTP 404 with the documented message for an unknown imp_uid', async () => {
    const { fake } = setup();
    const api = await authed(fake);
    assert.deepEqual(await api.get('/payments/imp_000000000000'), {
      status: 404,
      code: -1,
      message: '존재하지 않는 결제정보입니다.',
      response: null,
    });
  });

  it('hides sandbox payments unless include_sandbox=true', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 1000, sandbox: true });
    const api = await authed(fake);
    assert.equal((await api.get(`/payments/${imp_uid}`)).status, 404);
    assert.equal((await api.get(`/payments/${imp_uid}?include_sandbox=true`)).status, 200);
  });

  it('hands out copies: changing a returned payment does not change the fake', () => {
    const { fake } = setup();
    const seeded = fake.addPayment({ merchant_uid: 'order-1', amount: 1000 });
    seeded.cancel_amount = 1000;
    assert.equal(fake.getPayment(seeded.imp_uid)?.cancel_amount, 0);
  });
});

describe('GET /payments/find/:merchant_uid[/:payment_status]', () => {
  it('returns the newest payment of the order by started_at, or the newest in a status', async () => {
    const { fake, nowSec } = setup();
    const t = nowSec();
    const failed = fake.addPayment({ merchant_uid: 'order-1', amount: 1000, status: 'failed', started_at: t - 60 });
    const paid = fake.addPayment({ merchant_uid: 'order-1', amount: 1000, started_at: t - 120 });
    fake.addPayment({ merchant_uid: 'order-2', amount: 1000, started_at: t });
    const api = await authed(fake);
    assert.equal(asPayment((await api.get('/payments/find/order-1')).response).imp_uid, failed.imp_uid);
    assert.equal(asPayment((await api.get('/payments/find/order-1/paid')).response).imp_uid, paid.imp_uid);
  });

  it('answers 404 when nothing matches and 400 for an unsupported status', async () => {
    const { fake } = setup();
    fake.addPayment({ merchant_uid: 'order-1', amount: 1000 });
    const api = await authed(fake);
    const none = await api.get('/payments/find/order-9');
    assert.equal(none.status, 404);
    assert.equal(none.message, '존재하지 않는 결제정보입니다.');
    assert.equal((await api.get('/payments/find/order-1/cancelled')).status, 404);
    assert.equal((await api.get('/payments/find/order-1/refunded')).status, 400);
  });
});
