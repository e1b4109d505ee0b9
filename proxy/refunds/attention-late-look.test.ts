// A refund settled as not made for want of an answer, whose cancel the gateway applies later still, with nobody
// looking: i'mport notifies of no cancel made through its API, and the customer may never ask again. The hourly look
// reads such a payment again for a day, so the shop hears of the refund (as a cancel made elsewhere, as a view would
// tell it); the customer's retry later answers it as their refund, and nothing is told twice.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GATEWAYS, type Running, refundVia, unansweredRefund } from '../reliability/gateways.ts';
import { cancelBehindTheProxy } from '../reliability/model-support.ts';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';

const MINUTE = 60_000;
const HOUR = 3600_000;
const ORDER = 'LATE-LOOK';
let h: Harness | undefined;
afterEach(async () => h?.close());

const KEY = 'key-late-look-00001';
/** The words refundVia sends. */
const REFUND_REASON = '단순 변심';
const refund = (g: Running) => refundVia(g, ORDER, KEY);

/** The background pass at `at`, as an entry's timer runs it. */
const passAt = async (g: Running, at: number) => {
  g.h.clock.set(at);
  await g.h.outbox.runDue();
  await g.h.settled();
};

/** How many times the gateway was asked for a payment (a token fetched on the way is not one). */
const lookups = (g: Running) => (g.portone ? g.portone.count('payment') : g.h.fake.count('payment'));

/** What the shop was told of the order's cancels: each event's type and amount. */
const told = async (g: Running) =>
  (await g.h.store.listOrderEvents(ORDER))
    .filter((e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally')
    .map((e) => [e.type, e.data.amount]);

/** A refund the PG takes on and answers nobody; the background pass settles it as not made once it cannot run. */
const heldAndSettled = async (gateway: (typeof GATEWAYS)[number]): Promise<Running> => {
  const g = await gateway.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
  h = g.h;
  await unansweredRefund(g, ORDER, KEY);
  await passAt(g, g.h.clock.now() + 11 * MINUTE);
  const [attempt] = await g.h.store.listAttempts(ORDER);
  assert.deepEqual([attempt?.outcome, attempt?.error_code], ['failed', 'UPSTREAM_UNAVAILABLE'], 'settled as not made');
  return g;
};

for (const gateway of GATEWAYS)
  describe(`a refund settled as not made that the gateway applies later, nobody looking, on ${gateway.label}`, () => {
    it('is told by the hourly look, and its retry then answers it as its refund without telling it again', async () => {
      const g = await heldAndSettled(gateway);
      const landed = g.h.clock.now() + 20 * MINUTE;
      g.h.clock.set(landed);
      assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1);
      // Within the hour, not in its first minutes: no hourly look yet, so nothing is known of it.
      const hour = Math.ceil((landed + MINUTE) / HOUR) * HOUR;
      if (hour - 5 * MINUTE > landed) await passAt(g, hour - 5 * MINUTE);
      assert.deepEqual(await told(g), []);
      await passAt(g, hour + 10_000);
      assert.deepEqual(await told(g), [['payment.cancelled_externally', 3000]], 'the shop hears of it');
      assert.equal((await g.h.store.getPayment(ORDER))?.cancel_amount, 3000, 'the ledger has it');
      // The customer checks again with the same key: that is their refund, told once already.
      assert.equal((await refund(g)).status, 200);
      await g.h.settled();
      assert.deepEqual(await told(g), [['payment.cancelled_externally', 3000]], 'not told twice');
      assert.equal(g.held(ORDER).refunded, 3000);
      // Taken by the retry (late_of), it is looked for no more.
      const before = lookups(g);
      await passAt(g, hour + HOUR + 10_000);
      assert.equal(lookups(g) - before, 0, 'no lookup for it at the next hour');
    });

    // A console cancel of the same amount in the customer's own words, while the refund may still run: nothing tells
    // the two apart, and it settles the refund as made. The refund's own cancel, landing later, is money back nobody
    // was told of.
    it('is told by the hourly look when a console cancel in its words settled it as made', async () => {
      const g = await gateway.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
      h = g.h;
      await unansweredRefund(g, ORDER, KEY);
      await cancelBehindTheProxy(g, ORDER, 'card', 3000, false, REFUND_REASON);
      await passAt(g, g.h.clock.now() + 11 * MINUTE);
      assert.equal((await g.h.store.listAttempts(ORDER))[0]?.outcome, 'succeeded', 'settled by the console cancel');
      assert.deepEqual(await told(g), [['refund.succeeded', 3000]]);
      const landed = g.h.clock.now() + 20 * MINUTE;
      g.h.clock.set(landed);
      assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1);
      await passAt(g, Math.ceil((landed + MINUTE) / HOUR) * HOUR + 10_000);
      assert.deepEqual(
        await told(g),
        [
          ['refund.succeeded', 3000],
          ['payment.cancelled_externally', 3000],
        ],
        'the shop hears of the second',
      );
      assert.equal((await g.h.store.getPayment(ORDER))?.cancel_amount, 6000, 'the ledger has both');
      assert.equal((await refund(g)).status, 200);
      await g.h.settled();
      assert.equal((await told(g)).length, 2, 'nothing told twice');
      assert.equal(g.held(ORDER).refunded, 6000);
    });

    it('is looked for at each hour for a day after it began, then no more', async () => {
      const g = await heldAndSettled(gateway);
      const settledAt = g.h.clock.now();
      const first = Math.ceil(settledAt / HOUR) * HOUR;
      const readAt = async (at: number) => {
        const before = lookups(g);
        await passAt(g, at + 10_000);
        return lookups(g) - before;
      };
      assert.equal(await readAt(first), 1, 'read again at the first hour');
      assert.equal(await readAt(first + 22 * HOUR), 1, 'and still within the day');
      assert.equal(await readAt(first + 25 * HOUR), 0, 'not after it');
      assert.deepEqual(await told(g), [], 'nothing landed: nothing told');
    });
  });
