/**
 * @module The merchant webhooks on one runtime: the proxy as its own process (harness.ts) with MERCHANT_WEBHOOK_URL
 * pointing at a receiver in this process (proxy/test-support/webhook-receiver.ts, which verifies each POST with the
 * `standardwebhooks` package). A refund is delivered right after its answer, signed, with the exact headers and body,
 * and recorded in the runtime's ledger; a refused first attempt goes out again on the next pass with the same
 * webhook-id. The retry is driven as in production: the outbox timer on Node, Deno and Bun, the cron trigger on
 * Workers (raw workerd has none, so there the worker runs under Miniflare, which can fire one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintGrant } from '../proxy/auth/grant.ts';
import type { FakeIamport } from '../proxy/gateways/iamport/fake/fake-iamport.ts';
import { type Received, startWebhookReceiver, type WebhookReceiver } from '../proxy/test-support/webhook-receiver.ts';
import { newWebhookSecret } from '../proxy/test-support/webhook-stack.ts';
import { startCronWorker } from './cron-worker.ts';
import { eventually } from './eventually.ts';
import {
  freePort,
  GRANT_SECRET,
  type Ledger,
  proxyEnv,
  RUNTIME_LABELS,
  type RuntimeName,
  startProxy,
} from './harness.ts';
import { runtimeStack } from './stack.ts';

interface EventRow {
  readonly id: string;
  readonly type: string;
  readonly sequence: number;
  readonly status: string;
  readonly attempts: number;
  readonly created_at: number;
}

interface DeliveryRow {
  readonly url: string;
  readonly status: number | null;
  readonly error: string | null;
  readonly attempted_at: number;
  readonly latency_ms: number | null;
}

/** The order's events and each one's deliveries, read straight from the runtime's PostgreSQL schema. */
const outboxOf = async (ledger: Ledger, merchantUid: string) => {
  const events = await ledger.sql<EventRow[]>`
    SELECT id, type, sequence, status, attempts, created_at::float8 AS created_at
    FROM webhook_events WHERE merchant_uid = ${merchantUid} ORDER BY sequence`;
  const deliveries = await ledger.sql<DeliveryRow[]>`
    SELECT d.url, d.status, d.error, d.attempted_at::float8 AS attempted_at, d.latency_ms
    FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
    WHERE e.merchant_uid = ${merchantUid} ORDER BY d.seq`;
  return { events: [...events], deliveries: [...deliveries] };
};

/** Each delivery's URL, status and error, after checking its time and latency were recorded (from `since`, epoch ms). */
const attemptsOf = (deliveries: readonly DeliveryRow[], since: number) =>
  deliveries.map(({ url, status, error, attempted_at, latency_ms }) => {
    assert.ok(
      attempted_at >= since && attempted_at <= Date.now(),
      `attempted_at ${attempted_at} is the attempt's time`,
    );
    assert.ok(latency_ms !== null && latency_ms >= 0, `latency_ms ${latency_ms} is recorded`);
    return { url, status, error };
  });

/** The variables that turn the merchant webhooks on, with one retry a second after a failed first attempt. */
const webhookEnv = (url: string, secret: string): Record<string, string> => ({
  MERCHANT_WEBHOOK_URL: url,
  MERCHANT_WEBHOOK_SECRET: secret,
  WEBHOOK_RETRY_SCHEDULE: '1',
  // http:// to loopback is refused in production: what the Node runs of the suite play otherwise, and what an unset
  // NODE_ENV means on Workers, Deno and Bun.
  NODE_ENV: 'test',
});

/** Workers learn the client IP from CF-Connecting-IP (Cloudflare's edge sets it; here the test plays the edge). */
const EDGE_HEADERS: Readonly<Record<string, string>> = { 'CF-Connecting-IP': '203.0.113.9' };

type Send = (path: string, init: RequestInit) => Promise<Response>;

