/** @module Tests of the fake PortOne V2 over real loopback HTTP: answers, control routes, a drop and a lost answer. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ServedFake, serveFakePortOne } from './serve-node.ts';
import { postJson, readAnswer, setup } from './test-fixture.ts';

describe('serveFakePortOne over loopback HTTP', () => {
  const { fake } = setup();
  let served: ServedFake;
  const cancel = (paymentId: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${served.url}/payments/${paymentId}/cancel`, postJson(fake, body, headers));

  before(async () => {
    served = await serveFakePortOne(fake);
  });
  after(() => served.close());

  it('listens on 127.0.0.1 on a free port and answers with PortOne auth', async () => {
    assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const seeded = await fetch(`${served.url}/__fake/payments`, {
      method: 'POST',
      body: JSON.stringify({ paymentId: 'http-1', total: 10000 }),
    });
    assert.equal(seeded.status, 201);
    const answer = await readAnswer(
      await fetch(`${served.url}/payments/http-1`, { headers: { Authorization: `PortOne ${fake.apiSecret}` } }),
    );
    assert.deepEqual([answer.status, answer.body.status], [200, 'PAID']);
  });

  it('drops the connection on a drop fault, applying nothing', async () => {
    fake.addPayment({ paymentId: 'http-2', total: 10000 });
    fake.inject({ kind: 'drop', route: 'cancel' });
    await assert.rejects(cancel('http-2', { reason: 'r' }), { name: 'TypeError', message: 'fetch failed' });
    assert.equal(fake.getPayment('http-2')?.amount.cancelled, 0);
  });

  it('applies the cancel and then drops the connection on lose_response; the key recovers the answer', async () => {
    fake.addPayment({ paymentId: 'http-3', total: 10000 });
    fake.inject({ kind: 'lose_response' });
    const key = { 'Idempotency-Key': '"http-3-0123456789abcdef"' };
    await assert.rejects(cancel('http-3', { reason: 'r', amount: 2500 }, key), { message: 'fetch failed' });
    assert.equal(fake.getPayment('http-3')?.amount.cancelled, 2500);
    const retry = await readAnswer(await cancel('http-3', { reason: 'r', amount: 2500 }, key));
    assert.equal((retry.body.cancellation as { totalAmount: number }).totalAmount, 2500);
    assert.equal(fake.getPayment('http-3')?.amount.cancelled, 2500);
  });
});
