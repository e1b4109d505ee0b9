// Grants through the public surface: every way a grant can be wrong is refused before i'mport is called.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { sign } from 'hono/jwt';
import { createHarness, GRANT_SECRET, type Harness } from '../test-support/harness.ts';
import { mintGrant, verifyGrant } from './grant.ts';

let h: Harness;
afterEach(async () => h?.close());

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const hs256 = (claims: Record<string, unknown>) => sign(claims, GRANT_SECRET, 'HS256');
const algNone = (signature: string) => async () =>
  `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'G-1', exp: now() + 600 })}.${signature}`;

const G1 = { merchantUid: 'G-1' };

/** The same signature bytes in another base64url spelling: the last character with its two unused bits changed. */
const respell = (token: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(token.at(-1)!);
  return token.slice(0, -1) + alphabet[last ^ 1]!;
};

describe('merchant grants', () => {
  const cases: Array<[string, () => Promise<string | null>, number]> = [
    ['no Authorization header', async () => null, 401],
    ['a malformed grant', async () => 'not-a-jwt', 401],
    ['a grant signed with another secret', () => mintGrant('another-secret-another-secret-another!', G1), 401],
    ['an expired grant', () => mintGrant(GRANT_SECRET, { merchantUid: 'G-1', now: now() - 3600, ttlSeconds: 60 }), 401],
    ['a grant without exp', () => hs256({ sub: 'G-1' }), 401],
    ['a grant without sub', () => hs256({ exp: now() + 600 }), 401],
    ['alg: none', algNone(''), 401],
    ['alg: none with a signature part', algNone('AAAA'), 401],
    ['alg: HS512 with the same secret', () => sign({ sub: 'G-1', exp: now() + 600 }, GRANT_SECRET, 'HS512'), 401],
    ['a grant for another order', () => mintGrant(GRANT_SECRET, { merchantUid: 'OTHER' }), 403],
    ['a grant that expires in 100 years', () => hs256({ sub: 'G-1', exp: now() + 100 * 365 * 86400 }), 401],
    [
      'a grant whose exp is more than MAX_GRANT_TTL after its iat',
      () => hs256({ sub: 'G-1', iat: now() - 7000, exp: now() + 600 }),
      401,
    ],
    ['max_amount without jti', () => hs256({ sub: 'G-1', exp: now() + 600, max_amount: 500 }), 401],
    ['a signature spelt with other trailing bits', async () => respell(await mintGrant(GRANT_SECRET, G1)), 401],
  ];

  for (const [name, makeGrant, status] of cases) {
    it(`refuses ${name} with ${status} on both routes, and never calls i'mport`, async () => {
      h = await createHarness();
      h.fake.addPayment({ merchant_uid: 'G-1', amount: 1000 });
      const grant = await makeGrant();
      const view = await h.view('G-1', { grant });
      const cancel = await h.cancel({ merchant_uid: 'G-1', reason: 'x' }, { grant });
      for (const { res, body } of [view, cancel]) {
        assert.equal(res.status, status);
        assert.equal(body.ok, false);
        assert.equal(body.error.code, status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
      }
      assert.equal(h.fake.calls.length, 0, "no request reached i'mport");
    });
  }

  it('accepts a valid grant and reads its claims', async () => {
    const token = await mintGrant(GRANT_SECRET, { merchantUid: 'G-2', ttlSeconds: 60, maxAmount: 500, jti: 'j-1' });
    const check = await verifyGrant(token, GRANT_SECRET);
    assert.ok(check.ok);
    assert.equal(check.grant.sub, 'G-2');
    assert.equal(check.grant.max_amount, 500);
    assert.equal(check.grant.jti, 'j-1');
    assert.ok(check.grant.exp > now() && check.grant.exp <= now() + 60);
  });

  it('says a grant whose exp is not a number is not valid, not that it expired', async () => {
    const check = await verifyGrant(await hs256({ sub: 'G-1', exp: String(now() + 600) }), GRANT_SECRET);
    assert.deepEqual(check, { ok: false, reason: 'the grant is not valid' });
    const late = await verifyGrant(await hs256({ sub: 'G-1', exp: now() - 1 }), GRANT_SECRET);
    assert.deepEqual(late, { ok: false, reason: 'the grant has expired' });
  });

  it('names the claim that is not valid', async () => {
    for (const [claim, value] of [
      ['max_amount', '8000'],
      ['tax_free_amount', -1],
      ['vat_amount', 'x'],
      ['jti', ''],
    ] as const) {
      const check = await verifyGrant(await hs256({ sub: 'G-1', exp: now() + 600, [claim]: value }), GRANT_SECRET);
      assert.equal(check.ok, false);
      assert.match(check.ok ? '' : check.reason, new RegExp(`^the grant's claims are not valid: ${claim} `), claim);
    }
  });

  it('says why a long-lived grant is refused, and accepts one at exactly MAX_GRANT_TTL', async () => {
    h = await createHarness({ config: { maxGrantTtlSeconds: 600 } });
    h.fake.addPayment({ merchant_uid: 'G-3', amount: 1000 });
    const grantFor = (ttlSeconds: number) => mintGrant(GRANT_SECRET, { merchantUid: 'G-3', ttlSeconds });
    const long = await h.view('G-3', { grant: await grantFor(3600) });
    assert.equal(long.res.status, 401);
    assert.match(long.body.error.message, /longer than MAX_GRANT_TTL allows \(600 s\)/);
    const exact = await h.view('G-3', { grant: await grantFor(600) });
    assert.equal(exact.res.status, 200);
  });

  it('after a restart with MAX_GRANT_TTL lowered, refuses at once a grant minted to live longer, though it has time left (docs/grants.md)', async () => {
    h = await createHarness({ config: { maxGrantTtlSeconds: 3600 } });
    h.fake.addPayment({ merchant_uid: 'G-5', amount: 1000 });
    const hour = await h.grant('G-5', { ttlSeconds: 3600 });
    const quarter = await h.grant('G-5', { ttlSeconds: 900 });
    const noIat = await hs256({ sub: 'G-5', exp: Math.floor(h.clock.now() / 1000) + 3600 });
    assert.equal((await h.view('G-5', { grant: hour })).res.status, 200);
    const lowered = await createHarness({
      store: h.store,
      fake: h.fake,
      clock: h.clock,
      config: { maxGrantTtlSeconds: 900 },
    });
    try {
      h.clock.advance(60_000);
      const refused = await lowered.view('G-5', { grant: hour });
      assert.equal(refused.res.status, 401, 'exp - iat is an hour: refused with 59 minutes left');
      assert.match(refused.body.error.message, /longer than MAX_GRANT_TTL allows \(900 s\)/);
      assert.equal((await lowered.view('G-5', { grant: quarter })).res.status, 200, 'within the new value');
      assert.equal((await lowered.view('G-5', { grant: noIat })).res.status, 401, 'no iat: 59 minutes left');
      h.clock.advance(2760_000);
      assert.equal((await lowered.view('G-5', { grant: noIat })).res.status, 200, 'no iat: 14 minutes left');
      assert.equal((await lowered.view('G-5', { grant: hour })).res.status, 401, 'with iat: refused to the end');
    } finally {
      await lowered.close();
    }
  });

  it('verifies only the canonical spelling of a signature, not another one of the same bytes', async () => {
    const token = await mintGrant(GRANT_SECRET, { merchantUid: 'G-4' });
    const other = respell(token);
    assert.notEqual(other, token);
    const decode = (t: string) => Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url').toString('hex');
    assert.equal(decode(other), decode(token), 'the same signature bytes');
    assert.equal((await verifyGrant(token, GRANT_SECRET)).ok, true);
    assert.equal((await verifyGrant(other, GRANT_SECRET)).ok, false);
  });
});
