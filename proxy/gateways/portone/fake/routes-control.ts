/** @module Control routes under `/__fake` for driving a fake served over HTTP; not behind PortOne auth. */
import * as v from 'valibot';
import { parseBody, controlRoutes as sharedControlRoutes } from '../../fake-kit/control-routes.ts';
import { BankSchema } from './banks.ts';
import { settleCancellation } from './cancel.ts';
import { FaultSchema } from './faults.ts';
import { buildPayment, FakeV2PaymentInputSchema } from './payments.ts';
import { accountKey, type FakeState, resetState } from './state.ts';

const SettingsSchema = v.partial(
  v.strictObject({
    cancelMode: v.picklist(['SUCCEEDED', 'REQUESTED']),
    maxCancelCount: v.pipe(v.number(), v.minValue(0)),
    platformEnabled: v.boolean(),
  }),
);
const WebhookTargetSchema = v.nullable(
  v.strictObject({ url: v.pipe(v.string(), v.url()), secret: v.pipe(v.string(), v.startsWith('whsec_')) }),
);
const AccountSchema = v.strictObject({ bank: BankSchema, number: v.string(), holderName: v.string() });
const SettleSchema = v.strictObject({ outcome: v.picklist(['SUCCEEDED', 'FAILED']), storeId: v.optional(v.string()) });

/** Mounted at `/__fake`. */
export const controlRoutes = (state: FakeState) =>
  sharedControlRoutes({
    faultSchema: FaultSchema,
    faults: state.faults,
    calls: state.calls,
    reset: () => resetState(state),
  })
    .post('/payments', async (c) => {
      const body = await parseBody(c, FakeV2PaymentInputSchema);
      if (!body.ok) return body.answer;
      const stored = buildPayment(body.value, {
        nowMs: state.now(),
        storeId: state.storeId,
        merchantId: state.merchantId,
      });
      state.payments.put(stored);
      return c.json(stored.payment, 201);
    })
    .get('/payments', (c) => c.json(state.payments.list().map((stored) => stored.payment)))
    .patch('/settings', async (c) => {
      const body = await parseBody(c, SettingsSchema);
      if (!body.ok) return body.answer;
      Object.assign(state.settings, body.value);
      return c.json(state.settings);
    })
    .put('/webhook', async (c) => {
      const body = await parseBody(c, WebhookTargetSchema);
      if (!body.ok) return body.answer;
      state.webhooks.target = body.value ?? undefined;
      return c.body(null, 204);
    })
    .get('/webhooks', async (c) => {
      await state.webhooks.flush();
      return c.json(state.webhooks.deliveries);
    })
    .post('/payments/:paymentId/cancellations/:cancellationId/settle', async (c) => {
      const body = await parseBody(c, SettleSchema);
      if (!body.ok) return body.answer;
      const stored = state.payments.get(body.value.storeId ?? state.storeId, c.req.param('paymentId'));
      const entry = stored && settleCancellation(state, stored, c.req.param('cancellationId'), body.value.outcome);
      return entry ? c.json(entry) : c.json({ error: 'no such REQUESTED cancellation' }, 404);
    })
    .post('/release', (c) => {
      const held = state.stalled.splice(0);
      for (const release of held) release();
      return c.json({ released: held.length });
    })
    .post('/accounts', async (c) => {
      const body = await parseBody(c, AccountSchema);
      if (!body.ok) return body.answer;
      state.accounts.set(accountKey(body.value.bank, body.value.number), body.value.holderName);
      return c.body(null, 204);
    });
