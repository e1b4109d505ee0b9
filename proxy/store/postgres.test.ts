/**
 * @module Runs the store contract on PostgreSQL at DATABASE_URL, in a schema made for this run and dropped after it.
 * Without DATABASE_URL it fails rather than skips: a skipped backend would look like a tested one.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import postgres from 'postgres';
import { runStoreContract } from './contract.ts';
import { createPostgresStore } from './postgres.ts';

const databaseUrl = process.env['DATABASE_URL'];

if (!databaseUrl) {
  it('needs DATABASE_URL', () => {
    assert.fail(
      'DATABASE_URL is not set, so the PostgreSQL store was not tested. Start a throwaway server with ' +
        '`node scripts/pg-throwaway.mjs` and run: DATABASE_URL=<the url it prints> ' +
        'node --import tsx --test proxy/store/postgres.test.ts',
    );
  });
} else {
  const schema = `store_test_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  // Extra URL parameters become session settings, so every connection of the stores lands in this run's schema.
  const url = new URL(databaseUrl);
  url.searchParams.set('search_path', schema);

  before(async () => {
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
  });
  after(async () => {
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end({ timeout: 5 });
  });

  runStoreContract('PostgreSQL', async () => createPostgresStore({ url: url.href, max: 4 }), 'postgres');

  it('ping rejects when the server cannot be reached', async () => {
    // Port 1 on loopback refuses at once: nothing listens there.
    const unreachable = createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 });
    await assert.rejects(unreachable.ping(), /ECONNREFUSED/);
    await unreachable.close();
  });
}
