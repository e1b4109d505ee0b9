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

  it("keeps a failed request from refunding again beside the customer's own refund PortOne holds as REQUESTED", async () => {
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    fake = createFakePortOne({
      now: clock.now,
      webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
      webhookFetch: async (url, init) => h.app.request(String(url), init),
    });
    h = await withRequests({ clock, portone: fake });
    fake.addPayment({ paymentId: 'ORD-X', total: 20_000 });
    const { ask, approve, reject } = requestCalls(h);
    const body = { merchant_uid: 'ORD-X', reason: '사이즈', cancel_request_amount: 8000 };
    const id = (await ask(body)).body.request.id;
    fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');
    // The customer's own refund (a refund-mode grant the shop also gave), which PortOne accepts to finish later.
    fake.settings.cancelMode = 'REQUESTED';
    const direct = await h.cancel(body, { key: 'K-direct-000000001' });
    assert.deepEqual([direct.res.status, direct.body.accepted], [200, true], JSON.stringify(direct.body));
    await fake.flushWebhooks();
    await h.settled();

    fake.settings.cancelMode = 'SUCCEEDED';
    // Approved again, and again: each refused, the first refusal no less than the next.
    for (const time of ['again', 'once more']) {
      h.clock.advance(1000);
      const again = await approve(id);
      const code = again.body.refund?.error?.code ?? again.body.error?.code;
      assert.equal(code, 'REFUND_REQUEST_DECIDED', `${time}: ${JSON.stringify(again.body)}`);
    }
    const pending = fake.getPayment('ORD-X')?.cancellations.find((c) => c.status === 'REQUESTED');
    assert.ok(pending);
    fake.settleCancellation('ORD-X', pending.id, 'SUCCEEDED');
    await fake.flushWebhooks();
    await h.settled();
    assert.equal(fake.getPayment('ORD-X')?.amount.cancelled, 8000, 'one ask, refunded once');
    assert.equal(fake.calls.filter((c) => c.route === 'cancel').length, 2, 'the refused one and the direct one');
    assert.equal((await reject(id, { reason: '직접 환불되었어요' })).body.request?.status, 'rejected');
  });
});
