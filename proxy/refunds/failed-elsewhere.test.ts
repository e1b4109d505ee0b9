// PortOne V2 keeps failed cancellations in the payment. One of the same amount as a refund whose answer was lost (the
// console's, failed by the PG) is not that refund's refusal: only its cancellation's id could say so. Until the
// payment shows the refund, its outcome is not known, nothing more is sent, and once PortOne finishes it the shop
// hears refund.succeeded. Through app.request(), against the fake PortOne.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { newWebhookSecret } from '../test-support/webhook-stack.ts';

let h: Harness;
let fake: FakePortOne;
afterEach(async () => {
  await h?.settled();
  await h?.close();
});

/** A cancel staff send in PortOne's console, which the PG then fails. */
const failedInConsole = async (paymentId: string, amount: number) => {
  const res = await fake.fetch(`https://api.portone.io/payments/${paymentId}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `PortOne ${fake.apiSecret}` },
    body: JSON.stringify({ reason: 'console', amount }),
  });
  const { cancellation } = (await res.json()) as { cancellation: { id: string } };
  fake.settleCancellation(paymentId, cancellation.id, 'FAILED');
};

describe("a failed cancellation of the same amount is not a lost refund's refusal (PortOne V2)", () => {
  it('the answer lost while PortOne holds the refund REQUESTED: unknown, then refund.succeeded once it finishes', async () => {
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
    // Merchant webhooks on, so the order's events are written (what they reach is not this test's matter).
    const merchantWebhooks = {
      urls: ['https://merchant.test/hook'],
      secret: newWebhookSecret(),
      retryDelaysMs: [1000],
    };
    h = await createHarness({
      clock,
      portone: fake,
      outside: async () => new Response(null),
      config: { merchantWebhooks },
    });
    fake.addPayment({ paymentId: 'FE-1', total: 10_000 });
    await h.view('FE-1');
    await failedInConsole('FE-1', 3000);

    fake.inject({ kind: 'lose_response', route: 'cancel' });
    const body = { merchant_uid: 'FE-1', reason: '단순 변심', cancel_request_amount: 3000 };
    const asked = await h.cancel(body, { key: 'fe-1-key-0001' });
    assert.deepEqual([asked.res.status, asked.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    const [attempt] = await h.store.listAttempts('FE-1');
    assert.deepEqual([attempt!.outcome, attempt!.cancellation_id], ['unknown', null]);

    const ours = fake.getPayment('FE-1')!.cancellations.find((c) => c.reason === '단순 변심')!;
    fake.settleCancellation('FE-1', ours.id, 'SUCCEEDED');
    const again = await h.cancel(body, { key: 'fe-1-key-0001' });
    assert.deepEqual([again.res.status, again.body.refunded], [200, 3000]);
    assert.equal((await h.store.listAttempts('FE-1'))[0]!.outcome, 'succeeded');
    const events = (await h.store.listOrderEvents('FE-1')).map((e) => e.type);
    assert.deepEqual(events, ['refund.succeeded']);
    assert.equal(fake.count('cancel'), 2, "the console's and the customer's: nothing sent again");
  });

  it('the refund still running at PortOne (no answer yet): the order takes no second refund beside it', async () => {
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    fake = createFakePortOne({ now: clock.now });
    h = await createHarness({ clock, portone: fake, timeoutMs: 300 });
    fake.addPayment({ paymentId: 'FE-2', total: 10_000, cancelMode: 'REQUESTED' });
    await h.view('FE-2');
    await failedInConsole('FE-2', 3000);
    fake.inject({ kind: 'stall', route: 'cancel' });
    const body = { merchant_uid: 'FE-2', reason: 'r', cancel_request_amount: 3000 };
    const first = await h.cancel(body, { key: 'fe-2-key-0001' });
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    const view = await h.view('FE-2');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const second = await h.cancel(body, { key: 'fe-2-key-0002' });
    assert.deepEqual([second.res.status, second.body.error.code], [409, 'REFUND_IN_PROGRESS']);
    assert.equal(fake.count('cancel'), 2, "the console's and the one still running");
    fake.releaseStalled();
  });
});
