/** @module Tests of DELETE /vbanks/:imp_uid: revoking an unpaid virtual account, and the 404/400 cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asPayment, authed, BASE, setup } from './test-fixture.ts';

const readyVbank = { merchant_uid: 'order-1', amount: 5000, pay_method: 'vbank', status: 'ready' } as const;

describe('DELETE /vbanks/:imp_uid', () => {
  it('revokes a ready virtual account: status failed, failed_at now, a fail_reason', async () => {
    const { fake, advance, nowSec } = setup();
    const { imp_uid } = fake.addPayment(readyVbank);
    const api = await authed(fake);
    advance(60);
    const answer = await api.del(`/vbanks/${imp_uid}?pg_api_key=inicis-key`);
    assert.equal(answer.status, 200);
    assert.equal(answer.code, 0);
    const payment = asPayment(answer.response);
    assert.equal(payment.status, 'failed');
    assert.equal(payment.failed_at, nowSec());
    assert.equal(payment.paid_at, 0);
    assert.ok(payment.fail_reason);
    assert.deepEqual(fake.getPayment(imp_uid), payment);
  });

  it('answers 404 for an unknown payment and 400 for a card, a paid vbank or a second revoke', async () => {
    const { fake } = setup();
    const card = fake.addPayment({ merchant_uid: 'order-1', amount: 5000 });
    const paid = fake.addPayment({ merchant_uid: 'order-2', amount: 5000, pay_method: 'vbank' });
    const ready = fake.addPayment({ merchant_uid: 'order-3', amount: 5000, pay_method: 'vbank', status: 'ready' });
    const api = await authed(fake);
    assert.equal((await api.del('/vbanks/imp_000000000000')).status, 404);
    assert.equal((await api.del(`/vbanks/${card.imp_uid}`)).status, 400);
    assert.equal((await api.del(`/vbanks/${paid.imp_uid}`)).status, 400);
    assert.equal((await api.del(`/vbanks/${ready.imp_uid}?pg_api_key=k`)).status, 200);
    assert.equal((await api.del(`/vbanks/${ready.imp_uid}?pg_api_key=k`)).status, 400);
  });

  // iamport-v1.md §4.1 and §5.1: Inicis's accounts only with its pg_api_key; some PGs' (NHN KCP's) never.
  it("answers 400 and revokes nothing without an Inicis account's pg_api_key, or on a PG i'mport does not revoke for", async () => {
    const { fake } = setup();
    const inicis = fake.addPayment(readyVbank);
    const kcp = fake.addPayment({ ...readyVbank, merchant_uid: 'order-2', pg_provider: 'kcp' });
    const nice = fake.addPayment({ ...readyVbank, merchant_uid: 'order-3', pg_provider: 'nice_v2' });
    const api = await authed(fake);
    const keyless = await api.del(`/vbanks/${inicis.imp_uid}`);
    assert.deepEqual([keyless.status, keyless.message], [400, 'pg_api_key 파라메터가 누락되었습니다.']);
    assert.equal((await api.del(`/vbanks/${kcp.imp_uid}`)).status, 400);
    assert.deepEqual(
      [fake.getPayment(inicis.imp_uid)?.status, fake.getPayment(kcp.imp_uid)?.status],
      ['ready', 'ready'],
    );
    assert.equal((await api.del(`/vbanks/${nice.imp_uid}`)).status, 200, 'another PG needs no key');
  });

  it('needs a token', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment(readyVbank);
    const res = await fake.fetch(`${BASE}/vbanks/${imp_uid}`, { method: 'DELETE' });
    assert.equal(res.status, 401);
    assert.equal(fake.getPayment(imp_uid)?.status, 'ready');
  });
});
