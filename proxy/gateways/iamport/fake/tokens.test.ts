/** @module Tests of the fake's token rules: getToken, reuse, extension at ≤ 60 s, expiry, and the auth header forms. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { TokenSchema } from '../schemas.ts';
import { BASE, CREDENTIALS, form, readEnvelope, requestToken, setup } from './test-fixture.ts';

const tokenOf = async (...args: Parameters<typeof requestToken>) =>
  v.parse(TokenSchema, (await requestToken(...args)).response);

describe('POST /users/getToken', () => {
  it('issues a 40-hex token valid for 1800 s, timed by the injected clock', async () => {
    const { fake, nowSec } = setup();
    const answer = await requestToken(fake);
    assert.equal(answer.status, 200);
    assert.equal(answer.code, 0);
    assert.equal(answer.message, null);
    const token = v.parse(TokenSchema, answer.response);
    assert.match(token.access_token, /^[0-9a-f]{40}$/);
    assert.equal(token.now, nowSec());
    assert.equal(token.expired_at, nowSec() + 1800);
  });

  it('takes a form-encoded body', async () => {
    const { fake } = setup();
    const res = await fake.fetch(`${BASE}/users/getToken`, form(CREDENTIALS));
    assert.equal((await readEnvelope(res)).code, 0);
  });

  it('answers 400 when key or secret is missing and 401 when they are wrong', async () => {
    const { fake } = setup({ apiKey: 'k', apiSecret: 's' });
    const missing = await requestToken(fake, { imp_key: 'k' });
    assert.equal(missing.status, 400);
    assert.equal(missing.message, 'imp_key, imp_secret 파라메터가 누락되었습니다.');
    assert.equal(missing.response, null);
    assert.equal((await requestToken(fake, { imp_key: 'k', imp_secret: 'wrong' })).status, 401);
    assert.equal((await requestToken(fake, { imp_key: 'k', imp_secret: 's' })).code, 0);
  });

  it('returns the same token and expiry while the token is valid', async () => {
    const { fake, advance } = setup();
    const first = await tokenOf(fake);
    advance(1000);
    const second = await tokenOf(fake);
    assert.equal(second.access_token, first.access_token);
    assert.equal(second.expired_at, first.expired_at);
  });

  it('extends the token by 300 s when 60 s or less remain, not at 61 s', async () => {
    const { fake, advance } = setup();
    const first = await tokenOf(fake);
    advance(1800 - 61);
    assert.equal((await tokenOf(fake)).expired_at, first.expired_at);
    advance(1);
    const extended = await tokenOf(fake);
    assert.equal(extended.access_token, first.access_token);
    assert.equal(extended.expired_at, first.expired_at + 300);
  });

  it('issues a new token after expiry, and the old one gets 401', async () => {
    const { fake, advance } = setup();
    const first = await tokenOf(fake);
    advance(1800);
    const second = await tokenOf(fake);
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.expired_at, second.now + 1800);
    const old = await fake.fetch(`${BASE}/payments/imp_1`, { headers: { Authorization: first.access_token } });
    assert.equal(old.status, 401);
  });
});

describe('authentication of API routes', () => {
  const lookup = (fake: ReturnType<typeof setup>['fake'], headers: Record<string, string>) =>
    fake.fetch(`${BASE}/payments/imp_unknown`, { headers }).then(readEnvelope);

  it('accepts "Bearer <token>" and the bare token', async () => {
    const { fake } = setup();
    const { access_token } = await tokenOf(fake);
    // 404 (not 401) shows the token was accepted.
    assert.equal((await lookup(fake, { Authorization: `Bearer ${access_token}` })).status, 404);
    assert.equal((await lookup(fake, { Authorization: access_token })).status, 404);
  });

  it('answers 401 Unauthorized for a missing, unknown or expired token', async () => {
    const { fake, advance } = setup();
    const { access_token } = await tokenOf(fake);
    const unauthorized = { status: 401, code: -1, message: 'Unauthorized', response: null };
    assert.deepEqual(await lookup(fake, {}), unauthorized);
    assert.deepEqual(await lookup(fake, { Authorization: 'Bearer 0000' }), unauthorized);
    advance(1800);
    assert.deepEqual(await lookup(fake, { Authorization: `Bearer ${access_token}` }), unauthorized);
  });

  it('expireTokens() makes the next call 401 and the next getToken mint a new token', async () => {
    const { fake } = setup();
    const first = await tokenOf(fake);
    fake.expireTokens();
    assert.equal((await lookup(fake, { Authorization: first.access_token })).status, 401);
    assert.notEqual((await tokenOf(fake)).access_token, first.access_token);
  });
});
