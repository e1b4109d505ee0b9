// Two instances on one ledger. Instance A takes an order's lease and reads the payment from i'mport, which is slow;
// meanwhile A cannot reach the ledger (a PostgreSQL failover, a dropped connection, a SQLite file held locked), so its
// lease renewals fail and the lease runs out. Instance B then takes the order (a retry of the same request, same
// Idempotency-Key) and refunds it. When A's read returns, A must not send: it no longer holds the order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createHarness, tempSqlitePath, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';

const pgUrl = useTempSchema('lease_lost', 'proxy/refunds/lease-lost-mid-work.test.ts');
const BACKENDS: [string, () => () => Store][] = [
  [
    'SQLite',
    () => {
      const path = tempSqlitePath();
      return () => createSqliteStore({ path });
    },
  ],
  ...(pgUrl ? [['PostgreSQL', () => () => createPostgresStore({ url: pgUrl })] as [string, () => () => Store]] : []),
];

/** `store` as an instance cut off from the ledger sees it while `cut()` is true: its lease renewals fail. */
const cutOff = (store: Store, cut: () => boolean): Store =>
  new Proxy(store, {
    get(target, key, receiver) {
      const method = Reflect.get(target, key, receiver);
      if (key !== 'acquireLease' && key !== 'renewLease') return method;
      return (...args: unknown[]) =>
        cut() ? Promise.reject(new Error('Connection terminated unexpectedly')) : method.apply(target, args);
    },
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [backend, ledger] of BACKENDS)
  describe(`a lease lost while the work runs (${backend})`, () => {
    it('the instance that lost it sends nothing; one refund for one ask', { timeout: 60_000 }, async () => {
      const open = ledger();
      const fake = createFakeIamport();
      let cut = false;
      const a = await createHarness({
        ...WEBHOOKS_ANSWERED,
        fake,
        store: cutOff(open(), () => cut),
        timeoutMs: 20_000,
      });
      const b = await createHarness({ ...WEBHOOKS_ANSWERED, fake, store: open(), leaseWaitMs: 15_000 });
      try {
        const p = fake.addPayment({ merchant_uid: 'LOST-1', amount: 10_000 });
        // A's first look at the order on i'mport takes 8 s to get there (a slow network); B's does not.
        fake.inject({ kind: 'delay', ms: 8_000, route: 'find', times: 1 });
        const body = { merchant_uid: 'LOST-1', cancel_request_amount: 1000, reason: 'x' };
        const first = a.cancel(body, { key: 'one-ask' });
        await sleep(300);
        cut = true; // from here A's renewals fail: its lease (6 s) runs out at about 6 s
        const retry = b.cancel(body, { key: 'one-ask' }); // the customer's retry, reaching instance B
        const second = await retry;
        cut = false; // A reaches the ledger again before its read returns
        const firstAnswer = await first;
        await a.settled();
        await b.settled();
        console.log(firstAnswer.res.status, JSON.stringify(firstAnswer.body));
        console.log(second.res.status, JSON.stringify(second.body));
        assert.equal(fake.count('cancel'), 1, "one cancel sent to i'mport for one ask");
        assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 1000, 'refunded once');
        const events = (await b.store.listOrderEvents('LOST-1')).map((e) => e.type);
        assert.deepEqual(events, ['refund.succeeded'], 'one refund, told once to the shop');
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
