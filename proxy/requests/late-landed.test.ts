// An approved request whose refund got no answer is settled as not made once the gateway could no longer be running
// it, and fails; then the gateway shows that refund applied after all. The customer's money went back: the first look
// at the order that reads it from the gateway (the hourly look, the gateway's webhook) makes the request `refunded`,
// told to the shop as its refund, where it stayed `failed` until staff approved it again.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { GATEWAYS, type GatewayUnderTest, type Running } from '../reliability/gateways.ts';
import { cancelBehindTheProxy } from '../reliability/model-support.ts';
import { KEY, OTHER_KEY } from '../test-support/admin-calls.ts';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { requestCalls } from '../test-support/request-calls.ts';
import { randomDataKey } from './account-crypto.ts';

const MINUTE = 60_000;
const HOUR = 3600_000;
const ORDER = 'LANDED-LATE';
let h: Harness | undefined;
afterEach(async () => h?.close());

/** The words the customer gave, which the approval's cancel carries. */
const WORDS = '사이즈가 맞지 않아요';

/**
 * Request mode on `gateway` (merchant webhooks on unless `webhooks` is false), an order of 10,000 paid, and a request
 * of 3,000 of it whose approval's cancel the PG took on and answered nobody (held): settled as not made by the
 * background pass ten minutes on, the request `failed`.
 */
const aFailedRequest = async (gateway: GatewayUnderTest, webhooks = true) => {
  const g = await gateway.start({
    ...(webhooks ? WEBHOOKS_ANSWERED : {}),
    timeoutMs: 200,
    config: {
      ...(webhooks ? WEBHOOKS_ANSWERED.config : {}),
      admin: { keys: [KEY, OTHER_KEY], perKeyPerMinute: 0, generated: false },
      dataKeys: { current: randomDataKey(), previous: null },
    },
  });
  h = g.h;
  const calls = requestCalls(g.h);
  g.addPayment(ORDER, 10_000);
  const asked = await calls.ask({ merchant_uid: ORDER, reason: WORDS, cancel_request_amount: 3000 });
  const id: string = asked.body.request.id;
  g.inject({ kind: 'apply_later' });
  assert.equal((await calls.approve(id)).body.refund?.error?.code, 'REFUND_OUTCOME_UNKNOWN');
  await passAt(g, g.h.clock.now() + 11 * MINUTE);
  const request = await g.h.store.getRequest(id);
  assert.deepEqual([request?.status, request?.error_code], ['failed', 'UPSTREAM_UNAVAILABLE'], 'settled as not made');
  return { g, id, ...calls };
};

/** The background pass at `at`, as an entry's timer runs it. */
const passAt = async (g: Running, at: number) => {
  g.h.clock.set(at);
  await g.h.outbox.runDue();
  await g.h.settled();
};

/** The PG finishes the held cancel now, and the first minutes of the next hour come: the hourly look. */
const landsThenHourlyLook = async (g: Running) => {
  assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1);
  await passAt(g, Math.ceil((g.h.clock.now() + MINUTE) / HOUR) * HOUR + 10_000);
};

/** What the shop was told of the order: each refund or cancel event's type and amount, and each request's move. */
const told = async (g: Running) =>
  (await g.h.store.listOrderEvents(ORDER))
    .filter((e) => e.type !== 'refund_request.created' && e.type !== 'refund_request.approved')
    .map((e) => [e.type, e.type.startsWith('refund_request.') ? e.data.status : e.data.amount]);

