// The gateway's webhook for an order arriving while a refund of that order runs, at each step of it: its lookup read
// before the refund and stored after it, stored before the refund's lease, while the cancel is at the gateway, after
// the gateway made it and before the ledger has it, during the answer's tail work; twice; and beside a cancel made in
// the gateway's console. Each step is held by a ledger call paused until the test lets it go (gatedStore) or by the fake
// holding its answer, so every interleaving is the one named. What must hold after each: one cancel per refund, the
// ledger as the gateway has it, one refund.succeeded per refund, payment.cancelled_externally for the console's cancel
// only, and nothing false told to the customer. Events are read by a real receiver verifying with `standardwebhooks`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { signWebhook } from '../gateways/portone/fake/webhooks.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import {
  createHarness,
  type Harness,
  type HarnessOptions,
  PORTONE_WEBHOOK_SECRET,
  tempSqlitePath,
} from '../test-support/harness.ts';
import { cancelAtIamport, consoleRace, notifyOf } from '../test-support/iamport-side.ts';
import type { WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

/** A ledger call held at its start until released; `reached` resolves once it is. */
interface Pause {
  readonly reached: Promise<void>;
  release(): void;
}

/**
 * The real SQLite store, each of whose calls can be held: `pause(method, when)` holds the next call of `method` whose
 * arguments `when` accepts (once), before it reaches the ledger.
 */
const gatedStore = () => {
  const pauses: { method: string; when: (args: unknown[]) => boolean; at: () => void; go: Promise<void> }[] = [];
  const store: Store = new Proxy(createSqliteStore({ path: ':memory:' }), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (!pauses.some((p) => p.method === prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        const i = pauses.findIndex((p) => p.method === prop && p.when(args));
        if (i >= 0) {
          const [p] = pauses.splice(i, 1);
          p!.at();
          await p!.go;
        }
        return value.apply(target, args);
      };
    },
  });
  // `any`: each test reads the arguments of the one call it pauses.
  const pause = (method: keyof Store, when: (args: any[]) => boolean = () => true): Pause => {
    const reached = deferred();
    const go = deferred();
    pauses.push({ method, when, at: reached.resolve, go: go.promise });
    return { reached: reached.promise, release: go.resolve };
  };
  return { store, pause };
};

interface Received {
  readonly type: string;
  readonly data: Record<string, any>; // `any`: tests assert the data field by field
}

/** What the receiver got, each verified by `standardwebhooks`, once the proxy's background work is done, in sequence. */
const received = async (h: Harness, r: WebhookReceiver): Promise<Received[]> => {
  await h.settled();
  for (const got of r.received) assert.equal(got.verifyError, null);
  return r.received
    .map((got) => JSON.parse(got.body) as Received)
    .sort((a, b) => Number(a.data.sequence) - Number(b.data.sequence));
};

const summary = (events: readonly Received[]) => events.map((e) => [e.type, e.data.amount]);

let gate: ReturnType<typeof gatedStore>;
/** What the next start() builds its proxy with beyond the gated ledger (a racing fake, a short wait for a lease). */
let next: Partial<HarnessOptions> = {};
const stack = webhookStacks({
  secret: newWebhookSecret(),
  retryDelaysMs: [5_000],
  harness: (options) => {
    gate = gatedStore();
    return createHarness({ ...options, ...next, store: gate.store });
  },
});
const start = (options: Partial<HarnessOptions> = {}) => {
  next = options;
  return stack();
};

/** The ledger's copy and i'mport's agree on what matters: the figures, the status, the history. */
const ledgerIsIamports = async (h: Harness, merchantUid: string, impUid: string) => {
  const ours = await h.store.getPayment(merchantUid);
  const theirs = h.fake.getPayment(impUid)!;
  assert.deepEqual(
    [ours?.cancel_amount, ours?.status, ours?.cancel_history.length],
    [theirs.cancel_amount, theirs.status, theirs.cancel_history.length],
    "the ledger's copy is i'mport's",
  );
};

/** A call whose first argument is a copy of this payment (upsertPayment). */
const ofPayment =
  (impUid: string) =>
  ([payment]: { imp_uid?: string }[]) =>
    payment?.imp_uid === impUid;

