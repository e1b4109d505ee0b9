/**
 * A request approved after the order was refunded outside it (the customer's own refund, under a refund-mode grant the
 * shop also gave) is refused, whatever the request's earlier approvals left behind: decide.test.ts has the case where
 * the first approval's refund was sent and refused; these, one that never sent anything, one refused before anything
 * was sent, and an outside refund that applied late (begun before the request, or before its last approval).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createClock, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';
import { rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The error code an approval's answer carries, from the refund it ran or from the approval itself. */
const codeOf = (answer: { body: { refund?: { error?: { code?: string } }; error?: { code?: string } } }) =>
  answer.body.refund?.error?.code ?? answer.body.error?.code;

/** A proxy in request mode (`options` its harness's) with order `uid` paid 30,000 by card, and an ask of 8,000 of it. */
const anOrder = async (uid: string, options: Parameters<typeof withRequests>[0] = { timeoutMs: 300 }) => {
  const harness = await withRequests(options);
  h = harness;
  const payment = harness.fake.addPayment({ merchant_uid: uid, amount: 30000 });
  const body = { merchant_uid: uid, reason: '사이즈', cancel_request_amount: 8000 };
  return { harness, payment, body, ...requestCalls(harness) };
};

/** anOrder() whose ask was approved, the PG refusing its refund: the request `failed`, nothing refunded. */
const aFailedRequest = async (uid: string) => {
  const order = await anOrder(uid);
  const id = (await order.ask(order.body)).body.request.id;
  order.harness.fake.inject({ kind: 'pg_refusal' });
  assert.equal((await order.approve(id)).body.request.status, 'failed');
  order.harness.clock.advance(1000);
  return { ...order, id };
};

/** The customer's own refund of `body` loses its answer and is settled as not made once it could no longer be running. */
const lostDirect = async (harness: Harness, body: { merchant_uid: string }, key = 'k-direct') => {
  harness.fake.inject({ kind: 'drop', route: 'cancel' });
  assert.equal(codeOf(await harness.cancel(body, { key })), 'REFUND_OUTCOME_UNKNOWN');
  harness.clock.advance(10 * 60_000 + 1000);
  assert.equal((await harness.view(body.merchant_uid)).body.refundable, true, 'settled as not made');
};

/** Staff approve `id` a second on: refused, nothing sent, the order refunded once (the 8,000 outside). */
const refusedOnce = async (
  harness: Harness,
  approve: (id: string) => Promise<{ body: Parameters<typeof codeOf>[0]['body'] }>,
  id: string,
  impUid: string,
) => {
  harness.clock.advance(1000);
  const answer = await approve(id);
  await harness.settled();
  assert.equal(codeOf(answer), 'REFUND_REQUEST_DECIDED', JSON.stringify(answer.body));
  assert.equal(harness.fake.getPayment(impUid)?.cancel_amount, 8000, 'one refund for one ask');
};

/** i'mport applies that refund after all (in its words), its webhook telling the proxy. */
const landsLate = async (harness: Harness, impUid: string, body: { merchant_uid: string }) => {
  await cancelAtIamport(harness, impUid, 8000, 30000, '사이즈');
  await notifyOf(harness, impUid, body.merchant_uid);
  await harness.settled();
};