for (const gateway of GATEWAYS)
  describe(`a failed request's refund that ${gateway.label} applied after it was settled as not made`, () => {
    it('is refunded at the hourly look, told as its refund; approving or rejecting it then changes nothing', async () => {
      const { g, id, approve, reject } = await aFailedRequest(gateway);
      await landsThenHourlyLook(g);
      const request = await g.h.store.getRequest(id);
      assert.deepEqual(
        [request?.status, request?.approved_amount, request?.error_code, request?.refund_secret],
        ['refunded', 3000, null, null],
      );
      const view = await g.h.view(ORDER);
      assert.deepEqual([view.body.request?.status, view.body.request?.approved_amount], ['refunded', 3000]);
      assert.deepEqual(await told(g), [
        ['refund_request.failed', 'failed'],
        ['refund.succeeded', 3000],
      ]);
      const [event] = (await g.h.store.listOrderEvents(ORDER)).filter((e) => e.type === 'refund.succeeded');
      assert.equal(
        event?.data.attempt_id,
        request?.attempt_id,
        "told as the request's refund: the attempt bound to it",
      );
      const cancels = g.cancels();
      assert.equal((await approve(id)).body.error?.code, 'REFUND_REQUEST_DECIDED');
      assert.equal((await reject(id, { reason: 'no' })).body.error?.code, 'REFUND_REQUEST_DECIDED');
      assert.deepEqual([g.cancels(), g.held(ORDER).refunded], [cancels, 3000], 'nothing more was sent');
      const attempts = await g.h.store.listAttempts(ORDER);
      assert.deepEqual(
        attempts.map((a) => [a.outcome, a.refunded, a.late_of]),
        [
          ['failed', null, null],
          ['succeeded', 3000, attempts[0]?.id],
        ],
        'one refund, recorded once, as the late refund of the attempt that sent it',
      );
    });

    it("stays failed beside a console cancel in the staff's own words: that is theirs, told as made elsewhere", async () => {
      const { g, id } = await aFailedRequest(gateway);
      await g.settleLate(ORDER, () => true, 'drop'); // the PG refused the held cancel after all
      await cancelBehindTheProxy(g, ORDER, 'card', 3000, false, '고객 요청으로 직접 환불');
      await passAt(g, Math.ceil((g.h.clock.now() + MINUTE) / HOUR) * HOUR + 10_000);
      assert.equal((await g.h.store.getRequest(id))?.status, 'failed');
      assert.deepEqual(await told(g), [
        ['refund_request.failed', 'failed'],
        ['payment.cancelled_externally', 3000],
      ]);
    });

    it('is refunded when staff approved it again meanwhile and that refund was refused', async () => {
      const { g, id, approve } = await aFailedRequest(gateway);
      g.inject({ kind: 'pg_refusal', message: '잔액 부족' });
      const again = await approve(id);
      assert.equal(again.body.request?.status, 'failed', JSON.stringify(again.body));
      await landsThenHourlyLook(g);
      const request = await g.h.store.getRequest(id);
      assert.deepEqual([request?.status, request?.approved_amount], ['refunded', 3000]);
      const attempts = await g.h.store.listAttempts(ORDER);
      assert.deepEqual(
        attempts.map((a) => [a.outcome, a.late_of]),
        [
          ['failed', null],
          ['rejected', null],
          ['succeeded', attempts[0]?.id],
        ],
        "the first approval's refund, recorded once; the second sent nothing that went through",
      );
      assert.equal(g.held(ORDER).refunded, 3000);
    });

    it("is refunded when staff rejected it meanwhile, told as its refund; the rejection's reason and bar stay", async () => {
      const { g, id, ask, approve, reject } = await aFailedRequest(gateway);
      const rejected = await reject(id, { reason: '재고가 없어요', allow_new_request: false });
      assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
      await landsThenHourlyLook(g);
      const request = await g.h.store.getRequest(id);
      assert.deepEqual(
        [request?.status, request?.approved_amount, request?.reject_reason, request?.error_code],
        ['refunded', 3000, '재고가 없어요', null],
        'its money went back: refunded, not rejected',
      );
      assert.deepEqual(await told(g), [
        ['refund_request.failed', 'failed'],
        ['refund_request.rejected', 'rejected'],
        ['refund.succeeded', 3000],
      ]);
      const [event] = (await g.h.store.listOrderEvents(ORDER)).filter((e) => e.type === 'refund.succeeded');
      assert.equal(event?.data.attempt_id, request?.attempt_id, "told as the request's refund, not as made elsewhere");
      const view = (await g.h.view(ORDER)).body;
      assert.deepEqual(
        [view.cancel_amount, view.request?.status, view.request?.approved_amount, view.request?.allow_new_request],
        [3000, 'refunded', 3000, false],
      );
      const cancels = g.cancels();
      const again = await ask({ merchant_uid: ORDER, reason: 'again', cancel_request_amount: 3000 });
      assert.equal(again.body.error?.code, 'REFUND_REQUEST_NOT_ALLOWED', 'staff said no more requests');
      assert.equal((await approve(id)).body.error?.code, 'REFUND_REQUEST_DECIDED');
      assert.deepEqual([g.cancels(), g.held(ORDER).refunded], [cancels, 3000], 'nothing more was sent');
    });

    it('is refunded when staff rejected it and the customer asks again before anything else looked', async () => {
      const { g, id, ask, reject } = await aFailedRequest(gateway);
      await reject(id, { reason: '재고가 없어요' });
      assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1);
      const newer = await ask({ merchant_uid: ORDER, reason: WORDS, cancel_request_amount: 3000 });
      assert.deepEqual(
        [newer.res.status, newer.body.error?.code, newer.body.cancelable_amount],
        [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 7000],
        'told the balance the late refund left, no request taken',
      );
      await g.h.settled();
      const view = (await g.h.view(ORDER)).body;
      assert.deepEqual([view.request?.id, view.request?.status, view.request?.approved_amount], [id, 'refunded', 3000]);
      assert.deepEqual(await told(g), [
        ['refund_request.failed', 'failed'],
        ['refund_request.rejected', 'rejected'],
        ['refund.succeeded', 3000],
      ]);
    });

    it('is refunded though the customer asked again since, and the newer request stays as it was', async () => {
      const { g, id, ask } = await aFailedRequest(gateway);
      const newer = await ask({ merchant_uid: ORDER, reason: 'again', cancel_request_amount: 2000 });
      assert.equal(newer.res.status, 201, JSON.stringify(newer.body));
      await landsThenHourlyLook(g);
      assert.equal((await g.h.store.getRequest(id))?.status, 'refunded', 'its money went back');
      assert.equal((await g.h.store.getRequest(newer.body.request.id))?.status, 'requested');
    });
  });

describe("a failed request's refund that i'mport applied late, with merchant webhooks off", () => {
  it("is refunded when i'mport's webhook tells of it", async () => {
    const { g, id } = await aFailedRequest(GATEWAYS[0]!, false);
    assert.equal(await g.settleLate(ORDER, () => true, 'apply'), 1);
    await notifyOf(g.h, (await g.h.store.getPayment(ORDER))!.imp_uid, ORDER);
    assert.equal((await g.h.view(ORDER)).body.request?.status, 'refunded');
    assert.equal((await g.h.store.getRequest(id))?.approved_amount, 3000);
  });
});
