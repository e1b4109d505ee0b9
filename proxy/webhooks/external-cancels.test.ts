// `payment.cancelled_externally` from the proxy's own lookups, not only from i'mport's webhook: the view's first read
// of an order, a refund refused because someone cancelled elsewhere, and the view's re-read of a marked order. Each
// cancel made elsewhere is told once, and never one the proxy made itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeIamport, type FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { consoleRace, notifyOf } from '../test-support/iamport-side.ts';
import { patchPayments, rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';
import type { WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

const start = webhookStacks({ secret: newWebhookSecret(), retryDelaysMs: [5_000] });

interface Received {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/**
 * What the receiver got, verified, once the proxy's background work is done, in the order of the events' `sequence`
 * (events due together are sent together, so they may arrive in any order: `sequence` is how a receiver orders them).
 */
const received = async (h: Harness, r: WebhookReceiver): Promise<Received[]> => {
  await h.settled();
  for (const got of r.received) assert.equal(got.verifyError, null);
  return r.received
    .map((got) => JSON.parse(got.body) as Received)
    .sort((a, b) => Number(a.data.sequence) - Number(b.data.sequence));
};

/** A cancel made straight at i'mport, as the shop's staff would in i'mport's console. */
const cancelInConsole = async (h: Harness, impUid: string, amount: number) => {
  const token = await issueToken(h.fake);
  const res = await h.fake.fetch(
    `${BASE}/payments/cancel`,
    json({ imp_uid: impUid, amount, reason: 'console' }, token),
  );
  assert.equal(((await res.json()) as { code: number }).code, 0);
};

/** The fake i'mport the next racingStart() uses (consoleRace's, so a console cancel can race a refund's). */
let racingFake: FakeIamport | undefined;
const startWithFake = webhookStacks({
  secret: newWebhookSecret(),
  retryDelaysMs: [5_000],
  harness: (options) => createHarness({ ...options, fake: racingFake! }), // set just before
});
const racingStart = (fake: FakeIamport) => {
  racingFake = fake;
  return startWithFake();
};

describe('payment.cancelled_externally from lookups', () => {
  it('a paid virtual account refunded in the console: told with pending, as its refund through the proxy would be', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'EX-VB',
      amount: 9000,
      pay_method: 'vbank',
      pg_provider: 'html5_inicis',
    });
    const token = await issueToken(h.fake);
    const account = { refund_holder: '홍길동', refund_bank: '88', refund_account: '110123456789' };
    const res = await h.fake.fetch(
      `${BASE}/payments/cancel`,
      json({ imp_uid: p.imp_uid, amount: 9000, reason: 'console', ...account }, token),
    );
    assert.equal(((await res.json()) as { code: number }).code, 0);
    await h.view('EX-VB');
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.pending]),
      [['payment.cancelled_externally', 9000, true]],
    );
  });

  it("a PG's refusal that i'mport shows applied all the same (\"기취소성공\"): the refund's own refund.succeeded, nothing else", async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'EX-APPLIED', amount: 10_000 });
    assert.equal((await h.view('EX-APPLIED')).res.status, 200);
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    const refund = await h.cancel({ merchant_uid: 'EX-APPLIED', reason: '단순 변심', cancel_request_amount: 4000 });
    assert.deepEqual([refund.res.status, refund.body.refunded], [200, 4000], JSON.stringify(refund.body));
    const [attempt] = await h.store.listAttempts('EX-APPLIED');
    assert.deepEqual([attempt!.outcome, attempt!.refunded, attempt!.iamport_code], ['succeeded', 4000, -1]);
    assert.match(attempt!.iamport_message ?? '', /기취소성공.*shows it applied/);
    await h.view('EX-APPLIED');
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.cancel_amount, e.data.attempt_id]),
      [['refund.succeeded', 4000, 4000, attempt!.id]],
    );
  });

  it("the same with a console cancel of another amount meanwhile: the refund's event, and the console's, told at once", async () => {
    const race = consoleRace(createFakeIamport({ now: Date.now }));
    const { h, receiver } = await racingStart(race.fake);
    const p = h.fake.addPayment({ merchant_uid: 'EX-BOTH', amount: 10_000 });
    assert.equal((await h.view('EX-BOTH')).res.status, 200);
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    race.arm(p.imp_uid, 1000);
    const answer = await h.cancel({ merchant_uid: 'EX-BOTH', reason: '단순 변심', cancel_request_amount: 4000 });
    assert.deepEqual([answer.res.status, answer.body.refunded], [200, 4000], JSON.stringify(answer.body));
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.cancel_amount]),
      [
        ['refund.succeeded', 4000, 4000], // the payment just after the refund, not after the console's too
        ['payment.cancelled_externally', 1000, 5000],
      ],
    );
  });

  it("the view's first read of an order cancelled in the console before: told once, not again on the next view", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'EX-1', amount: 10_000 });
    await cancelInConsole(h, p.imp_uid, 3000);
    const first = await h.view('EX-1');
    assert.equal(first.res.status, 200);
    assert.equal(first.body.cancelable_amount, 7000);
    await h.view('EX-1');
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.cancel_amount, e.data.attempt_id, e.data.sequence]),
      [['payment.cancelled_externally', 3000, 3000, null, 1]],
    );
  });

  it("i'mport's webhook for a console cancel while a refund of the order runs: told once that refund has ended", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'EX-9', amount: 10_000 });
    assert.equal((await h.view('EX-9')).res.status, 200);
    h.fake.inject({ kind: 'hold_response', ms: 300 });
    const refund = h.cancel({ merchant_uid: 'EX-9', reason: '단순 변심', cancel_request_amount: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the refund holds the order's lease now
    await cancelInConsole(h, p.imp_uid, 2500);
    const hook = await h.app.request('/webhooks/iamport', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ imp_uid: p.imp_uid, merchant_uid: 'EX-9', status: 'cancelled' }),
    });
    assert.equal(hook.status, 200, "i'mport gets its answer without waiting for the refund");
    assert.equal((await refund).res.status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount]),
      [
        ['refund.succeeded', 1000],
        ['payment.cancelled_externally', 2500],
      ],
    );
  });

  it('two console cancels learned of at once: each told with the payment as it stood just after it', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'EX-8', amount: 10_000 });
    await cancelInConsole(h, p.imp_uid, 500);
    await cancelInConsole(h, p.imp_uid, 700);
    assert.equal((await h.view('EX-8')).res.status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.cancel_amount, e.data.cancelable_amount, e.data.status]),
      [
        ['payment.cancelled_externally', 500, 500, 9500, 'cancelled'],
        ['payment.cancelled_externally', 700, 1200, 8800, 'cancelled'],
      ],
    );
  });

  it('an order never cancelled elsewhere: the first view tells nothing', async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'EX-2', amount: 10_000 });
    assert.equal((await h.view('EX-2')).res.status, 200);
    assert.deepEqual(await received(h, receiver), []);
  });

  it('a refund refused because of a cancel made elsewhere since the view: the cancel first, then refund.failed', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'EX-3', amount: 10_000 });
    await h.view('EX-3');
    await cancelInConsole(h, p.imp_uid, 2500);
    const res = await h.cancel({ merchant_uid: 'EX-3', cancel_request_amount: 1000, reason: '변심' });
    assert.equal(res.body.error.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.sequence]),
      [
        ['payment.cancelled_externally', 2500, 1],
        ['refund.failed', 1000, 2],
      ],
    );
    // The customer, shown the new figures, refunds: that one is ours, and the console's is not told again.
    assert.equal(
      (await h.cancel({ merchant_uid: 'EX-3', cancel_request_amount: 1000, reason: '변심' })).res.status,
      200,
    );
    assert.deepEqual(
      (await received(h, receiver)).map((e) => e.type),
      ['payment.cancelled_externally', 'refund.failed', 'refund.succeeded'],
    );
  });

  it("the view's re-read of an order whose refund went unknown: ours settled as ours, the console's told apart", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'EX-4', amount: 10_000 });
    await h.view('EX-4');
    // i'mport refunds but its answer is lost, and the check right after cannot read the payment: unknown.
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: 1 });
    const lost = await h.cancel({ merchant_uid: 'EX-4', cancel_request_amount: 4000, reason: '변심' });
    assert.equal(lost.res.status, 503);
    assert.equal(lost.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    await cancelInConsole(h, p.imp_uid, 1500);
    const view = await h.view('EX-4');
    assert.equal(view.body.cancelable_amount, 4500);
    const [attempt] = await h.store.listAttempts('EX-4');
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.attempt_id]),
      [
        ['refund.succeeded', 4000, attempt!.id],
        ['payment.cancelled_externally', 1500, null],
      ],
    );
  });

  // Guards external-cancels.ts `if (waiting.some(blocks)) return;`: nothing is told while a refund of ours whose answer
  // was lost is still unsettled (and holds the order), so an entry it may have made is never told as someone else's.
  // PayPal's refund is its own only by an entry in its words; i'mport shows this one's entry without them.
  it('a PayPal refund whose answer was lost, its entry shown without its words: nothing told while it is unsettled', async () => {
    const fake = createFakeIamport({ now: Date.now });
    // i'mport applies the refund, keeping no reason on its entry, and the answer never comes back.
    const wordsDropped: typeof fetch = async (input, init) => {
      if (!String(input).endsWith('/payments/cancel')) return fake.fetch(input, init);
      const sent = JSON.parse(String(init?.body)) as Record<string, unknown>;
      const token = await issueToken(fake);
      const res = await fake.fetch(`${BASE}/payments/cancel`, json({ ...sent, reason: '' }, token));
      assert.equal(((await res.json()) as { code: number }).code, 0);
      throw new TypeError('fetch failed');
    };
    const { h, receiver } = await racingStart(withFetch(fake, wordsDropped));
    const p = h.fake.addPayment({
      merchant_uid: 'EX-PPLOST',
      amount: 10_000,
      pay_method: 'paypal',
      pg_provider: 'paypal_v2',
    });
    assert.equal((await h.view('EX-PPLOST')).res.status, 200);
    const lost = await h.cancel({ merchant_uid: 'EX-PPLOST', reason: '단순 변심' }, { key: 'ex-pplost' });
    assert.equal(lost.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(lost.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_history.length, 1, "i'mport shows it, without its words");
    const view = await h.view('EX-PPLOST');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-PPLOST')).status, 200);
    assert.equal((await h.store.listAttempts('EX-PPLOST'))[0]!.outcome, 'unknown', 'still held');
    assert.deepEqual(await received(h, receiver), [], 'not told as a cancel made elsewhere');
  });
});