/** POST /payments/cancel with a grant for the order. */
const refund = async (send: Send, merchantUid: string, amount: number): Promise<Response> => {
  const grant = await mintGrant(GRANT_SECRET, { merchantUid });
  return send('/payments/cancel', {
    method: 'POST',
    headers: { ...EDGE_HEADERS, Authorization: `Bearer ${grant}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ merchant_uid: merchantUid, cancel_request_amount: amount, reason: '단순 변심' }),
  });
};

const forId = (receiver: WebhookReceiver, id: string): Received[] =>
  receiver.received.filter((r) => r.headers['webhook-id'] === id);

export const runDelivery = (runtime: RuntimeName): void => {
  describe(`merchant webhooks from the proxy on ${RUNTIME_LABELS[runtime]}`, () => {
    const secret = newWebhookSecret();
    let receiver: WebhookReceiver;
    const stack = runtimeStack(runtime, {
      schema: `${runtime}_hooks`,
      beside: async () => {
        receiver = await startWebhookReceiver(secret);
        return webhookEnv(receiver.url, secret);
      },
      closeBeside: async () => receiver?.close(),
    });
    const { fake } = stack;

    const send: Send = (path, init) => fetch(`${stack.proxy.url}${path}`, init);

    it('delivers a refund as refund.succeeded right after its answer: signed, exact headers and body, in the ledger', async () => {
      const p = fake.addPayment({ merchant_uid: 'RT-HOOK-1', amount: 10_000 });
      const sentAt = Math.floor(Date.now() / 1000);
      const res = await refund(send, 'RT-HOOK-1', 4000);
      assert.equal(res.status, 200, await res.text());
      // On Workers nothing but the request's waitUntil can send it: raw workerd fires no cron.
      const got = await eventually('the receiver got the event', async () => receiver.received[0]);
      assert.equal(got.verifyError, null, 'the standardwebhooks library accepts the signature');
      assert.equal(got.answered, 204);
      const id = String(got.headers['webhook-id']);
      assert.match(id, /^msg_[0-9a-f]{32}$/);
      assert.equal(got.headers['content-type'], 'application/json');
      const timestamp = Number(got.headers['webhook-timestamp']);
      assert.ok(
        timestamp >= sentAt && timestamp <= Math.ceil(Date.now() / 1000),
        `the attempt's time in seconds (${timestamp})`,
      );
      assert.match(String(got.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+={0,2}$/);

      const { events, deliveries } = await eventually('the ledger records the delivery', async () => {
        const outbox = await outboxOf(stack.ledger, 'RT-HOOK-1');
        return outbox.events[0]?.status === 'delivered' ? outbox : undefined;
      });
      assert.deepEqual(
        events.map((e) => [e.id, e.type, e.sequence, e.status, e.attempts]),
        [[id, 'refund.succeeded', 1, 'delivered', 1]],
      );
      assert.deepEqual(attemptsOf(deliveries, sentAt * 1000), [{ url: receiver.url, status: 204, error: null }]);
      const [attempt] = await stack.ledger.sql<{ id: string }[]>`
        SELECT id FROM refund_attempts WHERE merchant_uid = 'RT-HOOK-1'`;
      const body = {
        type: 'refund.succeeded',
        timestamp: new Date(events[0]!.created_at).toISOString(),
        data: {
          merchant_uid: 'RT-HOOK-1',
          imp_uid: p.imp_uid,
          amount: 4000,
          cancel_amount: 4000,
          cancelable_amount: 6000,
          status: 'cancelled',
          pending: false,
          reason: '단순 변심',
          attempt_id: attempt!.id,
          refund_account_masked: null,
          idempotency_key: null,
          sequence: 1,
        },
      };
      assert.deepEqual(JSON.parse(got.body), body);
      assert.deepEqual(got.verified, body, "the library's parse is the same body");
      assert.equal(receiver.received.length, 1, 'one POST');
    });

    it("records a refused connection as a failed attempt, with no status and the runtime's error, and keeps the event for its retry", async (t) => {
      const closed = await freePort();
      const downLedger = await stack.server.ledger(`${runtime}_hooks_down`);
      // An hour before the retry: the scenario sees the first round's end, not a second round.
      const env = {
        ...proxyEnv(stack.served.url, downLedger.url),
        ...webhookEnv(`http://127.0.0.1:${closed}/hooks`, secret),
        WEBHOOK_RETRY_SCHEDULE: '3600',
      };
      const down = await startProxy(runtime, env);
      try {
        fake.addPayment({ merchant_uid: 'RT-HOOK-DOWN', amount: 3000 });
        const since = Date.now();
        const res = await refund((path, init) => fetch(`${down.url}${path}`, init), 'RT-HOOK-DOWN', 3000);
        assert.equal(res.status, 200, await res.text());
        const { events, deliveries } = await eventually('the ledger records the attempt', async () => {
          const outbox = await outboxOf(downLedger, 'RT-HOOK-DOWN');
          return outbox.events[0]?.attempts === 1 ? outbox : undefined;
        });
        assert.deepEqual(
          events.map((e) => [e.type, e.status, e.attempts]),
          [['refund.succeeded', 'pending', 1]],
        );
        const [attempt] = attemptsOf(deliveries, since);
        assert.equal(deliveries.length, 1);
        assert.equal(attempt!.status, null, 'no HTTP status: nothing answered');
        assert.ok(attempt!.error && !attempt!.error.startsWith('HTTP '), `the fetch error: ${attempt!.error}`);
        t.diagnostic(`${runtime}: ${attempt!.error}`);
        assert.doesNotMatch(down.output(), /delivery pass failed/, 'the pass itself went on');
      } finally {
        await down.stop();
        await downLedger.drop();
      }
    });

    // Workers' retry is in its own scenario below: raw workerd cannot fire the cron.
    if (runtime !== 'workerd') {
      it('sends a refused first attempt again on the outbox timer, with the same webhook-id, and records both', async () => {
        await retriedDelivery({
          fake,
          receiver,
          ledger: stack.ledger,
          send,
          merchantUid: 'RT-HOOK-2',
          nextPass: async () => {},
        });
      });
    } else {
      it('sends a refused first attempt again from the cron trigger, with the same webhook-id, and records both', async () => {
        const mfLedger = await stack.server.ledger('workerd_cron_hooks');
        const worker = await startCronWorker({
          ...proxyEnv(stack.served.url, mfLedger.url),
          ...webhookEnv(receiver.url, secret),
        });
        try {
          await retriedDelivery({
            fake,
            receiver,
            ledger: mfLedger,
            send: worker.send,
            merchantUid: 'RT-HOOK-CRON',
            // The outbox's cron (deploy/wrangler.toml: every minute).
            nextPass: () => worker.scheduled('* * * * *'),
          });
        } finally {
          await worker.dispose();
          await mfLedger.drop();
        }
      });

      it("keeps sending first attempts right after the answer once a cron run wrote an event, and sends that event in the cron's own run", async () => {
        const mfLedger = await stack.server.ledger('workerd_cron_written');
        const worker = await startCronWorker({
          ...proxyEnv(stack.served.url, mfLedger.url),
          ...webhookEnv(receiver.url, secret),
        });
        const typesOf = (from: number) =>
          receiver.received.slice(from).map((r) => [(JSON.parse(r.body) as { type: string }).type, r.answered]);
        try {
          fake.addPayment({ merchant_uid: 'RT-HOOK-CRON-A', amount: 5000 });
          fake.addPayment({ merchant_uid: 'RT-HOOK-CRON-B', amount: 5000 });
          const before = receiver.received.length;
          receiver.failNext(2);
          assert.equal((await refund(worker.send, 'RT-HOOK-CRON-A', 5000)).status, 200);
          await eventually('the first attempt was refused', async () => receiver.received[before]);
          // Past WEBHOOK_RETRY_SCHEDULE's one retry, 1 s on: the cron's pass makes it, it is refused too, and the
          // event is failed, which the same pass tells as attention.needed: an event the cron run itself wrote.
          await new Promise((resolve) => setTimeout(resolve, 1200));
          await worker.scheduled('* * * * *');
          assert.deepEqual(
            typesOf(before),
            [
              ['refund.succeeded', 503],
              ['refund.succeeded', 503],
              ['attention.needed', 204],
            ],
            'attention.needed went out within the cron run that wrote it',
          );
          assert.equal((await refund(worker.send, 'RT-HOOK-CRON-B', 5000)).status, 200);
          // No cron fires from here on: only the refund's own waitUntil can send its event.
          const got = await eventually('the next refund was delivered right after its answer', async () =>
            receiver.received.slice(before + 3).find((r) => r.body.includes('RT-HOOK-CRON-B')),
          );
          assert.equal(got.answered, 204);
        } finally {
          await worker.dispose();
          await mfLedger.drop();
        }
      });
    }
  });
};

