/** @module Tests of POST /payments/cancel: full/partial cancels, checksum, imp_uid precedence, code-1 refusals. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asPayment, authed, setup } from './test-fixture.ts';

describe('POST /payments/cancel', () => {
  it('cancels the whole balance when amount is omitted and returns the post-cancel payment', async () => {
    const { fake, advance, nowSec } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
    const api = await authed(fake);
    advance(600);
    const answer = await api.post('/payments/cancel', { imp_uid, reason: '고객 변심', checksum: 10000 });
    assert.equal(answer.status, 200);
    assert.equal(answer.code, 0);
    assert.equal(answer.message, null);
    const payment = asPayment(answer.response);
    assert.equal(payment.status, 'cancelled');
    assert.equal(payment.cancel_amount, 10000);
    assert.equal(payment.cancelled_at, nowSec());
    assert.equal(payment.cancel_reason, '고객 변심');
    assert.equal(payment.cancel_history.length, 1);
    const [entry] = payment.cancel_history;
    assert.equal(entry?.amount, 10000);
    assert.equal(entry?.cancelled_at, nowSec());
    assert.equal(entry?.reason, '고객 변심');
    assert.ok(entry?.pg_tid && entry.cancellation_id && entry.receipt_url);
    assert.deepEqual(fake.getPayment(imp_uid), payment);
  });

  it('cancels partially (status is "cancelled" already) and then the rest with amount 0', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
    const api = await authed(fake);
    const first = asPayment((await api.post('/payments/cancel', { imp_uid, amount: 3000, checksum: 10000 })).response);
    assert.equal(first.status, 'cancelled');
    assert.equal(first.cancel_amount, 3000);
    const second = asPayment((await api.post('/payments/cancel', { imp_uid, amount: 0, checksum: 7000 })).response);
    assert.equal(second.cancel_amount, 10000);
    assert.deepEqual(
      second.cancel_history.map((e) => e.amount),
      [3000, 7000],
    );
    const [a, b] = second.cancel_history;
    assert.notEqual(a?.cancellation_id, b?.cancellation_id);
  });

  it('refuses a checksum that is not the current balance and changes nothing', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
    const api = await authed(fake);
    await api.post('/payments/cancel', { imp_uid, amount: 1000 });
    const before = fake.getPayment(imp_uid);
    // A retry that still believes 10,000 is left: exactly what checksum exists to stop.
    const answer = await api.post('/payments/cancel', { imp_uid, amount: 1000, checksum: 10000 });
    assert.equal(answer.status, 200);
    assert.notEqual(answer.code, 0);
    assert.equal(answer.response, null);
    assert.deepEqual(fake.getPayment(imp_uid), before);
  });

  it('refuses an amount over the balance and changes nothing', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000, cancel_amount: 4000 });
    const before = fake.getPayment(imp_uid);
    const api = await authed(fake);
    const answer = await api.post('/payments/cancel', { imp_uid, amount: 6001 });
    assert.equal(answer.status, 200);
    assert.notEqual(answer.code, 0);
    assert.deepEqual(fake.getPayment(imp_uid), before);
  });

  it('answers code 1 "이미 전액취소된 주문입니다." when nothing is left', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000, status: 'cancelled' });
    const api = await authed(fake);
    assert.deepEqual(await api.post('/payments/cancel', { imp_uid }), {
      status: 200,
      code: 1,
      message: '이미 전액취소된 주문입니다.',
      response: null,
    });
  });

  it('answers HTTP 200 with code 1 for an unknown payment, where lookups answer 404', async () => {
    const { fake } = setup();
    const api = await authed(fake);
    assert.deepEqual(await api.post('/payments/cancel', { imp_uid: 'imp_000000000000', amount: 1000 }), {
      status: 200,
      code: 1,
      message: '취소할 결제건이 존재하지 않습니다.',
      response: null,
    });
    assert.equal((await api.get('/payments/imp_000000000000')).status, 404);
  });

  it('gives imp_uid precedence: an unknown imp_uid fails even with a valid merchant_uid', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
    const api = await authed(fake);
    const answer = await api.post('/payments/cancel', { imp_uid: 'imp_000000000000', merchant_uid: 'order-1' });
    assert.equal(answer.code, 1);
    assert.equal(fake.getPayment(imp_uid)?.cancel_amount, 0);
    assert.equal((await api.post('/payments/cancel', { merchant_uid: 'order-1' })).code, 0);
    assert.equal(fake.getPayment(imp_uid)?.cancel_amount, 10000);
  });

  it('refuses payments that are not paid (ready, failed) with code 1', async () => {
    const { fake } = setup();
    const ready = fake.addPayment({ merchant_uid: 'order-1', amount: 1000, pay_method: 'vbank', status: 'ready' });
    const failed = fake.addPayment({ merchant_uid: 'order-2', amount: 1000, status: 'failed' });
    const api = await authed(fake);
    assert.equal((await api.post('/payments/cancel', { imp_uid: ready.imp_uid })).code, 1);
    assert.equal((await api.post('/payments/cancel', { imp_uid: failed.imp_uid })).code, 1);
  });

  it('takes a form-encoded body (numbers as strings) and logs what was sent', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
    const api = await authed(fake);
    const fields = { imp_uid, amount: '2500', checksum: '10000', reason: 'form', 'extra[requester]': 'customer' };
    const answer = await api.postForm('/payments/cancel', fields);
    assert.equal(answer.code, 0);
    assert.equal(asPayment(answer.response).cancel_amount, 2500);
    const call = fake.calls.at(-1);
    assert.equal(call?.route, 'cancel');
    assert.deepEqual(call?.body, {
      imp_uid,
      amount: '2500',
      checksum: '10000',
      reason: 'form',
      extra: { requester: 'customer' },
    });
  });
});
