// i'mport answers a cancel as done (code 0) but the payment does not show it: its answer carries no payment, or the
// payment as it stood (PayPal's cancel accepted and approved later, iamport-v1.md §3.2), or another payment. Nothing
// is said to have been refunded that i'mport does not show, nothing is sent twice meanwhile, and once the cancel
// shows, the shop hears of it once, as the refund it is. Through app.request(), with a receiver on loopback.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeIamport, type FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { withFetch } from '../test-support/rewrite-answers.ts';
import type { WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';
import { housekeep } from './housekeeping.ts';

/** How the next cancel is answered in i'mport's stead: held (not applied) and answered with this body. */
type Answer = (held: { imp_uid: string }) => Promise<unknown> | unknown;

interface Playing {
  readonly fake: FakeIamport;
  /** Cancels the proxy sent to i'mport, answered by us or by the fake. */
  readonly sent: unknown[];
  /** The next cancel is held and answered so; null: the fake takes it. */
  answer: Answer | null;
  /** The body of the cancel held last. */
  held: unknown;
  /** The next cancel is taken (held, not applied) and its answer never comes: the proxy's call times out. */
  lose: boolean;
  /** Lookups show the payment `paid` whatever its history (PayPal's cancel not approved yet, §3.2). */
  shownPaid: boolean;
}

let playing: Playing;
const stacks = (attentionAfterSeconds?: number) =>
  webhookStacks({
    secret: newWebhookSecret(),
    retryDelaysMs: [5_000],
    harness: (given) => {
      const options = attentionAfterSeconds ? { ...given, config: { ...given.config, attentionAfterSeconds } } : given;
      const clock = createClock();
      const fake = createFakeIamport({ now: clock.now });
      playing = { fake, sent: [], answer: null, held: null, lose: false, shownPaid: false };
      const wrapped: typeof fetch = async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname !== '/payments/cancel') {
          const res = await fake.fetch(input, init);
          if (!playing.shownPaid || !url.pathname.startsWith('/payments/')) return res;
          const got = (await res.json()) as { response: Record<string, unknown> | null };
          if (got.response && 'imp_uid' in got.response) got.response = { ...got.response, status: 'paid' };
          return Response.json(got, { status: res.status });
        }
        const body = JSON.parse(String(init?.body)) as { imp_uid: string };
        playing.sent.push(body);
        if (playing.lose) {
          playing.lose = false;
          playing.held = body;
          return new Promise<Response>((_, reject) =>
            init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
          );
        }
        const answer = playing.answer;
        if (!answer) return fake.fetch(input, init);
        playing.answer = null;
        playing.held = body;
        return Response.json(await answer(body));
      };
      return createHarness({ ...options, clock, fake: withFetch(fake, wrapped), timeoutMs: 300 });
    },
  });
const start = stacks();
const startDay = stacks(86_400);

/** i'mport's own copy of a payment, as a lookup answers it. */
const atIamport = async (fake: FakeIamport, impUid: string) => {
  const token = await issueToken(fake);
  const res = await fake.fetch(`${BASE}/payments/${impUid}`, { headers: { Authorization: token } });
  return ((await res.json()) as { response: Record<string, unknown> }).response;
};

/**
 * The held cancel now shows at i'mport (PayPal approved it), and i'mport's webhook says so. Applied at the fake without
 * its checksum: PayPal's approval is not a new request, and a cancel made in the console meanwhile changed the balance.
 */
const heldShowsNow = async (h: Harness, impUid: string, keptReason?: string) => {
  const held = playing.held as Record<string, unknown>;
  // `keptReason`: the refund's words as i'mport keeps them on the entry (blanks run together, cut short).
  await applyAtIamport({ ...held, checksum: undefined, reason: keptReason ?? held.reason });
  const hook = await notifyOf(h, impUid, playing.fake.getPayment(impUid)!.merchant_uid);
  assert.equal(hook.status, 200);
};

/** A cancel the proxy sent (held by the test), applied at i'mport as sent: code 0. */
const applyAtIamport = async (body: unknown) => {
  const token = await issueToken(playing.fake);
  const res = await playing.fake.fetch(`${BASE}/payments/cancel`, json(body, token));
  assert.equal(((await res.json()) as { code: number }).code, 0);
};

const eventsOf = async (h: Harness, receiver: WebhookReceiver) => {
  await h.settled();
  for (const got of receiver.received) assert.equal(got.verifyError, null);
  return receiver.received.map((got) => JSON.parse(got.body) as { type: string; data: Record<string, unknown> });
};

