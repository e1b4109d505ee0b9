// The i'mport client: one token for many calls, refresh on 401, shared in-flight requests, clock skew, timeouts;
// never a test-channel payment, the paid payment of an order, answers brought to what the ledger can store.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClock, createHarness, type Harness } from '../../test-support/harness.ts';
import { patchPayments, type Rewrite, rewriteAnswers, withFetch } from '../../test-support/rewrite-answers.ts';
import { createIamportClient } from './client.ts';
import { createFakeIamport } from './fake/fake-iamport.ts';

let h: Harness;
afterEach(async () => h?.close());

const clientFor = (fake: ReturnType<typeof createFakeIamport>, now: () => number, timeoutMs = 2000) =>
  createIamportClient({
    baseUrl: 'http://iamport.test',
    apiKey: 'test_imp_key',
    apiSecret: 'test_imp_secret',
    fetch: fake.fetch,
    now,
    timeoutMs,
  });

describe("i'mport client", () => {
  it('asks for one token for 100 refunds', async () => {
    h = await createHarness();
    for (let i = 0; i < 100; i++) h.fake.addPayment({ merchant_uid: `T-${i}`, amount: 1000 });
    for (let i = 0; i < 100; i++) {
      const { res } = await h.cancel({ merchant_uid: `T-${i}`, reason: 'x' });
      assert.equal(res.status, 200);
    }
    assert.equal(h.fake.count('cancel'), 100);
    assert.equal(h.fake.count('token'), 1);
  });

  it('on HTTP 401 refreshes the token once and retries the call', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'T-401', amount: 1000 });
    await h.view('T-401');
    h.fake.expireTokens();
    const { res } = await h.cancel({ merchant_uid: 'T-401', reason: 'x' });
    assert.equal(res.status, 200);
    assert.equal(h.fake.count('token'), 2);
    const cancels = h.fake.calls.filter((c) => c.route === 'cancel');
    assert.deepEqual(
      cancels.map((c) => c.status),
      [401, 200],
    );
  });

  for (const [status, said, turnedAway] of [
    [401, 'Unauthorized', 2], // the call and its retry with a fresh token
    [429, 'Too Many Requests', 1],
  ] as const) {
    it(`a cancel i'mport turns away with HTTP ${status} refunded nothing: UPSTREAM_UNAVAILABLE, and the same key sends it again`, async () => {
      const fake = createFakeIamport();
      let left: number = turnedAway;
      const fetch: typeof globalThis.fetch = async (input, init) => {
        const cancel = new URL(input instanceof Request ? input.url : String(input)).pathname === '/payments/cancel';
        if (!cancel || left === 0) return fake.fetch(input, init);
        left -= 1;
        return Response.json({ code: -1, message: said, response: null }, { status });
      };
      h = await createHarness({ fake: withFetch(fake, fetch) });
      h.fake.addPayment({ merchant_uid: `T-${status}`, amount: 10_000 });
      await h.view(`T-${status}`);
      const body = { merchant_uid: `T-${status}`, cancel_request_amount: 3000, reason: 'x' };
      const first = await h.cancel(body, { key: `turned-away-${status}` });
      assert.deepEqual([first.res.status, first.body.error.code], [503, 'UPSTREAM_UNAVAILABLE']);
      assert.match(first.body.error.message, /nothing was refunded/);
      const [attempt] = await h.store.listAttempts(`T-${status}`);
      assert.deepEqual([attempt!.outcome, attempt!.error_code], ['failed', 'UPSTREAM_UNAVAILABLE']);
      const again = await h.cancel(body, { key: `turned-away-${status}` });
      assert.deepEqual([again.res.status, again.body.refunded], [200, 3000]);
      assert.equal(h.fake.count('cancel'), 1, 'applied once, by the retry');
    });
  }

  it('shares one in-flight getToken among concurrent callers', async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'T-C', amount: 1 });
    fake.inject({ kind: 'delay', route: 'token', ms: 50 });
    const client = clientFor(fake, clock.now);
    const results = await Promise.all(Array.from({ length: 10 }, () => client.getPayment(p.imp_uid)));
    assert.ok(results.every((r) => r.kind === 'ok'));
    assert.equal(fake.count('token'), 1);
  });

  it("reuses the token until about a minute before expiry by the server's clock, even when ours is an hour off", async () => {
    const serverClock = createClock();
    const localClock = createClock(Date.now() - 3600_000); // our clock is an hour behind i'mport's
    const fake = createFakeIamport({ now: serverClock.now });
    const p = fake.addPayment({ merchant_uid: 'T-S', amount: 1 });
    const client = clientFor(fake, localClock.now);
    await client.getPayment(p.imp_uid);
    serverClock.advance(28 * 60_000);
    localClock.advance(28 * 60_000);
    await client.getPayment(p.imp_uid);
    assert.equal(fake.count('token'), 1, 'still valid for 2 minutes: reused');
    serverClock.advance(90_000);
    localClock.advance(90_000);
    await client.getPayment(p.imp_uid);
    assert.equal(fake.count('token'), 2, "within the last minute: asked again (i'mport extends the same token)");
    assert.ok(
      fake.calls.filter((c) => c.route === 'payment').every((c) => c.status === 200),
      'no call was refused',
    );
  });

  it('gives up after its timeout and says so', async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'T-T', amount: 1 });
    fake.inject({ kind: 'delay', route: 'payment', ms: 2000 });
    const client = clientFor(fake, clock.now, 100);
    const result = await client.getPayment(p.imp_uid);
    assert.deepEqual(result.kind === 'unavailable' && result.reason, 'timeout');
  });

  it('tells a refusal (HTTP 200, code != 0) from an unknown outcome (5xx, dropped connection)', async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'T-R', amount: 1000 });
    const client = clientFor(fake, clock.now);
    const params = { imp_uid: p.imp_uid, amount: 1000, checksum: 999, reason: 'x' };
    const refused = await client.cancelPayment(params);
    assert.equal(refused.kind, 'refused');
    // No answer: i'mport may still be running the cancel (it waits on the PG, and goes on when the client has gone).
    fake.inject({ kind: 'http_5xx', route: 'cancel', status: 500 });
    const failed = await client.cancelPayment({ ...params, checksum: 1000 });
    assert.deepEqual([failed.kind, failed.kind === 'unknown' && failed.stillRunning], ['unknown', true]);
    fake.inject({ kind: 'drop', route: 'cancel' });
    const dropped = await client.cancelPayment({ ...params, checksum: 1000 });
    assert.deepEqual([dropped.kind, dropped.kind === 'unknown' && dropped.stillRunning], ['unknown', true]);
    assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 0);
  });

  it('says a cancel whose connection was refused was not sent: nothing listened, so nothing can apply', async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'T-C', amount: 1000 });
    let refuse = false;
    const client = createIamportClient({
      baseUrl: 'http://iamport.test',
      apiKey: 'test_imp_key',
      apiSecret: 'test_imp_secret',
      now: clock.now,
      // Node's fetch when nothing listens at the address.
      fetch: async (url, init) => {
        if (!refuse) return fake.fetch(url, init);
        const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
        throw new TypeError('fetch failed', { cause });
      },
    });
    assert.equal((await client.getPayment(p.imp_uid)).kind, 'ok', 'a token is had first');
    refuse = true;
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, checksum: 1000, reason: 'x' });
    assert.equal(result.kind, 'not_sent');
  });
});

