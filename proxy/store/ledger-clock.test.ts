// Instances whose clocks disagree, on one PostgreSQL ledger: an order's lease and an outbox event's hold are judged on
// the database server's clock, so an instance running 8 s (or 25 s) fast takes neither from another that holds it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClock, createHarness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { createPostgresDriver, createPostgresStore } from './postgres.ts';
import type { SqlDriver } from './sql-driver.ts';
import { createSqlStore } from './sql-store.ts';
import type { Store } from './store.ts';

const url = useTempSchema('ledger_clock', 'proxy/store/ledger-clock.test.ts');

/** `driver`, whose readings of the server's clock take `slow.ms` longer (a loaded server, a distant one). */
const slowClockReads = (driver: SqlDriver, slow: { ms: number }): SqlDriver => {
  const delay = async (text: string) => {
    if (text.includes('clock_timestamp') && slow.ms > 0) await new Promise((r) => setTimeout(r, slow.ms));
  };
  return {
    ...driver,
    query: async (text, params) => {
      await delay(text);
      return driver.query(text, params);
    },
    sequence: async (statements) => {
      for (const statement of statements) await delay(statement.sql);
      return driver.sequence(statements);
    },
  };
};

if (url) {
  describe('instances whose clocks disagree, on one PostgreSQL ledger', () => {
    it("an instance whose readings of the server's clock are too slow to use holds its leases all the same", async () => {
      // As the entries build it: no clock given, so Date.now with performance.now beside it.
      const slow = { ms: 700 };
      const x = createSqlStore(slowClockReads(createPostgresDriver({ url }), slow));
      const y = createPostgresStore({ url });
      try {
        await x.migrate(); // its start-up reading took 700 ms: not used
        await y.migrate();
        for (let i = 0; i < 3; i += 1) {
          const name = `order:SLOW-READ-${i}`;
          assert.equal(await x.acquireLease(name, 'holder-x', 6_000, Date.now()), true);
          assert.equal(await y.acquireLease(name, 'holder-y', 6_000, Date.now()), false, `Y took ${name} from X`);
        }
      } finally {
        await x.close();
        await y.close();
      }
    });

    it("an instance 8 s fast waits for another's running refund of the order instead of sending its own beside it", async () => {
      const a = await createHarness({ store: createPostgresStore({ url }) });
      const fast = createClock(Date.now() + 8_000);
      const b = await createHarness({
        store: createPostgresStore({ url, now: fast.now }),
        clock: fast,
        fake: a.fake,
      });
      try {
        const p = a.fake.addPayment({ merchant_uid: 'SKEW-1', amount: 20_000 });
        // A's cancel takes 1.5 s at i'mport: A holds the order's lease (6 s, renewed every 2 s) all the while.
        a.fake.inject({ kind: 'delay', route: 'cancel', ms: 1_500, times: 1 });
        const first = a.cancel(
          { merchant_uid: 'SKEW-1', cancel_request_amount: 1_000, reason: 'a' },
          { key: 'skew-a' },
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const second = await b.cancel(
          { merchant_uid: 'SKEW-1', cancel_request_amount: 1_000, reason: 'b' },
          { key: 'skew-b' },
        );
        const firstDone = await first;
        // Had B taken the lease (A's expiry is 6 s ahead on A's clock, already past on B's), its cancel would have gone
        // out beside A's with the same checksum, and A's would have been refused as CONSISTENCY_BROKEN.
        assert.equal(firstDone.res.status, 200, JSON.stringify(firstDone.body));
        assert.equal(second.res.status, 200, JSON.stringify(second.body));
        assert.equal(a.fake.getPayment(p.imp_uid)?.cancel_amount, 2_000);
        const attempts = await a.store.listAttempts('SKEW-1');
        assert.deepEqual(
          attempts.map((x) => [x.outcome, x.checksum]).sort(),
          [
            ['succeeded', 19_000],
            ['succeeded', 20_000],
          ],
          'one after the other: the second was sent against what the first left',
        );
      } finally {
        await a.close();
        await b.close();
      }
    });

    /**
     * A (on the server's clock) writes an event and holds it for 20 s from `now`; B, asking at `bAt` on its own clock,
     * claims nothing, and 21 s later (on B's clock too) takes the event over.
     */
    const heldThenTaken = async (a: Store, b: Store, id: string, now: number, bAt: () => number) => {
      await a.migrate();
      await b.migrate(); // B reads the server's clock
      const event = { type: 'refund.succeeded', merchant_uid: id, data: { amount: 1_000 }, dedupe_key: null } as const;
      await a.insertEvent({ id, created_at: now, ...event });
      assert.equal((await a.claimDueEvents('holder-a', now, 20_000, 10)).length, 1);
      const asked = bAt();
      assert.deepEqual(await b.claimDueEvents('holder-b', asked, 20_000, 10), [], 'held by A for 20 s more');
      const later = await b.claimDueEvents('holder-b', asked + 21_000, 20_000, 10);
      assert.deepEqual(
        later.map((e) => e.id),
        [id],
      );
    };

    it('an instance 25 s fast claims no event another instance holds (a 20 s hold), and claims it once the hold ends', async () => {
      const now = Date.now();
      const a = createPostgresStore({ url });
      const b = createPostgresStore({ url, now: () => Date.now() + 25_000 });
      try {
        await heldThenTaken(a, b, `msg_skew_${now}`, now, () => now + 25_000);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('an instance whose clock steps 25 s forward after its reading claims no event another holds, until the hold ends', async () => {
      const now = Date.now();
      const a = createPostgresStore({ url });
      // B's own clock, and beside it one that never steps, as production's performance.now.
      const wall = createClock(now);
      const b = createPostgresStore({ url, now: wall.now, monotonic: () => performance.now() });
      try {
        await heldThenTaken(a, b, `msg_step_${now}`, now, () => {
          wall.advance(25_000); // after B's reading: an NTP step, a VM resumed
          return wall.now();
        });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
