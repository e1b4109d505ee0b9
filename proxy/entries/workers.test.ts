// The Workers entry's cron trigger: the module's `scheduled` export runs housekeeping on the PostgreSQL ledger.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, mock } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import worker from './workers.ts';

const url = useTempSchema('refund_workers_cron', 'proxy/entries/workers.test.ts');
const HOUR = 3600 * 1000;

/** What workerd hands a handler: the promises given to waitUntil are kept for the test to await. */
const context = () => {
  const kept: Promise<unknown>[] = [];
  return { kept, waitUntil: (promise: Promise<unknown>) => void kept.push(promise) };
};

const bindingsFor = (databaseUrl: string) => ({
  IMP_KEY: 'k',
  IMP_SECRET: 's',
  REFUND_TOKEN_SECRET: 'workers-cron-secret-0123456789-abcdef',
  DATABASE_URL: databaseUrl,
});

if (url) {
  describe('the Workers entry (fetch)', () => {
    it('warns once, at the first event of the isolate, that ALLOWED_ORIGINS is empty', async () => {
      const lines = mock.method(console, 'log', () => undefined);
      try {
        for (let i = 0; i < 2; i += 1) {
          const res = await worker.fetch(new Request('https://refunds.example/health'), bindingsFor(url), context());
          assert.equal(res.status, 200);
        }
      } finally {
        lines.mock.restore();
      }
      const warned = lines.mock.calls
        .map((call) => JSON.parse(String(call.arguments[0])) as Record<string, unknown>)
        .filter((line) => line.level === 'warn' && /^ALLOWED_ORIGINS is empty/.test(String(line.msg)));
      assert.equal(warned.length, 1);
    });
  });

  describe('the Workers entry (scheduled)', () => {
    it('purges idempotency records past their 24 hours, keeping the work alive with ctx.waitUntil', async () => {
      const ledger = createPostgresStore({ url, max: 1 });
      await ledger.migrate();
      const claim = (key: string, age: number) =>
        ledger.claimIdempotencyKey({ key, merchant_uid: 'CRON-1', request_hash: 'h', created_at: Date.now() - age });
      try {
        await claim('expired', 26 * HOUR);
        await claim('recent', HOUR);
        const ctx = context();
        await worker.scheduled({ cron: '0 * * * *', scheduledTime: Date.now() }, bindingsFor(url), ctx);
        assert.equal(ctx.kept.length, 1, 'the round is handed to waitUntil');
        await Promise.all(ctx.kept);
        assert.equal((await claim('expired', 0)).created, true, 'the expired record was purged');
        assert.equal((await claim('recent', 0)).created, false, 'a record within its 24 hours stays');
      } finally {
        await ledger.close();
      }
    });
  });
}

describe('deploy/wrangler.toml', () => {
  it('has the hourly cron trigger (housekeeping) and the one every minute (webhook retries) that call `scheduled`', () => {
    const toml = readFileSync(new URL('../../deploy/wrangler.toml', import.meta.url), 'utf8');
    assert.match(toml, /^\[triggers\]\ncrons = \["0 \* \* \* \*", "\* \* \* \* \*"\]$/m);
  });
});
