// A staff approval on PortOne V2 whose cancel PortOne accepts as REQUESTED: the request stays approved (the refund is
// not done), and how PortOne finishes it moves the request: refunded, or failed (to be approved again or rejected).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, type Harness, PORTONE_WEBHOOK_SECRET } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
let fake: FakePortOne;
afterEach(async () => {
  await fake?.flushWebhooks();
  await h?.settled();
  await h?.close();
});

/** A proxy on V2 with request mode on, whose cancels PortOne accepts as REQUESTED; one request for ORD-Q made. */
const approvedAndAccepted = async () => {
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  fake = createFakePortOne({
    now: clock.now,
    cancelMode: 'REQUESTED',
    webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
    webhookFetch: async (url, init) => h.app.request(String(url), init),
  });
  h = await withRequests({ clock, portone: fake });
  fake.addPayment({ paymentId: 'ORD-Q', total: 10_000 });
  const calls = requestCalls(h);
  const made = await calls.ask({ merchant_uid: 'ORD-Q', cancel_request_amount: 4000, reason: '사이즈가 맞지 않아요' });
  assert.equal(made.res.status, 201, JSON.stringify(made.body));
  const id: string = made.body.request.id;
  const approved = await calls.approve(id);
  assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
  assert.deepEqual(
    [
      approved.body.request.status,
      approved.body.refund.ok,
      approved.body.refund.pending,
      approved.body.refund.accepted,
    ],
    ['approved', true, true, true],
    'approved; the refund accepted by PortOne, not done',
  );
  await fake.flushWebhooks();
  await h.settled();
  const cancellation = fake.getPayment('ORD-Q')?.cancellations[0];
  assert.ok(cancellation);
  assert.equal(fake.calls.filter((c) => c.route === 'cancel').length, 1);
  return { id, calls, cancellationId: cancellation.id };
};

describe('an approval on PortOne V2 whose refund PortOne finishes later', () => {
  it('moves the request to refunded once PortOne says SUCCEEDED (its webhook)', async () => {
    const { id, cancellationId } = await approvedAndAccepted();
    assert.equal((await h.store.getRequest(id))?.status, 'approved');
    h.clock.advance(3000);
    fake.settleCancellation('ORD-Q', cancellationId, 'SUCCEEDED');
    await fake.flushWebhooks();
    await h.settled();
    assert.equal((await h.store.getRequest(id))?.status, 'refunded');
    const view = await h.view('ORD-Q');
    assert.deepEqual([view.body.request.status, view.body.cancel_amount], ['refunded', 4000]);
  });

  it('moves the request to failed once PortOne says FAILED; approved again, it refunds under a new key', async () => {
    const { id, calls, cancellationId } = await approvedAndAccepted();
    fake.settleCancellation('ORD-Q', cancellationId, 'FAILED');
    const view = await h.view('ORD-Q');
    assert.deepEqual([view.body.request.status, view.body.cancelable_amount], ['failed', 10_000]);
    const failed = await h.store.getRequest(id);
    assert.equal(failed?.status, 'failed');
    fake.settings.cancelMode = 'SUCCEEDED';
    const again = await calls.approve(id);
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.deepEqual([again.body.request.status, again.body.refund.refunded], ['refunded', 4000]);
    const keys = fake.calls.filter((c) => c.route === 'cancel').map((c) => c.idempotencyKey);
    assert.equal(keys.length, 2);
    assert.notEqual(keys[0], keys[1], 'the second approval is another refund, under a key of its own');
  });
});
