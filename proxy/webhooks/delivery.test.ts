// Delivery of merchant webhooks: retries on the schedule (the clock moved, the pass run as an entry's timer does, no
// real waiting), the same webhook-id every time, every attempt recorded; given up after the last retry and sent
// again on redeliver; exactly one refund.succeeded however the outcome was settled; nothing written when unset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNodeFetch } from '../entries/node-fetch.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, refundOnce as refund, webhookStacks } from '../test-support/webhook-stack.ts';

const SCHEDULE = [5_000, 10_000, 20_000];
const SECRET = newWebhookSecret();
const start = webhookStacks({ secret: SECRET, retryDelaysMs: SCHEDULE });
/** The same, on a ledger that counts the dispatcher's claims. */
let claims = 0;
const startCounted = webhookStacks({
  secret: SECRET,
  retryDelaysMs: SCHEDULE,
  harness: (options) => {
    claims = 0;
    const store = new Proxy(createSqliteStore({ path: ':memory:' }), {
      get(target, property, receiver) {
        if (property === 'claimDueEvents') claims += 1;
        return Reflect.get(target, property, receiver);
      },
    });
    return createHarness({ ...options, store });
  },
});

/** Moves the clock past a wait (jitter is at most +10%) and runs a pass as the entries' timer does. */
const afterWait = async (harness: Harness, ms: number) => {
  harness.clock.advance(Math.ceil(ms * 1.1) + 1);
  return harness.outbox.runDue();
};

