/**
 * @module Tests of GET /vbanks/holder: an account's holder, an unknown account, missing parameters, the hidden
 * switch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authed, BASE, json, setup } from './test-fixture.ts';

const path = (bank: string, number: string) =>
  `/vbanks/holder?bank_code=${encodeURIComponent(bank)}&bank_num=${encodeURIComponent(number)}`;

describe('GET /vbanks/holder', () => {
  it("answers a registered account's holder in the envelope", async () => {
    const { fake } = setup();
    fake.addAccount({ bank: '088', number: '110123456789', holder: '홍길동' });
    const api = await authed(fake);
    const answer = await api.get(path('088', '110123456789'));
    assert.equal(answer.status, 200);
    assert.equal(answer.code, 0);
    assert.deepEqual(answer.response, { bank_holder: '홍길동' });
    assert.equal(fake.count('holder'), 1);
  });

  it('answers 404 "계좌정보 조회 실패" for an account it does not know (another bank, another number)', async () => {
    const { fake } = setup();
    fake.addAccount({ bank: '088', number: '110123456789', holder: '홍길동' });
    const api = await authed(fake);
    for (const [bank, number] of [
      ['004', '110123456789'],
      ['088', '110123456780'],
    ] as const) {
      const answer = await api.get(path(bank, number));
      assert.equal(answer.status, 404);
      assert.notEqual(answer.code, 0);
      assert.equal(answer.message, '계좌정보 조회 실패');
      assert.equal(answer.response, null);
    }
  });

  it('answers 400 without bank_code or bank_num, and 401 without a token', async () => {
    const { fake } = setup();
    const api = await authed(fake);
    assert.equal((await api.get('/vbanks/holder?bank_code=088')).status, 400);
    assert.equal((await api.get('/vbanks/holder?bank_num=1')).status, 400);
    assert.equal((await fake.fetch(`${BASE}${path('088', '1')}`)).status, 401);
  });

  it('when hidden, answers 404 Not Found as for a route i’mport does not have, even for a known account', async () => {
    const { fake } = setup();
    fake.addAccount({ bank: '088', number: '110123456789', holder: '홍길동' });
    fake.hideHolderLookup();
    const api = await authed(fake);
    const hidden = await api.get(path('088', '110123456789'));
    assert.equal(hidden.status, 404);
    assert.equal(hidden.message, 'Not Found');
    fake.hideHolderLookup(false);
    assert.equal((await api.get(path('088', '110123456789'))).status, 200);
  });

  it('takes accounts and the switch through /__fake, and forgets both on reset', async () => {
    const { fake } = setup();
    const added = await fake.fetch(
      `${BASE}/__fake/accounts`,
      json({ bank: '004', number: '1234', holder: '(주)가나' }),
    );
    assert.equal(added.status, 201);
    assert.equal((await fake.fetch(`${BASE}/__fake/accounts`, json({ bank: '004' }))).status, 400);
    let api = await authed(fake);
    assert.deepEqual((await api.get(path('004', '1234'))).response, { bank_holder: '(주)가나' });
    assert.equal((await fake.fetch(`${BASE}/__fake/holder-lookup`, json({ hidden: true }))).status, 200);
    assert.equal((await api.get(path('004', '1234'))).message, 'Not Found');
    fake.reset();
    api = await authed(fake);
    assert.equal((await api.get(path('004', '1234'))).message, '계좌정보 조회 실패');
  });

  it('takes the faults queued for its route', async () => {
    const { fake } = setup();
    fake.addAccount({ bank: '088', number: '1', holder: '홍길동' });
    fake.inject({ kind: 'http_5xx', status: 503, route: 'holder' });
    const api = await authed(fake);
    const res = await fake.fetch(`${BASE}${path('088', '1')}`, { headers: { Authorization: `Bearer ${api.token}` } });
    assert.equal(res.status, 503);
    assert.equal((await api.get(path('088', '1'))).status, 200);
  });
});
