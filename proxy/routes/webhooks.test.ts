// POST /webhooks/iamport: trusts only i'mport's own answer, and settles attempts a crash left unknown; cheap to refuse
// and to repeat (allow-list, per-IP limit, i'mport's imp_uid shape, lookups shared by concurrent webhooks of one payment), answering nothing.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness;
afterEach(async () => h?.close());

const post = (body: string, type: string, ip?: string) =>
  h.app.request('/webhooks/iamport', {
    method: 'POST',
    headers: { 'Content-Type': type, ...(ip ? { 'X-Test-Ip': ip } : {}) },
    body,
  });
const postJson = (impUid: unknown, ip?: string) => post(JSON.stringify({ imp_uid: impUid }), 'application/json', ip);
/** The client IP a request names in X-Test-Ip (203.0.113.7 without one). */
const testIp = {
  clientIp: (c: { req: { header(name: string): string | undefined } }) => c.req.header('X-Test-Ip') ?? '203.0.113.7',
};

/** Cancels at the fake directly, as if from the i'mport console (our ledger does not see it); `reason`: its words. */
const cancelBehindOurBack = async (impUid: string, amount: number, reason = 'console') => {
  const token = (await (
    await h.fake.fetch('http://iamport.test/users/getToken', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ imp_key: 'test_imp_key', imp_secret: 'test_imp_secret' }),
    })
  ).json()) as { response: { access_token: string } };
  await h.fake.fetch('http://iamport.test/payments/cancel', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.response.access_token}` },
    body: JSON.stringify({ imp_uid: impUid, amount, reason }),
  });
};

describe('POST /webhooks/iamport', () => {
  it('re-fetches the payment and updates the ledger, ignoring what the body claims (JSON)', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-1', amount: 10000 });
    await h.view('W-1');
    await cancelBehindOurBack(p.imp_uid, 2500);
    const res = await post(
      JSON.stringify({ imp_uid: p.imp_uid, merchant_uid: 'W-1', status: 'paid', cancel_amount: 0 }),
      'application/json',
    );
    assert.equal(res.status, 200);
    // Nothing about the payment: anyone may call this, so it must not be a lookup service.
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal((await h.store.getPayment('W-1'))!.cancel_amount, 2500);
    assert.equal((await h.view('W-1')).body.cancelable_amount, 7500);
  });

  it('accepts a form-encoded body and stores an order the ledger did not know', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-2', amount: 3000 });
    const res = await post(
      new URLSearchParams({ imp_uid: p.imp_uid, merchant_uid: 'W-2', status: 'paid' }).toString(),
      'application/x-www-form-urlencoded',
    );
    assert.equal(res.status, 200);
    assert.equal((await h.store.getPayment('W-2'))!.imp_uid, p.imp_uid);
  });

  it("answers 5xx when i'mport cannot be reached (so i'mport retries), 404 for an unknown payment, 400 for a bad body", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-3', amount: 3000 });
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    assert.equal((await post(JSON.stringify({ imp_uid: p.imp_uid }), 'application/json')).status, 503);
    assert.equal((await post(JSON.stringify({ imp_uid: 'imp_000000000000' }), 'application/json')).status, 404);
    assert.equal((await post('{', 'application/json')).status, 400);
    assert.equal((await post('imp_uid=x', 'text/plain')).status, 400);
  });

  it('settles an attempt a crash left without an outcome (the cancel had applied) as succeeded', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-4', amount: 5000 });
    await h.view('W-4');
    // The proxy wrote its attempt, i'mport applied the cancel, and the process died before the ledger write.
    const startedAt = h.clock.now();
    await h.store.insertAttempt({
      id: 'crashed-attempt',
      merchant_uid: 'W-4',
      imp_uid: p.imp_uid,
      requested_amount: 5000,
      amount: 5000,
      checksum: 5000,
      reason: 'x',
      refund_bank: null,
      refund_account_masked: null,
      grant_subject: 'W-4',
      grant_jti: null,
      client_ip: null,
      origin: null,
      idempotency_key: null,
      started_at: startedAt,
    });
    // The proxy's own cancel, in its words.
    await cancelBehindOurBack(p.imp_uid, 5000, 'x');
    const res = await post(JSON.stringify({ imp_uid: p.imp_uid, status: 'cancelled' }), 'application/json');
    assert.equal(res.status, 200);
    const attempt = await h.store.getAttempt('crashed-attempt');
    assert.equal(attempt!.outcome, 'succeeded');
    assert.equal((await h.store.getPayment('W-4'))!.cancel_amount, 5000);
  });

  it('during a running refund, leaves the order shown as being checked, never refundable in full', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'WH-RUN', amount: 10_000 });
    await h.view('WH-RUN');
    h.fake.inject({ kind: 'delay', route: 'cancel', ms: 500 });
    const running = h.cancel({ merchant_uid: 'WH-RUN', reason: 'x' }, { key: 'wh-run' });
    while (h.fake.count('cancel') === 0) await new Promise((resolve) => setImmediate(resolve));
    // Anyone may send it; its lookup, made outside the order's lease, stored i'mport's copy as it stood.
    assert.equal((await postJson(p.imp_uid)).status, 200);
    const during = await h.view('WH-RUN');
    assert.deepEqual([during.body.refundable, during.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    assert.equal((await running).res.status, 200);
    await h.settled();
    const after = await h.view('WH-RUN');
    assert.deepEqual([after.body.refundable, after.body.cancelable_amount], [false, 0]);
  });

  it("answers 400 without calling i'mport for an imp_uid not of i'mport's shape (., .., slashes, too short or long)", async () => {
    h = await createHarness();
    const bad = [
      '.',
      '..',
      '../users/getToken',
      'imp_000000000000/..',
      'imp_12345',
      `imp_${'1'.repeat(37)}`,
      'IMP_000000000000',
      'imp_00000000000%2e',
      'imp_000000000000?x=1',
      12345,
      null,
    ];
    for (const impUid of bad) {
      const res = await postJson(impUid);
      assert.equal(res.status, 400, String(impUid));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'INVALID_REQUEST');
    }
    assert.equal(h.fake.count('any'), 0, 'not even a token was asked for');
  });

  it("answers a code and a generic message when i'mport fails, never its host, port or text; the detail goes to the log", async () => {
    const fake = createFakeIamport();
    const refused = async () => {
      throw new TypeError('fetch failed: connect ECONNREFUSED 10.20.30.40:8443');
    };
    h = await createHarness({ fake: withFetch(fake, refused) });
    const res = await postJson('imp_000000000001');
    assert.equal(res.status, 503);
    const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
    assert.deepEqual([body.ok, body.error.code], [false, 'UPSTREAM_UNAVAILABLE']);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
    assert.doesNotMatch(JSON.stringify(body), /10\.20\.30\.40|8443|ECONNREFUSED|fetch failed/);
    assert.ok(
      h.logs.some((l) => l.level === 'warn' && String(l.detail).includes('10.20.30.40:8443')),
      JSON.stringify(h.logs),
    );
  });

  it('limits webhooks per client IP (429 with Retry-After), each IP on its own, again after the minute', async () => {
    h = await createHarness({ rateLimit: { perIp: 0, perOrder: 0, webhookPerIp: 3 }, ...testIp });
    const p = h.fake.addPayment({ merchant_uid: 'W-RL', amount: 1000 });
    for (let i = 0; i < 3; i++) assert.equal((await postJson(p.imp_uid, '198.51.100.1')).status, 200);
    const limited = await postJson(p.imp_uid, '198.51.100.1');
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('Retry-After')) > 0);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    // A bad body counts too: the limit is on the sender, not on the work.
    assert.equal((await post('{', 'application/json', '198.51.100.1')).status, 429);
    assert.equal((await postJson(p.imp_uid, '198.51.100.2')).status, 200);
    h.clock.advance(60_000);
    assert.equal((await postJson(p.imp_uid, '198.51.100.1')).status, 200);
  });

  it('shares lookups among concurrent webhooks of one payment, never with one sent after the lookup was made', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-CO', amount: 10000 });
    h.fake.inject({ kind: 'delay', route: 'payment', ms: 30, times: 1_000 });
    const burst = await Promise.all(Array.from({ length: 10 }, () => postJson(p.imp_uid)));
    assert.deepEqual(
      burst.map((r) => r.status),
      Array(10).fill(200),
    );
    // The first lookup, and one after it that every notification arriving meanwhile shares.
    assert.ok(h.fake.count('payment') <= 2, `${h.fake.count('payment')} lookups for a burst of 10`);
    const afterBurst = h.fake.count('payment');
    // A cancel in i'mport's console right after the last lookup ended, and its webhook at once: looked up anew.
    await cancelBehindOurBack(p.imp_uid, 4000);
    assert.equal((await postJson(p.imp_uid)).status, 200);
    assert.equal(
      h.fake.count('payment'),
      afterBurst + 1,
      'its own lookup: the last one could not have seen the cancel',
    );
    assert.equal((await h.store.getPayment('W-CO'))?.cancel_amount, 4000, 'the ledger has the cancel');
    // Another payment is its own lookup.
    const q = h.fake.addPayment({ merchant_uid: 'W-CO2', amount: 1000 });
    assert.equal((await postJson(q.imp_uid)).status, 200);
    assert.equal(h.fake.count('payment'), afterBurst + 2);
  });

  it("with IAMPORT_WEBHOOK_IPS set, answers 403 to any other sender without calling i'mport", async () => {
    h = await createHarness({ config: { webhookIps: ['52.78.100.19', '52.78.48.223'] }, ...testIp });
    const p = h.fake.addPayment({ merchant_uid: 'W-IP', amount: 1000 });
    const res = await postJson(p.imp_uid, '203.0.113.9');
    assert.equal(res.status, 403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'FORBIDDEN');
    assert.doesNotMatch(body.error.message, /52\.78|203\.0/);
    assert.equal(h.fake.count('any'), 0);
    // A listed sender, as a dual-stack socket writes it, gets through.
    assert.equal((await postJson(p.imp_uid, '::ffff:52.78.100.19')).status, 200);
    assert.equal((await postJson(p.imp_uid, '52.78.48.223')).status, 200);
  });

  it("with IAMPORT_WEBHOOK_IPS set, does not limit i'mport's own senders: a 429 is a notification i'mport never resends", async () => {
    const rateLimit = { perIp: 0, perOrder: 0, webhookPerIp: 3 };
    h = await createHarness({ rateLimit, config: { webhookIps: ['52.78.100.19'] }, ...testIp });
    const p = h.fake.addPayment({ merchant_uid: 'W-IPRL', amount: 1000 });
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push((await postJson(p.imp_uid, '52.78.100.19')).status);
    assert.deepEqual(answers, Array(10).fill(200));
    assert.equal((await postJson(p.imp_uid, '203.0.113.9')).status, 403, 'anyone else is still refused');
  });

  it("after i'mport refuses the keys, asks for a token at most once per 5 s; other webhooks fail fast with 503", async () => {
    let t = Date.now();
    const clock = { now: () => t, set: (ms: number) => void (t = ms), advance: (ms: number) => void (t += ms) };
    h = await createHarness({ clock, fake: createFakeIamport({ now: clock.now, apiSecret: 'rotated_secret' }) });
    for (let i = 0; i < 20; i++) {
      const res = await postJson(`imp_${String(i).padStart(12, '0')}`);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UPSTREAM_UNAVAILABLE');
    }
    assert.equal(h.fake.count('token'), 1);
    clock.advance(5_000);
    await postJson('imp_999999999999');
    assert.equal(h.fake.count('token'), 2);
  });

  it('answers 404 for a test-channel payment and stores nothing', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'W-SB', amount: 1000, sandbox: true });
    assert.equal((await postJson(p.imp_uid)).status, 404);
    assert.equal(await h.store.getPayment('W-SB'), null);
  });
});