describe('merchant webhook delivery', () => {
  it('retries while the receiver is down (three attempts), delivers once it is up, same webhook-id, nothing lost', async () => {
    const { h, receiver } = await start();
    receiver.failNext(3);
    await refund(h, 'WD-1');
    assert.equal(receiver.received.length, 1, 'the first attempt, right after the answer');
    // Not due yet: a pass before the first wait sends nothing.
    assert.equal(await h.outbox.runDue(), 0);
    assert.equal(await afterWait(h, SCHEDULE[0]!), 1);
    assert.equal(await afterWait(h, SCHEDULE[1]!), 1);
    assert.equal(receiver.received.length, 3);
    assert.equal(await afterWait(h, SCHEDULE[2]!), 1);
    assert.deepEqual(
      receiver.received.map((r) => r.answered),
      [503, 503, 503, 204],
    );
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1, 'the same webhook-id on every attempt');
    assert.ok(
      receiver.received.every((r) => r.verifyError === null),
      'each attempt signed afresh, each verifies',
    );
    const id = String(receiver.received[0]!.headers['webhook-id']);
    const event = await h.store.getEvent(id);
    assert.deepEqual([event?.status, event?.attempts], ['delivered', 4]);
    const deliveries = await h.store.listDeliveries(id);
    assert.deepEqual(
      deliveries.map((d) => [d.url, d.status, d.error]),
      [
        [receiver.url, 503, 'HTTP 503'],
        [receiver.url, 503, 'HTTP 503'],
        [receiver.url, 503, 'HTTP 503'],
        [receiver.url, 204, null],
      ],
    );
    assert.ok(deliveries.every((d) => d.latency_ms >= 0 && d.attempted_at > 0));
    // Delivered: later passes send nothing more.
    assert.equal(await afterWait(h, 60_000), 0);
    assert.equal(receiver.received.length, 4);
  });

  it('records a POST the receiver never answered as a timeout, whichever client the runtime has', async () => {
    // The Node entry's client (node:http) and the Web fetch each name an aborted request their own way.
    for (const [name, outside] of [
      ['node:http', createNodeFetch()],
      ['fetch', (url: string, init: RequestInit) => fetch(url, init)],
    ] as const) {
      const receiver = await startWebhookReceiver(SECRET);
      receiver.holdNext(1);
      const config = { urls: [receiver.url], secret: SECRET, retryDelaysMs: [...SCHEDULE], timeoutMs: 200 };
      const h = await createHarness({ outside, config: { merchantWebhooks: config } });
      try {
        await refund(h, `WD-TIMEOUT-${name}`);
        const [held] = receiver.received;
        assert.ok(held, `${name}: the POST reached the receiver`);
        const id = String(held.headers['webhook-id']);
        assert.deepEqual(
          (await h.store.listDeliveries(id)).map((d) => [d.status, d.error, d.latency_ms >= 200]),
          [[null, 'timeout: no answer within 0.2 s', true]],
          name,
        );
        assert.equal((await h.store.getEvent(id))?.status, 'pending', `${name}: retried later`);
      } finally {
        await h.close();
        await receiver.close();
      }
    }
  });

  it("sends a refund's event first without claiming it: it was written held by this process's dispatcher", async () => {
    const { h, receiver } = await startCounted();
    await refund(h, 'WD-HELD');
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]?.verifyError, null);
    assert.equal(claims, 0, 'no claim before the first delivery');
    const event = await h.store.getEvent(String(receiver.received[0]!.headers['webhook-id']));
    assert.deepEqual([event?.status, event?.attempts], ['delivered', 1]);
  });

  it('leaves a new event that waited past its time to be claimed once its hold ran out, then sends it once', async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'WD-LATE', amount: 10_000 });
    const res = await h.cancel({ merchant_uid: 'WD-LATE', cancel_request_amount: 1000, reason: 'x' });
    assert.equal(res.res.status, 200);
    // Before its pass starts, the clock moves on: a POST now could outlast the event's hold (15 s timeout, 20 s hold).
    h.clock.advance(5_001);
    await h.settled();
    assert.equal(receiver.received.length, 0, 'not sent on a hold that might run out mid-POST');
    assert.equal(await h.outbox.runDue(), 0, 'still held: nobody claims it yet');
    h.clock.advance(15_000);
    assert.equal(await h.outbox.runDue(), 1, 'claimed once its hold ran out');
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]?.verifyError, null);
    const event = await h.store.getEvent(String(receiver.received[0]!.headers['webhook-id']));
    assert.deepEqual([event?.status, event?.attempts], ['delivered', 1]);
  });

  it('a retry whose ledger read outlasted part of its hold is not sent on it: never two POSTs of it at once', async () => {
    // A claimed retry reads which URLs already have it before its POST. Should that read wait (a busy pool, a lock),
    // the POST could start so late that the hold (timeout + 5 s) runs out while it is in flight, and the next pass
    // (this instance's timer, or another instance) would claim and send the event again beside it.
    const receiver = await startWebhookReceiver(SECRET);
    const timeoutMs = 2_000;
    let stall = 0;
    const store = new Proxy(createSqliteStore({ path: ':memory:' }), {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'deliveredUrls') return value;
        return async (id: string) => {
          // The read takes `stall` ms, on the clock every instance goes by.
          h.clock.advance(stall);
          stall = 0;
          return value.call(target, id);
        };
      },
    });
    const h: Harness = await createHarness({
      store,
      outside: (url, init) => fetch(url, init),
      config: { merchantWebhooks: { urls: [receiver.url], secret: SECRET, retryDelaysMs: [...SCHEDULE], timeoutMs } },
    });
    try {
      receiver.failNext(1);
      await refund(h, 'WD-STALL');
      const id = String(receiver.received[0]!.headers['webhook-id']);
      receiver.slow(600); // each POST in flight a while
      h.clock.advance(SCHEDULE[0]! * 1.1 + 1);
      stall = timeoutMs + 5_000 - 500; // the claim's hold has less left than a POST may take
      const first = h.outbox.runDue();
      for (let waited = 0; receiver.received.length < 2 && waited < 5_000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      h.clock.advance(1_000); // the hold has run out; the first POST (if sent) is still being answered
      const second = h.outbox.runDue();
      assert.deepEqual(await Promise.all([first, second]), [0, 1], 'the pass whose hold ran short sent nothing');
      await h.settled();
      await h.outbox.runDue();
      assert.equal(receiver.maxConcurrentPerId(), 1, 'never two POSTs of one event at the same time');
      const posts = receiver.received.filter((r) => r.headers['webhook-id'] === id);
      assert.deepEqual(
        posts.map((r) => r.answered),
        [503, 204],
        'sent once more, on a hold that outlasts its POST',
      );
      assert.equal((await h.store.getEvent(id))?.status, 'delivered');
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("a receiver that never answers holds back no other URL's first round of new events", async () => {
    const healthy = await startWebhookReceiver(SECRET);
    const stuck = await startWebhookReceiver(SECRET);
    stuck.holdNext(100); // each POST to it waits for the 15 s timeout
    const urls = [healthy.url, stuck.url];
    const h = await createHarness({
      outside: (url, init) => fetch(url, init),
      config: { merchantWebhooks: { urls, secret: SECRET, retryDelaysMs: [...SCHEDULE] } },
    });
    try {
      /** Until the healthy receiver has `n` events, for at most 5 s: well within the stuck POST's 15 s. */
      const healthyHas = async (n: number) => {
        for (let waited = 0; healthy.received.length < n && waited < 5_000; waited += 20) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return healthy.received.length;
      };
      h.fake.addPayment({ merchant_uid: 'WD-SLOW-1', amount: 10_000 });
      h.fake.addPayment({ merchant_uid: 'WD-SLOW-2', amount: 10_000 });
      assert.equal(
        (await h.cancel({ merchant_uid: 'WD-SLOW-1', cancel_request_amount: 1000, reason: 'x' })).res.status,
        200,
      );
      assert.equal(await healthyHas(1), 1);
      // The first event's pass now waits on the stuck receiver; the next refund comes a little later.
      h.clock.advance(2_000);
      assert.equal(
        (await h.cancel({ merchant_uid: 'WD-SLOW-2', cancel_request_amount: 1000, reason: 'x' })).res.status,
        200,
      );
      assert.equal(
        await healthyHas(2),
        2,
        "the second event reached the healthy URL while the first's pass still waited",
      );
      assert.deepEqual(
        healthy.received.map((r) => JSON.parse(r.body).data.merchant_uid),
        ['WD-SLOW-1', 'WD-SLOW-2'],
      );
    } finally {
      await stuck.close(); // its held POSTs fail now, so the passes end
      await h.close();
      await healthy.close();
    }
  });

  it('two URLs, one down at first: the event stays pending until both have it, and the retry goes only to that one', async () => {
    const up = await startWebhookReceiver(SECRET);
    const down = await startWebhookReceiver(SECRET);
    down.failNext(1);
    const h = await createHarness({
      outside: (url, init) => fetch(url, init),
      config: { merchantWebhooks: { urls: [up.url, down.url], secret: SECRET, retryDelaysMs: [...SCHEDULE] } },
    });
    try {
      await refund(h, 'WD-TWO');
      await h.settled();
      assert.deepEqual([up.received.length, down.received.length], [1, 1], 'the first round went to both');
      const id = String(up.received[0]!.headers['webhook-id']);
      assert.equal((await h.store.getEvent(id))?.status, 'pending', 'one URL has not answered 2xx yet');
      assert.equal(await afterWait(h, SCHEDULE[0]!), 1);
      assert.deepEqual([up.received.length, down.received.length], [1, 2], 'retried to the URL that failed, only');
      assert.equal(down.received[1]!.headers['webhook-id'], id);
      assert.equal((await h.store.getEvent(id))?.status, 'delivered');
    } finally {
      await h.close();
      await up.close();
      await down.close();
    }
  });

  it('always down: failed after the last retry; redelivered, it goes out again with the same webhook-id', async () => {
    const { h, receiver } = await start();
    receiver.down();
    await refund(h, 'WD-2');
    for (const wait of SCHEDULE) await afterWait(h, wait);
    const id = String(receiver.received[0]!.headers['webhook-id']);
    // Its attention.needed event (attention.test.ts) goes to the receiver too: only this event's POSTs are counted.
    const posts = () => receiver.received.filter((r) => r.headers['webhook-id'] === id);
    assert.equal(posts().length, 4, 'the first attempt and one per retry');
    assert.deepEqual([(await h.store.getEvent(id))?.status, (await h.store.getEvent(id))?.attempts], ['failed', 4]);
    assert.ok(h.logs.some((l) => l.msg === 'webhook: event failed after its last retry' && l.event === id));
    await afterWait(h, 60_000);
    assert.equal(posts().length, 4, 'a failed event is not retried on its own');

    // Redelivered (as the admin API will ask) once the receiver is up: the same webhook-id, delivered.
    receiver.up();
    assert.equal(await h.store.redeliver(id, h.clock.now()), true);
    await h.outbox.runDue();
    assert.equal(posts().length, 5);
    assert.deepEqual([posts().at(-1)!.answered, (await h.store.getEvent(id))?.status], [204, 'delivered']);
  });

  it('a refused connection is a failed attempt, recorded with its error', async () => {
    const { h, receiver } = await start();
    await receiver.close();
    await refund(h, 'WD-4');
    const [event] = (await h.store.listEvents({ limit: 1 })).data;
    assert.deepEqual([event?.status, event?.attempts], ['pending', 1]);
    const [refused] = await h.store.listDeliveries(event!.id);
    assert.deepEqual([refused?.url, refused?.status], [receiver.url, null]);
    assert.match(refused?.error ?? '', /fetch failed|ECONNREFUSED/);
  });

  // "A 2xx is success" (issue 13): a receiver answering 200 with a long page (a framework's HTML) has the event. It was
  // counted a failed attempt, sent again on every retry, then marked failed with an attention.needed.
  it('an answer too long to read (8 MiB) is read no further than 1 MiB, and its 200 delivers the event', async () => {
    const { h, receiver } = await start();
    receiver.floodNext(1, 8 * 1024 * 1024);
    await refund(h, 'WD-FLOOD');
    const [event] = (await h.store.listEvents({ limit: 1 })).data;
    assert.deepEqual([event?.status, event?.attempts], ['delivered', 1]);
    const [flooded] = await h.store.listDeliveries(event!.id);
    assert.deepEqual([flooded?.status, flooded?.error], [200, null]);
    assert.equal(await afterWait(h, SCHEDULE[0]!), 0, 'nothing due again');
    assert.deepEqual(
      receiver.received.map((r) => r.answered),
      [200],
    );
  });

  it('an answer too long to read with a status other than 2xx is a failed attempt, its status recorded', async () => {
    const { h, receiver } = await start();
    receiver.floodNext(1, 8 * 1024 * 1024, 503);
    await refund(h, 'WD-FLOOD-503');
    const [event] = (await h.store.listEvents({ limit: 1 })).data;
    assert.deepEqual([event?.status, event?.attempts], ['pending', 1]);
    const [flooded] = await h.store.listDeliveries(event!.id);
    assert.equal(flooded?.status, 503);
    assert.equal(await afterWait(h, SCHEDULE[0]!), 1);
    assert.equal((await h.store.getEvent(event!.id))?.status, 'delivered');
  });

  it('nothing is written to the outbox when merchant webhooks are not configured', async () => {
    const h = await createHarness();
    try {
      await refund(h, 'WD-3');
      assert.equal(await h.outbox.runDue(), 0);
      assert.deepEqual((await h.store.listEvents({ limit: 10 })).data, []);
    } finally {
      await h.close();
    }
  });
});

