// Load: 50 concurrent partial refunds of one order through two proxy instances sharing one PostgreSQL ledger.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { createHarness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { assertMoneyInvariants } from './invariants.ts';

const url = useTempSchema('reliability_load', 'proxy/reliability/concurrency.test.ts');

if (url) {
  describe('50 concurrent partial refunds of one order, two instances, one PostgreSQL', () => {
    it("refunds exactly what was paid, refuses the rest clearly, and the ledger and audit match i'mport", async () => {
      const a = await createHarness({ store: createPostgresStore({ url, max: 5 }), leaseWaitMs: 30_000 });
      const b = await createHarness({
        store: createPostgresStore({ url, max: 5 }),
        fake: a.fake,
        clock: a.clock,
        leaseWaitMs: 30_000,
      });
      try {
        const p = a.fake.addPayment({ merchant_uid: 'LOAD-1', amount: 25_000 });
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? b : a).cancel(
              { merchant_uid: 'LOAD-1', cancel_request_amount: 1000, reason: `load ${i}` },
              { key: `load-${i}` },
            ),
          ),
        );
        const seen = results.map(({ res, body }) => ({ status: res.status, body }));
        assert.equal(seen.filter((s) => s.status === 200).length, 25, 'exactly 25 × 1,000 fit in 25,000');
        for (const s of seen.filter((x) => x.status !== 200)) {
          assert.equal(s.status, 409);
          assert.ok(
            ['CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT', 'PAYMENT_ALREADY_CANCELLED'].includes(s.body.error.code),
            JSON.stringify(s.body),
          );
        }
        assert.equal(a.fake.count('cancel'), 25, "i'mport saw only the refunds that could happen");
        await assertMoneyInvariants({
          fake: a.fake,
          store: a.store,
          impUid: p.imp_uid,
          merchantUid: 'LOAD-1',
          answers: seen,
          attempts: 50,
        });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
