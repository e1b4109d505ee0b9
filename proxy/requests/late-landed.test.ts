// An approved request whose refund got no answer is settled as not made once i'mport could no longer be running it,
// and fails; then i'mport shows that refund applied after all. The customer's money went back: the first look at the
// order (the hourly look, i'mport's webhook, the view) makes the request `refunded`, told to the shop as its refund,
// where it stayed `failed` until staff approved it again.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

const MINUTE = 60_000;
const HOUR = 3600_000;
const ORDER = 'LANDED-LATE';
let h: Harness;
afterEach(async () => h?.close());

/** The words the customer gave, which the approval's cancel carries. */
const WORDS = '사이즈가 맞지 않아요';

/**
 * Request mode (merchant webhooks on unless `webhooks` is false), an order of 30,000 paid, and a request of 8,000 of
 * it whose approval's cancel got no answer: settled as not made ten minutes on, the request `failed`.
 */
const aFailedRequest = async (webhooks = true) => {
  h = await withRequests({ ...(webhooks ? WEBHOOKS_ANSWERED : {}), timeoutMs: 300 });
  const calls = requestCalls(h);
  const p = h.fake.addPayment({ merchant_uid: ORDER, amount: 30000 });
  const id = (await calls.ask({ merchant_uid: ORDER, reason: WORDS, cancel_request_amount: 8000 })).body.request.id;
  h.fake.inject({ kind: 'drop', route: 'cancel' });
  await calls.approve(id);
  h.clock.advance(10 * MINUTE + 1000);
  await h.outbox.runDue();
  await h.settled();
  const request = await h.store.getRequest(id);
  assert.deepEqual([request?.status, request?.error_code], ['failed', 'UPSTREAM_UNAVAILABLE'], 'settled as not made');
  return { ...calls, p, id };
};

/** The background pass in the first minutes of the next hour, as an entry's timer runs it: the hourly look. */
const hourlyLook = async () => {
  h.clock.set(Math.ceil((h.clock.now() + MINUTE) / HOUR) * HOUR + 10_000);
  await h.outbox.runDue();
  await h.settled();
};

/** What the shop was told of the order: each refund or cancel event's type and amount, and each request's move. */
const told = async () =>
  (await h.store.listOrderEvents(ORDER))
    .filter((e) => e.type !== 'refund_request.created' && e.type !== 'refund_request.approved')
    .map((e) => [e.type, e.type.startsWith('refund_request.') ? e.data.status : e.data.amount]);

describe("a failed request's refund that i'mport applied after it was settled as not made", () => {
  it('is refunded at the hourly look, told as its refund; approving or rejecting it then changes nothing', async () => {
    const { p, id, approve, reject } = await aFailedRequest();
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, WORDS); // the approval's own cancel, applied late
    await hourlyLook();
    const request = await h.store.getRequest(id);
    assert.deepEqual(
      [request?.status, request?.approved_amount, request?.error_code, request?.refund_secret],
      ['refunded', 8000, null, null],
    );
    const view = await h.view(ORDER);
    assert.deepEqual([view.body.request?.status, view.body.request?.approved_amount], ['refunded', 8000]);
    assert.deepEqual(await told(), [
      ['refund_request.failed', 'failed'],
      ['refund.succeeded', 8000],
    ]);
    const [event] = (await h.store.listOrderEvents(ORDER)).filter((e) => e.type === 'refund.succeeded');
    assert.equal(event?.data.attempt_id, request?.attempt_id, "told as the request's refund: the attempt bound to it");
    assert.equal((await approve(id)).body.error?.code, 'REFUND_REQUEST_DECIDED');
    assert.equal((await reject(id, { reason: 'no' })).body.error?.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 8000, 'nothing more was sent');
    const attempts = await h.store.listAttempts(ORDER);
    assert.deepEqual(
      attempts.map((a) => [a.outcome, a.refunded, a.late_of]),
      [
        ['failed', null, null],
        ['succeeded', 8000, attempts[0]?.id],
      ],
      'one refund, recorded once, as the late refund of the attempt that sent it',
    );
  });

  it("is refunded when i'mport's webhook tells of it, with merchant webhooks off", async () => {
    const { p, id } = await aFailedRequest(false);
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, WORDS);
    await notifyOf(h, p.imp_uid, ORDER);
    assert.equal((await h.view(ORDER)).body.request?.status, 'refunded');
    assert.equal((await h.store.getRequest(id))?.approved_amount, 8000);
  });

  it("stays failed beside a console cancel in the staff's own words: that is theirs, told as made elsewhere", async () => {
    const { p, id } = await aFailedRequest();
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, '고객 요청으로 직접 환불');
    await hourlyLook();
    assert.equal((await h.store.getRequest(id))?.status, 'failed');
    assert.deepEqual(await told(), [
      ['refund_request.failed', 'failed'],
      ['payment.cancelled_externally', 8000],
    ]);
  });

  it('is refunded though the customer asked again since, and the newer request stays as it was', async () => {
    const { p, id, ask } = await aFailedRequest();
    const newer = await ask({ merchant_uid: ORDER, reason: 'again', cancel_request_amount: 5000 });
    assert.equal(newer.res.status, 201);
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, WORDS);
    await hourlyLook();
    assert.equal((await h.store.getRequest(id))?.status, 'refunded', 'its money went back');
    assert.equal((await h.store.getRequest(newer.body.request.id))?.status, 'requested');
  });
});
