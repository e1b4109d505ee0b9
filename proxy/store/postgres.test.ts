/** @module Runs the store contract on PostgreSQL at DATABASE_URL, in a schema made for this run, dropped after. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { runStoreContract } from './contract.ts';
import { createPostgresDriver, createPostgresStore } from './postgres.ts';

const url = useTempSchema('store_test', 'proxy/store/postgres.test.ts');

if (url) {
  runStoreContract('PostgreSQL', async () => createPostgresStore({ url, max: 4 }), 'postgres');

  // transaction() writes its own BEGIN, COMMIT and ROLLBACK on a reserved connection (not the driver's begin(), whose
  // ROLLBACK on a connection the server ended throws past every catch): what begin() guaranteed must still hold.
  it('commits a transaction whole, or rolls it back whole, the connection given back clean either way', async () => {
    const driver = createPostgresDriver({ url, max: 1 });
    try {
      await driver.run('CREATE TABLE tx_check (n INTEGER PRIMARY KEY)');
      await driver.transaction(async (tx) => {
        await tx.run('INSERT INTO tx_check (n) VALUES (?)', [1]);
        await tx.run('INSERT INTO tx_check (n) VALUES (?)', [2]);
      });
      await assert.rejects(
        driver.transaction(async (tx) => {
          await tx.run('INSERT INTO tx_check (n) VALUES (?)', [3]);
          throw new Error('the work failed');
        }),
        /the work failed/,
      );
      // A statement that failed aborts the transaction: work that caught it and went on must not look committed.
      await assert.rejects(
        driver.transaction(async (tx) => {
          await tx.run('INSERT INTO tx_check (n) VALUES (?)', [4]);
          await tx.run('INSERT INTO tx_check (n) VALUES (?)', [1]).catch(() => undefined); // a duplicate key
        }),
        /duplicate key/,
      );
      // One connection in the pool: had it been given back inside a transaction, this would read through it.
      const rows = await driver.query('SELECT n FROM tx_check ORDER BY n');
      assert.deepEqual(
        rows.map((r) => r.n),
        [1, 2],
      );
      // Inside a transaction left open, now() would be its start, before this statement's.
      assert.equal((await driver.query('SELECT now() = statement_timestamp() AS fresh'))[0]?.fresh, true);
    } finally {
      await driver.run('DROP TABLE IF EXISTS tx_check').catch(() => undefined);
      await driver.close();
    }
  });

  it('ping rejects when the server cannot be reached', async () => {
    // Port 1 on loopback refuses at once: nothing listens there.
    const unreachable = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 });
    await assert.rejects(unreachable.ping(), /ECONNREFUSED/);
    await unreachable.close();
  });
}
