// The Workers entry's CSV export (GET /admin/refunds with Accept: text/csv, the staff console's "export"): the body is
// streamed page by page, each page read from the ledger as the client takes the one before (proxy/admin/csv.ts), so
// those reads run after the handler has returned the Response. The request's connection must stay open until the
// stream has ended, or every row past the first page is cut off (the client sees a short file, or an error).
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { aFinish, anAttempt } from '../store/contract-fixtures.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import worker from './workers.ts';

const url = useTempSchema('refund_workers_csv', 'proxy/entries/workers-csv-stream.test.ts');
const ADMIN_KEY = 'workers-csv-admin-key-0123456789abcdef-xyz';

const context = () => {
  const kept: Promise<unknown>[] = [];
  return { kept, waitUntil: (promise: Promise<unknown>) => void kept.push(promise) };
};

if (url) {
  describe('the Workers entry, a CSV export longer than one page', () => {
    it('streams every row, the ledger read after the answer began', async () => {
      const ledger = createPostgresStore({ url, max: 1 });
      await ledger.migrate();
      const ids: string[] = [];
      try {
        for (let i = 0; i < 3; i += 1) {
          const start = anAttempt({ merchant_uid: 'CSV-ORDER', started_at: Date.now() - (10 - i) * 1000 });
          await ledger.insertAttempt(start, aFinish());
          ids.push(start.id);
        }
      } finally {
        await ledger.close();
      }
      const bindings = {
        IMP_KEY: 'k',
        IMP_SECRET: 's',
        REFUND_TOKEN_SECRET: 'workers-csv-secret-0123456789-abcdef',
        DATABASE_URL: url,
        ALLOWED_ORIGINS: 'https://shop.example',
        ADMIN_API_KEYS: ADMIN_KEY,
      };
      const lines = mock.method(console, 'log', () => undefined);
      try {
        const ctx = context();
        const res = await worker.fetch(
          new Request('https://refunds.example/admin/refunds?merchant_uid=CSV-ORDER&limit=1', {
            headers: { Authorization: `Bearer ${ADMIN_KEY}`, Accept: 'text/csv' },
          }),
          bindings,
          ctx,
        );
        assert.equal(res.status, 200);
        const text = await res.text();
        await Promise.all(ctx.kept);
        const rows = text.split('\r\n').filter(Boolean);
        assert.equal(rows.length, 4, `the header and the 3 attempts:\n${text}`);
        assert.deepEqual(
          rows.slice(1).map((row) => row.split(',')[0]),
          [...ids].reverse(),
        );
      } finally {
        lines.mock.restore();
      }
    });
  });
}