describe('a failed request approved again after the order was refunded outside it', () => {
  it('is refused when its first approval sent nothing (the order busy), and a third approval too', async () => {
    const { harness, body, ask, approve, reject } = await anOrder('RO-1', { leaseWaitMs: 50 });
    const id = (await ask(body)).body.request.id;
    // Something else holds the order (the hourly look, a view settling an attempt) while staff approve: the approval
    // ends failed with no attempt of its own written.
    assert.ok(await harness.store.acquireLease('order:RO-1', 'someone-else', 60_000, harness.clock.now()));
    const first = await approve(id);
    assert.equal(first.body.request.status, 'failed', JSON.stringify(first.body));
    await harness.store.releaseLease('order:RO-1', 'someone-else');
    assert.equal(harness.fake.count('cancel'), 0);

    harness.clock.advance(1000);
    const direct = await harness.cancel(body);
    assert.equal(direct.res.status, 200, JSON.stringify(direct.body));
    for (const time of ['again', 'once more']) {
      harness.clock.advance(1000);
      const again = await approve(id);
      assert.equal(codeOf(again), 'REFUND_REQUEST_DECIDED', `${time}: ${JSON.stringify(again.body)}`);
    }
    await harness.settled();
    assert.equal(harness.fake.count('cancel'), 1, 'the direct refund alone was sent');
    assert.equal((await harness.view('RO-1')).body.cancel_amount, 8000);
    const rejected = await reject(id, { reason: '직접 환불되었어요' });
    assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
  });

  it('is refused when the outside refund got no answer, was settled as not made, and then applied late', async () => {
    const { harness, payment, body, id, approve } = await aFailedRequest('RO-2');
    await lostDirect(harness, body);
    await landsLate(harness, payment.imp_uid, body);
    await refusedOnce(harness, approve, id, payment.imp_uid);
  });

  it("is refused when a re-approval was refused before anything was sent (i'mport's figures inconsistent)", async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    let inconsistent = false;
    const rewrite = rewriteAnswers(fake.fetch, ({ json }) => {
      if (!inconsistent || json?.response?.imp_uid === undefined) return undefined;
      return { json: { ...json, response: { ...json.response, cancel_amount: 99999 } } };
    });
    const harness = await withRequests({ clock, fake: withFetch(fake, rewrite) });
    h = harness;
    const { ask, approve } = requestCalls(harness);
    const payment = fake.addPayment({ merchant_uid: 'RO-3', amount: 30000 });
    const body = { merchant_uid: 'RO-3', reason: '사이즈', cancel_request_amount: 8000 };
    const id = (await ask(body)).body.request.id;
    fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');
    clock.advance(1000);
    assert.equal((await harness.cancel(body)).res.status, 200);
    await harness.settled();

    // i'mport's figures go wrong for a while (its webhook marks the row): staff's approval is refused before sending.
    clock.advance(1000);
    inconsistent = true;
    await notifyOf(harness, payment.imp_uid, 'RO-3');
    await harness.settled();
    assert.equal((await approve(id)).body.request?.status, 'failed');
    inconsistent = false;
    const audit = (await harness.store.listAttempts('RO-3')).map((a) => [
      Boolean(a.request_id),
      a.outcome,
      a.error_code,
    ]);
    assert.deepEqual(audit, [
      [true, 'rejected', 'PG_PROVIDER'],
      [false, 'succeeded', null],
      [true, 'rejected', 'UPSTREAM_UNAVAILABLE'],
    ]);

    clock.advance(1000);
    const third = await approve(id);
    await harness.settled();
    assert.equal(codeOf(third), 'REFUND_REQUEST_DECIDED', JSON.stringify(third.body));
    assert.equal(fake.getPayment(payment.imp_uid)?.cancel_amount, 8000, 'one refund for one ask');
  });

  it('is refused when an outside refund lands late after the request was approved and refused again', async () => {
    const { harness, payment, body, id, approve } = await aFailedRequest('RO-4');
    await lostDirect(harness, body);
    // Approved again, refused by the PG again: the request's last attempt is now later than the outside refund's.
    harness.clock.advance(1000);
    harness.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');
    harness.clock.advance(60_000);
    await landsLate(harness, payment.imp_uid, body);
    await refusedOnce(harness, approve, id, payment.imp_uid);
  });

  it("is refused at the request's first approval when a refund sent before the request was made lands late", async () => {
    const { harness, payment, body, ask, approve, reject } = await anOrder('RO-5');
    await lostDirect(harness, body);
    // The customer asks, as the refund seems not to have happened; then i'mport applies it after all.
    harness.clock.advance(1000);
    const asked = await ask(body);
    assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
    harness.clock.advance(60_000);
    await landsLate(harness, payment.imp_uid, body);
    await refusedOnce(harness, approve, asked.body.request.id, payment.imp_uid);
    // Staff reject it; a request the customer makes once the late refund is known can be approved.
    const rejected = await reject(asked.body.request.id, { reason: '이미 환불되었어요' });
    assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
    harness.clock.advance(11 * 60_000);
    const anew = await ask({ ...body, cancel_request_amount: 5000 });
    assert.equal(anew.res.status, 201, JSON.stringify(anew.body));
    const approved = await approve(anew.body.request.id);
    assert.equal(approved.body.request?.status, 'refunded', JSON.stringify(approved.body));
    assert.equal(harness.fake.getPayment(payment.imp_uid)?.cancel_amount, 13000);
  });

  it('approves a request made an hour after an outside refund landed late, though its key takes it only after', async () => {
    const { harness, payment, body, ask, approve } = await anOrder('RO-6');
    await lostDirect(harness, body);
    await landsLate(harness, payment.imp_uid, body);
    // An hour on the customer asks for another item; then their app retries the old key, answered with the late
    // refund (recorded now, as an attempt of that key): a refund that landed before the request, not after it.
    harness.clock.advance(60 * 60_000);
    const asked = await ask({ merchant_uid: 'RO-6', reason: '다른 상품 불량', cancel_request_amount: 5000 });
    assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
    harness.clock.advance(1000);
    assert.equal((await harness.cancel(body, { key: 'k-direct' })).body.refunded, 8000);
    harness.clock.advance(1000);
    const approved = await approve(asked.body.request.id);
    assert.equal(approved.body.request?.status, 'refunded', JSON.stringify(approved.body));
    assert.equal(harness.fake.getPayment(payment.imp_uid)?.cancel_amount, 13000);
  });
});
