/**
 * @module The one behaviour suite every Store backend runs (sqlite.test.ts, postgres.test.ts). Its first test
 * proves the store really talks to the database it is named after, so a passing run means that backend works.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { attemptsContract } from './contract-attempts.ts';
import type { StorePair } from './contract-fixtures.ts';
import { idempotencyContract } from './contract-idempotency.ts';
import { leasesContract } from './contract-leases.ts';
import { outboxContract } from './contract-outbox.ts';
import { paymentsContract } from './contract-payments.ts';
import { requestsContract } from './contract-requests.ts';
import { watchContract } from './contract-watch.ts';
import { MIGRATIONS } from './migrations.ts';
import { inspectSqlStore } from './sql-store.ts';
import type { Store, StoreBackend } from './store.ts';

/** How each engine names itself in its version string. */
const ENGINE_PREFIX: Record<StoreBackend, string> = { sqlite: 'SQLite ', postgres: 'PostgreSQL ' };

/**
 * @param makeStore Opens a new Store instance on one and the same database, which starts unmigrated and empty.
 *   It is called twice: the two instances stand for two processes (or two servers) sharing that database.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>, expectedBackend: StoreBackend): void {
  describe(`Store contract: ${name}`, () => {
    let pair: StorePair | undefined;
    const stores = (): StorePair => {
      if (!pair) throw new Error('the stores were not opened');
      return pair;
    };

    before(async () => {
      pair = { a: await makeStore(), b: await makeStore() };
    });
    after(async () => {
      await pair?.a.close();
      await pair?.b.close();
    });

    it(`is backed by ${expectedBackend}, and the database answers`, async () => {
      const { a, b } = stores();
      assert.equal(a.backend, expectedBackend);
      assert.equal(b.backend, expectedBackend);
      await a.ping();
      await b.ping();
      // A query that exists in only one dialect, so a store quietly wired to another database fails here.
      const engine = await inspectSqlStore(a).engine();
      assert.ok(
        engine.startsWith(ENGINE_PREFIX[expectedBackend]),
        `expected ${expectedBackend}, the database says: ${engine}`,
      );
    });

    it('migrates a fresh database from two instances at once, and again, applying each migration once', async () => {
      const { a, b } = stores();
      await Promise.all([a.migrate(), b.migrate()]);
      await a.migrate();
      await Promise.all([b.migrate(), a.migrate(), b.migrate()]);
      assert.deepEqual(
        await inspectSqlStore(b).migrations(),
        MIGRATIONS.map((migration) => migration.version),
      );
    });

    paymentsContract(stores);
    leasesContract(stores);
    attemptsContract(stores);
    idempotencyContract(stores);
    outboxContract(stores);
    watchContract(stores);
    requestsContract(stores);
  });
}
