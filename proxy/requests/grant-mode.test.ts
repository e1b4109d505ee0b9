// The grant's `mode` claim: minted, verified, refused when unknown, and taken by POST /admin/grants.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { sign } from 'hono/jwt';
import { mintGrant, verifyGrant } from '../auth/grant.ts';
import { adminCalls, json, withAdmin } from '../test-support/admin-calls.ts';
import { GRANT_SECRET, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('grant mode', () => {
  it('is refund unless set, request when minted so, and an unknown mode is a bad grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const plain = await verifyGrant(await mintGrant(GRANT_SECRET, { merchantUid: 'G-1' }), GRANT_SECRET);
    assert.ok(plain.ok && plain.grant.mode === undefined);
    const asking = await verifyGrant(
      await mintGrant(GRANT_SECRET, { merchantUid: 'G-1', mode: 'request' }),
      GRANT_SECRET,
    );
    assert.ok(asking.ok && asking.grant.mode === 'request');
    const odd = await sign({ sub: 'G-1', iat: now, exp: now + 60, mode: 'approve' }, GRANT_SECRET, 'HS256');
    const refused = await verifyGrant(odd, GRANT_SECRET);
    assert.ok(!refused.ok && /mode must be "refund" or "request"/.test(refused.reason));
  });

  it('POST /admin/grants takes mode, and answers 400 for an unknown one', async () => {
    h = await withAdmin();
    const { postGrant } = adminCalls(h);
    const made = await json(await postGrant({ merchant_uid: 'G-2', mode: 'request' }));
    const checked = await verifyGrant(made.grant, GRANT_SECRET);
    assert.ok(checked.ok && checked.grant.mode === 'request');
    const bad = await postGrant({ merchant_uid: 'G-2', mode: 'approve' });
    assert.equal(bad.status, 400);
    assert.equal((await json(bad)).error.code, 'INVALID_REQUEST');
  });
});
