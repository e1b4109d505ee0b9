// Staff grants and customer grants verified side by side: each kind is refused where the other is expected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sign } from 'hono/jwt';
import { GRANT_SECRET } from '../test-support/harness.ts';
import { mintGrant, verifyGrant } from './grant.ts';
import { mintStaffGrant, verifyStaffGrant } from './staff-grant.ts';

const now = () => Math.floor(Date.now() / 1000);

describe('staff grants', () => {
  it('verifies a staff grant and reads its sub', async () => {
    const check = await verifyStaffGrant(await mintStaffGrant(GRANT_SECRET, { sub: 'alice' }), GRANT_SECRET);
    assert.ok(check.ok);
    assert.deepEqual({ ...check.grant, iat: 0, exp: 0 }, { role: 'staff', sub: 'alice', iat: 0, exp: 0 });
  });

  it('marks a staff grant refused as a customer grant, and a customer grant refused as a staff grant', async () => {
    const staff = await mintStaffGrant(GRANT_SECRET, { sub: 'ORD-1' });
    const customer = await mintGrant(GRANT_SECRET, { merchantUid: 'ORD-1' });
    assert.deepEqual(await verifyGrant(staff, GRANT_SECRET), {
      ok: false,
      reason: 'a staff grant opens no order',
      staff: true,
    });
    const asStaff = await verifyStaffGrant(customer, GRANT_SECRET);
    assert.ok(!asStaff.ok && 'customer' in asStaff && asStaff.customer);
  });

  it('refuses any other role on either kind, and order claims on a staff grant', async () => {
    for (const role of ['admin', 'STAFF', '', 0, null, ['staff']]) {
      const token = await sign({ role, sub: 'ORD-1', exp: now() + 60 }, GRANT_SECRET, 'HS256');
      const customer = await verifyGrant(token, GRANT_SECRET);
      assert.ok(!customer.ok && !customer.staff, JSON.stringify(role));
      const staff = await verifyStaffGrant(token, GRANT_SECRET);
      assert.ok(!staff.ok && !('customer' in staff), JSON.stringify(role));
    }
    for (const extra of [{ max_amount: 100, jti: 'j' }, { mode: 'request' }]) {
      const token = await sign({ role: 'staff', sub: 'a', exp: now() + 60, ...extra }, GRANT_SECRET, 'HS256');
      const check = await verifyStaffGrant(token, GRANT_SECRET);
      assert.ok(!check.ok && /is not a staff grant claim/.test(check.reason), JSON.stringify(extra));
    }
  });

  it('holds a staff grant to MAX_GRANT_TTL and to its expiry on the given clock', async () => {
    const t = 1_800_000_000;
    const grant = await mintStaffGrant(GRANT_SECRET, { sub: 'alice', now: t, ttlSeconds: 600 });
    assert.ok((await verifyStaffGrant(grant, GRANT_SECRET, { now: () => t * 1000, maxTtlSeconds: 600 })).ok);
    const long = await verifyStaffGrant(grant, GRANT_SECRET, { now: () => t * 1000, maxTtlSeconds: 599 });
    assert.ok(!long.ok && /MAX_GRANT_TTL/.test(long.reason));
    const late = await verifyStaffGrant(grant, GRANT_SECRET, { now: () => (t + 600) * 1000 });
    assert.ok(!late.ok && /expired/.test(late.reason));
  });
});
