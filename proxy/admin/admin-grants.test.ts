// POST /admin/grants: a grant in one HTTP call, which verifies and refunds as any other.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { adminCalls, json, T, withAdmin } from '../test-support/admin-calls.ts';
import { createStillClock, type Harness } from '../test-support/harness.ts';

const claimsOf = (grant: string) => JSON.parse(Buffer.from(grant.split('.')[1]!, 'base64url').toString());

let h: Harness;
let admin: ReturnType<typeof adminCalls>['admin'];
let postGrant: ReturnType<typeof adminCalls>['postGrant'];
afterEach(async () => h?.close());

/** Opens the harness and binds the calls to it. */
const open = async (made: Promise<Harness>) => {
  h = await made;
  ({ admin, postGrant } = adminCalls(h));
};

describe('POST /admin/grants', () => {
  it('mints a grant that refunds through /payments/cancel like any other, for 15 minutes unless told', async () => {
    const clock = createStillClock(T); // iat is asserted to the second
    await open(withAdmin({ clock }));
    h.fake.addPayment({ merchant_uid: 'ADM-1', amount: 10000 });
    const res = await postGrant({ merchant_uid: 'ADM-1' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Cache-Control'), 'no-store', 'a bearer credential is never cached');
    const { grant, expires_at, ...rest } = await json(res);
    assert.deepEqual(rest, {});
    assert.equal(expires_at, T / 1000 + 900);
    assert.deepEqual(claimsOf(grant), { sub: 'ADM-1', iat: T / 1000, exp: T / 1000 + 900 });
    const refund = await h.cancel({ merchant_uid: 'ADM-1', reason: '단순 변심' }, { grant });
    assert.equal(refund.res.status, 200);
    assert.equal(refund.body.refunded, 10000);
    const other = await h.cancel({ merchant_uid: 'ADM-2', reason: 'x' }, { grant });
    assert.equal(other.res.status, 403, 'for its own order only');
  });

  it('caps a grant with max_amount, under the jti given or one of its own', async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: 'ADM-CAP', amount: 10000 });
    const own = claimsOf((await json(await postGrant({ merchant_uid: 'ADM-CAP', max_amount: 3000 }))).grant);
    assert.equal(own.max_amount, 3000);
    assert.match(own.jti, /^[0-9a-f-]{36}$/);
    const given = await json(await postGrant({ merchant_uid: 'ADM-CAP', max_amount: 3000, jti: 'order-7-refund-1' }));
    assert.equal(claimsOf(given.grant).jti, 'order-7-refund-1');
    const first = await h.cancel({ merchant_uid: 'ADM-CAP', reason: 'x', cancel_request_amount: 2000 }, given);
    assert.equal(first.res.status, 200);
    const past = await h.cancel({ merchant_uid: 'ADM-CAP', reason: 'x', cancel_request_amount: 2000 }, given);
    assert.equal(past.res.status, 403, 'the cap holds across requests');
  });

  it('refuses a ttl over MAX_GRANT_TTL and any bad field with 400 naming it', async () => {
    await open(withAdmin({ config: { maxGrantTtlSeconds: 600 } }));
    const defaulted = await json(await postGrant({ merchant_uid: 'ADM-1' }));
    const claims = claimsOf(defaulted.grant);
    assert.equal(claims.exp - claims.iat, 600, 'the default never passes MAX_GRANT_TTL');
    assert.equal((await postGrant({ merchant_uid: 'ADM-1', ttl_seconds: 600 })).status, 200);
    const cases: [unknown, RegExp][] = [
      [{ merchant_uid: 'ADM-1', ttl_seconds: 601 }, /ttl_seconds must be at most 600 \(MAX_GRANT_TTL\)/],
      [{ merchant_uid: 'ADM-1', ttl_seconds: 1.5 }, /ttl_seconds/],
      [{ merchant_uid: 'ADM-1', ttl_seconds: 0 }, /ttl_seconds must be at least 1/],
      [{ merchant_uid: 'ADM-1', max_amount: -1 }, /max_amount/],
      [{ merchant_uid: 'ADM-1', jti: '' }, /jti is required/],
      [{ merchant_uid: 'x'.repeat(129) }, /merchant_uid must be at most 128 characters/],
      [{}, /merchant_uid is required/],
      [{ merchant_uid: 'ADM-1', sub: 'ADM-2' }, /sub/],
    ];
    for (const [body, message] of cases) {
      const res = await postGrant(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = await json(res);
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.match(error.message, message);
    }
    const text = await admin('/admin/grants', { method: 'POST', body: 'merchant_uid=ADM-1' });
    assert.equal(text.status, 400);
  });

  it('mints a staff grant: role "staff", the sub given, no order, 15 minutes unless told, capped by MAX_GRANT_TTL', async () => {
    const clock = createStillClock(T); // iat is asserted to the second
    await open(withAdmin({ clock, config: { maxGrantTtlSeconds: 1200 } }));
    const res = await postGrant({ role: 'staff', sub: 'alice@shop.example' });
    assert.equal(res.status, 200);
    const { grant, expires_at, ...rest } = await json(res);
    assert.deepEqual(rest, {});
    assert.equal(expires_at, T / 1000 + 900);
    assert.deepEqual(claimsOf(grant), { role: 'staff', sub: 'alice@shop.example', iat: T / 1000, exp: T / 1000 + 900 });
    const short = await json(await postGrant({ role: 'staff', sub: '김민수', ttl_seconds: 60 }));
    assert.equal(claimsOf(short.grant).exp - claimsOf(short.grant).iat, 60);
    assert.equal((await postGrant({ role: 'staff', sub: 'x'.repeat(128), ttl_seconds: 1200 })).status, 200);
    const cases: [unknown, RegExp][] = [
      [{ role: 'staff', sub: 'alice', ttl_seconds: 1201 }, /ttl_seconds must be at most 1200 \(MAX_GRANT_TTL\)/],
      [{ role: 'staff' }, /sub is required/],
      [{ role: 'staff', sub: '' }, /sub must be 1–128 printable characters/],
      [{ role: 'staff', sub: 'x'.repeat(129) }, /sub must be 1–128 printable characters/],
      [{ role: 'staff', sub: 'al\nice' }, /sub must be 1–128 printable characters/],
      [{ role: 'staff', sub: ' alice' }, /sub must not start or end with a space/],
      [{ role: 'staff', sub: 42 }, /sub/],
      [{ role: 'staff', sub: 'alice', merchant_uid: 'ADM-1' }, /merchant_uid/],
      [{ role: 'staff', sub: 'alice', max_amount: 1000 }, /max_amount/],
      [{ role: 'admin', sub: 'alice' }, /role/],
      [{ role: null, merchant_uid: 'ADM-1' }, /role/],
    ];
    for (const [body, message] of cases) {
      const answer = await postGrant(body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      const { error } = await json(answer);
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.match(error.message, message, JSON.stringify(body));
    }
  });
});
