// Cancels i'mport applies after the ten minutes an unanswered one is given: one entry for one attempt, on that
// attempt's payment, counted against that attempt's grant until its own request's retry takes it, then once.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness, PORTONE_WEBHOOK_SECRET } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const TEN_MINUTES = 10 * 60_000 + 1000;

/** A capped grant of the order, minted again for each call as a shop's page would be on reload. */
const capped = (merchantUid: string, maxAmount: number, jti: string) => () => h.grant(merchantUid, { maxAmount, jti });

/** Sends `body` under `grant` with `key`, its cancel dropped, and lets the ten minutes pass: settled as not made. */
const lost = async (body: Record<string, unknown>, key: string, grant: () => Promise<string>) => {
  h.fake.inject({ kind: 'drop', route: 'cancel' });
  assert.equal((await h.cancel(body, { key, grant: await grant() })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
  h.clock.advance(TEN_MINUTES);
  const view = await h.view(String(body.merchant_uid), { grant: await grant() });
  assert.equal(view.body.refundable, true, 'settled as not made');
};

/** A new harness with an order of 5,000 paid; a grant for it capped at `cap`; a body asking `ask` of it. */
const anOrder = async (merchantUid: string, cap: number, ask: number) => {
  h = await createHarness({ timeoutMs: 300 });
  const p = h.fake.addPayment({ merchant_uid: merchantUid, amount: 5000 });
  const body = { merchant_uid: merchantUid, cancel_request_amount: ask, reason: 'x' };
  return { p, grant: capped(merchantUid, cap, `g-${merchantUid}`), body };
};

/** A new harness with an order of 5,000 paid and two grants for it (two jti), each capped at `cap`. */
const twoGrants = async (merchantUid: string, cap: number, jtis: readonly [string, string]) => {
  h = await createHarness({ timeoutMs: 300 });
  const p = h.fake.addPayment({ merchant_uid: merchantUid, amount: 5000 });
  return { p, grants: [capped(merchantUid, cap, jtis[0]), capped(merchantUid, cap, jtis[1])] as const };
};

/**
 * A new harness in request mode with an order of 30,000 paid, and a request for 8,000 of it whose approval's cancel
 * got no answer: settled as not made ten minutes on, the request `failed`.
 */
const aFailedRequest = async (merchantUid: string) => {
  h = await withRequests({ timeoutMs: 300 });
  const calls = requestCalls(h);
  const p = h.fake.addPayment({ merchant_uid: merchantUid, amount: 30000 });
  const body = { merchant_uid: merchantUid, reason: 'r', cancel_request_amount: 8000 };
  const id = (await calls.ask(body)).body.request.id;
  h.fake.inject({ kind: 'drop', route: 'cancel' });
  await calls.approve(id);
  h.clock.advance(TEN_MINUTES);
  assert.equal((await h.view(merchantUid)).body.request?.status, 'failed');
  return { ...calls, p, id, body };
};

const remaining = async (merchantUid: string, grant: () => Promise<string>) =>
  (await h.view(merchantUid, { grant: await grant() })).body.grant_remaining;

describe("cancels i'mport applies late, against a grant's max_amount", () => {
  it('counts against its grant before its own retry: a new key cannot refund it again', async () => {
    const { p, grant, body } = await anOrder('L-CAP', 2000, 2000);
    await lost(body, 'k-1', grant);
    assert.equal(await remaining('L-CAP', grant), 2000);
    await cancelAtIamport(h, p.imp_uid, 2000, 5000, 'x'); // k-1's, in its words
    await notifyOf(h, p.imp_uid, 'L-CAP');
    assert.equal(await remaining('L-CAP', grant), 0);
    const again = await h.cancel(body, { key: 'k-2', grant: await grant() });
    assert.equal(again.body.error?.code, 'FORBIDDEN', JSON.stringify(again.body));
    const retry = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 2000], 'its own retry answers that refund');
    assert.equal(await remaining('L-CAP', grant), 0, 'counted once');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, 'refunded once, within the cap');
  });

  it('counts it once after its retry took it, even beside a console cancel of the same amount', async () => {
    const { p, grant, body } = await anOrder('L-ONCE', 3000, 1000);
    await lost(body, 'k-1', grant);
    await cancelAtIamport(h, p.imp_uid, 1000, 5000, 'x');
    h.clock.advance(60_000);
    await cancelAtIamport(h, p.imp_uid, 1000, 4000); // staff, in i'mport's console
    await notifyOf(h, p.imp_uid, 'L-ONCE');
    assert.equal(await remaining('L-ONCE', grant), 2000);
    assert.equal((await h.cancel(body, { key: 'k-1', grant: await grant() })).body.refunded, 1000);
    assert.equal(await remaining('L-ONCE', grant), 2000, "the retry's refund is the late one, not one more");
    const rest = await h.cancel({ ...body, cancel_request_amount: 2000 }, { key: 'k-2', grant: await grant() });
    assert.deepEqual([rest.res.status, rest.body.refunded], [200, 2000], JSON.stringify(rest.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, 'the grant refunded 3,000, staff 1,000');
  });

  // Its own cancel is taken before a console cancel in the staff's words (console-other-words.test.ts); one without
  // words may be anyone's, its own too (a gateway that keeps none), and is taken rather than the refund sent again.
  it('is taken without words: the refund is never sent again', async () => {
    const { p, grant, body } = await anOrder('L-WORDLESS', 5000, 2000);
    await lost(body, 'k-1', grant);
    await cancelAtIamport(h, p.imp_uid, 2000, 5000, '');
    const retry = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 2000], JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, 'refunded once');
    assert.equal(h.fake.count('cancel'), 2, 'the lost one and the late one: nothing sent for the retry');
  });

  it("is never one in other words: that is the staff's cancel, and the key refunds afresh", async () => {
    const { p, grant, body } = await anOrder('L-OTHER', 5000, 2000);
    await lost(body, 'k-1', grant);
    await cancelAtIamport(h, p.imp_uid, 2000, 5000, '배송비 환불'); // staff, in i'mport's console
    assert.equal(await remaining('L-OTHER', grant), 5000, 'not counted against the grant');
    const retry = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 2000], JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, "the staff's and the customer's");
    const refunds = (await h.store.listAttempts('L-OTHER')).filter((a) => a.outcome === 'succeeded');
    assert.deepEqual(
      refunds.map((a) => [a.idempotency_key, a.late_of]),
      [['k-1', null]],
      'a refund of its own, sent afresh',
    );
    assert.equal(h.fake.count('cancel'), 3, 'the lost one, the console one, the retry');
  });

  it('still counts when its key refunded afresh after the ten minutes and it applied later still: two refunds', async () => {
    const { p, grant, body } = await anOrder('L-AFRESH', 2000, 1000);
    await lost(body, 'k-1', grant);
    assert.equal((await h.cancel(body, { key: 'k-1', grant: await grant() })).body.refunded, 1000, 'sent afresh');
    await cancelAtIamport(h, p.imp_uid, 1000, undefined, 'x'); // the first, later than any gateway should
    await notifyOf(h, p.imp_uid, 'L-AFRESH');
    assert.equal(await remaining('L-AFRESH', grant), 0, "the grant's 2,000 went out, one key's twice");
    const more = await h.cancel(body, { key: 'k-2', grant: await grant() });
    assert.equal(more.body.error?.code, 'FORBIDDEN', JSON.stringify(more.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000);
  });

  it('counts the other of two lost tries of one key once its retry took one', async () => {
    const { p, grant, body } = await anOrder('L-TWICE', 3000, 1000);
    await lost(body, 'k-1', grant);
    await lost(body, 'k-1', grant);
    await cancelAtIamport(h, p.imp_uid, 1000, undefined, 'x');
    await cancelAtIamport(h, p.imp_uid, 1000, undefined, 'x');
    await notifyOf(h, p.imp_uid, 'L-TWICE');
    assert.equal(await remaining('L-TWICE', grant), 1000);
    assert.equal((await h.cancel(body, { key: 'k-1', grant: await grant() })).body.refunded, 1000);
    assert.equal(await remaining('L-TWICE', grant), 1000, 'both late ones still counted, once each');
    const more = await h.cancel({ ...body, cancel_request_amount: 2000 }, { key: 'k-2', grant: await grant() });
    assert.equal(more.body.error?.code, 'FORBIDDEN');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000);
  });

  it("counts a request's first approval that applied after its second refunded: no new request past the cap", async () => {
    h = await withRequests({ timeoutMs: 300 });
    const { ask, approve } = requestCalls(h);
    const p = h.fake.addPayment({ merchant_uid: 'L-REQ', amount: 30000 });
    const grant = () => h.grant('L-REQ', { mode: 'request', maxAmount: 16000, jti: 'g-req' });
    const body = { merchant_uid: 'L-REQ', reason: 'r', cancel_request_amount: 8000 };
    const id = (await ask(body, { grant: await grant() })).body.request.id;
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    await approve(id);
    h.clock.advance(TEN_MINUTES);
    await h.view('L-REQ', { grant: await grant() });
    assert.equal((await approve(id)).body.refund?.refunded, 8000);
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, 'r');
    await notifyOf(h, p.imp_uid, 'L-REQ');
    assert.equal(await remaining('L-REQ', grant), 0);
    const next = await ask(body, { grant: await grant() });
    assert.equal(next.body.error?.code, 'FORBIDDEN', JSON.stringify(next.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 16000);
  });

  // The approval's own check of the cap, from the grant the request keeps: the ask's check came before the late cancel.
  it("keeps an approval within its grant's max_amount when a refund under the grant applied late after the ask", async () => {
    h = await withRequests({ timeoutMs: 300 });
    const { ask, approve } = requestCalls(h);
    const p = h.fake.addPayment({ merchant_uid: 'L-APCAP', amount: 30000 });
    const refundGrant = capped('L-APCAP', 8000, 'g-apcap');
    const requestGrant = () => h.grant('L-APCAP', { mode: 'request', maxAmount: 8000, jti: 'g-apcap' });
    await lost({ merchant_uid: 'L-APCAP', reason: 'r', cancel_request_amount: 5000 }, 'k-1', refundGrant);
    const body = { merchant_uid: 'L-APCAP', reason: 'r', cancel_request_amount: 8000 };
    const made = await ask(body, { grant: await requestGrant() });
    assert.equal(made.res.status, 201, 'nothing counted yet: the refund was settled as not made');
    await cancelAtIamport(h, p.imp_uid, 5000, undefined, 'r'); // i'mport applies it after all
    await notifyOf(h, p.imp_uid, 'L-APCAP');
    const approved = await approve(made.body.request.id);
    assert.equal(approved.body.refund?.error?.code, 'FORBIDDEN', JSON.stringify(approved.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000, 'the grant allowed 8,000 in all: nothing more');
  });

  it('keeps staff from rejecting a failed request whose refund applied late: the look it makes records it', async () => {
    const { p, id, approve, reject } = await aFailedRequest('L-REJ');
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, 'r'); // the approval's, applied late; i'mport has not told the proxy yet
    const rejected = await reject(id, { reason: 'no' });
    assert.equal(rejected.body.error?.code, 'REFUND_REQUEST_DECIDED', JSON.stringify(rejected.body));
    const request = await h.store.getRequest(id);
    assert.deepEqual(
      [request?.status, request?.approved_amount],
      ['refunded', 8000],
      'what it refunded: the late 8,000',
    );
    assert.equal((await approve(id, { amount: 5000 })).body.error?.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 8000, 'nothing more was sent');
  });

  it('finds an older failed request whose refund applied late refunded, though the customer asked again since', async () => {
    const { p, id: first, body, ask, reject } = await aFailedRequest('L-OLDER');
    assert.equal((await ask(body)).res.status, 201, 'the customer asks again');
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, 'r'); // the first approval's, applied late
    const rejected = await reject(first, { reason: 'asked again' });
    assert.deepEqual([rejected.res.status, rejected.body.error?.code], [409, 'REFUND_REQUEST_DECIDED'], 'never stuck');
    assert.equal((await h.store.getRequest(first))?.status, 'refunded');
  });

  it('lets staff reject a failed request while another refund of its order is unsettled: that one may be the cancel', async () => {
    const { p, id, reject } = await aFailedRequest('L-BESIDE');
    // A direct refund of the same amount (a refund-mode grant): it applies, its answer and the re-read are lost.
    h.fake.inject({ kind: 'lose_response', route: 'cancel' });
    h.fake.inject({ kind: 'drop', route: 'payment' });
    const direct = await h.cancel({ merchant_uid: 'L-BESIDE', cancel_request_amount: 8000, reason: 'x' });
    assert.equal(direct.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    const rejected = await reject(id, { reason: 'refunded directly' });
    assert.deepEqual([rejected.res.status, rejected.body.request?.status], [200, 'rejected']);
    assert.equal((await h.view('L-BESIDE')).body.cancel_amount, 8000, "the direct refund's own");
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 8000);
  });

  it('never clears, by a reject, the mark of a refund still being checked', async () => {
    const { id, reject } = await aFailedRequest('L-MARK');
    // A direct refund (a refund-mode grant) beside it, whose answer never came.
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const direct = await h.cancel({ merchant_uid: 'L-MARK', cancel_request_amount: 1000, reason: 'x' });
    assert.equal(direct.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal((await reject(id, { reason: 'no' })).res.status, 200);
    const view = await h.view('L-MARK');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
  });

  for (const lag of [0, 45_000]) {
    it(`never takes a later attempt's own cancel for an earlier one's late refund (i'mport's clock ${lag / 1000} s behind)`, async () => {
      const clock = createClock();
      h = await createHarness({ clock, fake: createFakeIamport({ now: () => clock.now() - lag }), timeoutMs: 300 });
      const p = h.fake.addPayment({ merchant_uid: 'L-OWN', amount: 5000 });
      const grant = capped('L-OWN', 5000, 'g-own');
      const body = { merchant_uid: 'L-OWN', cancel_request_amount: 1000, reason: 'x' };
      await lost(body, 'k-1', grant);
      // A new ask of the same amount: its cancel applies within the second it was sent (i'mport stamps whole
      // seconds, on its own clock), and neither its answer nor the re-read that follows arrives.
      h.clock.set(Math.ceil(h.clock.now() / 1000) * 1000 + 500);
      h.fake.inject({ kind: 'lose_response', route: 'cancel' });
      h.fake.inject({ kind: 'drop', route: 'payment' });
      const second = await h.cancel(body, { key: 'k-2', grant: await grant() });
      assert.equal(second.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
      const view = await h.view('L-OWN', { grant: await grant() });
      assert.equal(view.body.cancel_amount, 1000, JSON.stringify(view.body));
      assert.deepEqual(
        (await h.store.listAttempts('L-OWN')).map((a) => [a.idempotency_key, a.outcome]),
        [
          ['k-1', 'failed'],
          ['k-2', 'succeeded'],
        ],
        "settled as k-2's own at the first look",
      );
      const retry = await h.cancel(body, { key: 'k-2', grant: await grant() });
      assert.deepEqual([retry.res.status, retry.body.refunded], [200, 1000], JSON.stringify(retry.body));
      assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 1000, 'refunded once');
    });
  }

  for (const reread of ['right after the cancel', 'at the next look']) {
    it(`never gives an earlier attempt's late cancel, not yet read by the ledger, to one sent minutes after it (read ${reread})`, async () => {
      const uid = reread === 'right after the cancel' ? 'L-UNREAD-1' : 'L-UNREAD-2';
      const {
        p,
        grants: [g1, g2],
      } = await twoGrants(uid, 1000, ['g-1', 'g-2']);
      const body = (reason: string) => ({ merchant_uid: uid, cancel_request_amount: 1000, reason });
      await lost(body('k-1'), 'k-1', g1);
      await cancelAtIamport(h, p.imp_uid, 1000, undefined, 'k-1'); // k-1's, applied late; i'mport has not told the proxy
      h.clock.advance(2 * 60_000);
      h.fake.inject({ kind: 'drop', route: 'cancel' });
      if (reread === 'at the next look') h.fake.inject({ kind: 'drop', route: 'payment' });
      const k3 = await h.cancel(body('k-3'), { key: 'k-3', grant: await g2() });
      assert.equal(k3.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(k3.body));
      assert.equal(await remaining(uid, g1), 0, "k-1's, not k-3's: k-3 never reached i'mport");
      h.clock.advance(TEN_MINUTES);
      const k1 = await h.cancel(body('k-1'), { key: 'k-1', grant: await g1() });
      assert.deepEqual([k1.res.status, k1.body.refunded], [200, 1000], JSON.stringify(k1.body));
      assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 1000, 'one refund');
    });
  }

  it("is one grant's when two grants each had one settled as not made: neither refunds it again", async () => {
    const {
      p,
      grants: [g1, g2],
    } = await twoGrants('L-TWO', 1000, ['g-1', 'g-2']);
    // Both in the same words, so the late cancel's words cannot say whose it is either.
    const body = (reason: string) => ({ merchant_uid: 'L-TWO', cancel_request_amount: 1000, reason });
    await lost(body('return'), 'k-1', g1);
    await lost(body('return'), 'k-2', g2);
    await cancelAtIamport(h, p.imp_uid, 1000, 5000, 'return'); // one of the two, i'mport cannot say which
    await notifyOf(h, p.imp_uid, 'L-TWO');
    assert.deepEqual([await remaining('L-TWO', g1), await remaining('L-TWO', g2)], [0, 1000], 'the earlier one');
    assert.equal((await h.cancel(body('k-3'), { key: 'k-3', grant: await g2() })).res.status, 200);
    const k2 = await h.cancel(body('return'), { key: 'k-2', grant: await g2() });
    assert.equal(k2.body.error?.code, 'FORBIDDEN', "the late one is g-1's: k-2 cannot take it as its own");
    const k4 = await h.cancel(body('k-4'), { key: 'k-4', grant: await g1() });
    assert.equal(k4.body.error?.code, 'FORBIDDEN');
    assert.equal((await h.cancel(body('return'), { key: 'k-1', grant: await g1() })).body.refunded, 1000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, 'two grants of 1,000: 2,000 in all');
  });

  it('stays with the grant it was made under when its key is retried under another (a re-minted token)', async () => {
    const {
      p,
      grants: [old, renewed],
    } = await twoGrants('L-JTI', 2000, ['g-old', 'g-new']);
    const body = { merchant_uid: 'L-JTI', cancel_request_amount: 2000, reason: 'x' };
    await lost(body, 'k-1', old);
    await cancelAtIamport(h, p.imp_uid, 2000, 5000, 'x');
    await notifyOf(h, p.imp_uid, 'L-JTI');
    assert.equal((await h.cancel(body, { key: 'k-1', grant: await renewed() })).body.refunded, 2000);
    assert.deepEqual([await remaining('L-JTI', old), await remaining('L-JTI', renewed)], [0, 2000]);
    const more = await h.cancel(body, { key: 'k-2', grant: await old() });
    assert.equal(more.body.error?.code, 'FORBIDDEN');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000);
  });

  it("is found on the order's earlier payment after the order moved to another: its key answers it, sending nothing", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const first = h.fake.addPayment({ merchant_uid: 'L-MOVED', amount: 3000 });
    const grant = capped('L-MOVED', 3000, 'g-moved');
    const body = { merchant_uid: 'L-MOVED', reason: 'all' };
    await lost(body, 'k-1', grant);
    await cancelAtIamport(h, first.imp_uid, 3000, 3000, 'all');
    await notifyOf(h, first.imp_uid, 'L-MOVED');
    const second = h.fake.addPayment({ merchant_uid: 'L-MOVED', amount: 3000 }); // a retried checkout
    await notifyOf(h, second.imp_uid, 'L-MOVED', 'paid');
    assert.equal(await remaining('L-MOVED', grant), 0, "the first payment's late refund is the grant's");
    const retry = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 3000], JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(second.imp_uid)!.cancel_amount, 0, 'nothing sent for the second payment');
    assert.equal(h.fake.count('cancel'), 2, 'the lost one and the late one');
  });
});

