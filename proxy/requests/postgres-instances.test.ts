// Two proxy instances sharing one PostgreSQL ledger: concurrent approvals of one request refund it once; a failed
// request's refund applied late, seen by both at once, is recorded and told once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';
import { randomDataKey } from './account-crypto.ts';

const url = useTempSchema('request_instances', 'proxy/requests/postgres-instances.test.ts');

if (url) {
  describe('two proxy instances on one PostgreSQL ledger', () => {
    it('8 concurrent approvals of one request, from both: exactly one refunds, the others get 409', async () => {
      const key = randomDataKey();
      const a = await withRequests({ store: createPostgresStore({ url, max: 4 }) }, key);
      const b = await withRequests({ store: createPostgresStore({ url, max: 4 }), fake: a.fake, clock: a.clock }, key);
      try {
        a.fake.addPayment({ merchant_uid: 'PGR-1', amount: 30000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
        a.fake.inject({ kind: 'delay', route: 'cancel', ms: 20, times: 8 });
        const made = await requestCalls(a).ask({
          merchant_uid: 'PGR-1',
          reason: '단순 변심',
          refund_holder: '홍길동',
          refund_bank: '88',
          refund_account: '110-123-456789',
        });
        assert.equal(made.res.status, 201);
        const id = made.body.request.id;
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => requestCalls(i % 2 ? b : a).approve(id, { amount: 10000 })),
        );
        assert.equal(results.filter((r) => r.res.status === 200).length, 1);
        for (const r of results.filter((x) => x.res.status !== 200)) {
          assert.equal(r.res.status, 409);
          assert.ok(['REFUND_REQUEST_DECIDED', 'REFUND_IN_PROGRESS'].includes(r.body.error.code), r.body.error.code);
        }
        assert.equal(a.fake.count('cancel'), 1);
        const stored = await b.store.getRequest(id);
        assert.equal(stored?.status, 'refunded');
        assert.equal(stored?.refund_secret, null);
        assert.equal((await a.store.listAttempts('PGR-1')).length, 1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("a failed request's refund applied late, seen by both at once (their hourly looks): recorded and told once", async () => {
      const key = randomDataKey();
      const webhooks = { ...WEBHOOKS_ANSWERED, timeoutMs: 300 };
      const a = await withRequests({ ...webhooks, store: createPostgresStore({ url, max: 4 }) }, key);
      const b = await withRequests(
        { ...webhooks, store: createPostgresStore({ url, max: 4 }), fake: a.fake, clock: a.clock },
        key,
      );
      try {
        const p = a.fake.addPayment({ merchant_uid: 'PGR-2', amount: 30000 });
        const calls = requestCalls(a);
        const id = (await calls.ask({ merchant_uid: 'PGR-2', reason: 'r', cancel_request_amount: 8000 })).body.request
          .id;
        a.fake.inject({ kind: 'drop', route: 'cancel' });
        await calls.approve(id);
        a.clock.advance(10 * 60_000 + 1000);
        await a.outbox.runDue();
        await a.settled();
        assert.equal((await a.store.getRequest(id))?.status, 'failed', 'settled as not made');
        await cancelAtIamport(a, p.imp_uid, 8000, undefined, 'r'); // …and i'mport applies it after all
        for (let round = 0; round < 3; round += 1) {
          // Both at the next hour's first minutes, at once, as two instances' timers would be.
          a.clock.set(Math.ceil((a.clock.now() + 60_000) / 3600_000) * 3600_000 + 10_000);
          await Promise.all([a.outbox.runDue(), b.outbox.runDue()]);
          await Promise.all([a.settled(), b.settled()]);
        }
        const request = await b.store.getRequest(id);
        assert.deepEqual([request?.status, request?.approved_amount], ['refunded', 8000]);
        const attempts = await a.store.listAttempts('PGR-2');
        assert.equal(attempts.filter((x) => x.late_of !== null).length, 1, 'recorded once');
        const told = (await a.store.listOrderEvents('PGR-2')).filter(
          (e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally',
        );
        assert.deepEqual(
          told.map((e) => [e.type, e.data.amount]),
          [['refund.succeeded', 8000]],
        );
        assert.equal(a.fake.getPayment(p.imp_uid)!.cancel_amount, 8000);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
