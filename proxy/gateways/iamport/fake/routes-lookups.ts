/** @module Lookups `GET /payments/:imp_uid` and `GET /payments/find/:merchant_uid[/:status]`; 404 when none. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { failure, MESSAGES, success } from './envelope.ts';
import { type FakePayment, PaymentStatusSchema } from './payment-schema.ts';
import type { FakeState } from './state.ts';

export const lookupRoutes = (state: FakeState) =>
  new Hono()
    // Registered before /payments/:imp_uid only for readability: the two never match the same path.
    .get('/payments/find/:merchant_uid/:payment_status?', (c) => {
      const status = c.req.param('payment_status');
      if (status !== undefined && !v.is(PaymentStatusSchema, status)) return failure(c, 400, MESSAGES.badStatus);
      // The default `sorting` is -started: the most recently started payment wins.
      const inStatus = (p: FakePayment) => status === undefined || p.status === status;
      const payment = state.payments.newest(c.req.param('merchant_uid'), inStatus);
      return payment ? success(c, payment) : failure(c, 404, MESSAGES.paymentNotFound);
    })
    // Every payment of an order (optionally in one status), newest started first, one page of `limit` (1-1000, 20 by
    // default): iamport-v1.md §4.1, `{ total, previous, next, list }`.
    .get('/payments/findAll/:merchant_uid/:payment_status?', (c) => {
      const status = c.req.param('payment_status');
      if (status !== undefined && !v.is(PaymentStatusSchema, status)) return failure(c, 400, MESSAGES.badStatus);
      const limit = Number(c.req.query('limit') ?? 20);
      const page = Number(c.req.query('page') ?? 1);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(page) || page < 1) {
        return failure(c, 400, MESSAGES.badStatus);
      }
      const all = state.payments
        .list()
        .filter((p) => p.merchant_uid === c.req.param('merchant_uid') && (status === undefined || p.status === status))
        .sort((a, b) => b.started_at - a.started_at);
      if (all.length === 0) return failure(c, 404, MESSAGES.paymentNotFound);
      const list = all.slice((page - 1) * limit, page * limit);
      const next = page * limit < all.length ? page + 1 : 0;
      return success(c, { total: all.length, previous: page > 1 ? page - 1 : 0, next, list });
    })
    .get('/payments/:imp_uid', (c) => {
      const payment = state.payments.get(c.req.param('imp_uid'));
      // Payments made through a test channel are hidden unless asked for (§4.1).
      const visible = payment && (!payment.sandbox || c.req.query('include_sandbox') === 'true');
      return visible ? success(c, payment) : failure(c, 404, MESSAGES.paymentNotFound);
    });
