/**
 * @module Tests of cancellations that come back `REQUESTED` (RequestedPaymentCancellation) and are settled later, and
 * of the signed webhooks the fake sends (V2 webhook guide readme-v2.mdx, version 2024-04-25: `Transaction.Cancelled`,
 * `Transaction.PartialCancelled`, `Transaction.CancelPending` with `paymentId`, `storeId`, `transactionId`,
 * `cancellationId`), verified with the `standardwebhooks` package.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { FakePortOneOptions } from './fake-portone.ts';
import { assertCancellation, assertPayment } from './openapi-facts.ts';
import { api, setup } from './test-fixture.ts';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

interface Received {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * A fake whose webhooks go to an in-memory receiver. Its clock is the real time at the start of the test, frozen:
 * `standardwebhooks` checks `webhook-timestamp` against the real clock (5 minutes' tolerance).
 */
const withReceiver = (options: FakePortOneOptions = {}) => {
  const secret = newSecret();
  const received: Received[] = [];
  const webhookFetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(url, init);
    received.push({ url: request.url, headers: Object.fromEntries(request.headers), body: await request.text() });
    return new Response(null, { status: 200 });
  };
  const startedAt = Date.now();
  const fixture = setup({
    now: () => startedAt,
    webhook: { url: 'https://shop.test/webhooks/portone', secret },
    webhookFetch,
    ...options,
  });
  /** The bodies received so far, each verified against the secret (throws when one is not). */
  const verified = async (verifySecret = secret) => {
    await fixture.fake.flushWebhooks();
    return received.map(({ headers, body }) => new Webhook(verifySecret).verify(body, headers));
  };
  return { ...fixture, received, verified };
};

const cancellationOf = (body: Record<string, unknown>) => assertCancellation(body.cancellation);

describe('signed webhooks (Standard Webhooks)', () => {
  it('sends Transaction.Cancelled for a full cancel, verified by standardwebhooks with the whsec_ secret', async () => {
    const { fake, verified, received } = withReceiver();
    const { transactionId } = fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const { body } = await api(fake).post('/payments/order-1/cancel', { reason: 'r' });
    const cancellation = cancellationOf(body);
    assert.deepEqual(await verified(), [
      {
        type: 'Transaction.Cancelled',
        timestamp: new Date(fake.getPayment('order-1')?.cancelledAt ?? '').toISOString(),
        data: { paymentId: 'order-1', storeId: fake.storeId, transactionId, cancellationId: cancellation.id },
      },
    ]);
    assert.equal(received[0]?.url, 'https://shop.test/webhooks/portone');
    assert.match(received[0]?.headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]+=*$/);
    assert.equal(fake.webhooks[0]?.status, 200);
  });

  it('signs so that another secret does not verify', async () => {
    const { fake, verified } = withReceiver();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    await api(fake).post('/payments/order-1/cancel', { reason: 'r' });
    await assert.rejects(verified(newSecret()), { name: 'WebhookVerificationError' });
  });

  it('sends Transaction.PartialCancelled for a partial cancel, and nothing with skipWebhook', async () => {
    const { fake, verified } = withReceiver();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 1000 });
    await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 1000, skipWebhook: true });
    assert.deepEqual(
      (await verified()).map((message) => (message as { type: string }).type),
      ['Transaction.PartialCancelled'],
    );
  });

  it('sends nothing when no webhook URL is set', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    await api(fake).post('/payments/order-1/cancel', { reason: 'r' });
    assert.equal(fake.webhooks.length, 0);
  });
});

describe('REQUESTED cancellations (RequestedPaymentCancellation), settled later', () => {
  it('answers REQUESTED, keeps the payment PAID with the request in its cancellations, sends CancelPending', async () => {
    const { fake, verified } = withReceiver({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const { status, body } = await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 4000 });
    assert.equal(status, 200);
    const cancellation = cancellationOf(body);
    assert.equal(cancellation.status, 'REQUESTED');
    assert.equal(cancellation.cancelledAt, undefined);
    const payment = assertPayment((await api(fake).get('/payments/order-1')).body);
    assert.equal(payment.status, 'PAID');
    assert.equal((payment.amount as { cancelled: number }).cancelled, 0);
    assert.deepEqual(
      (payment.cancellations as { status: string }[]).map((entry) => entry.status),
      ['REQUESTED'],
    );
    const [message] = (await verified()) as { type: string; data: { cancellationId: string } }[];
    assert.deepEqual([message?.type, message?.data.cancellationId], ['Transaction.CancelPending', cancellation.id]);
  });

  it('holds back what a pending cancel asked for: the next one sees only the rest as cancellable', async () => {
    const { fake } = setup({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 4000 });
    const { status, body } = await api(fake).post('/payments/order-1/cancel', {
      reason: 'r',
      currentCancellableAmount: 10000,
    });
    assert.deepEqual([status, body.type], [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN']);
  });

  it('settles to SUCCEEDED: the amounts, the status and Transaction.PartialCancelled follow', async () => {
    const { fake, verified } = withReceiver({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const { body } = await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 4000 });
    const { id } = cancellationOf(body) as { id: string };
    const settled = fake.settleCancellation('order-1', id, 'SUCCEEDED');
    assertCancellation(settled);
    assert.equal(settled.status, 'SUCCEEDED');
    const payment = assertPayment((await api(fake).get('/payments/order-1')).body);
    assert.equal(payment.status, 'PARTIAL_CANCELLED');
    assert.equal((payment.amount as { cancelled: number }).cancelled, 4000);
    assert.deepEqual(
      (await verified()).map((message) => (message as { type: string }).type),
      ['Transaction.CancelPending', 'Transaction.PartialCancelled'],
    );
  });

  it('settles to FAILED: nothing is cancelled and the amount is cancellable again', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000, cancelMode: 'REQUESTED' });
    const { body } = await api(fake).post('/payments/order-1/cancel', { reason: 'r' });
    const { id } = cancellationOf(body) as { id: string };
    assert.equal(fake.settleCancellation('order-1', id, 'FAILED').status, 'FAILED');
    const payment = assertPayment((await api(fake).get('/payments/order-1')).body);
    assert.deepEqual([payment.status, (payment.amount as { cancelled: number }).cancelled], ['PAID', 0]);
    const again = await api(fake).post('/payments/order-1/cancel', { reason: 'r', currentCancellableAmount: 10000 });
    assert.equal(again.status, 200);
  });

  it('is switched per payment, globally, or over HTTP (PATCH /__fake/settings, POST …/settle)', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const patched = await fake.app.request('/__fake/settings', {
      method: 'PATCH',
      body: JSON.stringify({ cancelMode: 'REQUESTED' }),
    });
    assert.equal(patched.status, 200);
    const { body } = await api(fake).post('/payments/order-1/cancel', { reason: 'r' });
    const { id } = cancellationOf(body) as { id: string };
    const settled = await fake.app.request(`/__fake/payments/order-1/cancellations/${id}/settle`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'SUCCEEDED' }),
    });
    assert.equal(settled.status, 200);
    assert.equal(fake.getPayment('order-1')?.status, 'CANCELLED');
    assert.throws(() => fake.settleCancellation('order-1', id, 'SUCCEEDED'), /no REQUESTED cancellation/);
  });
});
