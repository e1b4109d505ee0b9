/** @module Control routes under `/__fake` for driving a fake served over HTTP; not behind PortOne auth. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { FaultSchema } from './faults.ts';
import { buildPayment, FakeV2PaymentInputSchema } from './payments.ts';
import { type FakeState, resetState } from './state.ts';

const readJson = async (request: Request): Promise<unknown> => {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
};

const invalid = (issues: v.BaseIssue<unknown>[]) => ({ error: 'invalid body', issues: issues.map((i) => i.message) });

/** Mounted at `/__fake`. */
export const controlRoutes = (state: FakeState) =>
  new Hono()
    .post('/faults', async (c) => {
      const parsed = v.safeParse(FaultSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      state.faults.push(parsed.output);
      return c.json(parsed.output, 201);
    })
    .delete('/faults', (c) => {
      state.faults.clear();
      return c.body(null, 204);
    })
    .post('/reset', (c) => {
      resetState(state);
      return c.body(null, 204);
    })
    .post('/payments', async (c) => {
      const parsed = v.safeParse(FakeV2PaymentInputSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      const stored = buildPayment(parsed.output, {
        nowMs: state.now(),
        storeId: state.storeId,
        merchantId: state.merchantId,
      });
      state.payments.put(stored);
      return c.json(stored.payment, 201);
    })
    .get('/payments', (c) => c.json(state.payments.list().map((stored) => stored.payment)))
    .get('/calls', (c) => c.json(state.calls));
