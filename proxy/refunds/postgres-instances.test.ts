// Two proxy instances sharing one PostgreSQL ledger: concurrent refunds of one order never over-refund.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { createHarness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';

const url = useTempSchema('refund_instances', 'proxy/refunds/postgres-instances.test.ts');

if (url) {
  describe('two proxy instances on one PostgreSQL ledger', () => {
    it("12 concurrent partial refunds of 5,000 against 30,000: exactly 6 succeed, the ledger equals i'mport, all are audited", async () => {
      const a = await createHarness({ store: createPostgresStore({ url, max: 4 }) });
      const b = await createHarness({ store: createPostgresStore({ url, max: 4 }), fake: a.fake, clock: a.clock });
      try {
        const p = a.fake.addPayment({ merchant_uid: 'PG-1', amount: 30000 });
        a.fake.inject({ kind: 'delay', route: 'cancel', ms: 20, times: 12 });
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 ? b : a).cancel(
              { merchant_uid: 'PG-1', cancel_request_amount: 5000, reason: `r${i}` },
              { key: `pg-key-${i}` },
            ),
          ),
        );
        const ok = results.filter((r) => r.res.status === 200);
        assert.equal(ok.length, 6);
        for (const r of results.filter((r) => r.res.status !== 200)) {
          assert.ok(
            ['CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT', 'PAYMENT_ALREADY_CANCELLED'].includes(r.body.error.code),
            JSON.stringify(r.body),
          );
        }
        assert.equal(a.fake.getPayment(p.imp_uid)!.cancel_amount, 30000);
        assert.equal(a.fake.count('cancel'), 6, "i'mport saw only the refunds that could happen");
        assert.equal((await b.store.getPayment('PG-1'))!.cancel_amount, 30000);
        const audit = await a.store.listAttempts('PG-1');
        assert.equal(audit.length, 12);
        assert.equal(audit.filter((x) => x.outcome === 'succeeded').length, 6);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
