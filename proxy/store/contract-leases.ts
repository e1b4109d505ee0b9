/** @module Store contract, leases: one holder per order at a time, across instances, until release or expiry. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aFinish, anAttempt, aPayment, aRequest, type StorePair, T0, unique } from './contract-fixtures.ts';

export function leasesContract(stores: () => StorePair): void {
  describe('leases', () => {
    before(() => stores().a.migrate());

    it('takes a free lease and refuses another holder while it lives', async () => {
      const { a } = stores();
      const name = unique('lease');
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0), true);
      assert.equal(await a.acquireLease(name, 'h2', 1000, T0), false);
      assert.equal(await a.acquireLease(name, 'h2', 1000, T0 + 999), false);
    });

    it('lets another holder take an expired lease', async () => {
      const { a } = stores();
      const name = unique('lease');
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0), true);
      assert.equal(await a.acquireLease(name, 'h2', 1000, T0 + 1000), true, 'expired at exactly expires_at');
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0 + 1500), false, 'h2 holds it now');
    });

    it('lets the holder renew its own live lease', async () => {
      const { a } = stores();
      const name = unique('lease');
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0), true);
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0 + 500), true);
      assert.equal(await a.acquireLease(name, 'h2', 1000, T0 + 1200), false, 'renewed until T0 + 1500');
      assert.equal(await a.acquireLease(name, 'h2', 1000, T0 + 1500), true);
    });

    it('renews only a lease its holder still has: not one another holder took, or took and released', async () => {
      const { a, b } = stores();
      const [kept, taken, gone] = [unique('lease'), unique('lease'), unique('lease')];
      assert.equal(await a.acquireLease(kept, 'h1', 1000, T0), true);
      assert.equal(await a.renewLease(kept, 'h1', 1000, T0 + 2000), true, 'its own row, even past its expiry');
      assert.equal(await b.acquireLease(kept, 'h2', 1000, T0 + 2999), false, 'renewed until T0 + 3000');
      assert.equal(await a.acquireLease(taken, 'h1', 1000, T0), true);
      assert.equal(await b.acquireLease(taken, 'h2', 1000, T0 + 1000), true);
      assert.equal(await a.renewLease(taken, 'h1', 1000, T0 + 1001), false, 'h2 holds it');
      assert.equal(await a.acquireLease(gone, 'h1', 1000, T0), true);
      assert.equal(await b.acquireLease(gone, 'h2', 1000, T0 + 1000), true);
      await b.releaseLease(gone, 'h2');
      assert.equal(await a.renewLease(gone, 'h1', 1000, T0 + 1001), false, 'h2 had it in between');
      assert.equal(await b.acquireLease(gone, 'h3', 1000, T0 + 1002), true, 'and the failed renewal took nothing');
      assert.equal(await a.renewLease(unique('lease'), 'h1', 1000, T0), false, 'never takes a free lease');
    });

    it('purges leases that expired before the cutoff and says how many', async () => {
      const { a, b } = stores();
      // Far below T0, so no other test's lease falls before these cutoffs.
      const [old1, old2, live] = [unique('lease'), unique('lease'), unique('lease')];
      assert.equal(await a.acquireLease(old1, 'h1', 1000, 1000), true);
      assert.equal(await a.acquireLease(old2, 'h1', 1000, 1500), true);
      assert.equal(await a.acquireLease(live, 'h1', 1000, 2000), true);

      assert.equal(await b.purgeExpiredLeases(3000), 2);
      assert.equal(await b.purgeExpiredLeases(3000), 0);
      // Taken at a time before its old expiry: only a lease whose row is gone is free then.
      assert.equal(await a.acquireLease(old1, 'h2', 100, 100), true, 'a purged lease is gone');
      assert.equal(await a.acquireLease(live, 'h2', 1000, 2999), false, 'a lease expiring at the cutoff stays');
      assert.equal(await b.purgeExpiredLeases(3001), 2, 'strictly before the cutoff');
    });

    it("releases only the caller's own lease", async () => {
      const { a, b } = stores();
      const name = unique('lease');
      assert.equal(await a.acquireLease(name, 'h1', 60_000, T0), true);
      await b.releaseLease(name, 'h2');
      assert.equal(await b.acquireLease(name, 'h2', 60_000, T0 + 1), false, 'h2 cannot release what h1 holds');
      await a.releaseLease(name, 'h1');
      assert.equal(await b.acquireLease(name, 'h2', 60_000, T0 + 2), true);
      await b.releaseLease(unique('lease'), 'h2'); // releasing a lease nobody holds is a no-op
    });

    it('keeps leases with different names apart', async () => {
      const { a } = stores();
      const [first, second] = [unique('lease'), unique('lease')];
      assert.equal(await a.acquireLease(first, 'h1', 1000, T0), true);
      assert.equal(await a.acquireLease(second, 'h2', 1000, T0), true);
    });

    it('lets exactly one of 20 racers on two instances win; another wins after release, or after expiry', async () => {
      const { a, b } = stores();
      const name = unique('lease');
      const racers = Array.from({ length: 20 }, (_, i) => ({ store: i % 2 === 0 ? a : b, holder: `racer-${i}` }));
      const won = await Promise.all(racers.map(({ store, holder }) => store.acquireLease(name, holder, 10_000, T0)));
      assert.equal(won.filter(Boolean).length, 1, `winners: ${won.map(String).join(',')}`);
      const winner = racers[won.indexOf(true)];
      assert.ok(winner);
      const other = winner.store === a ? b : a;

      assert.equal(await other.acquireLease(name, 'second', 10_000, T0 + 1), false);
      await winner.store.releaseLease(name, winner.holder);
      assert.equal(await other.acquireLease(name, 'second', 10_000, T0 + 2), true, 'free after release');
      assert.equal(await winner.store.acquireLease(name, 'third', 10_000, T0 + 10_001), false, 'second holds it');
      assert.equal(await winner.store.acquireLease(name, 'third', 10_000, T0 + 10_002), true, 'free after expiry');

      const retaken = await Promise.all(
        [a, b, a, b].map((store, i) => store.acquireLease(name, `late-${i}`, 10_000, T0 + 30_000)),
      );
      assert.equal(retaken.filter(Boolean).length, 1, 'an expired lease also goes to exactly one racer');
    });
  });

  describe('an attempt written under a lease (insertAttempt with `lease`)', () => {
    before(() => stores().a.migrate());

    it("is written while the lease is its holder's, even past its expiry; not once another took it, or released it", async () => {
      const { a, b } = stores();
      const order = unique('order');
      const name = `order:${order}`;
      const under = (holder: string) => anAttempt({ merchant_uid: order, lease: { name, holder } });
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0), true);
      assert.equal(await a.insertAttempt(under('h1')), true, 'its own live lease');
      assert.equal(await a.insertAttempt(under('h1')), true, 'its own, run out, nobody else took it');
      assert.equal(await b.acquireLease(name, 'h2', 1000, T0 + 5000), true);
      assert.equal(await a.insertAttempt(under('h1')), false, 'h2 took it: h2 read the order without this attempt');
      await b.releaseLease(name, 'h2');
      assert.equal(await a.insertAttempt(under('h1')), false, 'h2 had it in between');
      assert.equal(await a.insertAttempt(under('h3')), false, 'no lease at all');
      assert.equal((await b.listAttempts(order)).length, 2, 'only the two written under the lease');
    });

    it('is written for an approval only while both its round and the lease are its own', async () => {
      const { a, b } = stores();
      const request = aRequest();
      await a.insertRequest(request);
      await a.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      const name = `order:${request.merchant_uid}`;
      const approval = (holder: string) =>
        anAttempt({
          merchant_uid: request.merchant_uid,
          request_id: request.id,
          request_round: 1,
          lease: { name, holder },
        });
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0), true);
      assert.equal(await b.acquireLease(name, 'h2', 1000, T0 + 5000), true);
      assert.equal(await a.insertAttempt(approval('h1')), false, 'h2 took the lease');
      assert.equal((await a.getRequest(request.id))?.attempt_id, null, 'nothing bound');
      assert.equal(await b.insertAttempt(approval('h2')), true);
      assert.equal((await b.listAttempts(request.merchant_uid)).length, 1);
    });
  });

  describe('takeOrder: the lease, the key and the order in one trip', () => {
    before(() => stores().a.migrate());

    const claimOf = (key: string, merchant_uid: string, request_hash = 'hash-1') => ({
      key,
      merchant_uid,
      request_hash,
      created_at: T0,
    });

    it('takes a free lease, claims the key and reads the payment and attempts written before', async () => {
      const { a, b } = stores();
      const uid = unique('order');
      const payment = aPayment({ imp_uid: unique('imp'), merchant_uid: uid });
      await a.upsertPayment(payment, T0);
      const first = anAttempt({ id: unique('att'), merchant_uid: uid, imp_uid: payment.imp_uid, started_at: T0 });
      await a.insertAttempt(first, aFinish());
      const key = unique('key');
      const lease = { name: `order:${uid}`, holder: 'h1', ttlMs: 1000, now: T0 };
      const snapshot = await b.takeOrder(lease, uid, claimOf(key, uid));
      assert.ok(snapshot);
      assert.equal(snapshot.payment?.imp_uid, payment.imp_uid);
      assert.deepEqual(
        snapshot.attempts.map((x) => x.id),
        [first.id],
      );
      assert.equal(snapshot.key?.created, true);
      assert.equal(snapshot.key?.record.state, 'pending');
      assert.equal(await a.acquireLease(`order:${uid}`, 'h2', 1000, T0 + 1), false, 'the lease is held');
    });

    it('answers null while another holds the lease, and claims nothing then', async () => {
      const { a, b } = stores();
      const uid = unique('order');
      const name = `order:${uid}`;
      assert.equal(await a.acquireLease(name, 'h1', 1000, T0), true);
      const key = unique('key');
      assert.equal(await b.takeOrder({ name, holder: 'h2', ttlMs: 1000, now: T0 + 1 }, uid, claimOf(key, uid)), null);
      await a.releaseLease(name, 'h1');
      const later = await b.takeOrder({ name, holder: 'h2', ttlMs: 1000, now: T0 + 2 }, uid, claimOf(key, uid));
      assert.equal(later?.key?.created, true, 'the refused call had not claimed the key');
    });

    it('reports a key claimed before as not created, with what is stored for it; and no key when none is asked', async () => {
      const { a, b } = stores();
      const uid = unique('order');
      const key = unique('key');
      await a.claimIdempotencyKey(claimOf(key, uid, 'hash-0'));
      await a.completeIdempotencyKey(key, 200, '{"ok":true}');
      const lease = { name: `order:${uid}`, holder: 'h1', ttlMs: 1000, now: T0 };
      const snapshot = await b.takeOrder(lease, uid, claimOf(key, uid));
      assert.equal(snapshot?.key?.created, false);
      assert.equal(snapshot?.key?.record.request_hash, 'hash-0');
      assert.equal(snapshot?.key?.record.response_body, '{"ok":true}');
      assert.equal(snapshot?.payment, null);
      assert.deepEqual(snapshot?.attempts, []);
      const other = unique('order');
      const keyless = await a.takeOrder({ name: `order:${other}`, holder: 'h1', ttlMs: 1000, now: T0 }, other, null);
      assert.equal(keyless?.key, null);
    });

    it('gives a contested order to exactly one of 10 racers on two instances, each with its own key', async () => {
      const { a, b } = stores();
      const uid = unique('order');
      const name = `order:${uid}`;
      const keys = Array.from({ length: 10 }, () => unique('key'));
      const taken = await Promise.all(
        keys.map((key, i) =>
          (i % 2 ? a : b).takeOrder({ name, holder: `racer-${i}`, ttlMs: 10_000, now: T0 }, uid, claimOf(key, uid)),
        ),
      );
      assert.equal(taken.filter((t) => t !== null).length, 1);
      const losers = keys.filter((_, i) => taken[i] === null);
      for (const key of losers) {
        const claimed = await a.claimIdempotencyKey(claimOf(key, uid));
        assert.equal(claimed.created, true, 'a racer that lost claimed nothing');
      }
    });
  });
}
