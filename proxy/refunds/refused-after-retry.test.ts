// A PG's refusal that applied (i'mport's "해당거래 취소실패(기취소성공)") on the retry of a request whose first cancel got
// no answer and was settled as not made: the cancel is that request's one refund, whichever of its attempts it is
// counted for, so the retry answers it done. Found by the model (reliability/model.test.ts): the retry's cancel was
// taken for the first attempt's late refund, so the customer was told 409 CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN
// ("nothing was done; check the figures and ask again") for a refund that happened, the audit had no refund, and the
// shop heard payment.cancelled_externally; asking again, as told, refunded a second time.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createClock, type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const MINUTE = 60_000;
const APPLIED_REFUSAL = { kind: 'pg_refusal', message: '해당거래 취소실패(기취소성공)', applied: true } as const;

/** While true, the ledger cannot read a refund request (a disk error). */
let requestsUnreadable = false;

const start = async () => {
  const clock = createClock();
  requestsUnreadable = false;
  const inner = createSqliteStore({ path: ':memory:' });
  const store = {
    ...inner,
    getRequest: (id: string) =>
      requestsUnreadable ? Promise.reject(new Error('disk I/O error')) : inner.getRequest(id),
  };
  // Merchant webhooks on (answered by `outside`): the events are read from the outbox.
  h = await withRequests({ ...WEBHOOKS_ANSWERED, clock, store, fake: createFakeIamport({ now: clock.now }) });
};

const eventTypes = async (uid: string) => (await h.store.listOrderEvents(uid)).map((e) => e.type);

describe("a same-key retry whose cancel the PG refused after making it, the key's first cancel settled as not made", () => {
  for (const amount of [4000, undefined]) {
    it(`answers the refund done, once (${amount ?? 'whole'})`, async () => {
      await start();
      const payment = h.fake.addPayment({ merchant_uid: 'RR-1', amount: 10_000 });
      const body = { merchant_uid: 'RR-1', reason: '단순 변심', ...(amount ? { cancel_request_amount: amount } : {}) };
      h.fake.inject({ kind: 'drop', route: 'cancel' });
      const first = await h.cancel(body, { key: 'rr-key-1' });
      assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
      h.clock.advance(11 * MINUTE);
      h.fake.inject(APPLIED_REFUSAL);
      const again = await h.cancel(body, { key: 'rr-key-1' });
      await h.settled();
      assert.equal(again.res.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.refunded, amount ?? 10_000);
      assert.equal(h.fake.getPayment(payment.imp_uid)!.cancel_amount, amount ?? 10_000, 'one cancel at i’mport');
      const attempts = await h.store.listAttempts('RR-1');
      assert.deepEqual(
        attempts.map((a) => a.outcome),
        ['failed', 'succeeded'],
      );
      const told = await eventTypes('RR-1');
      assert.equal(told.filter((t) => t === 'refund.succeeded').length, 1, told.join());
      assert.ok(!told.includes('payment.cancelled_externally'), told.join());
      const replay = await h.cancel(body, { key: 'rr-key-1' });
      assert.deepEqual([replay.res.status, replay.body.refunded], [200, amount ?? 10_000], 'the key keeps that answer');
    });
  }
});

