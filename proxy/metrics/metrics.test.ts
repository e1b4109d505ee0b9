// GET /metrics through the app: behind the admin door (404 without ADMIN_API_KEYS, 401 alike for any bad key, no
// CORS, logged with the key's id, limited per key), the text format, and each metric moving with what it counts.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { adminCalls, KEY, OTHER_KEY, withAdmin } from '../test-support/admin-calls.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';
import { checkHistogram, type Family, parseExposition } from './exposition-parser.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NAMES = {
  refund_proxy_refunds_total: 'counter',
  refund_proxy_gateway_request_seconds: 'histogram',
  refund_proxy_unsettled_attempts: 'gauge',
  refund_proxy_outbox_pending: 'gauge',
  refund_proxy_outbox_oldest_pending_seconds: 'gauge',
  refund_proxy_webhook_deliveries_total: 'counter',
  refund_proxy_ledger_up: 'gauge',
} as const;

const scrape = async (harness: Harness): Promise<Map<string, Family>> => {
  const res = await adminCalls(harness).admin('/metrics');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Content-Type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
};

/** The value of the sample of `name` whose labels include `labels`; 0 when there is none yet. */
const sampleOf = (families: Map<string, Family>, family: string, labels: Record<string, string> = {}, name = family) =>
  families
    .get(family)
    ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;

describe('GET /metrics: its door', () => {
  it('does not exist without ADMIN_API_KEYS: 404 as an unknown route', async () => {
    h = await createHarness();
    const res = await adminCalls(h).admin('/metrics');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), await (await h.app.request('/no-such-route')).json());
  });

  it('answers a missing or wrong key 401 alike, sends no CORS headers, logs the key id, limits per key', async () => {
    h = await withAdmin({}, 2);
    const { admin } = adminCalls(h);
    const refused = await Promise.all([admin('/metrics', { key: null }), admin('/metrics', { key: `${KEY}x` })]);
    const bodies = await Promise.all(refused.map((res) => res.text()));
    assert.deepEqual(
      refused.map((res) => res.status),
      [401, 401],
    );
    assert.equal(bodies[0], bodies[1], 'the same answer whatever was wrong');
    const ok = await admin('/metrics', { headers: { Origin: 'https://shop.example' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('Access-Control-Allow-Origin'), null);
    const line = h.logs.find((l) => l.msg === 'request' && l.path === '/metrics' && l.status === 200);
    assert.match(String(line?.key_id), /^[0-9a-f]{8}$/);
    assert.equal((await admin('/metrics')).status, 200);
    assert.equal((await admin('/metrics')).status, 429, 'the third call of the minute, with a limit of 2');
    assert.equal((await admin('/metrics', { key: OTHER_KEY })).status, 200, 'another key has its own limit');
  });
});