interface RetryScenario {
  readonly fake: FakeIamport;
  readonly receiver: WebhookReceiver;
  readonly ledger: Ledger;
  readonly send: Send;
  readonly merchantUid: string;
  /** Runs an outbox pass where the runtime has no timer of its own (Workers' cron); nothing elsewhere. */
  readonly nextPass: () => Promise<void>;
}

/** The receiver refuses the first attempt; the next pass (after WEBHOOK_RETRY_SCHEDULE's 1 s) delivers it. */
const retriedDelivery = async ({ fake, receiver, ledger, send, merchantUid, nextPass }: RetryScenario) => {
  fake.addPayment({ merchant_uid: merchantUid, amount: 5000 });
  const before = receiver.received.length;
  receiver.failNext(1);
  const since = Date.now();
  const res = await refund(send, merchantUid, 5000);
  assert.equal(res.status, 200, await res.text());
  const first = await eventually('the first attempt arrived', async () => receiver.received[before]);
  assert.equal(first.answered, 503, 'the receiver refused it');
  const id = String(first.headers['webhook-id']);
  const attempts = await eventually('a second attempt arrived', async () => {
    await nextPass();
    const got = forId(receiver, id);
    return got.length >= 2 ? got : undefined;
  });
  assert.deepEqual(
    attempts.map((r) => [r.answered, r.verifyError]),
    [
      [503, null],
      [204, null],
    ],
    'the same webhook-id, signed afresh, delivered on the retry',
  );
  const { events, deliveries } = await eventually('the ledger records it delivered', async () => {
    const outbox = await outboxOf(ledger, merchantUid);
    return outbox.events[0]?.status === 'delivered' ? outbox : undefined;
  });
  assert.deepEqual(
    events.map((e) => [e.id, e.type, e.status, e.attempts]),
    [[id, 'refund.succeeded', 'delivered', 2]],
  );
  assert.deepEqual(attemptsOf(deliveries, since), [
    { url: receiver.url, status: 503, error: 'HTTP 503' },
    { url: receiver.url, status: 204, error: null },
  ]);
};