describe("the same, with another key's cancel also settled as not made between the two", () => {
  it("answers the key's refund done, and the other key's retry that nothing is left", async () => {
    await start();
    const payment = h.fake.addPayment({ merchant_uid: 'RR-3', amount: 3000 });
    const body = { merchant_uid: 'RR-3', reason: '단순 변심' };
    h.fake.inject({ kind: 'http_5xx', route: 'cancel', status: 502 });
    assert.equal((await h.cancel(body, { key: 'rr-k1' })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(120 * MINUTE);
    h.fake.inject({ kind: 'http_5xx', route: 'cancel', status: 500 });
    assert.equal((await h.cancel(body, { key: 'rr-k2' })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(120 * MINUTE);
    h.fake.inject(APPLIED_REFUSAL);
    const again = await h.cancel(body, { key: 'rr-k1' });
    assert.deepEqual([again.res.status, again.body.refunded], [200, 3000], JSON.stringify(again.body));
    const other = await h.cancel(body, { key: 'rr-k2' });
    assert.equal(other.body.error?.code, 'PAYMENT_ALREADY_CANCELLED', JSON.stringify(other.body));
    await h.settled();
    assert.equal(h.fake.getPayment(payment.imp_uid)!.cancel_history.length, 1);
    const told = await eventTypes('RR-3');
    assert.equal(told.filter((t) => t === 'refund.succeeded').length, 1, told.join());
    assert.ok(!told.includes('payment.cancelled_externally'), told.join());
  });
});

describe('an approval again whose cancel the PG refused after making it, the first approval settled as not made', () => {
  it('ends the request refunded, with one refund', async () => {
    await start();
    const payment = h.fake.addPayment({ merchant_uid: 'RR-2', amount: 10_000 });
    const { ask, approve } = requestCalls(h);
    const asked = await ask({ merchant_uid: 'RR-2', reason: '단순 변심', cancel_request_amount: 3000 });
    assert.equal(asked.res.status, 201);
    const id = asked.body.request.id;
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const first = await approve(id);
    assert.equal(first.body.request.status, 'approved', 'its outcome not known');
    h.clock.advance(11 * MINUTE);
    await h.view('RR-2');
    assert.equal((await h.store.getRequest(id))?.status, 'failed', 'settled as not made');
    h.fake.inject(APPLIED_REFUSAL);
    const second = await approve(id);
    await h.settled();
    assert.equal(second.res.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.request.status, 'refunded', JSON.stringify(second.body));
    assert.equal(h.fake.getPayment(payment.imp_uid)!.cancel_amount, 3000);
    assert.equal((await h.store.getRequest(id))?.status, 'refunded');
    assert.ok(!(await eventTypes('RR-2')).includes('payment.cancelled_externally'));
  });
});

/**
 * A 1,000 refund request of a new 10,000 order, approved while i'mport's cancel answers 502, settled as not made 11
 * minutes on and rejected: its attempt's late cancel could be any later cancel of that amount and reason.
 */
const rejectedAfterNoAnswer = async (merchantUid: string) => {
  await start();
  const payment = h.fake.addPayment({ merchant_uid: merchantUid, amount: 10_000 });
  const { ask, approve, reject } = requestCalls(h);
  const body = { merchant_uid: merchantUid, reason: '단순 변심', cancel_request_amount: 1000 };
  const id = (await ask(body)).body.request.id;
  h.fake.inject({ kind: 'http_5xx', route: 'cancel', status: 502 });
  assert.equal((await approve(id)).body.request.status, 'approved', 'its outcome not known');
  h.clock.advance(11 * MINUTE);
  const rejected = await reject(id, { reason: '재고 확인 필요' });
  assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
  return { payment, body, id };
};

describe("a customer's refund the PG refused after making it, beside a rejected request's cancel settled as not made", () => {
  it("is the customer's refund: the rejected request can never send its own again", async () => {
    const { payment, body, id } = await rejectedAfterNoAnswer('RR-4');
    // The same amount and reason, from the customer, with a key of its own: refused by the PG, made all the same.
    h.fake.inject(APPLIED_REFUSAL);
    const own = await h.cancel(body, { key: 'rr-own' });
    await h.settled();
    assert.deepEqual([own.res.status, own.body.refunded], [200, 1000], JSON.stringify(own.body));
    assert.equal(h.fake.getPayment(payment.imp_uid)!.cancel_amount, 1000, 'one cancel at i’mport');
    assert.equal((await h.store.getRequest(id))?.status, 'rejected');
    const told = await eventTypes('RR-4');
    assert.equal(told.filter((t) => t === 'refund.succeeded').length, 1, told.join());
    assert.ok(!told.includes('payment.cancelled_externally'), told.join());
  });
});

describe('the same, with the rejected request unreadable at that moment', () => {
  it("answers the outcome not known, and the key's retry answers the refund once the ledger reads again", async () => {
    const { payment, body } = await rejectedAfterNoAnswer('RR-5');
    h.fake.inject(APPLIED_REFUSAL);
    requestsUnreadable = true;
    const own = await h.cancel(body, { key: 'rr-own' });
    assert.equal(own.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(own.body));
    requestsUnreadable = false;
    await h.settled();
    const again = await h.cancel(body, { key: 'rr-own' });
    assert.deepEqual([again.res.status, again.body.refunded], [200, 1000], JSON.stringify(again.body));
    assert.equal(h.fake.getPayment(payment.imp_uid)!.cancel_amount, 1000, 'one cancel at i’mport');
  });
});