describe('on PortOne V2, whose cancels carry no checksum to order them', () => {
  let fake: FakePortOne | undefined;
  afterEach(async () => {
    await fake?.flushWebhooks();
    await h?.settled();
  });

  it("a later attempt that got no answer never takes an earlier one's late cancel, stamped before it was sent", async () => {
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    const v2 = createFakePortOne({
      now: clock.now,
      webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
      webhookFetch: async (url, init) => h.app.request(String(url), init),
    });
    fake = v2;
    h = await createHarness({ clock, portone: v2, timeoutMs: 300 });
    v2.addPayment({ paymentId: 'L-V2', total: 5000 });
    const g1 = capped('L-V2', 1000, 'g-1');
    const g2 = capped('L-V2', 1000, 'g-2');
    const body = (reason: string) => ({ merchant_uid: 'L-V2', cancel_request_amount: 1000, reason });
    v2.inject({ kind: 'drop', route: 'cancel' });
    assert.equal(
      (await h.cancel(body('k-1'), { key: 'k-1', grant: await g1() })).body.error?.code,
      'REFUND_OUTCOME_UNKNOWN',
    );
    clock.advance(TEN_MINUTES);
    assert.equal(await remaining('L-V2', g1), 1000, 'settled as not made');
    // k-1's cancel applies at PortOne after all, and its webhook comes.
    const late = await v2.fetch('https://api.portone.io/payments/L-V2/cancel', {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: `PortOne ${v2.apiSecret}` },
      body: JSON.stringify({ reason: 'k-1', amount: 1000 }),
    });
    assert.equal(late.status, 200);
    await v2.flushWebhooks();
    await h.settled();
    assert.equal(await remaining('L-V2', g1), 0);
    clock.advance(30_000);
    v2.inject({ kind: 'drop', route: 'cancel' });
    assert.equal(
      (await h.cancel(body('k-3'), { key: 'k-3', grant: await g2() })).body.error?.code,
      'REFUND_OUTCOME_UNKNOWN',
    );
    assert.equal(await remaining('L-V2', g1), 0, "still g-1's: k-3's own cancel never reached PortOne");
    clock.advance(TEN_MINUTES);
    assert.equal(await remaining('L-V2', g2), 1000, "k-3's settled as not made");
    const k1 = await h.cancel(body('k-1'), { key: 'k-1', grant: await g1() });
    assert.deepEqual([k1.res.status, k1.body.refunded], [200, 1000], JSON.stringify(k1.body));
    const attempts = await h.store.listAttempts('L-V2');
    assert.deepEqual(
      attempts.map((a) => [a.idempotency_key, a.outcome]),
      [
        ['k-1', 'failed'],
        ['k-3', 'failed'],
        ['k-1', 'succeeded'],
      ],
    );
    assert.equal(v2.getPayment('L-V2')?.amount.cancelled, 1000, 'one cancel at PortOne: the late one');
  });
});
