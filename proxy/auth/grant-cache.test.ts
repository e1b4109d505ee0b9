// The grant verifier's cache: the same answers as verifying every time, and expiry still enforced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintGrant } from './grant.ts';
import { createGrantVerifier } from './grant-cache.ts';

const SECRET = 'grant-cache-secret-0123456789-abcdefghij';

describe('createGrantVerifier', () => {
  it('accepts a valid grant again from its cache, and refuses it once expired', async () => {
    const verify = createGrantVerifier(SECRET);
    // Expires within a second from now.
    const token = await mintGrant(SECRET, { merchantUid: 'C-1', now: Math.floor(Date.now() / 1000) - 59, ttlSeconds: 60 });
    assert.equal((await verify(token)).ok, true);
    assert.equal((await verify(token)).ok, true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const late = await verify(token);
    assert.equal(late.ok, false, 'expiry is checked even for a remembered grant');
  });

  it('never remembers a refusal as valid: a tampered signature is refused every time', async () => {
    const verify = createGrantVerifier(SECRET);
    const token = await mintGrant(SECRET, { merchantUid: 'C-2' });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    assert.equal((await verify(token)).ok, true);
    assert.equal((await verify(tampered)).ok, false);
    assert.equal((await verify(tampered)).ok, false);
    assert.equal((await createGrantVerifier('another-secret-0123456789-abcdefghijklmn')(token)).ok, false);
  });
});