describe('GET /metrics: what it shows', () => {
  it('names every metric with its type, in the text format, before anything happened', async () => {
    h = await withAdmin();
    const families = await scrape(h);
    for (const [name, type] of Object.entries(NAMES)) assert.equal(families.get(name)?.type, type, name);
    assert.equal(sampleOf(families, 'refund_proxy_unsettled_attempts'), 0);
    assert.equal(sampleOf(families, 'refund_proxy_outbox_oldest_pending_seconds'), 0);
  });

  it("still answers when the ledger does not: ledger_up 0, the ledger's gauges without a sample, the counters", async () => {
    let down = false;
    const inner = createSqliteStore({ path: ':memory:' });
    const store: Store = {
      ...inner,
      countUnsettledAttempts: () =>
        down ? Promise.reject(new Error('connection refused')) : inner.countUnsettledAttempts(),
    };
    h = await withAdmin({ store });
    h.fake.addPayment({ merchant_uid: 'M-DOWN', amount: 10_000 });
    assert.equal(
      (await h.cancel({ merchant_uid: 'M-DOWN', cancel_request_amount: 1000, reason: 'x' })).res.status,
      200,
    );
    assert.equal(sampleOf(await scrape(h), 'refund_proxy_ledger_up'), 1);
    down = true;
    const families = await scrape(h); // 200, where a ledger that did not answer made the whole scrape a 503
    assert.equal(sampleOf(families, 'refund_proxy_ledger_up'), 0);
    for (const gauge of ['refund_proxy_unsettled_attempts', 'refund_proxy_outbox_pending']) {
      assert.equal(families.get(gauge)?.type, 'gauge', `${gauge} is still named`);
      assert.deepEqual(families.get(gauge)?.samples, [], `${gauge}: no value, rather than a made-up 0`);
    }
    assert.equal(sampleOf(families, 'refund_proxy_refunds_total', { outcome: 'succeeded', code: '' }), 1);
    const why = h.logs.filter((l) => l.msg === 'metrics: the ledger could not be read');
    assert.equal(why.length, 1, 'one line for the one scrape that could not read the ledger');
    assert.equal(why[0]?.level, 'warn');
    assert.match(String(why[0]?.error), /connection refused/, 'says what failed');
  });

  it('answers within a bounded time when the ledger hangs: ledger_up 0, the counters served', {
    timeout: 15_000,
  }, async () => {
    const inner = createSqliteStore({ path: ':memory:' });
    let hang = false;
    // A ledger that takes the read and never answers (a PostgreSQL connection to a host that stopped answering: no
    // statement timeout, TCP gives up after minutes; a SQLite read queued behind this process's waiting writes).
    const store: Store = {
      ...inner,
      pendingEvents: () => (hang ? new Promise<never>(() => undefined) : inner.pendingEvents()),
    };
    h = await withAdmin({ store });
    assert.equal(sampleOf(await scrape(h), 'refund_proxy_ledger_up'), 1);
    hang = true;
    const started = Date.now();
    const families = await scrape(h);
    // Prometheus's default scrape_timeout is 10 s: a scrape slower than that shows the target down, counters and all.
    assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
    assert.equal(sampleOf(families, 'refund_proxy_ledger_up'), 0);
    assert.equal(families.get('refund_proxy_refunds_total')?.type, 'counter');
    const why = h.logs.filter((l) => l.msg === 'metrics: the ledger could not be read');
    assert.deepEqual(
      why.map((l) => l.error),
      ['no answer within 5000 ms'],
    );
  });

  it("counts refunds by outcome and code, and times i'mport's calls", async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'M-1', amount: 10_000 });
    assert.equal((await h.cancel({ merchant_uid: 'M-1', cancel_request_amount: 1000, reason: 'x' })).res.status, 200);
    const tooMuch = await h.cancel({ merchant_uid: 'M-1', cancel_request_amount: 50_000, reason: 'x' });
    assert.equal(tooMuch.body.error.code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    await h.settled();
    const families = await scrape(h);
    const refunds = 'refund_proxy_refunds_total';
    assert.equal(sampleOf(families, refunds, { outcome: 'succeeded', code: '' }), 1);
    assert.equal(
      sampleOf(families, refunds, { outcome: 'rejected', code: 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT' }),
      1,
    );
    const gateway = families.get('refund_proxy_gateway_request_seconds')!;
    checkHistogram(gateway);
    const count = (call: string) =>
      sampleOf(families, gateway.name, { call }, 'refund_proxy_gateway_request_seconds_count');
    assert.equal(count('token'), 1);
    assert.equal(count('cancel'), 1);
    assert.ok(count('find') + count('payment') >= 1, 'the payment was read before the refund');
  });

  it('counts a refund the gateway took to finish later as accepted, not as money gone back', async () => {
    const fake = createFakePortOne({ cancelMode: 'REQUESTED' });
    const proxy = await withAdmin({ portone: fake });
    h = proxy;
    fake.addPayment({ paymentId: 'M-A', total: 10_000 });
    // Asked twice under one key: each run answers accepted (the key's answer is stored only once it has finished).
    const ask = () => proxy.cancel({ merchant_uid: 'M-A', reason: 'x' }, { key: 'm-a-key-0000001' });
    assert.equal((await ask()).body.accepted, true);
    assert.equal((await ask()).body.accepted, true);
    await proxy.settled();
    const families = await scrape(proxy);
    assert.equal(sampleOf(families, 'refund_proxy_refunds_total', { outcome: 'accepted', code: '' }), 2);
    assert.equal(sampleOf(families, 'refund_proxy_refunds_total', { outcome: 'succeeded', code: '' }), 0);
  });

  it("counts an approved refund request's refund as a refund", async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'M-R', amount: 10_000 });
    const { ask, approve } = requestCalls(h);
    const made = await ask({ merchant_uid: 'M-R', cancel_request_amount: 3000, reason: 'x' });
    assert.equal((await approve(made.body.request.id)).body.request.status, 'refunded');
    await h.settled();
    const families = await scrape(h);
    assert.equal(sampleOf(families, 'refund_proxy_refunds_total', { outcome: 'succeeded', code: '' }), 1);
  });

  it('shows an unsettled attempt, then none once it is settled', async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'M-U', amount: 10_000 });
    await h.view('M-U');
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
    const body = { merchant_uid: 'M-U', cancel_request_amount: 4000, reason: 'x' };
    assert.equal((await h.cancel(body, { key: 'mu-1' })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    await h.settled();
    let families = await scrape(h);
    assert.equal(sampleOf(families, 'refund_proxy_unsettled_attempts'), 1);
    assert.equal(sampleOf(families, 'refund_proxy_refunds_total', { outcome: 'unknown' }), 1);
    h.fake.clearFaults();
    assert.equal((await h.cancel(body, { key: 'mu-1' })).res.status, 200);
    await h.settled();
    families = await scrape(h);
    assert.equal(sampleOf(families, 'refund_proxy_unsettled_attempts'), 0);
  });
});

describe('GET /metrics with merchant webhooks on', () => {
  const start = webhookStacks({ secret: newWebhookSecret(), retryDelaysMs: [5_000], harness: (o) => withAdmin(o) });

  it('shows pending events and how long the oldest has waited, and counts deliveries by result', async () => {
    const { h: proxy, receiver } = await start();
    receiver.failNext(1);
    proxy.fake.addPayment({ merchant_uid: 'M-W', amount: 10_000 });
    await proxy.cancel({ merchant_uid: 'M-W', cancel_request_amount: 1000, reason: 'x' });
    await proxy.settled();
    proxy.clock.advance(2_000);
    let families = await scrape(proxy);
    assert.equal(sampleOf(families, 'refund_proxy_outbox_pending'), 1, 'the first attempt failed: still pending');
    assert.ok(sampleOf(families, 'refund_proxy_outbox_oldest_pending_seconds') >= 2);
    assert.equal(sampleOf(families, 'refund_proxy_webhook_deliveries_total', { result: 'failed_attempt' }), 1);
    assert.equal(sampleOf(families, 'refund_proxy_webhook_deliveries_total', { result: 'delivered' }), 0);

    proxy.clock.advance(6_000);
    await proxy.outbox.runDue();
    families = await scrape(proxy);
    assert.equal(sampleOf(families, 'refund_proxy_outbox_pending'), 0);
    assert.equal(sampleOf(families, 'refund_proxy_outbox_oldest_pending_seconds'), 0);
    assert.equal(sampleOf(families, 'refund_proxy_webhook_deliveries_total', { result: 'delivered' }), 1);
  });
});
