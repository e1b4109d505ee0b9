/** @module Tests of method-specific cancel rules: vbank refund accounts, bank codes per PG, the phone KST month. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asPayment, authed, kst, setup } from './test-fixture.ts';

const account = { refund_holder: '홍길동', refund_account: '110123456789', refund_tel: '01012345678' };
const vbankOn = (pg_provider: string) => ({
  merchant_uid: `o-${pg_provider}`,
  amount: 5000,
  pay_method: 'vbank',
  pg_provider,
});

describe('cancelling a paid virtual account', () => {
  it('refuses without refund_holder, refund_bank and refund_account, changing nothing', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment(vbankOn('kcp'));
    const api = await authed(fake);
    const answer = await api.post('/payments/cancel', { imp_uid, refund_holder: '홍길동', refund_bank: 'BK88' });
    assert.equal(answer.status, 200);
    assert.notEqual(answer.code, 0);
    assert.equal(fake.getPayment(imp_uid)?.cancel_amount, 0);
  });

  it("checks refund_bank against the payment's PG: KCP takes BK88, Inicis takes 88", async () => {
    const { fake } = setup();
    const kcp = fake.addPayment(vbankOn('kcp'));
    const inicis = fake.addPayment(vbankOn('html5_inicis'));
    const api = await authed(fake);
    const cancel = (imp_uid: string, refund_bank: string) =>
      api.post('/payments/cancel', { imp_uid, amount: 1000, refund_bank, ...account });

    const wrongAtKcp = await cancel(kcp.imp_uid, '88');
    assert.equal(wrongAtKcp.code, -1);
    assert.match(wrongAtKcp.message ?? '', /^결제취소에 실패하였습니다\.\(/);
    assert.equal((await cancel(inicis.imp_uid, 'BK88')).code, -1);
    assert.equal(fake.getPayment(kcp.imp_uid)?.cancel_amount, 0);

    assert.equal((await cancel(kcp.imp_uid, 'BK88')).code, 0);
    assert.equal((await cancel(inicis.imp_uid, '88')).code, 0);
    const call = fake.calls.at(-1);
    assert.deepEqual(call?.body, { imp_uid: inicis.imp_uid, amount: 1000, refund_bank: '88', ...account });
  });

  it('wants refund_tel as well on smartro_v2', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment(vbankOn('smartro_v2'));
    const api = await authed(fake);
    const { refund_holder, refund_account } = account;
    const withoutTel = { imp_uid, refund_bank: '088', refund_holder, refund_account };
    assert.notEqual((await api.post('/payments/cancel', withoutTel)).code, 0);
    assert.equal((await api.post('/payments/cancel', { imp_uid, refund_bank: '088', ...account })).code, 0);
  });

  it('needs no refund account for a card payment', async () => {
    const { fake } = setup();
    const { imp_uid } = fake.addPayment({ merchant_uid: 'order-1', amount: 5000, pg_provider: 'kcp' });
    const api = await authed(fake);
    assert.equal((await api.post('/payments/cancel', { imp_uid })).code, 0);
  });
});

describe('cancelling a phone payment', () => {
  const phoneAt = (paidAt: number, now: number) => {
    const fixture = setup();
    fixture.clock.ms = now;
    const { imp_uid } = fixture.fake.addPayment({
      merchant_uid: 'order-1',
      amount: 3000,
      pay_method: 'phone',
      pg_provider: 'danal',
      paid_at: Math.floor(paidAt / 1000),
    });
    return { ...fixture, imp_uid };
  };

  it('is refused (PG style, code -1) once the KST month has changed, even by minutes', async () => {
    const { fake, imp_uid } = phoneAt(kst(2026, 1, 31, 23, 30), kst(2026, 2, 1, 0, 10));
    const api = await authed(fake);
    const answer = await api.post('/payments/cancel', { imp_uid });
    assert.equal(answer.status, 200);
    assert.equal(answer.code, -1);
    assert.match(answer.message ?? '', /^결제취소에 실패하였습니다\.\(.+\)$/);
    assert.equal(fake.getPayment(imp_uid)?.cancel_amount, 0);
  });

  it('is allowed within the same KST month, even when the UTC months differ', async () => {
    // Paid 2026-02-01 01:00 KST is still January in UTC.
    const { fake, imp_uid } = phoneAt(kst(2026, 2, 1, 1, 0), kst(2026, 2, 28, 23, 50));
    const api = await authed(fake);
    const answer = await api.post('/payments/cancel', { imp_uid });
    assert.equal(answer.code, 0);
    assert.equal(asPayment(answer.response).cancel_amount, 3000);
  });
});
