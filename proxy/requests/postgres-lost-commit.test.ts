// PostgreSQL: a staff decision committed, but the connection dropped before COMMIT's answer came back. The store ran
// the write again on another connection and found the request already moved (by this same decision), so the decision
// took itself for overtaken: an approval answered 409 REFUND_IN_PROGRESS ("its refund is still running") while nothing
// was sent, the request left `approved` with no refund begun until the background check failed it ten minutes later;
// a rejection answered 409 REFUND_REQUEST_DECIDED. Found by the money model on PostgreSQL
// (proxy/reliability/model.test.ts, a `lost` ledger fault).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createPostgresDriver } from '../store/postgres.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { createSqlStore } from '../store/sql-store.ts';
import type { Harness } from '../test-support/harness.ts';
import { approveNeverBegun } from '../test-support/never-begun.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { requestCalls, vbankAsk, withRequests } from '../test-support/request-calls.ts';

const url = useTempSchema('lost_commit', 'proxy/requests/postgres-lost-commit.test.ts');

/** `driver`, whose next transaction, once armed, commits and then fails as a connection dropped before its answer. */
const losingNextCommit = (driver: SqlDriver) => {
  const fault = { armed: false };
  const wrapped: SqlDriver = {
    ...driver,
    dialect: driver.dialect,
    query: (text, params) => driver.query(text, params),
    run: (text, params) => driver.run(text, params),
    sequence: (statements) => driver.sequence(statements),
    close: (graceSeconds) => driver.close(graceSeconds),
    async transaction(fn) {
      const value = await driver.transaction(fn);
      if (!fault.armed) return value;
      fault.armed = false;
      throw Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' });
    },
  };
  return { driver: wrapped, fault };
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * A harness over `driver` with merchant webhooks on (a move and its event are one transaction, which the store ran
 * again on failure), and a request asked for `merchantUid`: its id, once everything its asking set off is done.
 */
const asked = async (driver: SqlDriver, merchantUid: string): Promise<{ h: Harness; id: string }> => {
  const merchantWebhooks = {
    urls: ['http://127.0.0.1:9/hooks'],
    secret: `whsec_${btoa('x'.repeat(32))}`,
    retryDelaysMs: [5000],
  };
  const made = await withRequests({ store: createSqlStore(driver), config: { merchantWebhooks } });
  h = made;
  made.fake.addPayment({ merchant_uid: merchantUid, amount: 20_000, pay_method: 'vbank' });
  const { body } = await requestCalls(made).ask(vbankAsk(merchantUid));

  await made.settled(); // the created event's delivery (and its write) done: the next transaction is the decision's
  return { h: made, id: body.request.id };
};

if (url) {
  describe("PostgreSQL: a decision's COMMIT answer lost", () => {
    it("an approval's claim: answered as the ledger failing, the request failed at once, approved again refunds once", async () => {
      const { driver, fault } = losingNextCommit(createPostgresDriver({ url, max: 2 }));
      const { h, id } = await asked(driver, 'LC-1');
      // Before: the first approval answered 409 REFUND_IN_PROGRESS, the request left `approved` with nothing sent.
      await approveNeverBegun(h, id, () => {
        fault.armed = true;
      });
      assert.equal(fault.armed, false, 'the fault struck');
    });

    it('a rejection: answered as the ledger failing (not "already decided"), and asked again, says it is rejected', async () => {
      const { driver, fault } = losingNextCommit(createPostgresDriver({ url, max: 2 }));
      const { h, id } = await asked(driver, 'LC-2');
      const calls = requestCalls(h);

      fault.armed = true;
      const first = await calls.reject(id, { reason: '사용 흔적' });
      assert.equal(fault.armed, false, 'the fault struck');
      // Before: 409 REFUND_REQUEST_DECIDED "(it is rejected)", its own rejection taken for another's.
      assert.deepEqual([first.res.status, first.body.error?.code], [503, 'UPSTREAM_UNAVAILABLE']);
      assert.equal((await h.store.getRequest(id))?.status, 'rejected', 'the rejection committed');
      const again = await calls.reject(id, { reason: '사용 흔적' });
      assert.deepEqual([again.res.status, again.body.error?.code], [409, 'REFUND_REQUEST_DECIDED']);
      assert.match(again.body.error.message, /it is rejected/);
      const events = await h.store.listOrderEvents('LC-2');
      assert.equal(events.filter((e) => e.type === 'refund_request.rejected').length, 1, 'told once');
    });
  });
}
