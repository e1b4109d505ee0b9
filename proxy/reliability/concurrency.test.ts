// Load: 50 concurrent partial refunds of one order through two proxy instances sharing one PostgreSQL ledger, on each
// gateway the proxy runs on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { GATEWAYS } from './gateways.ts';
import { assertMoneyInvariants } from './invariants.ts';

const url = useTempSchema('reliability_load', 'proxy/reliability/concurrency.test.ts');

if (url) {
  for (const gateway of GATEWAYS) {
    describe(`50 concurrent partial refunds of one order, two instances, one PostgreSQL, on ${gateway.label}`, () => {
      it('refunds exactly what was paid, refuses the rest clearly, and the ledger and audit match the gateway', async () => {
        // Each gateway's run has orders of its own: both runs share the schema.
        const order = `LOAD-${gateway.name}`;
        const a = await gateway.start({ store: createPostgresStore({ url, max: 5 }), leaseWaitMs: 30_000 });
        const b = await gateway.start({ store: createPostgresStore({ url, max: 5 }), leaseWaitMs: 30_000 }, a);
        try {
          a.addPayment(order, 25_000);
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) =>
              (i % 2 ? b : a).h.cancel(
                { merchant_uid: order, cancel_request_amount: 1000, reason: `load ${i}` },
                { key: `load-${gateway.name}-${i}` },
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
          assert.equal(a.cancels(), 25, 'the gateway saw only the refunds that could happen');
          await assertMoneyInvariants({
            held: a.held(order),
            store: a.h.store,
            merchantUid: order,
            answers: seen,
            attempts: 50,
          });
        } finally {
          await a.h.close();
          await b.h.close();
        }
      });
    });
  }
}