describe("i'mport's webhook during a refund of its order", () => {
  it('its lookup read before a refund and stored after it: the ledger stays as the refund left it, one event', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'WR-1', amount: 10_000 });
    await h.view('WR-1');
    const stored = gate.pause('upsertPayment', ofPayment(p.imp_uid));
    const hook = notifyOf(h, p.imp_uid, 'WR-1');
    await stored.reached; // the webhook read i'mport's copy before the refund
    const refund = await h.cancel({ merchant_uid: 'WR-1', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
    await h.settled();
    stored.release();
    assert.equal((await hook).status, 200);
    await h.settled();
    await ledgerIsIamports(h, 'WR-1', p.imp_uid);
    const view = await h.view('WR-1');
    assert.deepEqual([view.body.cancelable_amount, view.body.refundable], [6000, true]);
    assert.deepEqual(summary(await received(h, receiver)), [['refund.succeeded', 4000]]);
  });

  it('the same for the revocation of an unpaid virtual account: never shown unpaid and revocable again', async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({
      merchant_uid: 'WR-2',
      amount: 5000,
      pay_method: 'vbank',
      pg_provider: 'kicc', // i'mport revokes KICC's unpaid accounts, not NHN KCP's (iamport-v1.md §5.1)
      status: 'ready',
      paid_at: 0,
    });
    await h.view('WR-2');
    // i'mport's webhook for the account's issue (`ready`), its copy read just before the customer revokes it.
    const stored = gate.pause('upsertPayment', ofPayment(p.imp_uid));
    const hook = notifyOf(h, p.imp_uid, 'WR-2', 'ready');
    await stored.reached;
    const revoke = await h.cancel({ merchant_uid: 'WR-2', reason: '단순 변심' });
    assert.deepEqual([revoke.res.status, revoke.body.revoked], [200, true], JSON.stringify(revoke.body));
    await h.settled();
    stored.release();
    assert.equal((await hook).status, 200);
    await h.settled();
    assert.equal(h.fake.getPayment(p.imp_uid)!.status, 'failed');
    await ledgerIsIamports(h, 'WR-2', p.imp_uid);
    const view = await h.view('WR-2');
    assert.deepEqual([view.body.revocable, view.body.refundable], [false, false], JSON.stringify(view.body));
    assert.deepEqual(summary(await received(h, receiver)), [['vbank.revoked', 0]]);
  });

  it("stored before the refund's lease, with a console cancel it tells of: the console's told once, ours once", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'WR-3', amount: 10_000 });
    await h.view('WR-3');
    await cancelAtIamport(h, p.imp_uid, 2000);
    // The webhook stores i'mport's copy (the console's cancel on it), then waits for the order's lease.
    const lease = gate.pause('acquireLease', ([name]) => name === 'order:WR-3');
    const hook = notifyOf(h, p.imp_uid, 'WR-3');
    await lease.reached;
    assert.equal((await h.store.getPayment('WR-3'))?.cancel_amount, 2000, 'stored before the lease');
    // The customer, shown 10,000 refundable, refunds 3,000 with that balance as its checksum: i'mport's is 8,000.
    const stale = await h.cancel({
      merchant_uid: 'WR-3',
      imp_uid: p.imp_uid,
      checksum: 10_000,
      cancel_request_amount: 3000,
      reason: '단순 변심',
    });
    assert.deepEqual(
      [stale.res.status, stale.body.error?.code, stale.body.cancelable_amount],
      [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 8000],
    );
    // Shown the new balance, the customer refunds again.
    const refund = await h.cancel({
      merchant_uid: 'WR-3',
      imp_uid: p.imp_uid,
      checksum: 8000,
      cancel_request_amount: 3000,
      reason: '단순 변심',
    });
    assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
    await h.settled();
    lease.release();
    assert.equal((await hook).status, 200);
    await h.settled();
    await ledgerIsIamports(h, 'WR-3', p.imp_uid);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000, 'refunded once');
    // The stale request was refused before anything was sent (no refund.failed: nothing reached i'mport).
    assert.deepEqual(summary(await received(h, receiver)), [
      ['payment.cancelled_externally', 2000],
      ['refund.succeeded', 3000],
    ]);
  });

  it("after i'mport made the refund, before the ledger has it, with a console cancel made then: each told as what it is", async () => {
    const race = consoleRace(createFakeIamport({ now: Date.now }));
    const { h, receiver } = await start({ fake: race.fake });
    const p = h.fake.addPayment({ merchant_uid: 'WR-4', amount: 10_000 });
    await h.view('WR-4');
    race.arm(p.imp_uid, 1500);
    // The refund's end is held: i'mport has made it (and the console's), the ledger has not written it.
    const end = gate.pause('finishAttempt', ([, finish]) => finish?.outcome === 'succeeded');
    const refund = h.cancel(
      { merchant_uid: 'WR-4', cancel_request_amount: 4000, reason: '단순 변심' },
      { key: 'wr-4' },
    );
    await end.reached;
    const hook = await notifyOf(h, p.imp_uid, 'WR-4');
    assert.equal(hook.status, 200, "i'mport gets its answer without waiting for the refund");
    const pending = await h.view('WR-4');
    assert.equal(pending.body.reason, 'OUTCOME_PENDING_CHECK', 'not shown refundable while the refund runs');
    end.release();
    const answer = await refund;
    assert.deepEqual([answer.res.status, answer.body.refunded], [200, 4000], JSON.stringify(answer.body));
    // i'mport's webhook again (a duplicate), and the same key's retry.
    assert.equal((await notifyOf(h, p.imp_uid, 'WR-4')).status, 200);
    const retry = await h.cancel(
      { merchant_uid: 'WR-4', cancel_request_amount: 4000, reason: '단순 변심' },
      { key: 'wr-4' },
    );
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 4000]);
    await h.settled();
    await ledgerIsIamports(h, 'WR-4', p.imp_uid);
    assert.equal(h.fake.count('cancel'), 2, "ours and the console's, nothing more");
    const view = await h.view('WR-4');
    assert.deepEqual([view.body.cancelable_amount, view.body.refundable], [4500, true]);
    assert.deepEqual(summary(await received(h, receiver)), [
      ['refund.succeeded', 4000],
      ['payment.cancelled_externally', 1500],
    ]);
  });

  it("during the answer's tail work (its key's answer being stored), twice at once: nothing told twice", async () => {
    const { h, receiver } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'WR-5', amount: 10_000 });
    await h.view('WR-5');
    const tail = gate.pause('completeIdempotencyKey');
    const answer = await h.cancel(
      { merchant_uid: 'WR-5', cancel_request_amount: 4000, reason: '단순 변심' },
      { key: 'wr-5' },
    );
    assert.equal(answer.res.status, 200);
    await tail.reached;
    await cancelAtIamport(h, p.imp_uid, 1000);
    const hooks = [notifyOf(h, p.imp_uid, 'WR-5'), notifyOf(h, p.imp_uid, 'WR-5')];
    const retry = h.cancel({ merchant_uid: 'WR-5', cancel_request_amount: 4000, reason: '단순 변심' }, { key: 'wr-5' });
    assert.deepEqual(
      (await Promise.all(hooks)).map((r) => r.status),
      [200, 200],
    );
    tail.release();
    const replayed = await retry;
    assert.deepEqual([replayed.res.status, replayed.body.refunded], [200, 4000], JSON.stringify(replayed.body));
    await h.settled();
    await ledgerIsIamports(h, 'WR-5', p.imp_uid);
    assert.equal(h.fake.count('cancel'), 2, 'the retry sent nothing');
    assert.deepEqual(summary(await received(h, receiver)), [
      ['refund.succeeded', 4000],
      ['payment.cancelled_externally', 1000],
    ]);
  });

  it('a console cancel told by a webhook while a refund outlasts the wait for its lease: still told, once', async () => {
    const { h, receiver } = await start({ leaseWaitMs: 200, timeoutMs: 5000 });
    const p = h.fake.addPayment({ merchant_uid: 'WR-6', amount: 10_000 });
    await h.view('WR-6');
    // i'mport takes the customer's refund and its PG takes longer than a waiter waits for the order's lease.
    h.fake.inject({ kind: 'hold_response', ms: 1000 });
    const refund = h.cancel({ merchant_uid: 'WR-6', cancel_request_amount: 4000, reason: '단순 변심' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await cancelAtIamport(h, p.imp_uid, 1000);
    assert.equal((await notifyOf(h, p.imp_uid, 'WR-6')).status, 200);
    assert.equal((await refund).res.status, 200);
    await h.settled();
    // Nobody looks at the order again.
    assert.deepEqual(summary(await received(h, receiver)), [
      ['refund.succeeded', 4000],
      ['payment.cancelled_externally', 1000],
    ]);
  });
});

