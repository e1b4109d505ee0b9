/**
 * @module A PostgreSQL schema of its own for one test file (or one run), at DATABASE_URL; dropped afterwards.
 * Without DATABASE_URL the test fails with instructions rather than skipping: a skipped backend looks tested.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import postgres from 'postgres';

/**
 * Registers before/after hooks and returns the URL whose connections land in the new schema, or null (and a failing
 * test).
 */
export const useTempSchema = (prefix: string, rerun: string): string | null => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    it('needs DATABASE_URL', () => {
      assert.fail(
        'DATABASE_URL is not set, so PostgreSQL was not tested. ' +
          'Start a throwaway server with `node scripts/pg-throwaway.mjs` ' +
          `and run: DATABASE_URL=<the url it prints> node --import tsx --test ${rerun}`,
      );
    });
    return null;
  }
  const schema = tempSchema(databaseUrl, prefix);
  before(schema.create);
  after(schema.drop);
  return schema.url;
};

/** A schema of its own at `databaseUrl`, named now: `url` lands every connection in it once `create` has run. */
export interface TempSchema {
  readonly url: string;
  readonly create: () => Promise<void>;
  /** Drops the schema and ends the connection that made it. */
  readonly drop: () => Promise<void>;
}

/** A new schema named `<prefix>_<random>` at `databaseUrl` (a test file's, or one run of a model's). */
export const tempSchema = (databaseUrl: string, prefix: string): TempSchema => {
  const schema = `${prefix}_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  // Extra URL parameters become session settings, so every connection of the stores lands in this schema.
  const url = new URL(databaseUrl);
  url.searchParams.set('search_path', schema);
  return {
    url: url.href,
    create: async () => {
      await admin.unsafe(`CREATE SCHEMA ${schema}`);
    },
    drop: async () => {
      await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end({ timeout: 5 });
    },
  };
};
