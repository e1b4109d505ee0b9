/** @module Store contract, leases: one holder per order at a time, across instances, until release or expiry. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { T0, unique, type StorePair } from './contract-fixtures.ts';

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
}
