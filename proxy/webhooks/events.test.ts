// Merchant webhooks through the public surface: refunds via app.request(), events POSTed to a real receiver on
// loopback that verifies each one with the `standardwebhooks` package. Every event type with its exact headers and
// body; a receiver with another secret refuses them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import type { Harness } from '../test-support/harness.ts';
import type { WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

const start = webhookStacks({ secret: newWebhookSecret(), retryDelaysMs: [5_000, 10_000, 20_000] });

/** The one event the receiver got, after the refund's background work (its first delivery included) is done. */
const onlyEvent = async (harness: Harness, r: WebhookReceiver) => {
  await harness.settled();
  assert.equal(r.received.length, 1, 'one POST');
  const [got] = r.received;
  assert.equal(got!.verifyError, null, 'the standardwebhooks library accepts it');
  return got!;
};

/** Checks the headers and returns the body and the stored event it came from. */
const checkHeaders = async (harness: Harness, got: { headers: Record<string, unknown>; body: string }) => {
  const id = String(got.headers['webhook-id']);
  assert.match(id, /^msg_[0-9a-f]{32}$/);
  assert.equal(got.headers['content-type'], 'application/json');
  const ts = Number(got.headers['webhook-timestamp']);
  assert.ok(Math.abs(ts - Math.floor(harness.clock.now() / 1000)) <= 2, 'the attempt time, in seconds');
  assert.match(String(got.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+={0,2}$/);
  const stored = await harness.store.getEvent(id);
  assert.ok(stored, 'the event is in the outbox');
  assert.equal(stored.status, 'delivered');
  return { body: JSON.parse(got.body) as unknown, stored };
};

describe('merchant webhooks: each event type, signed as Standard Webhooks', () => {
  it('refund.succeeded for a card refund, with the exact body', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'WH-1', amount: 10_000 });
    const res = await h.cancel(
      { merchant_uid: 'WH-1', cancel_request_amount: 4000, reason: '단순 변심' },
      { key: 'wh-k1' },
    );
    assert.equal(res.res.status, 200);
    const got = await onlyEvent(h, receiver);
    const { body, stored } = await checkHeaders(h, got);
    const [attempt] = await h.store.listAttempts('WH-1');
    assert.deepEqual(body, {
      type: 'refund.succeeded',
      timestamp: new Date(stored.created_at).toISOString(),
      data: {
        merchant_uid: 'WH-1',
        imp_uid: p.imp_uid,
        amount: 4000,
        cancel_amount: 4000,
        cancelable_amount: 6000,
        // i'mport's status for a partly refunded payment.
        status: 'cancelled',
        pending: false,
        reason: '단순 변심',
        attempt_id: attempt!.id,
        refund_account_masked: null,
        idempotency_key: 'wh-k1',
        sequence: 1,
      },
    });
    assert.deepEqual(got.verified, body, "the library's parse is the same body");
  });

  it('refund.succeeded with pending for a paid virtual account, the account masked; sequence counts per order', async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'WH-2', amount: 9000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const account = { refund_holder: '홍길동', refund_bank: '88', refund_account: '1234567890123456' };
    const first = await h.cancel({
      merchant_uid: 'WH-2',
      cancel_request_amount: 1000,
      reason: '배송 지연',
      ...account,
    });
    assert.equal(first.res.status, 200, JSON.stringify(first.body));
    await h.settled();
    const second = await h.cancel({
      merchant_uid: 'WH-2',
      cancel_request_amount: 2000,
      reason: '배송 지연',
      ...account,
    });
    assert.equal(second.res.status, 200);
    await h.settled();
    assert.equal(receiver.received.length, 2);
    const bodies = receiver.received.map((r) => {
      assert.equal(r.verifyError, null);
      return JSON.parse(r.body) as { type: string; data: Record<string, unknown> };
    });
    assert.deepEqual(
      bodies.map((b) => [b.type, b.data.sequence, b.data.amount, b.data.cancel_amount, b.data.pending]),
      [
        ['refund.succeeded', 1, 1000, 1000, true],
        ['refund.succeeded', 2, 2000, 3000, true],
      ],
    );
    assert.match(String(bodies[0]!.data.refund_account_masked), /^\*+3456$/);
    assert.equal(bodies[0]!.data.idempotency_key, null);
  });

  it('vbank.revoked for an unpaid virtual account', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'WH-3',
      amount: 5000,
      pay_method: 'vbank',
      pg_provider: 'kicc', // i'mport revokes KICC's unpaid accounts, not NHN KCP's (iamport-v1.md §5.1)
      status: 'ready',
      paid_at: 0,
    });
    const res = await h.cancel({ merchant_uid: 'WH-3', reason: '주문 실수' });
    assert.equal(res.body.revoked, true);
    const { body } = await checkHeaders(h, await onlyEvent(h, receiver));
    const data = (body as { type: string; data: Record<string, unknown> }).data;
    assert.equal((body as { type: string }).type, 'vbank.revoked');
    assert.deepEqual([data.imp_uid, data.amount, data.cancelable_amount, data.pending], [p.imp_uid, 0, 0, false]);
  });

  it("refund.failed when the PG refuses, with our code and message and the PG's own words", async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'WH-4', amount: 10_000 });
    h.fake.inject({ kind: 'pg_refusal', message: '[PG] 취소 가능 기간이 지났습니다' });
    const res = await h.cancel({ merchant_uid: 'WH-4', cancel_request_amount: 1000, reason: 'x' });
    assert.equal(res.body.error.code, 'PG_PROVIDER');
    const { body } = await checkHeaders(h, await onlyEvent(h, receiver));
    const event = body as { type: string; data: Record<string, unknown> };
    assert.equal(event.type, 'refund.failed');
    assert.deepEqual(event.data.error, {
      code: 'PG_PROVIDER',
      message: ERROR_MESSAGE_PG,
      // i'mport's message as it came, the PG's words inside.
      gateway_message: '결제취소에 실패하였습니다.([PG] 취소 가능 기간이 지났습니다)',
    });
    assert.deepEqual([event.data.amount, event.data.cancel_amount, event.data.pending], [1000, 0, false]);
  });

  it("payment.cancelled_externally for a cancel made in i'mport's console, once however often i'mport notifies", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'WH-5', amount: 10_000 });
    await h.view('WH-5');
    const token = await issueToken(h.fake);
    const direct = await h.fake.fetch(
      `${BASE}/payments/cancel`,
      json({ imp_uid: p.imp_uid, amount: 2500, reason: 'console' }, token),
    );
    assert.equal(direct.status, 200);
    const notify = () =>
      h.app.request('/webhooks/iamport', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ imp_uid: p.imp_uid, merchant_uid: 'WH-5', status: 'cancelled' }),
      });
    assert.equal((await notify()).status, 200);
    const { body } = await checkHeaders(h, await onlyEvent(h, receiver));
    const event = body as { type: string; data: Record<string, unknown> };
    assert.equal(event.type, 'payment.cancelled_externally');
    assert.deepEqual(
      [event.data.amount, event.data.cancel_amount, event.data.attempt_id, event.data.reason, event.data.sequence],
      [2500, 2500, null, 'console', 1],
    );
    // i'mport repeats itself (after the 2 s window in which repeats share one lookup): nothing new.
    h.clock.advance(3_000);
    assert.equal((await notify()).status, 200);
    await h.settled();
    assert.equal(receiver.received.length, 1);
    // Our own refund afterwards is ours, not external.
    // (The clock moved first: past the window, and not while the refund's event waits for its first POST.)
    h.clock.advance(3_000);
    await h.cancel({ merchant_uid: 'WH-5', cancel_request_amount: 1000, reason: 'y' });
    await notify();
    await h.settled();
    assert.deepEqual(
      receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type),
      ['payment.cancelled_externally', 'refund.succeeded'],
    );
  });

  it('a receiver with another secret fails verification', async () => {
    const { h, receiver } = await start(newWebhookSecret());
    h.fake.addPayment({ merchant_uid: 'WH-6', amount: 10_000 });
    await h.cancel({ merchant_uid: 'WH-6', cancel_request_amount: 1000, reason: 'x' });
    await h.settled();
    assert.equal(receiver.received.length, 1);
    assert.match(receiver.received[0]!.verifyError ?? '', /signature/i);
  });
});

const ERROR_MESSAGE_PG = (await import('../../shared/errors.ts')).ERROR_MESSAGES.PG_PROVIDER;
