// Two proxy instances on one PostgreSQL ledger, 100 refunds, a receiver that answers slowly: every event delivered,
// none sent by both instances at once (each webhook-id arrives once, as no attempt failed).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { createHarness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { startWebhookReceiver } from '../test-support/webhook-receiver.ts';

const url = useTempSchema('webhook_instances', 'proxy/webhooks/postgres-instances.test.ts');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

if (url) {
  describe('merchant webhooks from two instances on one PostgreSQL ledger', () => {
    it('100 refunds, a slow receiver: every event delivered, none twice at once', { timeout: 120_000 }, async () => {
      const receiver = await startWebhookReceiver(SECRET);
      receiver.slow(150);
      const merchantWebhooks = { urls: [receiver.url], secret: SECRET, retryDelaysMs: [5_000] };
      const outside = (u: string, init: Parameters<typeof fetch>[1]) => fetch(u, init);
      const a = await createHarness({
        store: createPostgresStore({ url, max: 4 }),
        outside,
        config: { merchantWebhooks },
      });
      const b = await createHarness({
        store: createPostgresStore({ url, max: 4 }),
        fake: a.fake,
        clock: a.clock,
        outside,
        config: { merchantWebhooks },
      });
      try {
        for (let i = 0; i < 100; i += 1) a.fake.addPayment({ merchant_uid: `PGW-${i}`, amount: 10_000 });
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            (i % 2 ? b : a).cancel({ merchant_uid: `PGW-${i}`, cancel_request_amount: 1000, reason: 'x' }),
          ),
        );
        assert.ok(results.every((r) => r.res.status === 200));
        // Both instances also look for due events while the first deliveries are still being answered.
        await Promise.all([a.outbox!.runDue(), b.outbox!.runDue(), a.outbox!.runDue(), b.outbox!.runDue()]);
        await Promise.all([a.settled(), b.settled()]);
        const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
        assert.equal(new Set(ids).size, 100, 'every event arrived');
        assert.equal(ids.length, 100, 'none twice (no attempt failed)');
        assert.equal(receiver.maxConcurrentPerId(), 1);
        assert.ok(receiver.received.every((r) => r.verifyError === null));
        const delivered = await a.store.listEvents({ status: 'delivered', limit: 500 });
        assert.equal(delivered.data.length, 100);
      } finally {
        await a.close();
        await b.close();
        await receiver.close();
      }
    });
  });
}
