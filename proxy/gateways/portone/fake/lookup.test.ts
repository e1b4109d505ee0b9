/**
 * @module Tests of `PortOne` auth and `GET /payments/{paymentId}` (operation getPayment) against the V2 OpenAPI: the
 * `Payment` union by status, `PaymentAmount`, `PaymentMethod*`, GetPaymentError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertPayment, assertSchema } from './openapi-facts.ts';
import { api, BASE, readAnswer, setup } from './test-fixture.ts';

describe('auth (security scheme portOne: `Authorization: PortOne <secret>`)', () => {
  const attempts: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a wrong secret', { Authorization: 'PortOne not-the-secret' }],
    ['the secret as a Bearer token', { Authorization: 'Bearer test_portone_v2_secret' }],
    ['the bare secret', { Authorization: 'test_portone_v2_secret' }],
  ];
  for (const [name, headers] of attempts) {
    it(`answers 401 UNAUTHORIZED (UnauthorizedError) to ${name}`, async () => {
      const { fake } = setup();
      fake.addPayment({ paymentId: 'order-1', total: 10000 });
      const answer = await readAnswer(await fake.app.request(`${BASE}/payments/order-1`, { headers }));
      assert.equal(answer.status, 401);
      assert.equal(answer.body.type, 'UNAUTHORIZED');
      assert.equal(typeof answer.body.message, 'string');
    });
  }

  it('answers with the secret in the PortOne form', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    assert.equal((await api(fake).get('/payments/order-1')).status, 200);
  });
});

describe('GET /payments/{paymentId}', () => {
  it("answers a TEST channel unless the seed says LIVE (a proxy run live takes no TEST channel's payment)", async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-test', total: 1000 });
    fake.addPayment({ paymentId: 'order-live', total: 1000, channelType: 'LIVE' });
    const channelOf = async (id: string) =>
      ((await api(fake).get(`/payments/${id}`)).body.channel as { type: string } | undefined)?.type;
    assert.deepEqual([await channelOf('order-test'), await channelOf('order-live')], ['TEST', 'LIVE']);
  });

  it('answers a paid card payment as PaidPayment with PaymentAmount and PaymentMethodCard', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const { status, body } = await api(fake).get('/payments/order-1');
    assert.equal(status, 200);
    const payment = assertPayment(body);
    assert.equal(payment.status, 'PAID');
    assert.equal(payment.id, 'order-1');
    assert.equal(payment.storeId, fake.storeId);
    assert.deepEqual(payment.amount, {
      total: 10000,
      taxFree: 0,
      vat: 909,
      discount: 0,
      paid: 10000,
      cancelled: 0,
      cancelledTaxFree: 0,
    });
    assert.equal((payment.method as { type: string }).type, 'PaymentMethodCard');
    assert.deepEqual(payment.disputes, [], 'PaidPayment requires disputes');
    assert.equal(payment.cancellations, undefined, 'no cancellation requested yet');
    assert.equal(payment.paidAt, '2026-01-15T03:00:00.000Z');
  });

  it('answers a paid virtual account with its Bank and a tax-free part (PaymentAmount.taxFree)', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-2', total: 30000, taxFree: 8000, method: 'virtual_account', bank: 'K_BANK' });
    const payment = assertPayment((await api(fake).get('/payments/order-2')).body);
    assert.equal(payment.status, 'PAID');
    assertSchema('PaymentMethodVirtualAccount', payment.method);
    assert.equal((payment.method as { bank: string }).bank, 'K_BANK');
    assert.deepEqual(payment.amount, {
      total: 30000,
      taxFree: 8000,
      vat: 2000,
      discount: 0,
      paid: 30000,
      cancelled: 0,
      cancelledTaxFree: 0,
    });
  });

  it('answers an unpaid virtual account as VirtualAccountIssuedPayment: nothing paid, no paidAt, no cancellations', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-3', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    const payment = assertPayment((await api(fake).get('/payments/order-3')).body);
    assert.equal(payment.status, 'VIRTUAL_ACCOUNT_ISSUED');
    assert.equal((payment.amount as { paid: number }).paid, 0);
    assert.equal(payment.paidAt, undefined);
  });

  it('answers a partly cancelled payment as PartialCancelledPayment with its SucceededPaymentCancellation', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-4', total: 10000, taxFree: 2000, cancelled: 3000, cancelledTaxFree: 1000 });
    const payment = assertPayment((await api(fake).get('/payments/order-4')).body);
    assert.equal(payment.status, 'PARTIAL_CANCELLED');
    assert.equal((payment.amount as { cancelled: number }).cancelled, 3000);
    assert.equal((payment.amount as { cancelledTaxFree: number }).cancelledTaxFree, 1000);
    assert.equal(payment.cancelledAt, '2026-01-15T03:00:00.000Z');
    const [entry] = payment.cancellations as Record<string, unknown>[];
    assert.equal(entry?.status, 'SUCCEEDED');
    assert.equal(entry?.totalAmount, 3000);
    assert.equal(entry?.taxFreeAmount, 1000);
  });

  it('answers the other statuses as their variants (CancelledPayment, FailedPayment, ReadyPayment)', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'c', total: 1000, status: 'CANCELLED' });
    fake.addPayment({ paymentId: 'f', total: 1000, status: 'FAILED' });
    fake.addPayment({ paymentId: 'r', total: 1000, status: 'READY' });
    const cancelled = assertPayment((await api(fake).get('/payments/c')).body);
    assert.equal((cancelled.amount as { cancelled: number }).cancelled, 1000);
    const failed = assertPayment((await api(fake).get('/payments/f')).body);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.failedAt, '2026-01-15T03:00:00.000Z');
    assert.equal(assertPayment((await api(fake).get('/payments/r')).body).status, 'READY');
  });

  it('answers 404 PAYMENT_NOT_FOUND (PaymentNotFoundError) for an unknown paymentId', async () => {
    const { fake } = setup();
    const { status, body } = await api(fake).get('/payments/nope');
    assert.equal(status, 404);
    assert.equal(body.type, 'PAYMENT_NOT_FOUND');
  });

  it('looks in a sub-store named by the storeId query, and answers 403 FORBIDDEN for a store out of reach', async () => {
    const { fake } = setup({ subStoreIds: ['store-sub-1'] });
    fake.addPayment({ paymentId: 'order-5', total: 1000, storeId: 'store-sub-1' });
    assert.equal((await api(fake).get('/payments/order-5')).status, 404, 'not in the secret’s own store');
    const found = await api(fake).get('/payments/order-5?storeId=store-sub-1');
    assert.equal(found.status, 200);
    assert.equal(found.body.storeId, 'store-sub-1');
    const denied = await api(fake).get('/payments/order-5?storeId=store-other');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.type, 'FORBIDDEN');
  });

  it('seeds payments through POST /__fake/payments for a fake served over HTTP', async () => {
    const { fake } = setup();
    const seeded = await fake.app.request('/__fake/payments', {
      method: 'POST',
      body: JSON.stringify({ paymentId: 'order-6', total: 7000, method: 'virtual_account' }),
    });
    assert.equal(seeded.status, 201);
    assert.equal(fake.getPayment('order-6')?.amount.total, 7000);
    const refused = await fake.app.request('/__fake/payments', { method: 'POST', body: JSON.stringify({ total: -1 }) });
    assert.equal(refused.status, 400);
  });
});
