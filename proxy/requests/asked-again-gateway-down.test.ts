// The customer's refund got no answer and was settled as not made; the gateway applied it later, with no webhook.
// The customer asks for it again as a request just as the gateway cannot be read (one lookup failing): the request was
// taken on the ledger's stale copy, its first approval refused (the balance moved) and the second refunded the same
// ask again (16,000 for one 8,000), as asked-again.test.ts's case did before the request read the gateway first.
// Unable to read it, no request is taken; once it can, the late refund is told.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GATEWAYS, refundVia } from '../reliability/gateways.ts';
import { KEY, OTHER_KEY } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls } from '../test-support/request-calls.ts';
import { randomDataKey } from './account-crypto.ts';

let h: Harness | undefined;
afterEach(async () => h?.close());

const MINUTE = 60_000;
const ORDER = 'AGAIN-DOWN';
/** The customer's ask: refundVia's refund of 8,000, in its words. */
const ASK = { merchant_uid: ORDER, reason: '단순 변심', cancel_request_amount: 8000 };

for (const gateway of GATEWAYS)
  describe(`on ${gateway.label}, a request for what a late refund gave back, asked while the gateway cannot be read`, () => {
    it('takes no request then, and approving never refunds the ask twice', async () => {
      const g = await gateway.start({
        timeoutMs: 300,
        config: {
          admin: { keys: [KEY, OTHER_KEY], perKeyPerMinute: 0, generated: false },
          dataKeys: { current: randomDataKey(), previous: null },
        },
      });
      h = g.h;
      g.addPayment(ORDER, 30_000);
      await g.h.view(ORDER);
      g.inject({ kind: 'apply_later' });
      assert.equal((await refundVia(g, ORDER, 'k-direct', 8000)).code, 'REFUND_OUTCOME_UNKNOWN');
      g.h.clock.advance(10 * MINUTE + 1000);
      assert.equal((await g.h.view(ORDER)).body.cancelable_amount, 30_000, 'settled as not made');
      assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1, 'applied after all, with no webhook');
      g.h.clock.advance(30 * MINUTE);

      const { ask, approve } = requestCalls(g.h);
      g.inject({ kind: 'http_5xx', route: 'payment', times: 1 });
      const asked = await ask(ASK);
      await g.h.settled();
      if (asked.res.status === 201) {
        // Staff approve it; refused as the balance moved, they approve it again.
        for (let i = 0; i < 2; i += 1) {
          await approve(asked.body.request.id);
          g.h.clock.advance(MINUTE);
        }
      }
      assert.equal(g.held(ORDER).refunded, 8000, 'one refund for one ask');
      assert.deepEqual(
        [asked.res.status, asked.body.error?.code],
        [503, 'UPSTREAM_UNAVAILABLE'],
        JSON.stringify(asked.body),
      );
      assert.equal(await g.h.store.latestRequest(ORDER), null, 'no request taken');
      const again = await ask(ASK);
      assert.deepEqual(
        [again.res.status, again.body.error?.code, again.body.cancelable_amount],
        [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 22_000],
        JSON.stringify(again.body),
      );
    });
  });
