/**
 * @module Tests of injected faults (delay, http_5xx, pg_refusal, drop, lose_response, hold_response), reset and
 * counting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { givenUp } from '../../../test-support/given-up.ts';
import { authed, BASE, json, readEnvelope, setup } from './test-fixture.ts';

const paidCard = ({ fake }: ReturnType<typeof setup>) => fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('delay fault', () => {
  it('delays only the route it names, and answers as usual once the delay is over', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const api = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'delay', ms: 60_000, route: 'payment' });
    const controller = new AbortController();
    let lookupAnswered = false;
    const lookup = fixture.fake.fetch(`${BASE}/payments/${imp_uid}`, {
      headers: { Authorization: `Bearer ${api.token}` },
      signal: controller.signal,
    });
    void lookup.then(
      () => (lookupAnswered = true),
      () => undefined,
    );
    assert.equal((await api.post('/payments/cancel', { imp_uid, amount: 1 })).code, 0, 'the cancel is not delayed');
    assert.equal(lookupAnswered, false, 'the lookup still waits');
    controller.abort();
    await assert.rejects(lookup, { name: 'AbortError' });

    fixture.fake.inject({ kind: 'delay', ms: 1, route: 'payment' });
    assert.equal((await api.get(`/payments/${imp_uid}`)).code, 0);
    assert.deepEqual(
      fixture.fake.calls.map((c) => [c.route, c.fault]),
      [
        ['token', undefined],
        ['payment', 'delay'],
        ['cancel', undefined],
        ['payment', 'delay'],
      ],
    );
  });

  it('stops waiting when the request is aborted: rejects with an AbortError, applies nothing', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const { token } = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'delay', ms: 10_000, route: 'cancel' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const request = fixture.fake.fetch(`${BASE}/payments/cancel`, {
      ...json({ imp_uid }, token),
      signal: controller.signal,
    });
    // Not after the 10 s delay: the request would then have answered, not rejected.
    await assert.rejects(request, { name: 'AbortError' });
    await settle();
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 0);
    assert.deepEqual(
      fixture.fake.calls.map((c) => [c.route, c.status, c.fault]),
      [
        ['token', 200, undefined],
        ['cancel', 499, 'delay'],
      ],
    );
  });

  it('rejects at once with the abort reason when the signal is already aborted', async () => {
    const { fake } = setup();
    const reason = new Error('gave up');
    const request = fake.fetch(`${BASE}/users/getToken`, { ...json({}), signal: AbortSignal.abort(reason) });
    await assert.rejects(request, (error) => error === reason);
    assert.equal(fake.count('any'), 0);
  });
});

describe('http_5xx fault', () => {
  it('answers 502 with a non-JSON body by default and applies nothing', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const { token } = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'http_5xx', route: 'cancel' });
    const res = await fixture.fake.fetch(`${BASE}/payments/cancel`, json({ imp_uid }, token));
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    await assert.rejects(res.json());
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 0);
  });

  it('answers a 500 as an envelope, for as many requests as `times`', async () => {
    const { fake } = setup();
    fake.inject({ kind: 'http_5xx', status: 500, times: 2 });
    const first = await fake.fetch(`${BASE}/users/getToken`, json({})).then(readEnvelope);
    assert.equal(first.status, 500);
    assert.equal(first.code, -1);
    assert.equal((await fake.fetch(`${BASE}/payments/imp_1`)).status, 500);
    assert.equal((await fake.fetch(`${BASE}/payments/imp_1`)).status, 401);
  });
});

describe('pg_refusal fault', () => {
  it('refuses the next cancel as the PG would (HTTP 200, code -1) and applies nothing', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const api = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'pg_refusal', message: 'requested cancel amount is bigger than cancelable amount' });
    fixture.fake.inject({ kind: 'pg_refusal' });
    assert.deepEqual(await api.post('/payments/cancel', { imp_uid }), {
      status: 200,
      code: -1,
      message: '결제취소에 실패하였습니다.(requested cancel amount is bigger than cancelable amount)',
      response: null,
    });
    const second = await api.post('/payments/cancel', { imp_uid });
    assert.equal(second.code, -1);
    assert.match(second.message ?? '', /^결제취소에 실패하였습니다\.\(.+\)$/);
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 0);
    assert.equal((await api.post('/payments/cancel', { imp_uid })).code, 0);
  });

  it("is only used up by a cancel that gets past i'mport's own checks", async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const api = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await api.get(`/payments/${imp_uid}`)).code, 0);
    assert.equal((await api.post('/payments/cancel', { imp_uid: 'imp_000000000000' })).code, 1);
    assert.equal((await api.post('/payments/cancel', { imp_uid })).code, -1);
  });
});

describe('drop fault', () => {
  it('rejects like a dropped connection and applies nothing', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const { token } = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'drop', route: 'cancel' });
    const send = () => fixture.fake.fetch(`${BASE}/payments/cancel`, json({ imp_uid }, token));
    await assert.rejects(send(), { name: 'TypeError', message: 'fetch failed' });
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 0);
    const call = fixture.fake.calls.at(-1);
    assert.equal(call?.status, 0);
    assert.equal(call?.fault, 'drop');
    assert.equal((await send()).status, 200);
  });
});

describe('hold_response fault', () => {
  it('applies the cancel at once and holds the answer back, then answers as usual', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const { token } = await authed(fixture.fake);
    const cancel = (amount: number, checksum: number, signal?: AbortSignal) =>
      fixture.fake.fetch(`${BASE}/payments/cancel`, { ...json({ imp_uid, amount, checksum }, token), signal });

    fixture.fake.inject({ kind: 'hold_response', ms: 60_000 });
    const controller = new AbortController();
    let answered = false;
    const held = cancel(4000, 10000, controller.signal);
    void held.then(
      () => (answered = true),
      () => undefined,
    );
    const applied = () => fixture.fake.getPayment(imp_uid)?.cancel_amount === 4000;
    for (let i = 0; i < 200 && !applied(); i++) await settle();
    assert.ok(applied(), 'applied at once');
    assert.equal(answered, false, 'the answer is still held');
    controller.abort();
    await assert.rejects(held, { name: 'AbortError' });

    fixture.fake.inject({ kind: 'hold_response', ms: 1 });
    const answer = await cancel(1000, 6000).then(readEnvelope);
    assert.equal(answer.code, 0);
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 5000);
  });
});

describe('lose_response fault', () => {
  it('applies the cancel, then rejects; a retry with the same checksum is refused', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const { token } = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'lose_response' });
    const body = { imp_uid, amount: 4000, checksum: 10000 };
    const send = () => fixture.fake.fetch(`${BASE}/payments/cancel`, json(body, token));
    await assert.rejects(send(), { name: 'TypeError', message: 'fetch failed' });
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 4000);
    const retry = await send().then(readEnvelope);
    assert.notEqual(retry.code, 0);
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_history.length, 1);
  });

  it('leaves other routes alone', async () => {
    const { fake } = setup();
    fake.inject({ kind: 'lose_response' });
    assert.equal((await fake.fetch(`${BASE}/users/getToken`, json({}))).status, 400);
  });

  it("with route 'vbank', revokes the virtual account and then rejects, leaving cancels alone", async () => {
    const fixture = setup();
    const { imp_uid } = fixture.fake.addPayment({
      merchant_uid: 'vb-1',
      amount: 5000,
      pay_method: 'vbank',
      status: 'ready',
    });
    const { token } = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'lose_response', route: 'vbank' });
    const card = paidCard(fixture);
    const cancelled = await fixture.fake
      .fetch(`${BASE}/payments/cancel`, json({ imp_uid: card.imp_uid, amount: 1000 }, token))
      .then(readEnvelope);
    assert.equal(cancelled.code, 0, 'the cancel was answered');
    const revoke = fixture.fake.fetch(`${BASE}/vbanks/${imp_uid}?pg_api_key=k`, {
      method: 'DELETE',
      headers: { Authorization: token },
    });
    await assert.rejects(revoke, { name: 'TypeError', message: 'fetch failed' });
    assert.equal(fixture.fake.getPayment(imp_uid)?.status, 'failed', 'the revocation was applied');
  });
});

describe('fault queue, reset and counting', () => {
  it('clearFaults() drops queued faults', async () => {
    const { fake } = setup();
    fake.inject({ kind: 'http_5xx', times: 5 });
    fake.clearFaults();
    assert.equal((await fake.fetch(`${BASE}/payments/imp_1`)).status, 401);
  });

  it('rejects a malformed fault', () => {
    const { fake } = setup();
    assert.throws(() => fake.inject({ kind: 'http_5xx', status: 404 }));
  });

  it('count() counts requests per route; reset() forgets payments, tokens, faults and calls', async () => {
    const fixture = setup();
    const { fake } = fixture;
    const { imp_uid } = paidCard(fixture);
    const api = await authed(fake);
    await api.get(`/payments/${imp_uid}`);
    await api.get('/payments/find/order-1');
    await api.post('/payments/cancel', { imp_uid, amount: 1 });
    await api.del(`/vbanks/${imp_uid}`);
    await fake.fetch(`${BASE}/nowhere`);
    assert.deepEqual(
      (['token', 'payment', 'find', 'cancel', 'vbank', 'any'] as const).map((route) => fake.count(route)),
      [1, 1, 1, 1, 1, 6],
    );
    fake.inject({ kind: 'drop' });
    fake.reset();
    assert.equal(fake.calls.length, 0);
    assert.equal(fake.getPayment(imp_uid), undefined);
    const lookup = await fake.fetch(`${BASE}/payments/${imp_uid}`, { headers: { Authorization: api.token } });
    assert.equal(lookup.status, 401);
  });
});

describe('apply_later fault', () => {
  it('answers nobody and applies nothing until the test applies the cancel, then as the PG finishing it then', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const api = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'apply_later' });
    const sent = fixture.fake.fetch(`${BASE}/payments/cancel`, {
      ...json({ imp_uid, amount: 3000, checksum: 10000, reason: 'r' }, api.token),
      signal: givenUp(() => fixture.fake.heldLate().length),
    });
    await assert.rejects(sent, { name: 'TimeoutError' });
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 0, 'not applied while held');
    assert.equal(fixture.fake.heldLate().length, 1);
    // Someone else cancels meanwhile: the held cancel's checksum is i'mport's check, made before the PG had it.
    assert.equal((await api.post('/payments/cancel', { imp_uid, amount: 1000 })).code, 0);
    assert.equal(await fixture.fake.settleLate(() => true, 'apply'), 1);
    const payment = fixture.fake.getPayment(imp_uid)!;
    assert.deepEqual([payment.cancel_amount, payment.cancel_history.map((c) => c.amount)], [4000, [1000, 3000]]);
    assert.deepEqual(fixture.fake.heldLate(), []);
  });

  it('drops a held cancel (the PG refused it), and applies one no longer within the balance as refused', async () => {
    const fixture = setup();
    const { imp_uid } = paidCard(fixture);
    const api = await authed(fixture.fake);
    fixture.fake.inject({ kind: 'apply_later', times: 2 });
    let picked = 0;
    for (const [i, amount] of [4000, 7000].entries())
      await assert.rejects(
        fixture.fake.fetch(`${BASE}/payments/cancel`, {
          ...json({ imp_uid, amount, reason: 'r' }, api.token),
          signal: givenUp(() => fixture.fake.heldLate().length, i + 1),
        }),
      );
    assert.equal(await fixture.fake.settleLate(() => picked++ === 0, 'drop'), 1);
    assert.equal((await api.post('/payments/cancel', { imp_uid, amount: 5000 })).code, 0);
    assert.equal(await fixture.fake.settleLate(() => true, 'apply'), 1);
    assert.equal(fixture.fake.getPayment(imp_uid)?.cancel_amount, 5000, 'only the console cancel');
  });
});
