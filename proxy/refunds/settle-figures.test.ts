import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payment } from '../payments/payment.ts';
import { paymentAfter } from './cancel-history.ts';

const payment = {
  imp_uid: 'imp_1',
  merchant_uid: 'ORD-1',
  amount: 10_000,
  cancel_amount: 5000,
  status: 'cancelled',
  cancel_history: [
    { amount: 2000, cancelled_at: 200, cancellation_id: 'c2' },
    { amount: 3000, cancelled_at: 100, cancellation_id: 'c1' },
  ],
} as unknown as Payment; // only the fields paymentAfter reads

describe('paymentAfter', () => {
  it('gives the figures just after each cancel, in time order, and the payment itself for the latest', () => {
    const [later, earlier] = payment.cancel_history;
    assert.equal(paymentAfter(payment, earlier!).cancel_amount, 3000);
    assert.equal(paymentAfter(payment, earlier!).status, 'cancelled');
    assert.equal(paymentAfter(payment, later!), payment);
    assert.equal(paymentAfter(payment, { amount: 1, cancelled_at: 1, cancellation_id: 'other' }), payment);
  });
});
