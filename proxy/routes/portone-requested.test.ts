// A cancel PortOne V2 accepts as REQUESTED and finishes later, through the public surface: a retry with the same key
// meanwhile is told the same (and sends nothing), and however it ends (SUCCEEDED or FAILED) the attempt, the key's
// answer and the merchant's webhook say so, once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_MESSAGES } from '../../shared/errors.ts';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import {
  createClock,
  createHarness,
  type Harness,
  PORTONE_WEBHOOK_SECRET,
  type TestClock,
} from '../test-support/harness.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

let fake: FakePortOne;

/** The proxy on V2 (cancels come back REQUESTED), with merchant webhooks to a verifying receiver on loopback. */
const start = webhookStacks({
  secret: newWebhookSecret(),
  retryDelaysMs: [5_000],
  harness: async (options) => {
    // Now, not a fixed date: the receiver checks the merchant webhooks' timestamps against its own clock.
    const clock = createClock();
    let h: Harness | undefined;
    fake = createFakePortOne({
      now: clock.now,
      cancelMode: 'REQUESTED',
      webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
      webhookFetch: async (url, init) => {
        if (!h) throw new Error('no proxy yet');
        return h.app.request(String(url), init);
      },
    });
    h = await createHarness({ ...options, clock, portone: fake });
    return h;
  },
});

const cancels = () => fake.calls.filter((c) => c.route === 'cancel').length;

/**
 * A proxy on `portone` whose merchant webhooks are written to the outbox and sent nowhere that checks them: for tests
 * that move the clock on, which a verifying receiver would refuse as events from the future. Their events are read from
 * the outbox.
 */
const withOutboxOnly = (clock: TestClock, portone: FakePortOne) =>
  createHarness({
    clock,
    portone,
    outside: async () => new Response(null),
    config: {
      merchantWebhooks: { urls: ['https://merchant.test/hook'], secret: newWebhookSecret(), retryDelaysMs: [1000] },
    },
  });

/** The events the merchant's receiver verified, as [type, amount, error code]. */
const told = (received: readonly { body: string; verifyError: string | null }[]) =>
  received.map((r) => {
    assert.equal(r.verifyError, null);
    const { type, data } = JSON.parse(r.body) as { type: string; data: Record<string, any> };
    return [type, data.amount, data.error?.code ?? null];
  });

/** Refunds ORD-R in full with key K and waits for PortOne's CancelPending webhook to be handled. */
const accepted = async (h: Harness) => {
  fake.addPayment({ paymentId: 'ORD-R', total: 10_000 });
  const first = await h.cancel({ merchant_uid: 'ORD-R', reason: '단순 변심' }, { key: 'K-R-0000000001' });
  assert.equal(first.res.status, 200, JSON.stringify(first.body));
  assert.deepEqual([first.body.pending, first.body.accepted], [true, true]);
  await fake.flushWebhooks();
  await h.settled();
  const cancellation = fake.getPayment('ORD-R')?.cancellations[0];
  assert.ok(cancellation, 'PortOne holds the REQUESTED cancellation');
  return { first, cancellationId: cancellation.id };
};