describe("i'mport's history entries without their cancellation_id", () => {
  /** A proxy whose i'mport answers carry every history entry changed by `change` (on the paths `only` takes). */
  const startRewriting = (change: (entry: any) => any, only: (path: string) => boolean = () => true) => {
    const fake = createFakeIamport();
    const rewrite = patchPayments((p) => {
      p.cancel_history = p.cancel_history.map(change);
    }, only);
    return racingStart(withFetch(fake, rewriteAnswers(fake.fetch, rewrite)));
  };

  it("a refund of ours answered with its entry's id, later shown without ids: still ours; a console cancel still told", async () => {
    let dropIds = false;
    const { h, receiver } = await startRewriting((e) => (dropIds ? { ...e, cancellation_id: undefined } : e));
    const p = h.fake.addPayment({ merchant_uid: 'EX-DROP', amount: 10_000 });
    const ours = await h.cancel({ merchant_uid: 'EX-DROP', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.equal(ours.res.status, 200);
    assert.ok((await h.store.listAttempts('EX-DROP'))[0]!.cancellation_id, 'the answer named its entry');
    dropIds = true;
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-DROP')).status, 200);
    // A console cancel of the same amount, in other words: not ours, and told.
    await cancelInConsole(h, p.imp_uid, 4000);
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-DROP')).status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount]),
      [
        ['refund.succeeded', 4000],
        ['payment.cancelled_externally', 4000],
      ],
    );
  });

  it("a refund of ours answered without its entry's id, later shown with it: still ours, told once", async () => {
    const onCancel = (path: string) => path === '/payments/cancel';
    const { h, receiver } = await startRewriting((e) => ({ ...e, cancellation_id: undefined }), onCancel);
    const p = h.fake.addPayment({ merchant_uid: 'EX-LATEID', amount: 10_000 });
    const ours = await h.cancel({ merchant_uid: 'EX-LATEID', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.equal(ours.res.status, 200);
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-LATEID')).status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount]),
      [['refund.succeeded', 4000]],
    );
  });

  it('the same, with a console cancel of the same amount stamped just before ours: each told as what it is', async () => {
    const raw = createFakeIamport();
    const race = consoleRace(raw);
    const rewrite = patchPayments(
      (p) => {
        p.cancel_history = p.cancel_history.map((e: any) => ({ ...e, cancellation_id: undefined }));
      },
      (path) => path === '/payments/cancel',
    );
    const { h, receiver } = await racingStart(withFetch(raw, rewriteAnswers(race.fake.fetch, rewrite)));
    const p = h.fake.addPayment({ merchant_uid: 'EX-LATEID2', amount: 10_000 });
    await h.view('EX-LATEID2');
    race.arm(p.imp_uid, 4000, { stampedEarlierMs: 1000 });
    const ours = await h.cancel({ merchant_uid: 'EX-LATEID2', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.equal(ours.res.status, 200, JSON.stringify(ours.body));
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-LATEID2')).status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.reason ?? null]),
      [
        ['refund.succeeded', 4000, '단순 변심'],
        ['payment.cancelled_externally', 4000, 'console'],
      ],
    );
  });

  it('a refund of ours answered without the history, a console cancel of the same amount before it: each as what it is', async () => {
    const raw = createFakeIamport();
    const rewrite = patchPayments(
      (p) => {
        p.cancel_history = null;
      },
      (path) => path === '/payments/cancel',
    );
    const { h, receiver } = await racingStart(withFetch(raw, rewriteAnswers(raw.fetch, rewrite)));
    const p = h.fake.addPayment({ merchant_uid: 'EX-NOHIST', amount: 10_000 });
    await h.view('EX-NOHIST');
    await cancelInConsole(h, p.imp_uid, 4000);
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-NOHIST')).status, 200);
    // Ours, answered without cancel_history: its attempt names no entry.
    const ours = await h.cancel({ merchant_uid: 'EX-NOHIST', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.equal(ours.res.status, 200, JSON.stringify(ours.body));
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-NOHIST')).status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount, e.data.reason ?? null]),
      [
        ['payment.cancelled_externally', 4000, 'console'],
        ['refund.succeeded', 4000, '단순 변심'],
      ],
    );
  });

  it('an empty cancellation_id on every entry: a refund of ours and two console cancels after it, each told as what it is', async () => {
    const { h, receiver } = await startRewriting((e) => ({ ...e, cancellation_id: '' }));
    const p = h.fake.addPayment({ merchant_uid: 'EX-EMPTY', amount: 10_000 });
    const ours = await h.cancel({ merchant_uid: 'EX-EMPTY', cancel_request_amount: 3000, reason: 'mine' });
    assert.equal(ours.res.status, 200);
    await cancelInConsole(h, p.imp_uid, 2000);
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-EMPTY')).status, 200);
    await cancelInConsole(h, p.imp_uid, 1000);
    assert.equal((await notifyOf(h, p.imp_uid, 'EX-EMPTY')).status, 200);
    const events = await received(h, receiver);
    assert.deepEqual(
      events.map((e) => [e.type, e.data.amount]),
      [
        ['refund.succeeded', 3000],
        ['payment.cancelled_externally', 2000],
        ['payment.cancelled_externally', 1000],
      ],
    );
  });
});

/** The fake PortOne V2 the next v2Start() uses; its cancels are accepted to finish later (REQUESTED). */
let portone: FakePortOne | undefined;
const v2Start = webhookStacks({
  secret: newWebhookSecret(),
  retryDelaysMs: [5_000],
  harness: (options) => {
    portone = createFakePortOne({ cancelMode: 'REQUESTED' });
    return createHarness({ ...options, portone });
  },
});

describe('payment.cancelled_externally on PortOne V2', () => {
  it("a console cancel while a refund of ours is REQUESTED: told at once, then our refund's own event once it ends", async () => {
    const { h, receiver } = await v2Start();
    const fake = portone!;
    fake.addPayment({ paymentId: 'V2-EXT', total: 30_000 });
    await h.view('V2-EXT');
    const ours = await h.cancel(
      { merchant_uid: 'V2-EXT', cancel_request_amount: 10_000, reason: '단순 변심' },
      {
        key: 'k-v2-ext',
      },
    );
    assert.equal(ours.body.accepted, true, JSON.stringify(ours.body));
    const ourId = (await h.store.listAttempts('V2-EXT'))[0]?.cancellation_id;
    // The shop's staff cancel 5,000 in PortOne's console; PortOne finishes that one at once.
    const console = await fake.fetch('https://api.portone.io/payments/V2-EXT/cancel', {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: `PortOne ${fake.apiSecret}` },
      body: JSON.stringify({ reason: 'console', amount: 5_000 }),
    });
    assert.equal(console.status, 200);
    const consoleId = fake.getPayment('V2-EXT')?.cancellations.find((c) => c.id !== ourId)?.id ?? '';
    fake.settleCancellation('V2-EXT', consoleId, 'SUCCEEDED');
    await h.view('V2-EXT');
    assert.deepEqual(
      (await received(h, receiver)).map((e) => [e.type, e.data.cancel_amount, e.data.sequence]),
      [['payment.cancelled_externally', 5_000, 1]],
      "told while ours is still finishing, and ours is not taken for someone else's",
    );
    fake.settleCancellation('V2-EXT', ourId ?? '', 'SUCCEEDED');
    await h.view('V2-EXT');
    assert.deepEqual(
      (await received(h, receiver)).map((e) => [e.type, e.data.sequence]),
      [
        ['payment.cancelled_externally', 1],
        ['refund.succeeded', 2],
      ],
    );
  });
});