describe('an outcome settled later emits exactly one refund.succeeded', () => {
  const lookupsFail = (harness: Harness) =>
    harness.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });

  const unknownOutcome = async (harness: Harness, merchantUid: string, key: string) => {
    const p = harness.fake.addPayment({ merchant_uid: merchantUid, amount: 10_000 });
    await harness.view(merchantUid);
    harness.fake.inject({ kind: 'lose_response' });
    lookupsFail(harness);
    const body = { merchant_uid: merchantUid, cancel_request_amount: 4000, reason: 'x' };
    const first = await harness.cancel(body, { key });
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    await harness.settled();
    harness.fake.clearFaults();
    return { p, body };
  };

  const types = (r: WebhookReceiver) => r.received.map((x) => (JSON.parse(x.body) as { type: string }).type);

  it('settled by the retry with the same key (and again by the view and a webhook: still one)', async () => {
    const { h, receiver } = await start();
    const { p, body } = await unknownOutcome(h, 'WS-1', 'ws-1');
    assert.equal(receiver.received.length, 0, 'an unknown outcome says nothing yet');
    const retry = await h.cancel(body, { key: 'ws-1' });
    assert.equal(retry.res.status, 200);
    await h.settled();
    await h.view('WS-1');
    await h.app.request('/webhooks/iamport', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ imp_uid: p.imp_uid }),
    });
    await h.settled();
    assert.deepEqual(types(receiver), ['refund.succeeded']);
    const data = (JSON.parse(receiver.received[0]!.body) as { data: Record<string, unknown> }).data;
    assert.deepEqual([data.amount, data.cancel_amount, data.idempotency_key], [4000, 4000, 'ws-1']);
  });

  it('settled by the view', async () => {
    const { h, receiver } = await start();
    await unknownOutcome(h, 'WS-2', 'ws-2');
    await h.view('WS-2');
    await h.settled();
    await h.view('WS-2');
    await h.settled();
    assert.deepEqual(types(receiver), ['refund.succeeded']);
  });

  it("settled by i'mport's webhook, which is not taken for an external cancel", async () => {
    const { h, receiver } = await start();
    const { p } = await unknownOutcome(h, 'WS-3', 'ws-3');
    const notify = () =>
      h.app.request('/webhooks/iamport', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ imp_uid: p.imp_uid }),
      });
    assert.equal((await notify()).status, 200);
    await h.settled();
    h.clock.advance(3_000);
    await notify();
    await h.settled();
    assert.deepEqual(types(receiver), ['refund.succeeded']);
  });
});
