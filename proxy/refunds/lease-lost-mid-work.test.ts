// Two instances on one ledger. Instance A takes an order's lease and reads the payment from i'mport, which is slow;
// meanwhile A cannot reach the ledger (a PostgreSQL failover, a dropped connection, a SQLite file held locked), so its
// lease renewals fail and the lease runs out. Instance B then takes the order (a retry of the same request, same
// Idempotency-Key) and refunds it. When A's read returns, A must not send: it no longer holds the order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgers, slowRead, slowReadBegun, twoInstances } from '../test-support/cut-off-instance.ts';

for (const [backend, ledger] of ledgers('lease_lost'))
  describe(`a lease lost while the refund's work runs (${backend})`, () => {
    it('the instance that lost it sends nothing; one refund for one ask', { timeout: 60_000 }, async () => {
      const { a, b, fake, cut, close } = await twoInstances(await ledger());
      try {
        const p = fake.addPayment({ merchant_uid: 'LOST-1', amount: 10_000 });
        slowRead(fake, 'find'); // A's first look at the order on i'mport
        const body = { merchant_uid: 'LOST-1', cancel_request_amount: 1000, reason: 'x' };
        const first = a.cancel(body, { key: 'one-ask' });
        await slowReadBegun(fake);
        cut(true);
        const second = await b.cancel(body, { key: 'one-ask' }); // the customer's retry, reaching instance B
        cut(false); // A reaches the ledger again before its read returns
        const firstAnswer = await first;
        await a.settled();
        await b.settled();
        assert.equal(second.res.status, 200, JSON.stringify(second.body));
        assert.deepEqual(
          [firstAnswer.res.status, firstAnswer.body.error?.code],
          [409, 'REFUND_IN_PROGRESS'],
          "nothing sent: another instance may have the order (the key's retry is answered as it is)",
        );
        assert.equal(fake.count('cancel'), 1, "one cancel sent to i'mport for one ask");
        assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 1000, 'refunded once');
        const events = (await b.store.listOrderEvents('LOST-1')).map((e) => e.type);
        assert.deepEqual(events, ['refund.succeeded'], 'one refund, told once to the shop');
      } finally {
        await close();
      }
    });
  });