describe("i'mport's webhook waiting for an order a refund holds, when the proxy shuts down", () => {
  it('stops waiting after its current wait, not when the refund ends, and leaves the order marked for its next reader', async () => {
    const path = tempSqlitePath();
    const h = await createHarness({ store: createSqliteStore({ path }), leaseWaitMs: 200, timeoutMs: 5000 });
    const p = h.fake.addPayment({ merchant_uid: 'WR-9', amount: 10_000 });
    await h.view('WR-9');
    h.fake.inject({ kind: 'hold_response', ms: 3000 });
    let answered = false;
    const refund = h.cancel({ merchant_uid: 'WR-9', cancel_request_amount: 4000, reason: '단순 변심' }).finally(() => {
      answered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await cancelAtIamport(h, p.imp_uid, 1000);
    assert.equal((await notifyOf(h, p.imp_uid, 'WR-9')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 300)); // its wait for the order has begun
    // Before: the shutdown waited for the webhook's waits, taken again until the refund let go of the order.
    await h.close();
    assert.equal(answered, false, 'closed while the refund still held the order');
    await refund.catch(() => undefined);
    const ledger = createSqliteStore({ path });
    assert.equal((await ledger.getPayment('WR-9'))?.needs_sync, true, 'marked: its next reader judges the cancel');
    await ledger.close();
  });
});

/** The fake PortOne V2 sending its signed webhooks to the proxy under test. */
let portone: FakePortOne;
const v2Start = webhookStacks({
  secret: newWebhookSecret(),
  retryDelaysMs: [5_000],
  harness: async (options) => {
    gate = gatedStore();
    let h: Harness | undefined;
    portone = createFakePortOne({
      webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
      webhookFetch: async (url, init) => h!.app.request(String(url), init),
    });
    h = await createHarness({ ...options, portone, store: gate.store });
    return h;
  },
});

describe("PortOne V2's signed webhook during a refund of its order", () => {
  it('for our own cancel, sent while its answer is held: the refund told once, never as made elsewhere', async () => {
    const { h, receiver } = await v2Start();
    portone.addPayment({ paymentId: 'WR-V2-1', total: 10_000 });
    await h.view('WR-V2-1');
    portone.inject({ kind: 'hold_response', ms: 300 });
    const refund = await h.cancel({ merchant_uid: 'WR-V2-1', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.deepEqual([refund.res.status, refund.body.refunded], [200, 4000], JSON.stringify(refund.body));
    await portone.flushWebhooks();
    assert.deepEqual(
      portone.webhooks.map((w) => [w.type, w.status]),
      [['Transaction.PartialCancelled', 200]],
      "PortOne's webhook came while the answer was held",
    );
    await h.settled();
    assert.deepEqual(
      [(await h.store.getPayment('WR-V2-1'))?.cancel_amount, portone.getPayment('WR-V2-1')?.amount.cancelled],
      [4000, 4000],
    );
    assert.deepEqual(summary(await received(h, receiver)), [['refund.succeeded', 4000]]);
  });

  it("for our own cancel, before the ledger has the refund's end, and again after: told once", async () => {
    const { h, receiver } = await v2Start();
    portone.addPayment({ paymentId: 'WR-V2-2', total: 10_000 });
    await h.view('WR-V2-2');
    const end = gate.pause('finishAttempt', ([, finish]) => finish?.outcome === 'succeeded');
    const refund = h.cancel({ merchant_uid: 'WR-V2-2', cancel_request_amount: 4000, reason: '단순 변심' });
    await end.reached;
    await portone.flushWebhooks();
    end.release();
    assert.equal((await refund).res.status, 200);
    await h.settled();
    assert.equal(portone.webhooks.length, 1);
    // PortOne delivers it again (its retry after a lost 200).
    const again = portone.webhooks[0]!;
    const res = await h.app.request('/webhooks/portone', {
      method: 'POST',
      headers: await resign(again.id, again.body),
      body: again.body,
    });
    assert.equal(res.status, 200);
    await h.settled();
    assert.deepEqual(summary(await received(h, receiver)), [['refund.succeeded', 4000]]);
  });
});

/** Headers for `body` signed as PortOne signs a delivery (a retry carries a new timestamp, the same id). */
const resign = async (id: string, body: string): Promise<Record<string, string>> => {
  const ts = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': await signWebhook(PORTONE_WEBHOOK_SECRET, id, ts, body),
  };
};
