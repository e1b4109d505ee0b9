/** @module Runs the store contract on PostgreSQL at DATABASE_URL, in a schema made for this run, dropped after. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { runStoreContract } from './contract.ts';
import { createPostgresStore } from './postgres.ts';

const url = useTempSchema('store_test', 'proxy/store/postgres.test.ts');

if (url) {
  runStoreContract('PostgreSQL', async () => createPostgresStore({ url, max: 4 }), 'postgres');

  it('ping rejects when the server cannot be reached', async () => {
    // Port 1 on loopback refuses at once: nothing listens there.
    const unreachable = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 });
    await assert.rejects(unreachable.ping(), /ECONNREFUSED/);
    await unreachable.close();
  });
}
