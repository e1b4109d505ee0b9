// A refund the gateway applied past its window, found first by its own request's retry while another key's refund of
// the order was still unsettled, is told to the shop. The proxy tells a cancel it did not make
// (payment.cancelled_externally) only once every attempt on the payment is settled, so none of its own is told as
// someone else's; the retry then took the cancel as its own (late_of) without an event, "the shop heard of it as a
// cancel made elsewhere", which it had not, and never would: the cancel was now ours. Found by the money model.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { GATEWAYS, type GatewayUnderTest, type Running, refundVia } from './gateways.ts';
import { gatewayWebhook } from './model-support.ts';

const MINUTE = 60_000;
let h: Harness | undefined;
afterEach(async () => h?.close());

const refund = (g: Running, key: string, amount: number) => refundVia(g, 'LATE-2', key, amount);

/** The order's events as the outbox holds them: type, and the attempt each tells of. */
const told = async (g: Running) =>
  (await g.h.store.listOrderEvents('LATE-2')).map((e) => ({ type: e.type, attempt: e.data.attempt_id ?? null }));

/**
 * A proxy with merchant webhooks on, over `gateway`'s fake, where key one's cancel of 3000 was taken on by the PG and
 * answered nobody, then settled as not made by a view past its window.
 */
const heldThenSettled = async (gateway: GatewayUnderTest): Promise<Running> => {
  const g = await gateway.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
  h = g.h;
  g.addPayment('LATE-2', 10_000);
  g.inject({ kind: 'apply_later' });
  assert.equal((await refund(g, 'key-one-0000000001', 3000)).code, 'REFUND_OUTCOME_UNKNOWN');
  g.h.clock.advance(11 * MINUTE);
  await g.h.view('LATE-2');
  return g;
};

for (const gateway of GATEWAYS)
  describe(`a late refund its own retry finds while another refund is unsettled, on ${gateway.label}`, () => {
    it('is told to the shop once, as the refund of the request that made it', async () => {
      const g = await heldThenSettled(gateway);
      // Key two's refund (another amount) meets a 502: not known, and within its window.
      g.inject({ kind: 'http_5xx', route: 'cancel', status: 502 });
      assert.equal((await refund(g, 'key-two-0000000002', 2000)).code, 'REFUND_OUTCOME_UNKNOWN');
      // Key one's cancel lands now; key one's retry is the first to see it.
      assert.equal(await g.settleLate('LATE-2', () => true, 'apply'), 1);
      assert.equal((await refund(g, 'key-one-0000000001', 3000)).status, 200);
      // Key two's window passes: its refund was not made.
      g.h.clock.advance(11 * MINUTE);
      await g.h.view('LATE-2');
      await g.h.settled();
      assert.equal(g.held('LATE-2').refunded, 3000, 'one refund, key one’s');
      const attempts = await g.h.store.listAttempts('LATE-2');
      const late = attempts.find((a) => a.late_of !== null);
      assert.ok(late, 'key one’s retry holds the late refund');
      const events = await told(g);
      const refunds = events.filter((e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally');
      assert.deepEqual(refunds, [{ type: 'refund.succeeded', attempt: late.id }], 'told once, as key one’s refund');
    });

    it('is not told twice when a look told it first, as a cancel made elsewhere', async () => {
      const g = await heldThenSettled(gateway);
      assert.equal(await g.settleLate('LATE-2', () => true, 'apply'), 1);
      // Every attempt settled: the look that sees the cancel first (the gateway's webhook, here) tells it as made
      // elsewhere, nobody knowing whose it is yet.
      assert.equal((await gatewayWebhook(g, 'LATE-2')).status, 200);
      assert.equal((await refund(g, 'key-one-0000000001', 3000)).status, 200);
      await g.h.settled();
      assert.ok(
        (await g.h.store.listAttempts('LATE-2')).some((a) => a.late_of !== null),
        'the retry took it',
      );
      const refunds = (await told(g)).filter((e) => e.type !== 'refund.failed');
      assert.deepEqual(refunds, [{ type: 'payment.cancelled_externally', attempt: null }], 'told once');
    });

    it('is told as its refund when its retry is the first to see it, every attempt settled', async () => {
      const g = await heldThenSettled(gateway);
      assert.equal(await g.settleLate('LATE-2', () => true, 'apply'), 1);
      assert.equal((await refund(g, 'key-one-0000000001', 3000)).status, 200);
      await g.h.settled();
      const late = (await g.h.store.listAttempts('LATE-2')).find((a) => a.late_of !== null);
      assert.ok(late, 'the retry took it');
      const refunds = (await told(g)).filter((e) => e.type !== 'refund.failed');
      assert.deepEqual(refunds, [{ type: 'refund.succeeded', attempt: late.id }], 'told once, as its refund');
    });
  });
