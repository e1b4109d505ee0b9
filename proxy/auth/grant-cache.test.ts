// The grant verifier's cache: the same answers as verifying every time, and expiry still enforced, on its clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sign } from 'hono/jwt';
import { mintGrant } from './grant.ts';
import { createGrantVerifier } from './grant-cache.ts';

const SECRET = 'grant-cache-secret-0123456789-abcdefghij';
const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A clock that moves only when told to. */
const fixedClock = (start: number) => {
  let ms = start;
  return { now: () => ms, set: (to: number) => void (ms = to) };
};

describe('createGrantVerifier', () => {
  it('accepts a valid grant again from its cache up to its last millisecond, and refuses it at exp', async () => {
    const clock = fixedClock(T0);
    const verify = createGrantVerifier([SECRET], { now: clock.now });
    const token = await mintGrant(SECRET, { merchantUid: 'C-1', now: T0 / 1000, ttlSeconds: 60 });
    const expMs = T0 + 60_000;
    assert.equal((await verify(token)).ok, true);
    clock.set(expMs - 1);
    assert.equal((await verify(token)).ok, true, 'remembered, and not yet expired');
    clock.set(expMs);
    const late = await verify(token);
    assert.deepEqual(late, { ok: false, reason: 'the grant has expired' }, 'expiry is checked for a remembered grant');
    clock.set(expMs - 1);
    assert.equal((await verify(token)).ok, true, 'a refusal was not remembered either');
  });

  it('judges iat and exp on its clock alone, for a grant it has never seen', async () => {
    const clock = fixedClock(T0);
    const verify = createGrantVerifier([SECRET], { now: clock.now });
    const later = await mintGrant(SECRET, { merchantUid: 'C-3', now: T0 / 1000 + 3600, ttlSeconds: 60 });
    assert.deepEqual(await verify(later), { ok: false, reason: 'the grant is not valid' }, 'issued after its now');
    clock.set(T0 + 3600_000);
    assert.equal((await verify(later)).ok, true);
  });

  it('takes a grant from a server whose clock runs up to a minute ahead of its own (iat), and none further', async () => {
    const verify = createGrantVerifier([SECRET], { now: fixedClock(T0).now });
    const ahead = (seconds: number) =>
      mintGrant(SECRET, { merchantUid: 'C-5', now: T0 / 1000 + seconds, ttlSeconds: 600 });
    assert.equal((await verify(await ahead(45))).ok, true, '45 s ahead');
    assert.deepEqual(await verify(await ahead(90)), { ok: false, reason: 'the grant is not valid' }, '90 s ahead');
  });

  it('takes a grant whose nbf is up to a minute ahead of its clock, and one further only once its clock reaches it', async () => {
    const clock = fixedClock(T0);
    const verify = createGrantVerifier([SECRET], { now: clock.now });
    const startingIn = (seconds: number | string) => {
      const claims: Record<string, unknown> = { sub: 'C-6', exp: T0 / 1000 + 600 };
      claims.nbf = typeof seconds === 'number' ? T0 / 1000 + seconds : seconds;
      return sign(claims, SECRET, 'HS256');
    };
    assert.equal((await verify(await startingIn(45))).ok, true, 'nbf 45 s ahead');
    const later = await startingIn(90);
    assert.deepEqual(await verify(later), { ok: false, reason: 'the grant is not valid' }, 'nbf 90 s ahead');
    clock.set(T0 + 30_000);
    assert.equal((await verify(later)).ok, true, 'nbf 60 s ahead, once the clock moved on');
    assert.deepEqual(await verify(await startingIn('soon')), { ok: false, reason: 'the grant is not valid' });
  });

  it("refuses a grant that lives longer than MAX_GRANT_TTL from the clock's now", async () => {
    const verify = createGrantVerifier([SECRET], { now: fixedClock(T0).now, maxTtlSeconds: 600 });
    const long = await mintGrant(SECRET, { merchantUid: 'C-4', now: T0 / 1000, ttlSeconds: 601 });
    const check = await verify(long);
    assert.ok(!check.ok && /MAX_GRANT_TTL allows \(600 s\)/.test(check.reason), JSON.stringify(check));
    const longest = await mintGrant(SECRET, { merchantUid: 'C-4', now: T0 / 1000, ttlSeconds: 600 });
    assert.equal((await verify(longest)).ok, true);
  });

  it('never remembers a refusal as valid: a tampered signature is refused every time', async () => {
    const { now } = fixedClock(T0);
    const verify = createGrantVerifier([SECRET], { now });
    const token = await mintGrant(SECRET, { merchantUid: 'C-2', now: T0 / 1000 });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await verify(token)).ok, true);
    assert.equal((await verify(tampered)).ok, false);
    assert.equal((await verify(tampered)).ok, false);
    const elsewhere = createGrantVerifier(['another-secret-0123456789-abcdefghijklmn'], { now });
    assert.equal((await elsewhere(token)).ok, false);
  });
});
