/**
 * @module Tests of the injected faults (the V1 fake's delay, http_5xx, pg_refusal, drop, lose_response, hold_response,
 * and stall), the call log and counts, reset, and the fault control routes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { givenUp } from '../../../test-support/given-up.ts';
import { api, BASE, postJson, readAnswer, setup, until } from './test-fixture.ts';

const paid = () => {
  const fixture = setup();
  fixture.fake.addPayment({ paymentId: 'order-1', total: 10000 });
  return fixture;
};
const cancelUrl = `${BASE}/payments/order-1/cancel`;

describe('delay fault', () => {
  it('delays only the route it names and answers as usual afterwards', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'delay', ms: 60_000, route: 'payment' });
    const controller = new AbortController();
    let answered = false;
    const lookup = fake.fetch(`${BASE}/payments/order-1`, {
      headers: { Authorization: `PortOne ${fake.apiSecret}` },
      signal: controller.signal,
    });
    void lookup.then(
      () => (answered = true),
      () => undefined,
    );
    assert.equal((await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 1 })).status, 200);
    assert.equal(answered, false, 'the lookup still waits');
    controller.abort();
    await assert.rejects(lookup, { name: 'AbortError' });
    fake.inject({ kind: 'delay', ms: 1, route: 'payment' });
    assert.equal((await api(fake).get('/payments/order-1')).status, 200);
    assert.deepEqual(
      fake.calls.map((call) => [call.route, call.fault]),
      [
        ['payment', 'delay'],
        ['cancel', undefined],
        ['payment', 'delay'],
      ],
    );
  });

  it('applies nothing when the caller gives up during the delay (the request never reached PortOne)', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'delay', ms: 10_000, route: 'cancel' });
    const controller = new AbortController();
    const request = fake.fetch(cancelUrl, { ...postJson(fake, { reason: 'r' }), signal: controller.signal });
    await until(() => fake.count('cancel') === 1);
    controller.abort();
    await assert.rejects(request, { name: 'AbortError' });
    await until(() => fake.calls[0]?.status === 499);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
  });
});

describe('http_5xx, drop, lose_response, hold_response', () => {
  it('http_5xx: the load balancer’s HTML page (502 by default), nothing applied', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'http_5xx', route: 'cancel' });
    fake.inject({ kind: 'http_5xx', status: 503 });
    const first = await fake.fetch(cancelUrl, postJson(fake, { reason: 'r' }));
    assert.equal(first.status, 502);
    assert.match(first.headers.get('content-type') ?? '', /text\/html/);
    assert.equal((await fake.fetch(cancelUrl, postJson(fake, { reason: 'r' }))).status, 503);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
    assert.equal((await fake.fetch(cancelUrl, postJson(fake, { reason: 'r' }))).status, 200, 'each used up once');
  });

  it('drop: fetch rejects as Node’s does, nothing applied', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'drop', route: 'cancel' });
    await assert.rejects(fake.fetch(cancelUrl, postJson(fake, { reason: 'r' })), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'fetch failed');
      assert.equal((error.cause as { code?: string }).code, 'UND_ERR_SOCKET');
      return true;
    });
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
  });

  it('lose_response: applied, then the connection drops', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'lose_response' });
    await assert.rejects(fake.fetch(cancelUrl, postJson(fake, { reason: 'r', amount: 3000 })), {
      message: 'fetch failed',
    });
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 3000);
    assert.deepEqual(
      fake.calls.map((call) => [call.route, call.status, call.fault]),
      [['cancel', 200, 'lose_response']],
    );
  });

  it('lose_response on close: the account is closed though the caller never hears it', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'va', total: 1000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    fake.inject({ kind: 'lose_response', route: 'close' });
    await assert.rejects(fake.fetch(`${BASE}/payments/va/virtual-account/close`, postJson(fake, {})), {
      message: 'fetch failed',
    });
    assert.equal(fake.getPayment('va')?.status, 'FAILED');
  });

  it('hold_response: applied at once, the answer held back until the caller gives up', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'hold_response', ms: 60_000 });
    const controller = new AbortController();
    const request = fake.fetch(cancelUrl, { ...postJson(fake, { reason: 'r' }), signal: controller.signal });
    await until(() => fake.getPayment('order-1')?.status === 'CANCELLED');
    controller.abort();
    await assert.rejects(request, { name: 'AbortError' });
  });
});

describe('stall fault (over HTTP control routes too)', () => {
  it('holds a cancel at the PG until POST /__fake/release', async () => {
    const { fake } = paid();
    const queued = await fake.app.request('/__fake/faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'stall' }),
    });
    assert.equal(queued.status, 201);
    const request = api(fake).post('/payments/order-1/cancel', { reason: 'r' });
    await until(() => fake.stalled === 1);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0, 'not applied while stalled');
    const released = await fake.app.request('/__fake/release', { method: 'POST' });
    assert.deepEqual(await released.json(), { released: 1 });
    assert.equal((await request).status, 200);
  });

  it('refuses an invalid fault with 400', async () => {
    const { fake } = setup();
    const res = await fake.app.request('/__fake/faults', {
      method: 'POST',
      body: JSON.stringify({ kind: 'stall', route: 'payment' }),
    });
    assert.equal(res.status, 400);
  });
});

describe('call log, counts and reset', () => {
  it('logs each V2 request (method, path, route, body, Idempotency-Key, status) but not the control routes', async () => {
    const { fake } = paid();
    await api(fake).get('/payments/order-1');
    await api(fake).post(
      '/payments/order-1/cancel',
      { reason: 'r', amount: 10 },
      { 'Idempotency-Key': '"abcdefghijklmnop"' },
    );
    await fake.app.request('/__fake/calls');
    assert.deepEqual(
      fake.calls.map(({ method, path, route, body, idempotencyKey, status }) => ({
        method,
        path,
        route,
        body,
        idempotencyKey,
        status,
      })),
      [
        {
          method: 'GET',
          path: '/payments/order-1',
          route: 'payment',
          body: undefined,
          idempotencyKey: undefined,
          status: 200,
        },
        {
          method: 'POST',
          path: '/payments/order-1/cancel',
          route: 'cancel',
          body: { reason: 'r', amount: 10 },
          idempotencyKey: '"abcdefghijklmnop"',
          status: 200,
        },
      ],
    );
    assert.deepEqual(
      [fake.count('payment'), fake.count('cancel'), fake.count('holder'), fake.count('any')],
      [1, 1, 0, 2],
    );
  });

  it('reset forgets payments, faults, keys, calls and restores the switches', async () => {
    const { fake } = paid();
    fake.settings.platformEnabled = true;
    const key = { 'Idempotency-Key': '"reset-0123456789abcdef"' };
    const before = await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key);
    assert.equal((await readAnswer(await fake.fetch(`${BASE}/payments/order-1`))).status, 401);
    fake.inject({ kind: 'http_5xx' });
    fake.reset();
    assert.deepEqual(
      [fake.calls.length, fake.getPayment('order-1'), fake.settings.platformEnabled],
      [0, undefined, false],
    );
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    assert.equal((await api(fake).get('/payments/order-1')).status, 200, 'the 5xx fault is gone');
    const after = await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key);
    assert.notDeepEqual(after.body, before.body, 'the key was forgotten: a new cancellation, not a replay');
  });
});

describe('apply_later fault', () => {
  it('holds a cancel (its key outstanding) until the test applies it; the key then replays that cancel', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'apply_later' });
    const key = { 'Idempotency-Key': '"late-key-000000001"' };
    const body = { reason: 'r', amount: 3000, currentCancellableAmount: 10000 };
    await assert.rejects(
      fake.fetch(cancelUrl, { ...postJson(fake, body, key), signal: givenUp(() => fake.heldLate().length) }),
    );
    assert.deepEqual(
      fake.heldLate().map((c) => c.payment),
      ['order-1'],
    );
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0, 'not applied while held');
    const again = await api(fake).post('/payments/order-1/cancel', body, key);
    assert.equal(again.body.type, 'IDEMPOTENCY_OUTSTANDING_REQUEST');
    assert.equal(await fake.settleLate(() => true, 'apply'), 1);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 3000);
    const replayed = await api(fake).post('/payments/order-1/cancel', body, key);
    assert.equal(replayed.status, 200);
    assert.equal(
      (replayed.body as { cancellation: { id: string } }).cancellation.id,
      fake.getPayment('order-1')?.cancellations[0]?.id,
    );
  });

  it('drops a held cancel as the PG refusing it, which the key then replays', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'apply_later' });
    const key = { 'Idempotency-Key': '"late-key-000000002"' };
    await assert.rejects(
      fake.fetch(cancelUrl, { ...postJson(fake, { reason: 'r' }, key), signal: givenUp(() => fake.heldLate().length) }),
    );
    assert.equal(await fake.settleLate(() => true, 'drop'), 1);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
    assert.equal((await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key)).body.type, 'PG_PROVIDER');
  });
});
