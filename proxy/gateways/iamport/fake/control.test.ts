/** @module Tests of the `/__fake` control routes the sandbox drives the fake with. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import type { FakeIamport } from './fake-iamport.ts';
import { asPayment, authed, BASE, json, setup } from './test-fixture.ts';

const control = (fake: FakeIamport, path: string, init?: RequestInit) => fake.fetch(`${BASE}/__fake${path}`, init);
const CallsSchema = v.array(v.object({ route: v.string(), status: v.number() }));

describe('/__fake control routes', () => {
  it("seeds and lists payments without an i'mport token", async () => {
    const { fake } = setup();
    const res = await control(fake, '/payments', json({ merchant_uid: 'order-1', amount: 1000, pay_method: 'vbank' }));
    assert.equal(res.status, 201);
    const seeded = asPayment(await res.json());
    assert.equal(seeded.pay_method, 'vbank');
    assert.deepEqual(fake.getPayment(seeded.imp_uid), seeded);
    const list = v.parse(v.array(v.unknown()), await (await control(fake, '/payments')).json());
    assert.deepEqual(list.map(asPayment), [seeded]);
  });

  it('refuses a seed with a misspelt field or a missing amount', async () => {
    const { fake } = setup();
    const misspelt = json({ merchant_uid: 'o', amount: 1, pay_methd: 'card' });
    assert.equal((await control(fake, '/payments', misspelt)).status, 400);
    assert.equal((await control(fake, '/payments', json({ merchant_uid: 'o' }))).status, 400);
  });

  it('queues and clears faults, resets, and shows the call log (control calls are not logged)', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 1000 });
    const api = await authed(fake);
    const lookup = () => fake.fetch(`${BASE}/payments/${imp_uid}`, { headers: { Authorization: api.token } });

    const fault = json({ kind: 'http_5xx', status: 503, route: 'payment' });
    assert.equal((await control(fake, '/faults', fault)).status, 201);
    assert.equal((await control(fake, '/faults', json({ kind: 'explode' }))).status, 400);
    assert.equal((await lookup()).status, 503);
    await control(fake, '/faults', json({ kind: 'http_5xx', route: 'payment' }));
    assert.equal((await control(fake, '/faults', { method: 'DELETE' })).status, 204);
    assert.equal((await lookup()).status, 200);

    const calls = v.parse(CallsSchema, await (await control(fake, '/calls')).json());
    assert.deepEqual(calls, [
      { route: 'token', status: 200 },
      { route: 'payment', status: 503 },
      { route: 'payment', status: 200 },
    ]);

    assert.equal((await control(fake, '/reset', { method: 'POST' })).status, 204);
    assert.equal(fake.getPayment(imp_uid), undefined);
    assert.equal(fake.calls.length, 0);
  });
});
