/**
 * @module Tests of `POST /payments/{paymentId}/cancel` (operation cancelPayment) against the V2 OpenAPI:
 * CancelPaymentBody in, CancelPaymentResponse / SucceededPaymentCancellation out, and each CancelPaymentError `type`
 * with the HTTP status the operation documents for it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCancellation, assertPayment, assertSchema } from './openapi-facts.ts';
import { api, setup } from './test-fixture.ts';

const REFUND_ACCOUNT = { bank: 'SHINHAN', number: '110123456789', holderName: '홍길동' };

const cancel = (fake: ReturnType<typeof setup>['fake'], paymentId: string, body: unknown) =>
  api(fake).post(`/payments/${paymentId}/cancel`, body);

const expectError = async (
  answer: Promise<{ status: number; body: Record<string, unknown> }>,
  status: number,
  type: string,
) => {
  const { status: got, body } = await answer;
  assert.equal(body.type, type);
  assert.equal(got, status);
  assert.equal(typeof body.message, 'string');
};

describe('a cancel that succeeds (CancelPaymentResponse)', () => {
  it('cancels all that remains when amount is omitted: SucceededPaymentCancellation, payment CANCELLED', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const { status, body } = await cancel(fake, 'order-1', { reason: '단순 변심', requester: 'CUSTOMER' });
    assert.equal(status, 200);
    assertSchema('CancelPaymentResponse', body);
    const cancellation = assertCancellation(body.cancellation);
    assert.equal(cancellation.status, 'SUCCEEDED');
    assert.equal(cancellation.totalAmount, 10000);
    assert.equal(cancellation.taxFreeAmount, 0);
    assert.equal(cancellation.vatAmount, 909);
    assert.equal(cancellation.reason, '단순 변심');
    assert.equal(cancellation.trigger, 'API');
    assert.equal(cancellation.requestedAt, '2026-01-15T03:00:00.000Z');
    assert.equal(cancellation.cancelledAt, '2026-01-15T03:00:00.000Z');
    assert.equal(typeof cancellation.receiptUrl, 'string');
    assert.equal(typeof cancellation.pgCancellationId, 'string');

    const payment = assertPayment((await api(fake).get('/payments/order-1')).body);
    assert.equal(payment.status, 'CANCELLED');
    assert.equal((payment.amount as { cancelled: number }).cancelled, 10000);
    assert.deepEqual(
      (payment.cancellations as { id: string }[]).map((entry) => entry.id),
      [cancellation.id],
    );
  });

  it('cancels in parts: PARTIAL_CANCELLED, then CANCELLED, the parts’ VAT adding up to the payment’s', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-2', total: 10000 });
    const first = await cancel(fake, 'order-2', { reason: 'a', amount: 3000, currentCancellableAmount: 10000 });
    assert.equal(first.status, 200);
    assert.equal(fake.getPayment('order-2')?.status, 'PARTIAL_CANCELLED');
    const second = await cancel(fake, 'order-2', { reason: 'b', currentCancellableAmount: 7000 });
    assert.equal((second.body.cancellation as { totalAmount: number }).totalAmount, 7000);
    const payment = fake.getPayment('order-2');
    assert.equal(payment?.status, 'CANCELLED');
    assert.equal(
      payment?.cancellations.reduce((vat, entry) => vat + entry.vatAmount, 0),
      payment?.amount.vat,
    );
  });

  it('sends refundAccount for a paid virtual account and takes it (CancelPaymentBodyRefundAccount)', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-3', total: 5000, method: 'virtual_account' });
    const body = { reason: '환불', refundAccount: { ...REFUND_ACCOUNT, holderPhoneNumber: '01012345678' } };
    assert.equal((await cancel(fake, 'order-3', body)).status, 200);
    assert.deepEqual(fake.calls.at(-1)?.body, body);
    assert.equal(fake.getPayment('order-3')?.status, 'CANCELLED');
  });
});

describe('CancelPaymentError: 400 INVALID_REQUEST (InvalidRequestError)', () => {
  const bodies: [string, unknown][] = [
    ['reason missing (CancelPaymentBody.required)', { amount: 1000 }],
    ['an empty reason', { reason: '' }],
    ['a non-integer amount (int64)', { reason: 'r', amount: 10.5 }],
    ['a negative amount', { reason: 'r', amount: -1 }],
    ['a requester outside CancelRequester', { reason: 'r', requester: 'MERCHANT' }],
    ['a bank outside the Bank enum', { reason: 'r', refundAccount: { ...REFUND_ACCOUNT, bank: 'SHINHAN_BANK' } }],
    ['a refundAccount without holderName', { reason: 'r', refundAccount: { bank: 'SHINHAN', number: '1' } }],
    ['a body that is not JSON', 'not json'],
  ];
  for (const [name, body] of bodies) {
    it(`refuses ${name}, cancelling nothing`, async () => {
      const { fake } = setup();
      fake.addPayment({ paymentId: 'order-1', total: 10000 });
      const init = { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) };
      const res = await fake.app.request('/payments/order-1/cancel', {
        ...init,
        headers: { Authorization: `PortOne ${fake.apiSecret}`, 'content-type': 'application/json' },
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { type: string }).type, 'INVALID_REQUEST');
      assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
    });
  }

  it('refuses to cancel a paid virtual account without refundAccount (the fake’s choice of error)', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-2', total: 5000, method: 'virtual_account' });
    await expectError(cancel(fake, 'order-2', { reason: 'r' }), 400, 'INVALID_REQUEST');
  });
});

describe('CancelPaymentError: 404 and the 409s', () => {
  it('answers 404 PAYMENT_NOT_FOUND for an unknown payment', async () => {
    const { fake } = setup();
    await expectError(cancel(fake, 'nope', { reason: 'r' }), 404, 'PAYMENT_NOT_FOUND');
  });

  it('answers 409 CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN when currentCancellableAmount ≠ total − cancelled', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000, cancelled: 2000 });
    await expectError(
      cancel(fake, 'order-1', { reason: 'r', amount: 1000, currentCancellableAmount: 10000 }),
      409,
      'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
    );
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 2000, 'nothing cancelled');
    const ok = await cancel(fake, 'order-1', { reason: 'r', amount: 1000, currentCancellableAmount: 8000 });
    assert.equal(ok.status, 200);
  });

  it('answers 409 CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT for more than remains', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000, cancelled: 6000 });
    await expectError(
      cancel(fake, 'order-1', { reason: 'r', amount: 4001 }),
      409,
      'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
    );
  });

  it('answers 409 PAYMENT_ALREADY_CANCELLED for a cancelled payment', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000, status: 'CANCELLED' });
    await expectError(cancel(fake, 'order-1', { reason: 'r' }), 409, 'PAYMENT_ALREADY_CANCELLED');
  });

  for (const status of ['READY', 'VIRTUAL_ACCOUNT_ISSUED', 'FAILED'] as const) {
    it(`answers 409 PAYMENT_NOT_PAID for a ${status} payment`, async () => {
      const { fake } = setup();
      fake.addPayment({ paymentId: 'order-1', total: 10000, status, method: 'virtual_account' });
      await expectError(
        cancel(fake, 'order-1', { reason: 'r', refundAccount: REFUND_ACCOUNT }),
        409,
        'PAYMENT_NOT_PAID',
      );
    });
  }

  it('answers 409 MAX_CANCEL_COUNT_REACHED once the configured number of cancels reached the PG', async () => {
    const { fake } = setup({ maxCancelCount: 2 });
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    fake.inject({ kind: 'pg_refusal' });
    assert.equal((await cancel(fake, 'order-1', { reason: 'r', amount: 1000 })).status, 502, 'a refused try counts');
    assert.equal((await cancel(fake, 'order-1', { reason: 'r', amount: 1000 })).status, 200);
    await expectError(cancel(fake, 'order-1', { reason: 'r', amount: 1000 }), 409, 'MAX_CANCEL_COUNT_REACHED');
    fake.addPayment({ paymentId: 'order-2', total: 10000, maxCancelCount: 0 });
    await expectError(cancel(fake, 'order-2', { reason: 'r' }), 409, 'MAX_CANCEL_COUNT_REACHED');
  });
});

describe('tax-free and VAT parts (taxFreeAmount, vatAmount; PaymentAmount.taxFree − cancelledTaxFree)', () => {
  const taxFreePayment = () => {
    const fixture = setup();
    fixture.fake.addPayment({ paymentId: 'order-1', total: 10000, taxFree: 4000 });
    return fixture.fake;
  };

  it('refuses a full cancel without taxFreeAmount: 409 CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT', async () => {
    const fake = taxFreePayment();
    await expectError(
      cancel(fake, 'order-1', { reason: 'r' }),
      409,
      'CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT',
    );
  });

  it('refuses more tax-free than remains: 409 CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT', async () => {
    const fake = taxFreePayment();
    await expectError(
      cancel(fake, 'order-1', { reason: 'r', amount: 6000, taxFreeAmount: 4001 }),
      409,
      'CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT',
    );
  });

  it('refuses parts that add up to more than the amount: 409 SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT', async () => {
    const fake = taxFreePayment();
    await expectError(
      cancel(fake, 'order-1', { reason: 'r', amount: 1000, taxFreeAmount: 800, vatAmount: 300 }),
      409,
      'SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT',
    );
  });

  it('cancels with the tax-free part named, and counts it in cancelledTaxFree', async () => {
    const fake = taxFreePayment();
    const { status, body } = await cancel(fake, 'order-1', { reason: 'r', taxFreeAmount: 4000 });
    assert.equal(status, 200);
    assert.deepEqual(
      [body.cancellation].map((c) => {
        const { totalAmount, taxFreeAmount, vatAmount } = c as Record<string, number>;
        return { totalAmount, taxFreeAmount, vatAmount };
      }),
      [{ totalAmount: 10000, taxFreeAmount: 4000, vatAmount: 545 }],
    );
    assert.deepEqual(fake.getPayment('order-1')?.amount, {
      total: 10000,
      taxFree: 4000,
      vat: 545,
      discount: 0,
      paid: 10000,
      cancelled: 10000,
      cancelledTaxFree: 4000,
    });
  });

  it('takes the vatAmount given', async () => {
    const fake = taxFreePayment();
    const { body } = await cancel(fake, 'order-1', { reason: 'r', amount: 2200, vatAmount: 200 });
    assert.equal((body.cancellation as { vatAmount: number }).vatAmount, 200);
  });
});

describe('502 PG_PROVIDER (PgProviderError)', () => {
  it('answers the PG’s pgCode and pgMessage and cancels nothing', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    fake.inject({ kind: 'pg_refusal', pgCode: 'E123', pgMessage: '취소 불가 거래' });
    const { status, body } = await cancel(fake, 'order-1', { reason: 'r' });
    assert.equal(status, 502);
    assertSchema('PgProviderError', body);
    assert.deepEqual([body.type, body.pgCode, body.pgMessage], ['PG_PROVIDER', 'E123', '취소 불가 거래']);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
    assert.equal(fake.calls.at(-1)?.fault, 'pg_refusal');
  });
});
