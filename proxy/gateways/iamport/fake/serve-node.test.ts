/** @module Tests of the fake over real loopback HTTP: normal answers, a dropped connection, and a lost response. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { TokenSchema } from '../schemas.ts';
import { type ServedFake, serveFakeIamport } from './serve-node.ts';
import { CREDENTIALS, json, readEnvelope, setup } from './test-fixture.ts';

describe('serveFakeIamport over loopback HTTP', () => {
  const { fake } = setup();
  let served: ServedFake;
  let token = '';
  const cancel = (body: unknown) => fetch(`${served.url}/payments/cancel`, json(body, token));

  before(async () => {
    served = await serveFakeIamport(fake);
    const answer = await readEnvelope(await fetch(`${served.url}/users/getToken`, json(CREDENTIALS)));
    token = v.parse(TokenSchema, answer.response).access_token;
  });
  after(() => served.close());

  it('listens on 127.0.0.1 on a free port', () => {
    assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('drops the connection on a drop fault, applying nothing', async () => {
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 10000 });
    fake.inject({ kind: 'drop', route: 'cancel' });
    await assert.rejects(cancel({ imp_uid }), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.message, 'fetch failed');
      return true;
    });
    assert.equal(fake.getPayment(imp_uid)?.cancel_amount, 0);
    assert.equal((await readEnvelope(await cancel({ imp_uid }))).code, 0);
  });

  it('applies the cancel and then drops the connection on lose_response', async () => {
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-2', amount: 10000 });
    fake.inject({ kind: 'lose_response' });
    await assert.rejects(cancel({ imp_uid, amount: 2500 }), { name: 'TypeError', message: 'fetch failed' });
    assert.equal(fake.getPayment(imp_uid)?.cancel_amount, 2500);
  });
});
