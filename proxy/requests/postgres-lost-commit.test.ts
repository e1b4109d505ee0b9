// PostgreSQL: an approval's claim committed, but the connection dropped before COMMIT's answer came back. The store
// ran the claim again on another connection and found the request already `approved` (by this same claim), so the
// approval took itself for overtaken: answered 409 REFUND_IN_PROGRESS ("its refund is still running") while nothing
// was sent, and the request stayed `approved` with no refund begun until the background check failed it ten minutes
// later. Found by the money model on PostgreSQL (proxy/reliability/model.test.ts, a `lost` ledger fault).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createPostgresDriver } from '../store/postgres.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { createSqlStore } from '../store/sql-store.ts';
import type { Harness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { ACCOUNT, requestCalls, withRequests } from '../test-support/request-calls.ts';

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

if (url) {
  describe("PostgreSQL: a write's COMMIT answer lost", () => {
    it("an approval's claim: answered as the ledger failing, the request failed at once, approved again refunds once", async () => {
      const { driver, fault } = losingNextCommit(createPostgresDriver({ url, max: 2 }));
      // Merchant webhooks on: the claim and its event are one transaction (the store's, retried on failure).
      const merchantWebhooks = {
        urls: ['http://127.0.0.1:9/hooks'],
        secret: `whsec_${btoa('x'.repeat(32))}`,
        retryDelaysMs: [5000],
      };
      h = await withRequests({ store: createSqlStore(driver), config: { merchantWebhooks } });
      const calls = requestCalls(h);
      h.fake.addPayment({ merchant_uid: 'LC-1', amount: 20_000, pay_method: 'vbank' });
      const asked = await calls.ask({
        merchant_uid: 'LC-1',
        reason: '사이즈가 맞지 않아요',
        cancel_request_amount: 8000,
        refund_holder: '홍길동',
        refund_bank: '88',
        refund_account: ACCOUNT,
      });
      const id = asked.body.request.id;
      await h.settled(); // the created event's delivery (and its write) done: the next transaction is the claim's

      fault.armed = true;
      const first = await calls.approve(id);
      assert.equal(fault.armed, false, 'the fault struck');
      // Before: 409 REFUND_IN_PROGRESS, the request left `approved` with nothing sent.
      assert.deepEqual([first.res.status, first.body.error?.code], [503, 'UPSTREAM_UNAVAILABLE']);
      assert.equal(h.fake.count('cancel'), 0, 'nothing was sent');
      const failed = await h.store.getRequest(id);
      assert.deepEqual([failed?.status, failed?.error_code], ['failed', 'UPSTREAM_UNAVAILABLE']);

      const again = await calls.approve(id);
      assert.equal(again.res.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.request.status, 'refunded');
      assert.equal(h.fake.count('cancel'), 1);
    });
  });
}