/** A client on the fake whose answers `rewrite` may change; `urls` records every URL asked and `logs` what it logged. */
const oddClient = (options: { rewrite?: Rewrite; apiSecret?: string } = {}) => {
  // A clock that moves only when told, so "4,999 ms later" is exact.
  let t = Date.now();
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const fake = createFakeIamport({ now: clock.now });
  const urls: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const rewritten = rewriteAnswers(fake.fetch, options.rewrite ?? (() => undefined));
  const client = createIamportClient({
    baseUrl: 'http://iamport.test',
    apiKey: 'test_imp_key',
    apiSecret: options.apiSecret ?? 'test_imp_secret',
    fetch: (url, init) => {
      urls.push(url);
      return rewritten(url, init);
    },
    now: clock.now,
    timeoutMs: 2000,
    log: (line) => logs.push(line),
  });
  return { clock, fake, client, urls, logs };
};

describe("i'mport client: what it asks for and what it believes", () => {
  it('never asks for test-channel payments, and treats one that comes back as not found', async () => {
    const { fake, client, urls } = oddClient();
    const test = fake.addPayment({ merchant_uid: 'T-SB', amount: 1000, sandbox: true });
    assert.deepEqual(await client.getPayment(test.imp_uid), { kind: 'not_found' });
    // i'mport's find does not filter test channels: the answer itself is dropped.
    assert.deepEqual(await client.findPayment('T-SB'), { kind: 'not_found' });
    assert.ok(urls.length > 0 && urls.every((u) => !u.includes('include_sandbox')), urls.join(' '));
  });

  it("never returns a test-channel payment from a change, even when i'mport answers with one", async () => {
    const { fake, client, logs } = oddClient({
      rewrite: patchPayments(
        (p) => (p.sandbox = true),
        (path) => path === '/payments/cancel',
      ),
    });
    const p = fake.addPayment({ merchant_uid: 'T-SBC', amount: 1000 });
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, checksum: 1000, reason: 'x' });
    assert.deepEqual(result.kind === 'unknown' && result.reason, 'bad_response');
    assert.ok(logs.some((l) => l.level === 'error'));
  });

  it('finds the paid payment of an order whose newest try failed, and never answers with the failed try', async () => {
    h = await createHarness();
    const t = Math.floor(h.clock.now() / 1000);
    const paid = h.fake.addPayment({ merchant_uid: 'T-RETRY', amount: 5000, started_at: t - 600, paid_at: t - 590 });
    h.fake.addPayment({ merchant_uid: 'T-RETRY', amount: 5000, status: 'failed', started_at: t - 60 });
    const view = await h.view('T-RETRY');
    assert.equal(view.res.status, 200);
    assert.deepEqual([view.body.status, view.body.refundable], ['paid', true]);
    assert.equal((await h.store.getPayment('T-RETRY'))!.imp_uid, paid.imp_uid);
    // Partly refunded (status cancelled) behind an unpaid virtual account opened later: the cancelled one.
    const cancelled = h.fake.addPayment({
      merchant_uid: 'T-RETRY2',
      amount: 5000,
      cancel_amount: 1000,
      status: 'cancelled',
      started_at: t - 600,
    });
    h.fake.addPayment({
      merchant_uid: 'T-RETRY2',
      amount: 5000,
      pay_method: 'vbank',
      status: 'ready',
      started_at: t - 60,
    });
    assert.equal((await h.view('T-RETRY2')).body.cancel_amount, 1000);
    assert.equal((await h.store.getPayment('T-RETRY2'))!.imp_uid, cancelled.imp_uid);
    // Only failed tries: the plain answer stands (not paid).
    h.fake.addPayment({ merchant_uid: 'T-FAILED', amount: 5000, status: 'failed' });
    assert.deepEqual((await h.view('T-FAILED')).body.reason, 'not_paid');
  });

  it('answers unavailable, not the failed try, when the paid lookup cannot be made', async () => {
    const { fake, client } = oddClient({
      rewrite: ({ path }) => (path.endsWith('/paid') ? { status: 503, json: {} } : undefined),
    });
    fake.addPayment({ merchant_uid: 'T-DOWN', amount: 5000, started_at: 1 });
    fake.addPayment({ merchant_uid: 'T-DOWN', amount: 5000, status: 'failed', started_at: 2 });
    assert.equal((await client.findPayment('T-DOWN')).kind, 'unavailable');
  });

  it("never sends an id that URL parsing would make a path step (., ..) to i'mport", async () => {
    const { fake, client, urls } = oddClient();
    assert.deepEqual(await client.getPayment('..'), { kind: 'not_found' });
    assert.deepEqual(await client.getPayment('.'), { kind: 'not_found' });
    assert.deepEqual(await client.getPayment(''), { kind: 'not_found' });
    assert.deepEqual(await client.findPayment('..'), { kind: 'not_found' });
    assert.equal((await client.revokeVbank('..')).kind, 'not_sent');
    assert.deepEqual(urls, [], 'not even a token was asked for');
    assert.equal(fake.count('any'), 0);
  });

  it('brings every time to whole seconds (fractions truncated, milliseconds converted)', async () => {
    const { fake, client } = oddClient({
      rewrite: patchPayments((p) => {
        p.paid_at = 1796234270.153;
        p.cancelled_at = 1796234370153; // milliseconds
        p.cancel_history[0].cancelled_at = 1796234370.9;
      }),
    });
    const p = fake.addPayment({
      merchant_uid: 'T-TIME',
      amount: 1000,
      status: 'cancelled',
      cancel_history: [
        { pg_tid: 'x', amount: 100, cancelled_at: 1796234370, reason: 'r', cancellation_id: 'c1', receipt_url: null },
      ],
    });
    const result = await client.getPayment(p.imp_uid);
    // The payment's own cancelled_at (not kept by the proxy) in milliseconds is read as a time, not refused.
    assert.equal(result.kind, 'ok', 'a cancelled_at in milliseconds is accepted');
    if (result.kind !== 'ok') return;
    assert.deepEqual(
      [result.payment.paid_at, result.payment.cancel_history[0]!.cancelled_at],
      [1796234270, 1796234370],
    );
  });

  it('refuses what the ledger cannot store as bad_response, naming the field in an error log', async () => {
    const cases: Array<[string, (p: any) => void]> = [
      ['paid_at', (p) => (p.paid_at = '1796234270')],
      ['paid_at', (p) => (p.paid_at = -5)],
      ['paid_at', (p) => (p.paid_at = 1796234270153000)], // microseconds: neither seconds nor milliseconds
      ['amount', (p) => (p.amount = -1000)],
      ['cancel_amount', (p) => (p.cancel_amount = '0')],
      ['cancel_history.0.cancelled_at', (p) => (p.cancel_history = [{ amount: 1, cancelled_at: 'yesterday' }])],
    ];
    for (const [field, patch] of cases) {
      const { fake, client, logs } = oddClient({ rewrite: patchPayments(patch) });
      const p = fake.addPayment({ merchant_uid: 'T-BAD', amount: 1000 });
      const result = await client.getPayment(p.imp_uid);
      assert.deepEqual(result.kind === 'unavailable' && result.reason, 'bad_response', field);
      assert.ok(
        logs.some((l) => l.level === 'error' && l.field === field),
        `${field}: ${JSON.stringify(logs)}`,
      );
    }
  });

  it('answers a payment with more cancelled than paid as unavailable (inconsistent), logged at error level', async () => {
    const { fake, client, logs } = oddClient({ rewrite: patchPayments((p) => (p.cancel_amount = 1500)) });
    const p = fake.addPayment({ merchant_uid: 'T-INC', amount: 1000 });
    assert.deepEqual(await client.getPayment(p.imp_uid), {
      kind: 'unavailable',
      reason: 'inconsistent',
      detail: `cancel_amount 1500 exceeds amount 1000 (${p.imp_uid})`,
    });
    assert.ok(logs.some((l) => l.level === 'error' && l.amount === 1000 && l.cancel_amount === 1500));
    // A cancel answered with such a payment is not believed either: whether it applied is for a re-fetch to say.
    const cancel = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 100, checksum: 1000, reason: 'x' });
    assert.deepEqual(cancel.kind === 'unknown' && cancel.reason, 'inconsistent');
  });

  it("keeps i'mport's message from a 4xx body, with or without its envelope", async () => {
    const bodies = [
      { json: { message: '시뮬레이터: 취소 불가' }, said: '시뮬레이터: 취소 불가' },
      { json: { error: { message: 'simulator refused' } }, said: 'simulator refused' },
      { json: { code: 3, message: '환불계좌 오류', response: null }, said: '환불계좌 오류' },
    ];
    for (const { json, said } of bodies) {
      const { fake, client } = oddClient({
        rewrite: ({ path }) => (path === '/payments/cancel' ? { status: 400, json } : undefined),
      });
      const p = fake.addPayment({ merchant_uid: 'T-4XX', amount: 1000 });
      const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, checksum: 1000, reason: 'x' });
      assert.deepEqual(result.kind === 'refused' && [result.message, result.httpStatus], [said, 400]);
    }
  });

  it('after a refused key asks getToken at most once per 5 s; every other call fails at once', async () => {
    const { clock, fake, client } = oddClient({ apiSecret: 'wrong_secret' });
    const p = fake.addPayment({ merchant_uid: 'T-KEY', amount: 1000 });
    const first = await Promise.all(Array.from({ length: 5 }, () => client.getPayment(p.imp_uid)));
    for (let i = 0; i < 20; i++) first.push(await client.getPayment(p.imp_uid));
    assert.ok(first.every((r) => r.kind === 'unavailable' && r.reason === 'auth'));
    assert.equal(fake.count('token'), 1);
    clock.advance(4_999);
    await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1, checksum: 1000, reason: 'x' });
    assert.equal(fake.count('token'), 1);
    clock.advance(1);
    assert.equal((await client.getPayment(p.imp_uid)).kind, 'unavailable');
    assert.equal(fake.count('token'), 2);
    assert.equal(fake.count('cancel') + fake.count('payment'), 0);
  });

  it('reads a token answer in milliseconds as seconds, so the token is still renewed before it expires', async () => {
    const { clock, fake, client } = oddClient({
      rewrite: ({ path, json }) =>
        path === '/users/getToken'
          ? {
              json: {
                ...json,
                response: {
                  ...json.response,
                  now: json.response.now * 1000,
                  expired_at: json.response.expired_at * 1000,
                },
              },
            }
          : undefined,
    });
    const p = fake.addPayment({ merchant_uid: 'T-MS', amount: 1000 });
    await client.getPayment(p.imp_uid);
    clock.advance(29.5 * 60_000);
    assert.equal((await client.getPayment(p.imp_uid)).kind, 'ok');
    assert.equal(fake.count('token'), 2);
  });
});

describe("i'mport client: timing its calls", () => {
  it('tells recordCall of every exchange by call, timed on the injected stopwatch, a timed-out one included', async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'T-W', amount: 1000 });
    let ms = 0;
    const recorded: [string, number][] = [];
    const client = createIamportClient({
      baseUrl: 'http://iamport.test',
      apiKey: 'test_imp_key',
      apiSecret: 'test_imp_secret',
      fetch: fake.fetch,
      now: clock.now,
      timeoutMs: 100,
      // Each reading is 250 ms after the one before: every exchange takes 0.25 s on this stopwatch.
      stopwatch: () => (ms += 250),
      recordCall: (call, seconds) => recorded.push([call, seconds]),
    });
    await client.findPayment('T-W');
    await client.getPayment(p.imp_uid);
    await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, reason: 'x', checksum: 1000 });
    fake.inject({ kind: 'delay', route: 'payment', ms: 2000 });
    await client.getPayment(p.imp_uid);
    assert.deepEqual(recorded, [
      ['token', 0.25],
      ['find', 0.25],
      ['payment', 0.25],
      ['cancel', 0.25],
      ['payment', 0.25],
    ]);
  });
});
