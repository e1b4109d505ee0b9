// Two keys' refunds of the same amount, each unanswered and settled as not made; the first key's cancel never lands
// (its PG refused it), the second's lands late. From the copy (amounts and times) the late cancel is the first key's,
// "the earliest it can be". The second key's retry is sent, and PortOne V2 replays its key's first answer: that very
// cancellation, which no attempt held. The retry took the replay for no entry at all (a refund without its
// cancellation), so the first key's retry then took the same cancel as its own late refund: two customers told
// "refunded 3000", one cancellation of 3000, and the shop told of it twice. Now a replayed cancellation no attempt
// holds is the retry's own by its id, told to the shop once. On i'mport V1 (no replay) the retry sends its own cancel.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { sumOf } from '../payments/money.ts';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { GATEWAYS, type Running, refundVia } from './gateways.ts';

const MINUTE = 60_000;
let h: Harness | undefined;
afterEach(async () => h?.close());

const refund = (g: Running, key: string) => refundVia(g, 'TWIN-1', key);

/** A refund under `key` that the PG takes on and answers nobody, settled as not made by a view past its window. */
const heldThenSettled = async (g: Running, key: string) => {
  g.inject({ kind: 'apply_later' });
  assert.equal((await refund(g, key)).code, 'REFUND_OUTCOME_UNKNOWN');
  g.h.clock.advance(11 * MINUTE);
  await g.h.view('TWIN-1');
};

for (const gateway of GATEWAYS)
  describe(`the second of two held refunds lands late and its key's retry comes first, on ${gateway.label}`, () => {
    it('refunds each customer told so, and tells the shop of each cancellation once', async () => {
      const g = await gateway.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
      h = g.h;
      g.addPayment('TWIN-1', 10_000);
      await heldThenSettled(g, 'key-zero-000000000');
      await heldThenSettled(g, 'key-one-0000000001');
      const [first, second] = g.heldLate('TWIN-1');
      assert.equal(await g.settleLate('TWIN-1', (at) => at === first, 'drop'), 1);
      assert.equal(await g.settleLate('TWIN-1', (at) => at === second, 'apply'), 1);
      // A look with every attempt settled tells the shop of the cancel as made elsewhere (whose, nobody knows yet).
      await g.h.view('TWIN-1');
      const answers = [await refund(g, 'key-one-0000000001'), await refund(g, 'key-zero-000000000')];
      assert.equal(answers[0]!.status, 200, 'the second key: its cancel');
      await g.h.settled();
      const told = answers.filter((a) => a.status === 200).length * 3000;
      assert.equal(g.held('TWIN-1').refunded, told, 'every customer told refunded was, once');
      const attempts = await g.h.store.listAttempts('TWIN-1');
      const refunds = attempts.filter((a) => a.outcome === 'succeeded');
      assert.equal(sumOf(refunds.map((a) => a.refunded ?? 0)), told, 'the audit counts the gateway’s refunds');
      const ids = refunds.map((a) => a.cancellation_id);
      assert.ok(!ids.includes(null), 'each refund holds its cancellation');
      assert.equal(new Set(ids).size, ids.length, 'no cancellation held twice');
      const events = await g.h.store.listOrderEvents('TWIN-1');
      const cancels = events.filter((e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally');
      assert.equal(sumOf(cancels.map((e) => Number(e.data.amount))), told, 'the shop told of each cancellation once');
    });
  });

describe('the same on PortOne V2, the late cancel accepted (REQUESTED) and finished before the retries', () => {
  it('tells the shop of it once, though the retry learns it by its id', async () => {
    const g = await GATEWAYS.find((x) => x.name === 'portone')!.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
    h = g.h;
    g.portone!.addPayment({ paymentId: 'TWIN-1', total: 10_000, cancelMode: 'REQUESTED' });
    await heldThenSettled(g, 'key-zero-000000000');
    await heldThenSettled(g, 'key-one-0000000001');
    const [first, second] = g.heldLate('TWIN-1');
    assert.equal(await g.settleLate('TWIN-1', (at) => at === first, 'drop'), 1);
    assert.equal(await g.settleLate('TWIN-1', (at) => at === second, 'apply'), 1);
    const [requested] = g.portone!.getPayment('TWIN-1')!.cancellations.filter((c) => c.status === 'REQUESTED');
    g.portone!.settleCancellation('TWIN-1', requested!.id, 'SUCCEEDED');
    // Every attempt settled: the look that finds it tells it as made elsewhere.
    await g.h.view('TWIN-1');
    // The second key's retry is answered with its first answer, REQUESTED, under that id: accepted, settled by it.
    const retry = await g.h.cancel(
      { merchant_uid: 'TWIN-1', reason: '단순 변심', cancel_request_amount: 3000 },
      { key: 'key-one-0000000001' },
    );
    assert.equal(retry.res.status, 200);
    await g.h.view('TWIN-1');
    await g.h.settled();
    const attempts = await g.h.store.listAttempts('TWIN-1');
    const held = attempts.filter((a) => a.outcome === 'succeeded').map((a) => a.cancellation_id);
    assert.deepEqual(held, [requested!.id], "the second key's attempt holds it");
    const events = await g.h.store.listOrderEvents('TWIN-1');
    const cancels = events.filter((e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally');
    assert.deepEqual(
      cancels.map((e) => [e.type, e.data.amount]),
      [['payment.cancelled_externally', 3000]],
      'told once',
    );
  });
});
