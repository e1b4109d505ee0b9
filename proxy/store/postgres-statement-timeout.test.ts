// PostgreSQL cancelling the proxy's statements (statement_timeout, 57014: a lock held elsewhere, a slow disk, a
// vacuum) once a refund was sent and its answer lost: the customer is never told "nothing was refunded" while the
// gateway may have refunded, and the retry with the same key refunds once. The timeout is the server's own, set here
// for the store's sessions by the URL (a setting on the role or the database works the same).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import postgres from 'postgres';
import { createPostgresStore } from '../store/postgres.ts';
import { createHarness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';

const url = useTempSchema('ledger_stmt_timeout', 'proxy/store/postgres-statement-timeout.test.ts');

if (url) {
  describe('statements cancelled by the server (statement_timeout)', () => {
    const other = postgres(url, { max: 2, onnotice: () => {} });
    after(() => other.end({ timeout: 5 }));
    /** The store's sessions cancel a statement that runs 300 ms: long for any of its own, short for a held lock. */
    const timed = new URL(url);
    timed.searchParams.set('statement_timeout', '300');

    it('a same-key retry of a refund whose answer was lost, its write cancelled: not "nothing was refunded"', {
      timeout: 60_000,
    }, async () => {
      const h = await createHarness({ store: createPostgresStore({ url: timed.href }) });
      try {
        const p = h.fake.addPayment({ merchant_uid: 'ST-1', amount: 10_000 });
        assert.equal((await h.view('ST-1')).res.status, 200);
        const body = { merchant_uid: 'ST-1', cancel_request_amount: 3000, reason: '단순 변심' };
        // Applied at i'mport, its answer lost and the re-read failing: the outcome is not known.
        h.fake.inject({ kind: 'lose_response' });
        h.fake.inject({ kind: 'http_5xx', route: 'payment' });
        const first = await h.cancel(body, { key: 'st-key' });
        assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
        assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, "i'mport refunded");
        await h.settled();

        // The retry reads the order, learns from i'mport that the refund applied, and writes the attempt's end: that
        // write waits on a lock held elsewhere until the server cancels it.
        const locker = await other.reserve();
        try {
          await locker.unsafe('BEGIN');
          await locker.unsafe('LOCK TABLE refund_attempts IN SHARE MODE');
          const retry = await h.cancel(body, { key: 'st-key' });
          // Before: 503 UPSTREAM_UNAVAILABLE, "The refund ledger is unavailable, so nothing was refunded."
          assert.equal(retry.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(retry.body));
          assert.doesNotMatch(JSON.stringify(retry.body), /nothing was refunded/);
          assert.ok(h.logs.some((l) => l.msg === 'ledger unavailable' && l.operation === 'finishAttempt'));
        } finally {
          await locker.unsafe('ROLLBACK').catch(() => undefined);
          locker.release();
        }
        await h.settled();
        const again = await h.cancel(body, { key: 'st-key' });
        assert.equal(again.res.status, 200, JSON.stringify(again.body));
        assert.equal(again.body.refunded, 3000);
        assert.equal(h.fake.count('cancel'), 1, 'refunded once');
        assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000);
      } finally {
        await h.close();
      }
    });
  });
}
