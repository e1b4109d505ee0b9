/** @module Control routes under `/__fake` for driving a fake served over HTTP; not behind i'mport auth. */
import * as v from 'valibot';
import { parseBody, controlRoutes as sharedControlRoutes } from '../../fake-kit/control-routes.ts';
import { FaultSchema } from './faults.ts';
import { FakePaymentInputSchema } from './payment-schema.ts';
import { accountKey, type FakeState, resetState, seedPayment } from './state.ts';

const AccountSchema = v.object({
  bank: v.pipe(v.string(), v.minLength(1)),
  number: v.pipe(v.string(), v.minLength(1)),
  holder: v.pipe(v.string(), v.minLength(1)),
});

/** Mounted at `/__fake`. */
export const controlRoutes = (state: FakeState) =>
  sharedControlRoutes({
    faultSchema: FaultSchema,
    faults: state.faults,
    calls: state.calls,
    reset: () => resetState(state),
  })
    .post('/payments', async (c) => {
      const body = await parseBody(c, FakePaymentInputSchema);
      if (!body.ok) return body.answer;
      return c.json(seedPayment(state, body.value), 201);
    })
    .get('/payments', (c) => c.json(state.payments.list()))
    .post('/accounts', async (c) => {
      const body = await parseBody(c, AccountSchema);
      if (!body.ok) return body.answer;
      state.accounts.set(accountKey(body.value.bank, body.value.number), body.value.holder);
      return c.json(body.value, 201);
    })
    .post('/holder-lookup', async (c) => {
      const body = await parseBody(c, v.object({ hidden: v.boolean() }));
      if (!body.ok) return body.answer;
      state.holderLookupHidden = body.value.hidden;
      return c.json(body.value, 200);
    });