describe('a REQUESTED cancel at PortOne V2, retried and settled', () => {
  it('a retry with the key while PortOne still works on it is told "accepted" again, and sends nothing', async () => {
    const { h, receiver } = await start();
    const { first } = await accepted(h);
    const again = await h.cancel({ merchant_uid: 'ORD-R', reason: '단순 변심' }, { key: 'K-R-0000000001' });
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.deepEqual(again.body, first.body, 'the same answer: accepted, pending, nothing refundable meanwhile');
    assert.equal(cancels(), 1, 'PortOne was asked to cancel once');
    await h.settled();
    assert.deepEqual(told(receiver.received), [], 'nothing is told to the shop before PortOne has finished');
  });

  it('SUCCEEDED later: the retry with the key learns the refund, the shop hears refund.succeeded once', async () => {
    const { h, receiver } = await start();
    const { cancellationId } = await accepted(h);
    fake.settleCancellation('ORD-R', cancellationId, 'SUCCEEDED');
    await fake.flushWebhooks();
    await h.settled();
    const again = await h.cancel({ merchant_uid: 'ORD-R', reason: '단순 변심' }, { key: 'K-R-0000000001' });
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.deepEqual(
      [again.body.pending, again.body.accepted, again.body.refunded, again.body.cancelable_amount],
      [false, undefined, 10_000, 0],
    );
    assert.equal(cancels(), 1);
    await h.settled();
    assert.deepEqual(told(receiver.received), [['refund.succeeded', 10_000, null]]);
    const [attempt] = await h.store.listAttempts('ORD-R');
    assert.deepEqual([attempt?.outcome, attempt?.cancellation_id], ['succeeded', cancellationId]);
  });

  it('two cancels settled from one lookup: each refund.succeeded carries the figures just after its own', async () => {
    const { h, receiver } = await start();
    fake.addPayment({ paymentId: 'ORD-R2', total: 10_000 });
    for (const amount of [3000, 2000]) {
      const asked = await h.cancel({ merchant_uid: 'ORD-R2', reason: 'r', cancel_request_amount: amount });
      assert.equal(asked.res.status, 200, JSON.stringify(asked.body));
    }
    await fake.flushWebhooks();
    await h.settled();
    for (const c of fake.getPayment('ORD-R2')?.cancellations ?? [])
      fake.settleCancellation('ORD-R2', c.id, 'SUCCEEDED');
    assert.equal((await h.view('ORD-R2')).res.status, 200); // one lookup settles both
    await fake.flushWebhooks();
    await h.settled();
    const succeeded = receiver.received
      .map((r) => JSON.parse(r.body) as { type: string; data: Record<string, any> })
      .filter((e) => e.type === 'refund.succeeded')
      .sort((a, b) => a.data.sequence - b.data.sequence)
      .map((e) => [e.data.amount, e.data.cancel_amount, e.data.cancelable_amount]);
    assert.deepEqual(succeeded, [
      [3000, 3000, 7000],
      [2000, 5000, 5000],
    ]);
  });

  it('FAILED later: the shop hears refund.failed once, the amount is refundable again, the key stays failed', async () => {
    const { h, receiver } = await start();
    const { cancellationId } = await accepted(h);
    // PortOne sends no webhook for a failed cancellation: the next look at the order learns it.
    fake.settleCancellation('ORD-R', cancellationId, 'FAILED');
    const view = await h.view('ORD-R');
    assert.equal(view.res.status, 200);
    assert.deepEqual([view.body.refundable, view.body.cancelable_amount], [true, 10_000], JSON.stringify(view.body));
    await h.settled();
    const [attempt] = await h.store.listAttempts('ORD-R');
    assert.deepEqual(
      [attempt?.outcome, attempt?.error_code, attempt?.cancellation_id, attempt?.refunded],
      ['rejected', 'PG_PROVIDER', cancellationId, null],
    );
    assert.deepEqual(told(receiver.received), [['refund.failed', 10_000, 'PG_PROVIDER']]);
    const failed = JSON.parse(receiver.received[0]!.body) as { data: Record<string, any> };
    assert.deepEqual(failed.data.error, {
      code: 'PG_PROVIDER',
      message: ERROR_MESSAGES.PG_PROVIDER,
      gateway_message: null,
    });
    assert.equal(failed.data.attempt_id, attempt?.id);

    // The same key is answered with how its refund ended, not sent again; a new request may try again.
    const again = await h.cancel({ merchant_uid: 'ORD-R', reason: '단순 변심' }, { key: 'K-R-0000000001' });
    assert.deepEqual([again.res.status, again.body.error?.code], [502, 'PG_PROVIDER']);
    assert.equal(cancels(), 1);
    const fresh = await h.cancel({ merchant_uid: 'ORD-R', reason: '단순 변심' }, { key: 'K-R-0000000002' });
    assert.deepEqual([fresh.res.status, fresh.body.accepted], [200, true], JSON.stringify(fresh.body));
    assert.equal(cancels(), 2);
    await fake.flushWebhooks();
    await h.settled();
    assert.equal(receiver.received.length, 1, 'the failed refund was told once; the new one is not finished');
  });

  it('a cancel answered SUCCEEDED beside one still REQUESTED: its balance leaves that one out, and the order stays marked', async () => {
    const { h } = await start();
    fake.addPayment({ paymentId: 'ORD-M', total: 10_000 });
    const body = { merchant_uid: 'ORD-M', reason: '단순 변심' };
    const first = await h.cancel({ ...body, cancel_request_amount: 4000 }, { key: 'K-M-0000000001' });
    assert.equal(first.body.accepted, true, JSON.stringify(first.body));
    fake.settings.cancelMode = 'SUCCEEDED';
    const second = await h.cancel({ ...body, cancel_request_amount: 1000 }, { key: 'K-M-0000000002' });
    assert.deepEqual(
      [second.res.status, second.body.refunded, second.body.cancelable_amount],
      [200, 1000, 5000],
      'left: 10,000 less the 1,000 refunded and the 4,000 PortOne still holds',
    );
    // PortOne's webhooks not handled yet: the proxy's own mark alone keeps the view from offering the 4,000.
    const view = await h.view('ORD-M');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
  });

  it("accepted while PortOne's payment cannot be read just after: the answer's balance still leaves it out", async () => {
    const { h } = await start();
    fake.addPayment({ paymentId: 'ORD-L', total: 10_000 });
    await h.view('ORD-L');
    fake.inject({ kind: 'http_5xx', route: 'payment' });
    const asked = await h.cancel({ merchant_uid: 'ORD-L', reason: '단순 변심' }, { key: 'K-L-0000000001' });
    assert.deepEqual([asked.res.status, asked.body.accepted, asked.body.cancelable_amount], [200, true, 0]);
  });

  it('FAILED, learned by a retry with the key: answered PG_PROVIDER, and told to the shop', async () => {
    const { h, receiver } = await start();
    const { cancellationId } = await accepted(h);
    fake.settleCancellation('ORD-R', cancellationId, 'FAILED');
    const again = await h.cancel({ merchant_uid: 'ORD-R', reason: '단순 변심' }, { key: 'K-R-0000000001' });
    assert.deepEqual([again.res.status, again.body.error?.code], [502, 'PG_PROVIDER'], JSON.stringify(again.body));
    assert.equal(cancels(), 1);
    await h.settled();
    assert.deepEqual(told(receiver.received), [['refund.failed', 10_000, 'PG_PROVIDER']]);
  });

  it('FAILED while its answer was lost: the retry, answered again REQUESTED by PortOne, is told it failed, not "accepted"', async () => {
    // Eleven minutes pass on the proxy's clock: the receiver would take its events' timestamps as too new, so they are
    // read from the outbox here.
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
    const h = await withOutboxOnly(clock, fake);
    fake.addPayment({ paymentId: 'ORD-L', total: 10_000 });
    await h.view('ORD-L');
    fake.inject({ kind: 'lose_response', route: 'cancel' });
    const body = { merchant_uid: 'ORD-L', reason: '단순 변심', cancel_request_amount: 3000 };
    const asked = await h.cancel(body, { key: 'K-L-0000000001' });
    assert.equal(asked.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    const [held] = fake.getPayment('ORD-L')!.cancellations;
    assert.ok(held);
    // Past the ten minutes a cancel may still run, the PG fails it (V2 sends no webhook for that).
    h.clock.advance(11 * 60_000);
    fake.settleCancellation('ORD-L', held.id, 'FAILED');
    assert.deepEqual((await h.view('ORD-L')).body.cancelable_amount, 10_000);
    // PortOne replays its first answer for the key (REQUESTED); the payment read just after shows it FAILED.
    const again = await h.cancel(body, { key: 'K-L-0000000001' });
    assert.deepEqual([again.res.status, again.body.error?.code], [502, 'PG_PROVIDER'], JSON.stringify(again.body));
    assert.deepEqual(
      fake.getPayment('ORD-L')!.cancellations.map((c) => c.status),
      ['FAILED'],
      'no other cancellation made',
    );
    await h.settled();
    const events = await h.store.listOrderEvents('ORD-L');
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, (e.data.error as { code: string } | undefined)?.code]),
      [['refund.failed', 3000, 'PG_PROVIDER']],
    );
    const view = await h.view('ORD-L');
    assert.deepEqual([view.body.refundable, view.body.cancelable_amount], [true, 10_000]);
    await h.close();
  });
  it('the same, with the payment unreadable just after the replayed REQUESTED: not known, never "accepted"', async () => {
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
    // The one payment read right after the cancel's answer fails (a 503 from PortOne's edge).
    let failReadAfterCancel = false;
    let cancelled = false;
    const flaky: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (failReadAfterCancel && url.endsWith('/cancel')) cancelled = true;
      else if (failReadAfterCancel && cancelled && (init?.method ?? 'GET') === 'GET' && url.includes('/payments/')) {
        failReadAfterCancel = false;
        return new Response('upstream down', { status: 503 });
      }
      return fake.fetch(input, init);
    };
    const h = await withOutboxOnly(clock, { ...fake, fetch: flaky });
    try {
      fake.addPayment({ paymentId: 'ORD-U', total: 10_000 });
      await h.view('ORD-U');
      fake.inject({ kind: 'lose_response', route: 'cancel' });
      const body = { merchant_uid: 'ORD-U', reason: '단순 변심', cancel_request_amount: 3000 };
      assert.equal((await h.cancel(body, { key: 'K-U-0000000001' })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
      const [held] = fake.getPayment('ORD-U')!.cancellations;
      assert.ok(held);
      h.clock.advance(11 * 60_000);
      fake.settleCancellation('ORD-U', held.id, 'FAILED');
      failReadAfterCancel = true;
      const again = await h.cancel(body, { key: 'K-U-0000000001' });
      assert.deepEqual(
        [again.res.status, again.body.error?.code],
        [503, 'REFUND_OUTCOME_UNKNOWN'],
        JSON.stringify(again.body),
      );
      // The next look reads it FAILED: the shop is told once, and the amount is refundable again.
      const view = await h.view('ORD-U');
      assert.deepEqual([view.body.refundable, view.body.cancelable_amount], [true, 10_000]);
      await h.settled();
      const events = await h.store.listOrderEvents('ORD-U');
      assert.deepEqual(
        events.map((e) => [e.type, (e.data.error as { code: string } | undefined)?.code]),
        [['refund.failed', 'PG_PROVIDER']],
      );
    } finally {
      await h.close();
    }
  });
});
