/** @module Control routes under `/__fake` for driving a fake served over HTTP; not behind PortOne auth. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { BankSchema } from './banks.ts';
import { settleCancellation } from './cancel.ts';
import { FaultSchema } from './faults.ts';
import { buildPayment, FakeV2PaymentInputSchema } from './payments.ts';
import { accountKey, type FakeState, resetState } from './state.ts';

const readJson = async (request: Request): Promise<unknown> => {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
};

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
    .get('/calls', (c) => c.json(state.calls))
    .patch('/settings', async (c) => {
      const parsed = v.safeParse(SettingsSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      Object.assign(state.settings, parsed.output);
      return c.json(state.settings);
    })
    .put('/webhook', async (c) => {
      const parsed = v.safeParse(WebhookTargetSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      state.webhooks.target = parsed.output ?? undefined;
      return c.body(null, 204);
    })
    .get('/webhooks', async (c) => {
      await state.webhooks.flush();
      return c.json(state.webhooks.deliveries);
    })
    .post('/payments/:paymentId/cancellations/:cancellationId/settle', async (c) => {
      const parsed = v.safeParse(SettleSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      const stored = state.payments.get(parsed.output.storeId ?? state.storeId, c.req.param('paymentId'));
      const entry = stored && settleCancellation(state, stored, c.req.param('cancellationId'), parsed.output.outcome);
      return entry ? c.json(entry) : c.json({ error: 'no such REQUESTED cancellation' }, 404);
    })
    .post('/release', (c) => {
      const held = state.stalled.splice(0);
      for (const release of held) release();
      return c.json({ released: held.length });
    })
    .post('/accounts', async (c) => {
      const parsed = v.safeParse(AccountSchema, await readJson(c.req.raw));
      if (!parsed.success) return c.json(invalid(parsed.issues), 400);
      state.accounts.set(accountKey(parsed.output.bank, parsed.output.number), parsed.output.holderName);
      return c.body(null, 204);
    });
