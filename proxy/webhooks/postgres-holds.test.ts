// Merchant webhooks on one PostgreSQL shared by two instances: an event is POSTed by one instance at a time, also when
// a round's record comes late (after its hold ran out, the same instance having claimed the event again since), and
// when the instances' clocks each sit under a second off the server's, which the ledger's clock leaves uncorrected
// (ledger-clock.ts): a hold may be taken over up to twice that before it ends on the holder's clock.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import postgres from 'postgres';
import { createPostgresStore } from '../store/postgres.ts';
import { createClock, createHarness, type TestClock } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';

const url = useTempSchema('webhook_holds', 'proxy/webhooks/postgres-holds.test.ts');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first POST answered 503 at once, every later one after `holdMs`; in-flight POSTs counted per webhook-id. */
const startReceiver = async (holdMs: number) => {
  const arrivals: { id: string; at: number; from: string }[] = [];
  const inFlight = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();
  const server = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      arrivals.push({ id, at: Date.now(), from: String(req.headers['x-instance']) });
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      maxConcurrent.set(id, Math.max(maxConcurrent.get(id) ?? 0, inFlight.get(id) ?? 0));
      res.on('close', () => inFlight.set(id, (inFlight.get(id) ?? 1) - 1)); // answered, or aborted by the client
      if (arrivals.length === 1) res.writeHead(503).end();
      else setTimeout(() => res.writeHead(204).end(), holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    arrivals,
    maxConcurrent: (id: string) => maxConcurrent.get(id) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

const waitFor = async (what: string, ok: () => boolean | Promise<boolean>, ms = 15_000) => {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

/** Each instance's POSTs name it, so the receiver can tell who sent what. */
const from =
  (instance: string) =>
  (u: string, init: Parameters<typeof fetch>[1] = {}) =>
    fetch(u, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-instance': instance } });

/**
 * Two instances on one schema, A on `clockA` and B on `clockB` (the same clock for instances that agree; each store on
 * its instance's clock, as on two machines), over one fake i'mport, each POST naming its instance; `held`, a session of
 * the test's own on the ledger to hold locks with; `pending`, passes still running; `close` undoes it all.
 */
const rig = async (
  url: string,
  receiver: { url: string; close(): Promise<void> },
  timeoutMs: number,
  clockA: TestClock,
  clockB: TestClock,
) => {
  const merchantWebhooks = { urls: [receiver.url], secret: SECRET, retryDelaysMs: [1, 1, 1], timeoutMs };
  const a = await createHarness({
    store: createPostgresStore({ url, now: clockA.now }),
    clock: clockA,
    outside: from('A'),
    config: { merchantWebhooks },
  });
  const b = await createHarness({
    store: createPostgresStore({ url, now: clockB.now }),
    clock: clockB,
    fake: a.fake,
    outside: from('B'),
    config: { merchantWebhooks },
  });
  const locker = postgres(url, { max: 1, onnotice: () => {} });
  const held = await locker.reserve();
  const pending: Promise<unknown>[] = [];
  const close = async () => {
    await held.unsafe('ROLLBACK').catch(() => undefined);
    held.release();
    await locker.end({ timeout: 1 });
    await Promise.allSettled(pending);
    await a.close();
    await b.close();
    await receiver.close();
  };
  return { a, b, held, pending, close };
};

/** A retry whose ledger read before its POST waited, on instances whose clocks are `skewMs` slow and fast. */
const run = async (url: string, skewMs: number) => {
  const receiver = await startReceiver(5_000);
  // A POST may take 2 s: an event is held for 7 s. A's clock `skewMs` slow, B's `skewMs` fast.
  const slow = createClock(Date.now() - skewMs);
  const fast = createClock(Date.now() + skewMs);
  const { a, b, held, pending, close } = await rig(url, receiver, 2_000, slow, fast);
  try {
    const order = `WH-SKEW-${skewMs}`;
    a.fake.addPayment({ merchant_uid: order, amount: 10_000 });
    const refund = await a.cancel({ merchant_uid: order, cancel_request_amount: 1_000, reason: 'x' });
    assert.equal(refund.res.status, 200);
    // Round 1 (A): answered 503, recorded; the event is due again at once.
    await waitFor('round 1 recorded', async () => (await a.store.listOrderEvents(order))[0]?.attempts === 1);
    const [event] = await a.store.listOrderEvents(order);
    // A's ledger read before its retry's POST (the URLs that have the event) waits 4.5 s: a busy server, a lock.
    await held.unsafe('BEGIN');
    await held.unsafe('LOCK TABLE webhook_deliveries IN ACCESS EXCLUSIVE MODE');
    pending.push(a.outbox!.runDue());
    await sleep(4_500);
    await held.unsafe('COMMIT');
    // 4.5 s + 2 s < 7 s on A's clock: A sends it. B looks for due events every 200 ms (its timer: every 2 s).
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      pending.push(b.outbox!.runDue());
      await sleep(200);
    }
    await Promise.all(pending);
    await a.settled();
    await b.settled();
    // This order's event only (the schema is shared with the other test, whose event may still be retried).
    const ours = receiver.arrivals.filter((r) => r.id === event?.id);
    return {
      maxConcurrent: receiver.maxConcurrent(event?.id ?? ''),
      posts: ours.map((r) => `${r.from} at ${r.at - (ours[0]?.at ?? 0)} ms`).join(', '),
    };
  } finally {
    await close();
  }
};

if (url) {
  describe('merchant webhooks on one PostgreSQL: one POST of an event at a time across instances', () => {
    it("refuses a round recorded after its hold ran out, the same instance's next round in flight: no other instance POSTs it meanwhile", {
      timeout: 60_000,
    }, async () => {
      const receiver = await startReceiver(2_500);
      // A POST may take 3 s, so an event is held for 8 s.
      const clock = createClock();
      const { a, b, held, pending, close } = await rig(url, receiver, 3_000, clock, clock);
      // A slow ledger for A's first round's record: its write waits (here behind a lock on the deliveries table, as it
      // would behind a stalled connection or a busy server) until after its hold ran out.
      try {
        a.fake.addPayment({ merchant_uid: 'WH-LATE', amount: 10_000 });
        await held.unsafe('BEGIN');
        await held.unsafe('LOCK TABLE webhook_deliveries IN EXCLUSIVE MODE');
        const refund = await a.cancel({ merchant_uid: 'WH-LATE', cancel_request_amount: 1_000, reason: 'x' });
        assert.equal(refund.res.status, 200);
        // Round 1 (A, handed the event at its write): answered 503; its record now waits on the ledger.
        await waitFor('round 1', () => receiver.arrivals.length === 1);
        // A's hold (8 s) runs out; A's own next pass claims the event again and sends round 2 (held 2.5 s).
        await sleep(8_300);
        pending.push(a.outbox!.runDue());
        await waitFor('round 2', () => receiver.arrivals.length === 2);
        // The ledger answers again: round 1's record lands, under A's name, while round 2 is in flight.
        await held.unsafe('COMMIT');
        await sleep(300);
        // B's pass, as its timer would run it every 2 s.
        pending.push(b.outbox!.runDue());
        await sleep(3_000);
        await Promise.all(pending);
        await Promise.all([a.settled(), b.settled()]);
        const id = receiver.arrivals[0]?.id ?? '';
        assert.deepEqual(
          receiver.arrivals.map((r) => r.id),
          receiver.arrivals.map(() => id),
        );
        assert.equal(
          receiver.maxConcurrent(id),
          1,
          `the event was POSTed by two instances at once (${receiver.arrivals.length} POSTs: ${receiver.arrivals
            .map((r) => `${r.from} at ${r.at - (receiver.arrivals[0]?.at ?? 0)}`)
            .join(', ')} ms)`,
        );
      } finally {
        await close();
      }
    });
    it('sends a retry from one instance at a time with clocks in agreement (the control)', {
      timeout: 120_000,
    }, async () => {
      const { maxConcurrent, posts } = await run(url, 0);
      assert.equal(maxConcurrent, 1, posts);
    });

    it("sends a retry from one instance at a time with clocks 0.9 s slow and 0.9 s fast of the server's", {
      timeout: 120_000,
    }, async () => {
      const { maxConcurrent, posts } = await run(url, 900);
      assert.equal(maxConcurrent, 1, `two instances POSTed the event at once: ${posts}`);
    });
  });
}
