// A customer's refund got no answer and was settled as not made; the gateway applied it later, with no webhook. The
// customer, told it was not refunded, asks for it again as a request: asked-again.test.ts has the request refused with
// the fresh figures. Here the request's own read of the gateway is not the plain one: the gateway cannot be read when
// the customer asks, or the order has another refund whose outcome is not known (the shop's server refunded a part, its
// answer and the look after it lost), so the request reads the gateway to settle that one first. Either way the
// request was taken on a copy that did not show the late refund, approved, and the same ask refunded twice. And a
// request made after the customer was told of the late refund (another ask) was refused at approval as "refunded
// outside this request after the customer made it", for good, the late refund being stamped within the clocks' slack.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GATEWAYS, type GatewayUnderTest, refundVia } from '../reliability/gateways.ts';
import { KEY, OTHER_KEY } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls } from '../test-support/request-calls.ts';
import { randomDataKey } from './account-crypto.ts';

let h: Harness | undefined;
afterEach(async () => h?.close());

const MINUTE = 60_000;
const ORDER = 'AGAIN-READ';
/** The customer's ask: refundVia's refund of 8,000, in its words. */
const ASK = { merchant_uid: ORDER, reason: '단순 변심', cancel_request_amount: 8000 };

/**
 * Request mode on `gateway`, an order of 30,000 and the customer's refund of 8,000 of it: taken on by the PG, answered
 * to nobody, settled as not made ten minutes on, then applied by the PG after all, with no webhook.
 */
const aLateRefund = async (gateway: GatewayUnderTest) => {
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
  g.h.clock.advance(MINUTE);
  return { g, ...requestCalls(g.h) };
};

for (const gateway of GATEWAYS)
  describe(`on ${gateway.label}, a request for what a late refund gave back`, () => {
    it('asked while the gateway cannot be read: no request taken then, and the ask is never refunded twice', async () => {
      const { g, ask, approve } = await aLateRefund(gateway);
      g.h.clock.advance(30 * MINUTE);
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

    it('then another ask, made knowing of it (told the balance left): approved, that refund not taken as since', async () => {
      const { g, ask, approve } = await aLateRefund(gateway);
      const other = { merchant_uid: ORDER, reason: '다른 상품 불량', cancel_request_amount: 5000 };
      const told = await ask(other);
      assert.deepEqual(
        [told.body.error?.code, told.body.cancelable_amount],
        ['CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 22_000],
      );
      g.h.clock.advance(30_000);
      const asked = await ask({ ...other, checksum: 22_000 });
      assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
      // Within CLOCK_SLACK_MS of the late refund's stamp: judged by what the request saw, not by the clock's slack.
      g.h.clock.advance(MINUTE);
      const approved = await approve(asked.body.request.id);
      assert.equal(
        approved.body.request?.status,
        'refunded',
        `${approved.body.refund?.error?.code}: ${approved.body.refund?.error?.message}`,
      );
      assert.equal(g.held(ORDER).refunded, 13_000, 'the late 8,000 and this 5,000, each once');
    });

    it('asked while another refund is unsettled: refused with the fresh figures, nothing refunded twice', async () => {
      const { g, ask, approve } = await aLateRefund(gateway);
      // Another refund of the order (the shop's server): its answer lost, and the look right after it failing.
      g.inject({ kind: 'lose_response' });
      g.inject({ kind: 'http_5xx', route: 'payment', times: 1 });
      const other = await g.h.cancel(
        { merchant_uid: ORDER, reason: '배송비', cancel_request_amount: 1000 },
        { key: 'k-shop' },
      );
      assert.equal(other.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(other.body));
      await g.h.settled();
      g.h.clock.advance(11 * MINUTE);
      const asked = await ask(ASK);
      await g.h.settled();
      if (asked.res.status === 201) await approve(asked.body.request.id); // staff approve what was taken
      assert.deepEqual(
        [asked.res.status, asked.body.error?.code],
        [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN'],
        JSON.stringify(asked.body),
      );
      assert.equal(await g.h.store.latestRequest(ORDER), null, 'no request taken');
      // The shop's own refund, as its look settled it (refused by the gateway, or made).
      const shops = (await g.h.store.listAttempts(ORDER)).find((a) => a.idempotency_key === 'k-shop');
      assert.equal(g.held(ORDER).refunded - (shops?.refunded ?? 0), 8000, 'one refund for one ask');
    });
  });