describe("a cancel i'mport answers as done that its payment does not show", () => {
  it('code 0 with no payment: the outcome is not known, the same key sends nothing more, and the cancel once shown is told once', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'UN-NULL', amount: 10_000 });
    await h.view('UN-NULL');
    playing.answer = () => ({ code: 0, message: null, response: null });
    const body = { merchant_uid: 'UN-NULL', reason: '단순 변심' };
    const first = await h.cancel(body, { key: 'un-null-1' });
    assert.deepEqual([first.res.status, first.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    assert.doesNotMatch(first.body.error.message, /nothing was refunded/);
    const [attempt] = await h.store.listAttempts('UN-NULL');
    assert.equal(attempt!.outcome, 'unknown');

    // The widget's "try again" under the same key, before i'mport shows the cancel: nothing is sent again.
    const retry = await h.cancel(body, { key: 'un-null-1' });
    assert.deepEqual([retry.res.status, retry.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    const other = await h.cancel(body, { key: 'un-null-2' });
    assert.equal(other.body.ok, false);
    assert.equal(playing.sent.length, 1, 'one cancel sent for one refund');
    assert.deepEqual(await eventsOf(h, receiver), []);

    await heldShowsNow(h, p.imp_uid);
    const events = await eventsOf(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount]),
      [['refund.succeeded', 10_000]],
    );
    const settled = await h.cancel(body, { key: 'un-null-1' });
    assert.deepEqual([settled.res.status, settled.body.refunded], [200, 10_000]);
    assert.equal(playing.sent.length, 1);
  });

  it("PayPal's cancel accepted to be approved later: answered accepted, the order held, and refund.succeeded only once it shows", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'UN-PP',
      amount: 10_000,
      pay_method: 'paypal',
      pg_provider: 'paypal_v2',
    });
    await h.view('UN-PP');
    // i'mport's answer: code 0 with the payment as it still stands (paid, no history entry).
    playing.answer = async ({ imp_uid }) => ({
      code: 0,
      message: null,
      response: await atIamport(playing.fake, imp_uid),
    });
    const first = await h.cancel({ merchant_uid: 'UN-PP', reason: 'changed my mind' }, { key: 'un-pp-1' });
    assert.equal(first.res.status, 200);
    assert.deepEqual([first.body.accepted, first.body.pending], [true, true]);
    const [attempt] = await h.store.listAttempts('UN-PP');
    assert.equal(attempt!.outcome, 'unknown', 'not recorded as succeeded on no evidence');
    assert.deepEqual(await eventsOf(h, receiver), [], 'no refund.succeeded before i’mport shows it');

    // Meanwhile the order is not offered again, and a new request sends nothing.
    const view = await h.view('UN-PP');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const second = await h.cancel({ merchant_uid: 'UN-PP', reason: 'changed my mind' }, { key: 'un-pp-2' });
    assert.deepEqual([second.res.status, second.body.error.code], [409, 'REFUND_IN_PROGRESS']);
    assert.equal(playing.sent.length, 1);

    await heldShowsNow(h, p.imp_uid);
    const events = await eventsOf(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.cancelable_amount]),
      [['refund.succeeded', 10_000, 0]],
    );
    assert.equal((await h.store.listAttempts('UN-PP'))[0]!.outcome, 'succeeded');
  });

  it("a Smartro virtual account's cancel, finalised after its payout (iamport-v1.md §3.4), is held as PayPal's", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'UN-SMV2',
      amount: 10_000,
      pay_method: 'vbank',
      pg_provider: 'smartro_v2',
    });
    await h.view('UN-SMV2');
    playing.answer = async ({ imp_uid }) => ({
      code: 0,
      message: null,
      response: await atIamport(playing.fake, imp_uid),
    });
    const account = {
      refund_holder: '홍길동',
      refund_bank: '088',
      refund_account: '110123456789',
      refund_tel: '01012345678',
    };
    const body = { merchant_uid: 'UN-SMV2', reason: '단순 변심', checksum: 10_000, ...account };
    const first = await h.cancel(body, { key: 'un-smv2-1' });
    assert.equal(first.res.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.accepted, first.body.pending, first.body.cancelable_amount], [true, true, 0]);
    assert.deepEqual(await eventsOf(h, receiver), [], 'no refund.succeeded before i’mport shows it');

    // Not offered again meanwhile: a whole refund asked again from the view sends nothing.
    const view = await h.view('UN-SMV2');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const second = await h.cancel({ ...body, checksum: view.body.cancelable_amount }, { key: 'un-smv2-2' });
    assert.deepEqual([second.res.status, second.body.error.code], [409, 'REFUND_IN_PROGRESS']);
    assert.equal(playing.sent.length, 1, 'one cancel sent');

    await heldShowsNow(h, p.imp_uid);
    assert.deepEqual(
      (await eventsOf(h, receiver)).map((e) => [e.type, e.data.amount]),
      [['refund.succeeded', 10_000]],
    );
  });

  for (const [pg, payMethod, uid] of [
    ['paypal_v2', 'paypal', 'UN-PPLOST'],
    ['smartro_v2', 'vbank', 'UN-SMLOST'],
  ] as const) {
    it(`${pg}: a cancel i'mport took with its answer lost is never settled as not made while its PG may approve it`, async () => {
      const { h } = await start();
      const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: payMethod, pg_provider: pg });
      await h.view(uid);
      const account =
        payMethod === 'vbank'
          ? { refund_holder: '홍길동', refund_bank: '088', refund_account: '110123456789', refund_tel: '01012345678' }
          : {};
      const body = {
        merchant_uid: uid,
        reason: '단순 변심',
        cancel_request_amount: 4000,
        checksum: 10_000,
        ...account,
      };
      playing.lose = true;
      const first = await h.cancel(body, { key: `${uid}-1` });
      assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
      // Days on, i'mport still shows nothing: the same key, and any other, sends nothing more.
      h.clock.advance(3 * 24 * 3600_000);
      const retry = await h.cancel(body, { key: `${uid}-1` });
      assert.equal(retry.body.ok, false, JSON.stringify(retry.body));
      const other = await h.cancel({ ...body, cancel_request_amount: 1000 }, { key: `${uid}-2` });
      assert.equal(other.body.error?.code, 'REFUND_IN_PROGRESS', JSON.stringify(other.body));
      assert.equal(playing.sent.length, 1, 'one cancel sent');
      const view = await h.view(uid);
      assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);

      // Meanwhile the shop cancels 1,000 in i'mport's console: told, though ours is still held.
      const fields = { ...account, refund_holder: '김철수', refund_account: '110987654321' };
      const console = { imp_uid: p.imp_uid, amount: 1000, reason: 'console', ...(payMethod === 'vbank' ? fields : {}) };
      const made = await playing.fake.fetch(`${BASE}/payments/cancel`, json(console, await issueToken(playing.fake)));
      assert.equal(((await made.json()) as { code: number }).code, 0);
      assert.equal((await notifyOf(h, p.imp_uid, uid)).status, 200);
      // Its PG approves ours: told once, as the refund it is (read from the outbox: days on, the receiver would refuse
      // the events' timestamps against its own clock).
      await heldShowsNow(h, p.imp_uid);
      await h.settled();
      const told = (await h.store.listOrderEvents(uid)).filter((e) => e.type !== 'attention.needed');
      assert.deepEqual(
        told.map((e) => [e.type, e.data.amount]),
        [
          ['payment.cancelled_externally', 1000],
          ['refund.succeeded', 4000],
        ],
      );
      assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000);
    });
  }

  it('PayPal: a console cancel of the same amount while a lost-answer refund is held is not taken for it', async () => {
    const { h } = await start();
    const uid = 'UN-PPTWIN';
    const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view(uid);
    const body = { merchant_uid: uid, reason: '단순 변심', cancel_request_amount: 4000, checksum: 10_000 };
    playing.lose = true;
    assert.equal((await h.cancel(body, { key: `${uid}-1` })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    // Two days on, staff refund 4,000 in i'mport's console, in their own words; i'mport's webhook says so.
    h.clock.advance(2 * 24 * 3600_000);
    await cancelAtIamport({ fake: playing.fake }, p.imp_uid, 4000);
    assert.equal((await notifyOf(h, p.imp_uid, uid)).status, 200);
    assert.equal((await h.store.listAttempts(uid))[0]!.outcome, 'unknown', 'ours still held');
    const other = await h.cancel({ ...body, cancel_request_amount: 6000, checksum: 6000 }, { key: `${uid}-2` });
    assert.equal(other.body.error?.code, 'REFUND_IN_PROGRESS', 'nothing more sent while PayPal may approve ours');
    assert.equal(playing.sent.length, 1);

    // PayPal approves ours: each cancel told once, as what it is (read from the outbox: days on).
    await heldShowsNow(h, p.imp_uid);
    await h.settled();
    const told = (await h.store.listOrderEvents(uid)).filter((e) => e.type !== 'attention.needed');
    assert.deepEqual(
      told.map((e) => [e.type, e.data.amount, e.data.reason]),
      [
        ['payment.cancelled_externally', 4000, 'at i’mport'],
        ['refund.succeeded', 4000, '단순 변심'],
      ],
    );
  });

  it('PayPal: a lost answer, a console cancel of the same amount stamped just before ours: each told as what it is', async () => {
    const { h, receiver } = await start();
    const uid = 'UN-PPRACE';
    const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view(uid);
    // i'mport takes ours (PayPal approves it at once), staff's console cancel of the same amount is stamped a second
    // before it, and ours' answer is lost.
    playing.answer = async (held) => {
      await applyAtIamport(held);
      h.clock.advance(-1000);
      await cancelAtIamport({ fake: playing.fake }, p.imp_uid, 4000);
      h.clock.advance(1000);
      throw new TypeError('fetch failed');
    };
    const body = { merchant_uid: uid, reason: '단순 변심', cancel_request_amount: 4000, checksum: 10_000 };
    const first = await h.cancel(body, { key: `${uid}-1` });
    assert.deepEqual([first.res.status, first.body.refunded], [200, 4000], JSON.stringify(first.body));
    const [attempt] = await h.store.listAttempts(uid);
    const ours = h.fake.getPayment(p.imp_uid)!.cancel_history.find((e) => e.reason === '단순 변심');
    assert.equal(attempt!.cancellation_id, ours?.cancellation_id, 'settled from its own entry, not the console’s');
    assert.equal((await notifyOf(h, p.imp_uid, uid)).status, 200); // i'mport's webhook for the console's cancel
    assert.deepEqual((await eventsOf(h, receiver)).map((e) => [e.type, e.data.amount, e.data.reason]).sort(), [
      ['payment.cancelled_externally', 4000, 'at i’mport'],
      ['refund.succeeded', 4000, '단순 변심'],
    ]);
  });

  it("PayPal: a lost answer whose entry shows while the payment is still paid waits for PayPal's approval (§3.2)", async () => {
    const { h } = await start();
    const uid = 'UN-PPLOSTPAID';
    const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view(uid);
    // i'mport takes ours and shows its entry with the payment still `paid`; the answer is lost.
    playing.answer = async (held) => {
      await applyAtIamport(held);
      playing.shownPaid = true;
      throw new TypeError('fetch failed');
    };
    const body = { merchant_uid: uid, reason: '단순 변심', cancel_request_amount: 3000 };
    const first = await h.cancel(body, { key: `${uid}-1` });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
    h.clock.advance(2 * 24 * 3600_000);
    const view = await h.view(uid);
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    assert.equal((await h.store.listAttempts(uid))[0]!.outcome, 'unknown', 'not refunded before PayPal approves it');
    // PayPal approves it: the payment now shows `cancelled`.
    playing.shownPaid = false;
    assert.equal((await notifyOf(h, p.imp_uid, uid)).status, 200);
    await h.settled();
    assert.deepEqual(
      (await h.store.listOrderEvents(uid))
        .filter((e) => e.type !== 'attention.needed')
        .map((e) => [e.type, e.data.amount]),
      [['refund.succeeded', 3000]],
    );
  });

  it('PayPal: a console cancel of the same amount kept without words is not taken for a held refund', async () => {
    const { h } = await start();
    const uid = 'UN-PPBLANK';
    const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view(uid);
    const body = { merchant_uid: uid, reason: '단순 변심', cancel_request_amount: 3000, checksum: 10_000 };
    playing.lose = true;
    assert.equal((await h.cancel(body, { key: `${uid}-1` })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    // A day on, staff cancel 3,000 at i'mport with no reason at all.
    h.clock.advance(24 * 3600_000);
    const blank = { imp_uid: p.imp_uid, amount: 3000, reason: '' };
    const made = await playing.fake.fetch(`${BASE}/payments/cancel`, json(blank, await issueToken(playing.fake)));
    assert.equal(((await made.json()) as { code: number }).code, 0);
    assert.equal((await notifyOf(h, p.imp_uid, uid)).status, 200);
    assert.equal((await h.store.listAttempts(uid))[0]!.outcome, 'unknown', 'ours still held');
    const other = await h.cancel({ ...body, cancel_request_amount: 1000, checksum: 7000 }, { key: `${uid}-2` });
    assert.equal(other.body.error?.code, 'REFUND_IN_PROGRESS', 'nothing sent beside one PayPal may still approve');
    assert.equal(playing.sent.length, 1);
  });

  it("PayPal: a lost-answer refund whose checksum was already stale is not held: i'mport never took it", async () => {
    const { h } = await start();
    const uid = 'UN-PPSTALE';
    const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view(uid);
    // Staff refund 3,000 in i'mport's console; its webhook never reaches the proxy.
    await cancelAtIamport({ fake: playing.fake }, p.imp_uid, 3000);
    h.clock.advance(3600_000);
    // An hour on, a refund from the ledger's copy: its checksum (10,000) is not i'mport's balance (7,000), so i'mport
    // refuses it, and that answer is lost.
    const body = { merchant_uid: uid, reason: '단순 변심', cancel_request_amount: 4000, checksum: 10_000 };
    playing.lose = true;
    assert.equal((await h.cancel(body, { key: `${uid}-1` })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(11 * 60_000);
    const view = await h.view(uid);
    assert.deepEqual([view.body.refundable, view.body.cancelable_amount], [true, 7000], JSON.stringify(view.body));
    assert.equal((await h.store.listAttempts(uid))[0]!.outcome, 'failed');
  });

  it('PayPal: a cancel its PG refused, the re-read after failing, is not held past its window: nothing was taken', async () => {
    const { h } = await start();
    h.fake.addPayment({ merchant_uid: 'UN-PPREF', amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view('UN-PPREF');
    h.fake.inject({ kind: 'pg_refusal', message: 'PG refused: not cancellable now' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: 1 });
    const body = { merchant_uid: 'UN-PPREF', cancel_request_amount: 3000, reason: '단순 변심' };
    const first = await h.cancel(body, { key: 'un-ppref-1' });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', 'whether the PG made it all the same is not known');
    h.clock.advance(11 * 60_000);
    const view = await h.view('UN-PPREF');
    assert.deepEqual([view.body.refundable, view.body.cancelable_amount], [true, 10_000], JSON.stringify(view.body));
    const [attempt] = await h.store.listAttempts('UN-PPREF');
    assert.equal(attempt!.outcome, 'failed');
  });

  it("PayPal's accepted cancel is held however long PayPal takes: the same key is told accepted, no other cancel goes", async () => {
    const { h } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'UN-PP-LONG',
      amount: 10_000,
      pay_method: 'paypal',
      pg_provider: 'paypal_v2',
    });
    await h.view('UN-PP-LONG');
    playing.answer = async ({ imp_uid }) => ({
      code: 0,
      message: null,
      response: await atIamport(playing.fake, imp_uid),
    });
    const body = { merchant_uid: 'UN-PP-LONG', reason: 'changed my mind' };
    const first = await h.cancel(body, { key: 'un-pp-long-1' });
    assert.deepEqual([first.body.accepted, first.body.refunded, first.body.cancelable_amount], [true, 10_000, 0]);

    // Past the ten minutes in which a cancel with no answer could still be running: this one was taken, and waits.
    h.clock.advance(2 * 24 * 3600 * 1000);
    const view = await h.view('UN-PP-LONG');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const retry = await h.cancel(body, { key: 'un-pp-long-1' });
    assert.deepEqual(
      [retry.res.status, retry.body.accepted, retry.body.cancelable_amount],
      [200, true, 0],
      JSON.stringify(retry.body),
    );
    const other = await h.cancel(body, { key: 'un-pp-long-2' });
    assert.deepEqual([other.res.status, other.body.error?.code], [409, 'REFUND_IN_PROGRESS']);
    assert.equal(playing.sent.length, 1);
    assert.equal((await h.store.listAttempts('UN-PP-LONG'))[0]!.outcome, 'unknown');

    await heldShowsNow(h, p.imp_uid);
    // Read from the outbox: two days on, the receiver would refuse the events' timestamps against its own clock.
    await h.settled();
    const refunds = (await h.store.listOrderEvents('UN-PP-LONG')).filter((e) => e.type.startsWith('refund.'));
    assert.deepEqual(
      refunds.map((e) => [e.type, (e.data as { amount?: number }).amount]),
      [['refund.succeeded', 10_000]],
    );
  });

  it("PayPal's held cancel keeps its Idempotency-Key through housekeeping: days on, the key is told accepted, then the refund once", async () => {
    const { h } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'UN-PP-KEEP',
      amount: 10_000,
      pay_method: 'paypal',
      pg_provider: 'paypal_v2',
    });
    await h.view('UN-PP-KEEP');
    playing.answer = async ({ imp_uid }) => ({
      code: 0,
      message: null,
      response: await atIamport(playing.fake, imp_uid),
    });
    // A server's client, without the widget's checksum: the key alone says this is the same ask.
    const body = { merchant_uid: 'UN-PP-KEEP', cancel_request_amount: 3000, reason: 'mine' };
    const first = await h.cancel(body, { key: 'un-pp-keep-1' });
    assert.deepEqual([first.res.status, first.body.accepted], [200, true]);

    // Two days on, with the Node entry's hourly housekeeping run meanwhile (keys are purged 25 hours on).
    h.clock.advance(2 * 24 * 3600 * 1000);
    await housekeep({ store: h.store, now: h.clock.now, log: () => undefined });
    const retry = await h.cancel(body, { key: 'un-pp-keep-1' });
    assert.deepEqual([retry.res.status, retry.body.accepted], [200, true], JSON.stringify(retry.body));

    // PayPal approves it; the key's retry answers that refund and sends nothing more.
    await heldShowsNow(h, p.imp_uid);
    await housekeep({ store: h.store, now: h.clock.now, log: () => undefined });
    const after = await h.cancel(body, { key: 'un-pp-keep-1' });
    assert.deepEqual([after.res.status, after.body.refunded, after.body.cancel_amount], [200, 3000, 3000]);
    assert.equal(playing.sent.length, 1, 'one cancel for one ask');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000);
  });

  it("PayPal's cancel i'mport took without sending the payment waits as accepted too: its key sends nothing, days on", async () => {
    const { h } = await start();
    h.fake.addPayment({ merchant_uid: 'UN-PP-NULL', amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view('UN-PP-NULL');
    playing.answer = () => ({ code: 0, message: null, response: null });
    const body = { merchant_uid: 'UN-PP-NULL', cancel_request_amount: 3000, reason: 'mine' };
    const first = await h.cancel(body, { key: 'un-pp-null-1' });
    assert.deepEqual([first.res.status, first.body.accepted, first.body.cancelable_amount], [200, true, 7000]);
    h.clock.advance(2 * 24 * 3600 * 1000);
    const retry = await h.cancel(body, { key: 'un-pp-null-1' });
    assert.deepEqual([retry.res.status, retry.body.accepted], [200, true]);
    assert.equal(playing.sent.length, 1, 'one cancel for one refund, however long PayPal takes');
  });

  it('a console cancel of the same amount while PayPal holds ours is not ours: told as made elsewhere, ours still held', async () => {
    const { h } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'UN-PP-TWIN',
      amount: 10_000,
      pay_method: 'paypal',
      pg_provider: 'paypal_v2',
    });
    await h.view('UN-PP-TWIN');
    playing.answer = async ({ imp_uid }) => ({
      code: 0,
      message: null,
      response: await atIamport(playing.fake, imp_uid),
    });
    const body = { merchant_uid: 'UN-PP-TWIN', cancel_request_amount: 3000, reason: 'mine' };
    assert.equal((await h.cancel(body, { key: 'un-pp-twin-1' })).body.accepted, true);
    // A day on, staff refund 3,000 in i'mport's console (another reason), and i'mport's webhook says so.
    h.clock.advance(24 * 3600 * 1000);
    await cancelAtIamport({ fake: playing.fake }, p.imp_uid, 3000);
    assert.equal((await notifyOf(h, p.imp_uid, 'UN-PP-TWIN')).status, 200);
    await h.settled();
    assert.equal((await h.store.listAttempts('UN-PP-TWIN'))[0]!.outcome, 'unknown', 'still waiting on PayPal');
    const view = await h.view('UN-PP-TWIN');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const told = async () =>
      (await h.store.listOrderEvents('UN-PP-TWIN'))
        .filter((e) => e.type !== 'attention.needed')
        .map((e) => [e.type, (e.data as { amount?: number }).amount]);
    assert.deepEqual(await told(), [['payment.cancelled_externally', 3000]]);
    // PayPal approves ours: told as the refund it is, once.
    await heldShowsNow(h, p.imp_uid);
    await h.view('UN-PP-TWIN');
    await h.settled();
    assert.deepEqual(await told(), [
      ['payment.cancelled_externally', 3000],
      ['refund.succeeded', 3000],
    ]);
    assert.equal(playing.sent.length, 1);
  });

  it("PayPal's answer showing only a console cancel of the same amount, made just before: ours is accepted, not that one", async () => {
    const { h } = await start();
    h.fake.addPayment({ merchant_uid: 'UN-PP-RACE', amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view('UN-PP-RACE');
    playing.answer = async ({ imp_uid }) => {
      await cancelAtIamport({ fake: playing.fake }, imp_uid, 3000);
      return { code: 0, message: null, response: await atIamport(playing.fake, imp_uid) };
    };
    const first = await h.cancel({ merchant_uid: 'UN-PP-RACE', cancel_request_amount: 3000, reason: 'mine' });
    assert.deepEqual([first.res.status, first.body.accepted], [200, true], JSON.stringify(first.body));
    assert.equal((await h.store.listAttempts('UN-PP-RACE'))[0]!.outcome, 'unknown');
  });

  for (const [how, sent, kept] of [
    ['its blanks run together', '  사이즈가   맞지 않아요  ', '사이즈가 맞지 않아요'],
    [
      'cut short',
      '받은 상품의 색상이 사진과 많이 달라서 반품하고 싶어요. 포장은 뜯지 않았어요.',
      '받은 상품의 색상이 사진과 많이 달라서',
    ],
  ] as const) {
    it(`PayPal's approval is recognised with the refund's words as i'mport kept them (${how})`, async () => {
      const { h } = await start();
      const uid = `UN-PP-WORDS-${sent.length}`;
      const p = h.fake.addPayment({
        merchant_uid: uid,
        amount: 10_000,
        pay_method: 'paypal',
        pg_provider: 'paypal_v2',
      });
      await h.view(uid);
      playing.answer = async ({ imp_uid }) => ({
        code: 0,
        message: null,
        response: await atIamport(playing.fake, imp_uid),
      });
      const first = await h.cancel({ merchant_uid: uid, cancel_request_amount: 3000, reason: sent });
      assert.equal(first.body.accepted, true);
      await heldShowsNow(h, p.imp_uid, kept);
      await h.view(uid);
      await h.settled();
      assert.equal((await h.store.listAttempts(uid))[0]!.outcome, 'succeeded');
      const told = (await h.store.listOrderEvents(uid)).map((e) => e.type);
      assert.deepEqual(told, ['refund.succeeded']);
    });
  }

  it("PayPal's held cancel is moot once the payment was refunded elsewhere: settled as not made, the console's told", async () => {
    const { h } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'UN-PP-MOOT',
      amount: 10_000,
      pay_method: 'paypal',
      pg_provider: 'paypal_v2',
    });
    await h.view('UN-PP-MOOT');
    playing.answer = async ({ imp_uid }) => ({
      code: 0,
      message: null,
      response: await atIamport(playing.fake, imp_uid),
    });
    const first = await h.cancel({ merchant_uid: 'UN-PP-MOOT', cancel_request_amount: 3000, reason: 'mine' });
    assert.equal(first.body.accepted, true);
    // PayPal never approves it; a week on, staff refund the whole payment in i'mport's console.
    h.clock.advance(7 * 24 * 3600 * 1000);
    await cancelAtIamport({ fake: playing.fake }, p.imp_uid, 10_000);
    const view = await h.view('UN-PP-MOOT');
    assert.deepEqual([view.body.cancel_amount, view.body.reason], [10_000, 'fully_refunded']);
    assert.equal((await h.store.listAttempts('UN-PP-MOOT'))[0]!.outcome, 'failed');
    await h.settled();
    const told = (await h.store.listOrderEvents('UN-PP-MOOT')).filter((e) => e.type !== 'attention.needed');
    assert.deepEqual(
      told.map((e) => [e.type, (e.data as { amount?: number }).amount]),
      [['payment.cancelled_externally', 10_000]],
    );
  });

  it("PayPal's cancel shown in the history while the payment is still paid is not approved yet (iamport-v1.md §3.2)", async () => {
    const { h } = await start();
    h.fake.addPayment({ merchant_uid: 'UN-PP-PAID', amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
    await h.view('UN-PP-PAID');
    playing.answer = async (held) => {
      await applyAtIamport(held);
      return { code: 0, message: null, response: { ...(await atIamport(playing.fake, held.imp_uid)), status: 'paid' } };
    };
    const first = await h.cancel({ merchant_uid: 'UN-PP-PAID', cancel_request_amount: 3000, reason: 'mine' });
    assert.deepEqual([first.res.status, first.body.accepted], [200, true]);
    assert.equal((await h.store.listAttempts('UN-PP-PAID'))[0]!.outcome, 'unknown');
  });

  it("an unsettled attempt with i'mport's code 0 on another PG has the usual ten minutes, not PayPal's wait", async () => {
    const { h } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'UN-CODE0', amount: 10_000 });
    await h.view('UN-CODE0');
    const now = h.clock.now();
    const begun = {
      id: 'code0-card',
      merchant_uid: 'UN-CODE0',
      imp_uid: p.imp_uid,
      requested_amount: 3000,
      amount: 3000,
      checksum: 10_000,
      reason: 'part',
      refund_bank: null,
      refund_account_masked: null,
      grant_subject: 'UN-CODE0',
      grant_jti: null,
      client_ip: null,
      origin: null,
      idempotency_key: null,
      started_at: now,
    };
    const finish = {
      outcome: 'unknown',
      error_code: 'REFUND_OUTCOME_UNKNOWN',
      iamport_code: 0,
      iamport_message: 'answered done, not shown',
      cancellation_id: null,
      refunded: null,
      iamport_ms: 12,
      finished_at: now,
    } as const;
    await h.store.insertAttempt(begun, finish);
    await h.store.markNeedsSync(p.imp_uid, now);
    h.clock.advance(24 * 3600 * 1000);
    const view = await h.view('UN-CODE0');
    assert.deepEqual([view.body.refundable, view.body.reason], [true, undefined]);
    assert.equal((await h.store.listAttempts('UN-CODE0'))[0]!.outcome, 'failed');
  });

  it("any other PG's code 0 is the refund done, even when the answer shows no history entry for it", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'UN-CARD', amount: 10_000 });
    const grant = await h.grant('UN-CARD', { maxAmount: 3000, jti: 'un-card-jti' });
    await h.view('UN-CARD', { grant });
    // i'mport applies the cancel and answers code 0, its payment without cancel_history (optional in its schema).
    playing.answer = async (held) => {
      await applyAtIamport(held);
      return {
        code: 0,
        message: null,
        response: { ...(await atIamport(playing.fake, held.imp_uid)), cancel_history: [] },
      };
    };
    const body = { merchant_uid: 'UN-CARD', cancel_request_amount: 3000, reason: 'part' };
    const first = await h.cancel(body, { grant, key: 'un-card-1' });
    assert.deepEqual([first.res.status, first.body.refunded, first.body.accepted], [200, 3000, undefined]);
    assert.equal((await h.store.listAttempts('UN-CARD'))[0]!.outcome, 'succeeded');
    assert.deepEqual(
      (await eventsOf(h, receiver)).map((e) => [e.type, e.data.amount]),
      [['refund.succeeded', 3000]],
    );
    // The grant's 3,000 is spent: the same grant cannot refund again.
    const again = await h.cancel(body, { grant, key: 'un-card-2' });
    assert.equal(again.res.status, 403);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000);
  });

  it("an answer about another payment: the refund is settled from the order's own payment, and the other is untouched", async () => {
    const { h, receiver } = await start();
    const mine = h.fake.addPayment({ merchant_uid: 'UN-MINE', amount: 10_000 });
    const other = h.fake.addPayment({ merchant_uid: 'UN-OTHER', amount: 10_000 });
    await h.view('UN-MINE');
    // i'mport applies the cancel and answers with another payment.
    playing.answer = async (held) => {
      await applyAtIamport(held);
      return { code: 0, message: null, response: await atIamport(playing.fake, other.imp_uid) };
    };
    const res = await h.cancel({ merchant_uid: 'UN-MINE', cancel_request_amount: 3000, reason: 'part' }, { key: 'k' });
    assert.equal(res.res.status, 200);
    assert.deepEqual(
      [res.body.merchant_uid, res.body.imp_uid, res.body.refunded, res.body.cancelable_amount],
      ['UN-MINE', mine.imp_uid, 3000, 7000],
    );
    const events = await eventsOf(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.merchant_uid, e.data.imp_uid, e.data.amount]),
      [['refund.succeeded', 'UN-MINE', mine.imp_uid, 3000]],
    );
    assert.equal(await h.store.getPayment('UN-OTHER'), null, 'the other order was not written from this answer');
  });

  it('with ATTENTION_AFTER a day, ten PayPal cancels awaiting approval do not keep the early look from a newer refund whose answer was lost', async () => {
    const { h, receiver } = await startDay();
    for (let n = 0; n < 10; n += 1) {
      const uid = `UN-PP-WAIT-${n}`;
      h.fake.addPayment({ merchant_uid: uid, amount: 10_000, pay_method: 'paypal', pg_provider: 'paypal_v2' });
      await h.view(uid);
      playing.answer = async ({ imp_uid }) => ({
        code: 0,
        message: null,
        response: await atIamport(playing.fake, imp_uid),
      });
      const accepted = await h.cancel({ merchant_uid: uid, reason: 'wait' }, { key: `un-pp-wait-${n}` });
      assert.equal(accepted.body.accepted, true);
    }
    h.clock.advance(60_000);
    h.fake.addPayment({ merchant_uid: 'UN-LOST', amount: 10_000 });
    await h.view('UN-LOST');
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    const lost = await h.cancel({ merchant_uid: 'UN-LOST', cancel_request_amount: 4000, reason: 'x' }, { key: 'lost' });
    assert.equal(lost.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    // The background alone, as an entry's timer runs it: eleven minutes on, then a few more checks.
    for (const ms of [11 * 60_000, 30_000, 30_000, 30_000, 30_000]) {
      h.clock.advance(ms);
      await h.outbox.runDue();
      await h.settled();
    }
    const [attempt] = await h.store.listAttempts('UN-LOST');
    assert.deepEqual([attempt?.outcome, attempt?.refunded], ['succeeded', 4000]);
    assert.deepEqual(
      receiver.received
        .map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> })
        .map((e) => `${e.type} ${e.data.merchant_uid}`)
        .filter((told, i, all) => told.startsWith('refund.') && all.indexOf(told) === i),
      ['refund.succeeded UN-LOST'],
    );
  });
});
