/** @module `GET /payments/{paymentId}` (operation getPayment): the `Payment` union, or GetPaymentError. */
import { Hono } from 'hono';
import { forbiddenStore, storeOf } from './auth.ts';
import { answerError, refusal } from './errors.ts';
import { toWire } from './payments.ts';
import type { FakeState } from './state.ts';

export const paymentNotFound = () => refusal('PAYMENT_NOT_FOUND', '결제 건이 존재하지 않습니다.');

export const paymentRoutes = (state: FakeState) =>
  new Hono().get('/payments/:paymentId', (c) => {
    const storeId = storeOf(state, c.req.query('storeId'));
    if (storeId === undefined) return answerError(c, forbiddenStore());
    const stored = state.payments.get(storeId, c.req.param('paymentId'));
    if (!stored) return answerError(c, paymentNotFound());
    return c.json(toWire(stored.payment), 200);
  });
