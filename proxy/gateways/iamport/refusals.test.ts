// How the client classifies i'mport's refusals of a change (refusals.ts), from i'mport's own answers (the fake's):
// callers branch on the kind and never read the text, which is still handed on for the audit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rewriteAnswers } from '../../test-support/rewrite-answers.ts';
import { createIamportClient, type FetchLike } from './client.ts';
import { createFakeIamport } from './fake/fake-iamport.ts';

const setup = (fetch?: (fake: ReturnType<typeof createFakeIamport>) => FetchLike) => {
  const now = () => 1_767_225_600_000;
  const fake = createFakeIamport({ now });
  const client = createIamportClient({
    baseUrl: 'http://iamport.test',
    apiKey: 'test_imp_key',
    apiSecret: 'test_imp_secret',
    fetch: fetch ? fetch(fake) : fake.fetch,
    now,
  });
  return { fake, client };
};

describe("i'mport client: kinds of refusal", () => {
  it("already_cancelled: i'mport's code 1 for a payment with nothing left, its message kept", async () => {
    const { fake, client } = setup();
    const p = fake.addPayment({ merchant_uid: 'K-DONE', amount: 1000, cancel_amount: 1000, status: 'cancelled' });
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, checksum: 1000, reason: 'x' });
    assert.deepEqual(result.kind === 'refused' && [result.refusal, result.code, result.message], [
      'already_cancelled',
      1,
      '이미 전액취소된 주문입니다.',
    ]);
  });

  it("checksum: a checksum that is not i'mport's balance", async () => {
    const { fake, client } = setup();
    const p = fake.addPayment({ merchant_uid: 'K-SUM', amount: 1000 });
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 500, checksum: 999, reason: 'x' });
    assert.deepEqual(result.kind === 'refused' && result.refusal, 'checksum');
    assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 0, 'nothing was refunded');
  });

  it('amount: more asked than the balance', async () => {
    const { fake, client } = setup();
    const p = fake.addPayment({ merchant_uid: 'K-AMT', amount: 1000 });
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 2000, checksum: 1000, reason: 'x' });
    assert.deepEqual(result.kind === 'refused' && result.refusal, 'amount');
  });

  it("pg: the PG's own refusal (HTTP 200, code -1), with its words for the shop", async () => {
    const { fake, client } = setup();
    const p = fake.addPayment({ merchant_uid: 'K-PG', amount: 1000 });
    // The PG's words may say anything, an amount included; its code says whose refusal it is.
    fake.inject({ kind: 'pg_refusal', message: '[PG] 취소금액 초과: 취소 불가 거래입니다.' });
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, checksum: 1000, reason: 'x' });
    assert.deepEqual(result.kind === 'refused' && [result.refusal, result.code], ['pg', -1]);
    assert.ok(result.kind === 'refused' && result.message.includes('[PG] 취소금액 초과: 취소 불가 거래입니다.'));
  });

  it("pg: any other refusal, a 4xx without i'mport's envelope included", async () => {
    const { fake, client } = setup((f) =>
      rewriteAnswers(f.fetch, ({ path }) =>
        path === '/payments/cancel' ? { status: 400, json: { error: 'bad request' } } : undefined,
      ),
    );
    const p = fake.addPayment({ merchant_uid: 'K-4XX', amount: 1000 });
    const result = await client.cancelPayment({ imp_uid: p.imp_uid, amount: 1000, checksum: 1000, reason: 'x' });
    assert.deepEqual(result.kind === 'refused' && [result.refusal, result.message, result.httpStatus], [
      'pg',
      'bad request',
      400,
    ]);
  });

  it('pg: a refused revocation of a virtual account', async () => {
    const { fake, client } = setup();
    const p = fake.addPayment({ merchant_uid: 'K-VB', amount: 1000, pay_method: 'vbank', status: 'paid' });
    const result = await client.revokeVbank(p.imp_uid);
    assert.deepEqual(result.kind === 'refused' && result.refusal, 'pg');
  });
});
