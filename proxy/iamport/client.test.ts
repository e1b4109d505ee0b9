// The i'mport client: one token for many calls, refresh on 401, shared in-flight requests, clock skew, timeouts.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { createIamportClient } from './client.ts';
import { createFakeIamport } from './fake/fake-iamport.ts';

let h: Harness;
afterEach(async () => h?.close());

const clientFor = (fake: ReturnType<typeof createFakeIamport>, now: () => number, timeoutMs = 2000) =>
  createIamportClient({ baseUrl: 'http://iamport.test', apiKey: 'test_imp_key', apiSecret: 'test_imp_secret', fetch: fake.fetch, now, timeoutMs });

describe('i\'mport client', () => {
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
    assert.deepEqual(cancels.map((c) => c.status), [401, 200]);
  });

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

  it('reuses the token until about a minute before expiry by the server\'s clock, even when ours is an hour off', async () => {
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
    assert.equal(fake.count('token'), 2, 'within the last minute: asked again (i\'mport extends the same token)');
    assert.ok(fake.calls.filter((c) => c.route === 'payment').every((c) => c.status === 200), 'no call was refused');
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
    fake.inject({ kind: 'http_5xx', route: 'cancel', status: 500 });
    assert.equal((await client.cancelPayment({ ...params, checksum: 1000 })).kind, 'unknown');
    fake.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await client.cancelPayment({ ...params, checksum: 1000 })).kind, 'unknown');
    assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 0);
  });
});
