// Rotating REFUND_TOKEN_SECRET: with REFUND_TOKEN_SECRET_PREVIOUS set, grants signed with the old secret (a page
// opened before the switch, a backend not yet switched) still open their order and the staff routes, an
// Idempotency-Key used before the switch still replays its answer instead of 422, and grants are minted with the new
// secret only. Without it, the old secret's grants are refused, as before.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { mintStaffGrant } from '../auth/staff-grant.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { adminCalls, json, withAdmin } from '../test-support/admin-calls.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';
import { verifyGrant } from './grant.ts';

const OLD = 'old-grant-secret-0123456789-abcdefghijklmn';
const NEW = 'new-grant-secret-0123456789-abcdefghijklmn';
const STRANGER = 'stranger-secret-0123456789-abcdefghijklmn';
const open: Harness[] = [];
after(async () => {
  for (const h of open.splice(0)) await h.close();
});

const nowSec = (h: Harness) => Math.floor(h.clock.now() / 1000);
const grantOf = (h: Harness, secret: string, merchantUid: string) => mintGrant(secret, { merchantUid, now: nowSec(h) });
const cancelBody = (merchantUid: string) => ({
  merchant_uid: merchantUid,
  cancel_request_amount: 1000,
  reason: '변심',
});

describe('REFUND_TOKEN_SECRET rotation', () => {
  it("takes the old secret's grants beside the new one's while REFUND_TOKEN_SECRET_PREVIOUS is set", async () => {
    const h = await withAdmin({ config: { grantSecret: NEW, previousGrantSecret: OLD } });
    open.push(h);
    h.fake.addPayment({ merchant_uid: 'ROT-G1', amount: 10_000 });
    for (const secret of [NEW, OLD]) {
      const { res } = await h.view('ROT-G1', { grant: await grantOf(h, secret, 'ROT-G1') });
      assert.equal(res.status, 200, `a grant signed with the ${secret === NEW ? 'new' : 'old'} secret opens the order`);
    }
    const stranger = await h.view('ROT-G1', { grant: await grantOf(h, STRANGER, 'ROT-G1') });
    assert.equal(stranger.res.status, 401, 'a grant signed with neither is refused');
    const refund = await h.cancel(cancelBody('ROT-G1'), { grant: await grantOf(h, OLD, 'ROT-G1') });
    assert.equal(refund.res.status, 200, 'and refunds with the old one');
    assert.equal(refund.body.ok, true);

    // Staff grants too, at the staff door.
    for (const [secret, status] of [
      [OLD, 200],
      [NEW, 200],
      [STRANGER, 401],
    ] as const) {
      const grant = await mintStaffGrant(secret, { sub: 'alice', now: nowSec(h) });
      const res = await h.app.request('/staff/refunds', { headers: { Authorization: `Bearer ${grant}` } });
      assert.equal(res.status, status);
    }

    // What the proxy mints is signed with the new secret alone.
    const minted = await json(await adminCalls(h).postGrant({ merchant_uid: 'ROT-G1' }));
    assert.equal((await verifyGrant(minted.grant, NEW, { now: h.clock.now })).ok, true);
    assert.equal((await verifyGrant(minted.grant, OLD, { now: h.clock.now })).ok, false);
  });

  it("refuses the old secret's grants once REFUND_TOKEN_SECRET_PREVIOUS is unset", async () => {
    const h = await withAdmin({ config: { grantSecret: NEW } });
    open.push(h);
    h.fake.addPayment({ merchant_uid: 'ROT-G2', amount: 10_000 });
    assert.equal((await h.view('ROT-G2', { grant: await grantOf(h, OLD, 'ROT-G2') })).res.status, 401);
    const staff = await mintStaffGrant(OLD, { sub: 'alice', now: nowSec(h) });
    const res = await h.app.request('/staff/refunds', { headers: { Authorization: `Bearer ${staff}` } });
    assert.equal(res.status, 401);
  });

  it('replays an Idempotency-Key used before the switch (its record hashed under the old secret), refunding once', async () => {
    const clock = createClock();
    const store = createSqliteStore({ path: ':memory:' });
    const before = await createHarness({ clock, store, config: { grantSecret: OLD } });
    before.fake.addPayment({ merchant_uid: 'ROT-K1', amount: 10_000 });
    const first = await before.cancel(cancelBody('ROT-K1'), {
      grant: await grantOf(before, OLD, 'ROT-K1'),
      key: 'k-1',
    });
    assert.equal(first.res.status, 200);
    await before.settled();
    const cancels = () => before.fake.calls.filter((call) => call.route === 'cancel').length;
    assert.equal(cancels(), 1);

    // The same ledger and the same i'mport, after the restart with the new secret.
    const rotated = await createHarness({
      clock,
      store,
      fake: before.fake,
      config: { grantSecret: NEW, previousGrantSecret: OLD },
    });
    const retry = await rotated.cancel(cancelBody('ROT-K1'), {
      grant: await grantOf(rotated, NEW, 'ROT-K1'),
      key: 'k-1',
    });
    assert.equal(retry.res.status, 200);
    assert.deepEqual(retry.body, first.body, 'the stored answer, replayed');
    assert.equal(cancels(), 1, "nothing sent to i'mport again");
    const other = await rotated.cancel(
      { ...cancelBody('ROT-K1'), cancel_request_amount: 2000 },
      { grant: await grantOf(rotated, NEW, 'ROT-K1'), key: 'k-1' },
    );
    assert.equal(other.res.status, 422, 'the key with another body is still refused');
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');

    const withoutPrevious = await createHarness({ clock, store, fake: before.fake, config: { grantSecret: NEW } });
    open.push(withoutPrevious); // closes the shared ledger, after the others' work has settled
    await rotated.settled();
    const late = await withoutPrevious.cancel(cancelBody('ROT-K1'), {
      grant: await grantOf(withoutPrevious, NEW, 'ROT-K1'),
      key: 'k-1',
    });
    assert.equal(late.res.status, 422, 'once the old secret is dropped, its records no longer match (as documented)');
    assert.equal(cancels(), 1);
  });

  it('across instances restarted one by one: a key retried on one not yet restarted replays only with two rounds', async () => {
    const clock = createClock();
    const store = createSqliteStore({ path: ':memory:' });
    const instance = (grantSecret: string, previousGrantSecret?: string) =>
      createHarness({
        clock,
        store,
        fake: first.fake,
        config: { grantSecret, ...(previousGrantSecret ? { previousGrantSecret } : {}) },
      });
    const first = await createHarness({ clock, store, config: { grantSecret: OLD } });
    const cancels = () => first.fake.calls.filter((call) => call.route === 'cancel').length;
    const refundTwice = async (on: Harness, retryOn: Harness, merchantUid: string, secret: string) => {
      first.fake.addPayment({ merchant_uid: merchantUid, amount: 10_000 });
      const grant = await grantOf(on, secret, merchantUid);
      const one = await on.cancel(cancelBody(merchantUid), { grant, key: `key-${merchantUid}` });
      assert.equal(one.res.status, 200);
      await on.settled();
      const two = await retryOn.cancel(cancelBody(merchantUid), { grant, key: `key-${merchantUid}` });
      await retryOn.settled();
      return two;
    };

    // One round (docs/grants.md): an instance on the new secret beside one still on the old secret alone.
    const swapped = await instance(NEW, OLD);
    const refused = await refundTwice(swapped, first, 'ROT-I1', OLD);
    assert.equal(refused.res.status, 422, 'the instance on the old secret alone does not know the new hash');
    assert.equal(refused.body.error.code, 'IDEMPOTENCY_KEY_REUSED');

    // Two rounds: the old secret current and the new one previous, beside the old alone, then beside the swapped.
    const between = await instance(OLD, NEW);
    const roundOne = await refundTwice(between, first, 'ROT-I2', OLD);
    assert.equal(roundOne.res.status, 200, JSON.stringify(roundOne.body));
    assert.equal(roundOne.res.headers.get('Idempotent-Replayed'), 'true');
    const roundTwo = await refundTwice(swapped, between, 'ROT-I3', NEW);
    assert.equal(roundTwo.res.status, 200, JSON.stringify(roundTwo.body));
    assert.equal(roundTwo.res.headers.get('Idempotent-Replayed'), 'true');
    assert.equal(cancels(), 3, 'each order refunded once');
    await Promise.all([swapped.settled(), between.settled()]);
    open.push(first); // closes the shared ledger, after the others' work has settled
  });

  it('replays a refund request (POST /refund-requests) whose Idempotency-Key was used before the switch', async () => {
    const clock = createClock();
    const store = createSqliteStore({ path: ':memory:' });
    const dataKey = randomDataKey();
    const body = { merchant_uid: 'ROT-R1', reason: '변심' };
    const requestGrant = (secret: string) =>
      mintGrant(secret, { merchantUid: 'ROT-R1', mode: 'request', now: Math.floor(clock.now() / 1000) });
    const before = await withRequests({ clock, store, config: { grantSecret: OLD } }, dataKey);
    before.fake.addPayment({ merchant_uid: 'ROT-R1', amount: 9000 });
    const first = await requestCalls(before).ask(body, { key: 'rk-1', grant: await requestGrant(OLD) });
    assert.equal(first.res.status, 201);
    await before.settled();

    const rotated = await withRequests(
      { clock, store, fake: before.fake, config: { grantSecret: NEW, previousGrantSecret: OLD } },
      dataKey,
    );
    open.push(rotated); // closes the shared ledger
    const { ask } = requestCalls(rotated);
    const again = await ask(body, { key: 'rk-1', grant: await requestGrant(NEW) });
    assert.equal(again.res.status, 201, JSON.stringify(again.body));
    assert.equal(again.res.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(again.body, first.body, 'the same request, not a second one');
    const other = await ask({ ...body, reason: '다른 이유' }, { key: 'rk-1', grant: await requestGrant(NEW) });
    assert.equal(other.res.status, 422, 'the key with another body is still refused');
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
  });
});
