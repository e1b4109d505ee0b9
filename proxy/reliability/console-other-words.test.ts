// A refund taken on by the PG and answered to nobody, a cancel of the same amount made in the gateway's console while
// it may still run, in the staff's own words; the refund's own cancel then lands past its window. Amount and time made
// the console's cancel look like the refund's, so a look settled the refund by it: the customer told refunded by the
// staff's cancel, and the refund's own, landing later, was nobody's (the refund settled, nothing would look for it) and
// never reached the shop. Entries carry the words they were made with: one in other words than the refund sent is
// someone else's. Each is told to the shop once.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { GATEWAYS, type Running, refundVia, unansweredRefund } from './gateways.ts';
import { cancelBehindTheProxy } from './model-support.ts';

const MINUTE = 60_000;
const ORDER = 'WORDS-1';
let h: Harness | undefined;
afterEach(async () => h?.close());

const KEY = 'key-words-00000001';
const refund = (g: Running) => refundVia(g, ORDER, KEY);

for (const gateway of GATEWAYS)
  describe(`a console cancel in other words while a refund of the same amount may still run, on ${gateway.label}`, () => {
    it("is not taken for the refund, whose own cancel, landing late, is the customer's refund", async () => {
      const g = await gateway.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
      h = g.h;
      await unansweredRefund(g, ORDER, KEY);
      await cancelBehindTheProxy(g, ORDER, 'card', 3000);
      g.h.clock.advance(11 * MINUTE);
      await g.h.view(ORDER);
      // The refund's own cancel lands now, past its window; the customer checks again.
      assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1);
      assert.equal((await refund(g)).status, 200);
      await g.h.settled();
      assert.equal(g.held(ORDER).refunded, 6000, "the staff's and the customer's");
      const attempts = await g.h.store.listAttempts(ORDER);
      const refunds = attempts.filter((a) => a.outcome === 'succeeded');
      assert.equal(refunds.length, 1, 'one refund of the customer’s');
      assert.ok(refunds[0]!.late_of, 'its own cancel, landed late');
      const events = await g.h.store.listOrderEvents(ORDER);
      const told = events.filter((e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally');
      // The retry takes as its late refund the cancel in its own words (late-cancels.ts assignLate), not the
      // console's, stamped first: the console's is told as made elsewhere, the refund's own as its refund. Each once.
      assert.deepEqual(
        told.map((e) => [e.type, Number(e.data.amount), e.data.attempt_id]),
        [
          ['payment.cancelled_externally', 3000, null],
          ['refund.succeeded', 3000, refunds[0]!.id],
        ],
      );
    });
  });
