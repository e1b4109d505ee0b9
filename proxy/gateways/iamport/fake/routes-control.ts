/** @module Control routes under `/__fake` for driving a fake served over HTTP; not behind i'mport auth. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { FaultSchema } from './faults.ts';
import { FakePaymentInputSchema } from './payment-schema.ts';
import { accountKey, type FakeState, resetState, seedPayment } from './state.ts';

const readJson = async (request: Request): Promise<unknown> => {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
};

const AccountSchema = v.object({
  bank: v.pipe(v.string(), v.minLength(1)),
  number: v.pipe(v.string(), v.minLength(1)),
  holder: v.pipe(v.string(), v.minLength(1)),
});

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
      const parsed = v.safeParse(FakePaymentInputSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      return c.json(seedPayment(state, parsed.output), 201);
    })
    .get('/payments', (c) => c.json(state.payments.list()))
    .post('/accounts', async (c) => {
      const parsed = v.safeParse(AccountSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      state.accounts.set(accountKey(parsed.output.bank, parsed.output.number), parsed.output.holder);
      return c.json(parsed.output, 201);
    })
    .post('/holder-lookup', async (c) => {
      const parsed = v.safeParse(v.object({ hidden: v.boolean() }), await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      state.holderLookupHidden = parsed.output.hidden;
      return c.json(parsed.output, 200);
    })
    .get('/calls', (c) => c.json(state.calls));
