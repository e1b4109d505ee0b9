// The CSV export on workerd (miniflare): streamed page by page after the answer's head (proxy/admin/csv.ts), its later
// pages read from the ledger in the stream's pulls, after the handler returned. Every row must arrive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aFinish, anAttempt } from '../proxy/store/contract-fixtures.ts';
import { createPostgresStore } from '../proxy/store/postgres.ts';
import { tempSchema } from '../proxy/test-support/postgres-schema.ts';
import { type CronWorker, startCronWorker } from './cron-worker.ts';
import { GRANT_SECRET } from './harness.ts';

const ADMIN_KEY = 'workerd-csv-admin-key-0123456789abcdef-xyz';
const databaseUrl = process.env.DATABASE_URL;

describe('the proxy on Cloudflare Workers (workerd), a CSV export longer than one page', { skip: !databaseUrl }, () => {
  const schema = tempSchema(databaseUrl ?? 'postgres://unset', 'refund_workerd_csv');
  let worker: CronWorker;
  const ids: string[] = [];
  before(async () => {
    await schema.create();
    const ledger = createPostgresStore({ url: schema.url, max: 1 });
    await ledger.migrate();
    for (let i = 0; i < 3; i += 1) {
      const start = anAttempt({ merchant_uid: 'CSV-ORDER', started_at: Date.now() - (10 - i) * 1000 });
      await ledger.insertAttempt(start, aFinish());
      ids.push(start.id);
    }
    await ledger.close();
    worker = await startCronWorker({
      IMP_KEY: 'k',
      IMP_SECRET: 's',
      REFUND_TOKEN_SECRET: GRANT_SECRET,
      DATABASE_URL: schema.url,
      ADMIN_API_KEYS: ADMIN_KEY,
    });
  });
  after(async () => {
    await worker?.dispose();
    await schema.drop();
  });

  it('streams every row', { timeout: 30_000 }, async () => {
    const res = await worker.send('/admin/refunds?merchant_uid=CSV-ORDER&limit=1', {
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, Accept: 'text/csv' },
    });
    assert.equal(res.status, 200);
    const text = await res.text().catch((error: unknown) => `(body failed: ${String(error)})`);
    const rows = text.split('\r\n').filter(Boolean);
    assert.equal(rows.length, 4, `the header and the 3 attempts:\n${text}`);
    assert.deepEqual(
      rows.slice(1).map((row) => row.split(',')[0]),
      [...ids].reverse(),
    );
  });
});
