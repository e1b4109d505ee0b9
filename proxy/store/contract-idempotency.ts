/** @module Store contract, idempotency keys: one claimant per key under any race, answers kept for replay. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aFinish, anAttempt, type StorePair, T0, unique } from './contract-fixtures.ts';

const aClaim = (overrides: { key?: string; request_hash?: string; created_at?: number } = {}) => ({
  key: unique('idem'),
  merchant_uid: unique('order'),
  request_hash: 'a'.repeat(64),
  created_at: T0,
  ...overrides,
});

const PENDING = { state: 'pending', attempt_id: null, response_status: null, response_body: null };

export function idempotencyContract(stores: () => StorePair): void {
  describe('idempotency keys', () => {
    before(() => stores().a.migrate());

    it('claims a new key as pending and gives later claims the stored record', async () => {
      const { a, b } = stores();
      const claim = aClaim();
      assert.deepEqual(await a.claimIdempotencyKey(claim), { record: { ...claim, ...PENDING }, created: true });
      // Same key, another body: the stored hash comes back, so the caller can tell the bodies apart.
      const again = await b.claimIdempotencyKey({ ...claim, request_hash: 'b'.repeat(64), created_at: T0 + 1 });
      assert.deepEqual(again, { record: { ...claim, ...PENDING }, created: false });
    });

    it('lets exactly one of 20 racing claims on two instances create the key', async () => {
      const { a, b } = stores();
      const key = unique('idem');
      const claims = Array.from({ length: 20 }, (_, i) =>
        aClaim({ key, request_hash: `hash-${i}`, created_at: T0 + i }),
      );
      const results = await Promise.all(claims.map((claim, i) => (i % 2 === 0 ? a : b).claimIdempotencyKey(claim)));
      const creators = results.filter((result) => result.created);
      assert.equal(creators.length, 1);
      for (const result of results) assert.deepEqual(result.record, creators[0]?.record);
      const winner = claims[results.findIndex((result) => result.created)];
      assert.deepEqual(creators[0]?.record, { ...winner, ...PENDING });
    });

    it('records the attempt and then the answer', async () => {
      const { a, b } = stores();
      const claim = aClaim();
      await a.claimIdempotencyKey(claim);
      await b.setIdempotencyAttempt(claim.key, 'attempt-1');
      assert.deepEqual((await a.claimIdempotencyKey(claim)).record, { ...claim, ...PENDING, attempt_id: 'attempt-1' });

      const body = JSON.stringify({
        ok: true,
        refunded: 10_000,
        message: '환불이 완료되었습니다',
        padding: 'x'.repeat(20_000),
      });
      await a.completeIdempotencyKey(claim.key, 200, body);
      assert.deepEqual(await b.claimIdempotencyKey(claim), {
        record: { ...claim, state: 'done', attempt_id: 'attempt-1', response_status: 200, response_body: body },
        created: false,
      });
    });

    it('purges records created before the cutoff and says how many', async () => {
      const { a, b } = stores();
      // Far below T0, so no other test's keys fall before these cutoffs.
      const [old1, old2, kept] = [1000, 2000, 3000].map((created_at) => aClaim({ created_at }));
      for (const claim of [old1, old2, kept]) await a.claimIdempotencyKey(claim);
      await a.completeIdempotencyKey(old2.key, 200, '{}');

      assert.equal(await b.purgeIdempotencyKeys(2500), 2);
      assert.equal(await b.purgeIdempotencyKeys(2500), 0);
      assert.equal((await a.claimIdempotencyKey(old1)).created, true, 'a purged key is free again');
      assert.equal((await a.claimIdempotencyKey(kept)).created, false, 'a key at or after the cutoff stays');
      assert.equal(await b.purgeIdempotencyKeys(3000), 1, 'strictly before the cutoff');
    });

    it('keeps a key past the cutoff while its attempt is unsettled, and until the cutoff passes its end', async () => {
      const { a, b } = stores();
      const claim = aClaim({ created_at: 1500 });
      await a.claimIdempotencyKey(claim);
      const attempt = anAttempt({ merchant_uid: claim.merchant_uid, idempotency_key: claim.key, started_at: 1500 });
      await a.insertAttempt(attempt);
      await a.setIdempotencyAttempt(claim.key, attempt.id);
      const kept = async () => (await a.claimIdempotencyKey({ ...claim, created_at: T0 })).created === false;

      await b.purgeIdempotencyKeys(T0);
      assert.ok(await kept(), 'bound to an attempt whose outcome is not known');
      await a.finishAttempt(attempt.id, aFinish({ outcome: 'unknown', finished_at: 1600 }));
      await b.purgeIdempotencyKeys(T0);
      assert.ok(await kept(), 'still unknown');
      await a.finishAttempt(attempt.id, aFinish({ finished_at: 4000 }));
      await b.purgeIdempotencyKeys(4000);
      assert.ok(await kept(), 'its attempt ended at the cutoff');
      await b.purgeIdempotencyKeys(4001);
      assert.equal(await kept(), false, 'purged once its attempt ended before the cutoff');
    });
  });
}
