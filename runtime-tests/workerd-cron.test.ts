// The Workers bundle's cron trigger on workerd (through miniflare, which can fire one): housekeeping purges the ledger.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '../proxy/store/postgres.ts';
import { startCronWorker } from './cron-worker.ts';
import { GRANT_SECRET, type LedgerServer, startLedgerServer } from './harness.ts';

const HOUR = 3600 * 1000;

describe('the proxy on Cloudflare Workers (workerd), scheduled', () => {
  let server: LedgerServer;
  before(async () => {
    server = await startLedgerServer();
  });
  after(async () => server?.stop());

  it('runs housekeeping from the hourly cron trigger: an idempotency record past its 24 hours is purged', async () => {
    const ledger = await server.ledger('cron');
    const store = createPostgresStore({ url: ledger.url, max: 1 });
    const claim = (key: string, age: number) =>
      store.claimIdempotencyKey({ key, merchant_uid: 'CRON-1', request_hash: 'h', created_at: Date.now() - age });
    const worker = await startCronWorker({
      IMP_KEY: 'k',
      IMP_SECRET: 's',
      REFUND_TOKEN_SECRET: GRANT_SECRET,
      DATABASE_URL: ledger.url,
    });
    try {
      await store.migrate();
      await claim('expired', 26 * HOUR);
      await claim('recent', HOUR);
      await worker.scheduled('0 * * * *');
      assert.equal((await claim('expired', 0)).created, true, 'the expired record was purged');
      assert.equal((await claim('recent', 0)).created, false, 'a record within its 24 hours stays');
    } finally {
      await worker.dispose();
      await store.close();
      await ledger.drop();
    }
  });
});
