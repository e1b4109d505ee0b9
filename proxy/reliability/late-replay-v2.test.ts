// PortOne V2 replays a cancel's first answer to a later request with the same Idempotency-Key, and the proxy derives
// that key from the client's. So a retry past the window can be answered with the cancellation its own key's first
// attempt made late, after the proxy gave that cancellation to another key's unsettled attempt of the same amount
// (amounts and times are all a copy tells). Found with the held cancels (apply_later) added for the model: the retry
// was counted as a second refund the gateway never made (two customers told "refunded 3000", two refund.succeeded, one
// cancellation of 3000). Now the replay is known for what it is: the retry made nothing, and is told to read the
// payment again and ask anew. On i'mport V1 (no replay) the same steps send the retry's own cancel.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { GATEWAYS, type Running, refundVia } from './gateways.ts';

const MINUTE = 60_000;
let h: Harness | undefined;
afterEach(async () => h?.close());

const refund = (g: Running, key: string) => refundVia(g, 'LATE-1', key);

/**
 * Key one's cancel: the PG takes it on and answers nobody; past the window a view settles it as not made. Then key
 * two's cancel of the same amount: a 502 before anything was applied (not known to the proxy).
 */
const heldThenAnotherUnknown = async (g: Running) => {
  g.inject({ kind: 'apply_later' });
  assert.equal((await refund(g, 'key-one-0000000001')).code, 'REFUND_OUTCOME_UNKNOWN');
  g.h.clock.advance(11 * MINUTE);
  await g.h.view('LATE-1');
  g.inject({ kind: 'http_5xx', route: 'cancel', status: 502 });
  assert.equal((await refund(g, 'key-two-0000000002')).code, 'REFUND_OUTCOME_UNKNOWN');
};

for (const gateway of GATEWAYS)
  describe(`a late cancel another key's unsettled attempt took, then its own key's retry, on ${gateway.label}`, () => {
    it('counts no refund the gateway did not make', async () => {
      const g = await gateway.start({ timeoutMs: 200 });
      h = g.h;
      g.addPayment('LATE-1', 10_000);
      await heldThenAnotherUnknown(g);
      // Key one's cancel lands now, and a view finds it: key two's attempt may take it (the history cannot tell).
      assert.equal(await g.settleLate('LATE-1', () => true, 'apply'), 1);
      await g.h.view('LATE-1');
      g.h.clock.advance(11 * MINUTE);
      await g.h.view('LATE-1');
      // Both customers check again with their keys: key two's refund is the late cancel; key one's is not made.
      const one = await refund(g, 'key-one-0000000001');
      assert.equal((await refund(g, 'key-two-0000000002')).status, 200);
      if (gateway.name === 'portone') assert.equal(one.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
      // Asked anew (the widget reads the payment again, with a new key) it is refunded, once.
      if (one.status !== 200) assert.equal((await refund(g, 'key-three-000000003')).status, 200);
      assert.equal(g.held('LATE-1').refunded, 6000, 'each customer refunded once');
      await g.h.settled();
      const attempts = await g.h.store.listAttempts('LATE-1');
      const refunds = attempts.filter((a) => a.outcome === 'succeeded');
      const counted = refunds.reduce((sum, a) => sum + (a.refunded ?? 0), 0);
      assert.equal(counted, g.held('LATE-1').refunded, 'the refunds the audit counts are the gateway’s');
      assert.equal((await g.h.store.getPayment('LATE-1'))?.cancel_amount, g.held('LATE-1').refunded);
    });
  });

describe('the same on PortOne V2 with a cancel its PG finishes later (REQUESTED), replayed as REQUESTED', () => {
  it('counts no refund the gateway did not make', async () => {
    const g = await GATEWAYS.find((x) => x.name === 'portone')!.start({ timeoutMs: 200 });
    h = g.h;
    g.portone!.addPayment({ paymentId: 'LATE-1', total: 10_000, cancelMode: 'REQUESTED' });
    await heldThenAnotherUnknown(g);
    // Key one's cancel lands, REQUESTED (V2 keeps that answer for its key); the PG finishes it; a view finds it.
    assert.equal(await g.settleLate('LATE-1', () => true, 'apply'), 1);
    const requested = g.portone!.getPayment('LATE-1')!.cancellations[0]!;
    g.portone!.settleCancellation('LATE-1', requested.id, 'SUCCEEDED');
    await g.h.view('LATE-1');
    g.h.clock.advance(11 * MINUTE);
    await g.h.view('LATE-1');
    const one = await refund(g, 'key-one-0000000001');
    assert.equal((await refund(g, 'key-two-0000000002')).status, 200);
    assert.equal(one.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    await g.h.settled();
    const attempts = await g.h.store.listAttempts('LATE-1');
    const ids = attempts.filter((a) => a.cancellation_id !== null).map((a) => a.cancellation_id);
    assert.deepEqual(ids, [requested.id], 'one attempt holds the one cancellation');
    const counted = attempts.filter((a) => a.outcome === 'succeeded').reduce((sum, a) => sum + (a.refunded ?? 0), 0);
    assert.equal(counted, g.held('LATE-1').refunded);
  });
});
