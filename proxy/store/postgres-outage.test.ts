// PostgreSQL ending the proxy's connection while a statement of it runs (pg_terminate_backend from another session, a
// failover, a fast shutdown, a pooler restarting): the request that used it is answered, and the proxy lives on. The
// driver (postgres 3.4.9) throws from a timer, past every catch, when anything is written on a connection it has
// already closed: a transaction's own ROLLBACK after its statement failed, or a reserved connection given back to the
// pool. Runs the Node entry as a process against DATABASE_URL, in a schema of its own.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import postgres from 'postgres';
import { mintGrant } from '../auth/grant.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { nodeStack } from '../test-support/node-stack.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';

const SECRET = 'pg-outage-secret-0123456789-abcdefghijkl';
const url = useTempSchema('ledger_outage', 'proxy/store/postgres-outage.test.ts');

const eventually = async (done: () => Promise<boolean>, ms: number): Promise<boolean> => {
  for (let waited = 0; waited < ms; waited += 50) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return done();
};

if (url) {
  describe('a ledger connection ended by PostgreSQL mid-statement', () => {
    const other = postgres(url, { max: 2, onnotice: () => {} });
    after(() => other.end({ timeout: 5 }));

    /**
     * Holds `lock` on `table` from another session while `call` runs; once a statement of the proxy waits on it, that
     * backend is terminated. Answers the call's response.
     */
    const terminatedWhileWaiting = async (table: string, lock: string, call: () => Promise<Response>) => {
      const locker = await other.reserve();
      try {
        await locker.unsafe('BEGIN');
        await locker.unsafe(`LOCK TABLE ${table} IN ${lock} MODE`);
        const [{ pid }] = await locker.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
        const answer = call();
        const blocked = () =>
          other.unsafe<{ pid: number }[]>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [
            pid,
          ]);
        assert.ok(await eventually(async () => (await blocked()).length > 0, 10_000), 'a statement waits on the lock');
        const victims = (await blocked()).map((row) => row.pid);
        await other.unsafe('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1)', [victims]);
        const gone = async () =>
          (await other.unsafe('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1)', [victims])).length === 0;
        assert.ok(await eventually(gone, 10_000), 'the waiting backend was ended');
        // Let go at once, so what the proxy does next (giving the lease back, say) does not wait on it in turn.
        await locker.unsafe('ROLLBACK');
        return await answer;
      } finally {
        await locker.unsafe('ROLLBACK').catch(() => undefined);
        locker.release();
      }
    };

    it('a refund (its lease and order read together) and a refund request (a transaction): 503, and the proxy lives on', {
      timeout: 90_000,
    }, async () => {
      const stack = await nodeStack(SECRET, 'refund-pg-outage-');
      stack.fake.addPayment({ merchant_uid: 'PGO-1', amount: 10_000 });
      stack.fake.addPayment({ merchant_uid: 'PGO-2', amount: 10_000 });
      const proxy = await startNodeProxy({ ...stack.env, DATABASE_URL: url, DATA_ENCRYPTION_KEY: randomDataKey() });
      const post = async (path: string, merchantUid: string, key: string, mode?: 'request') =>
        fetch(`${proxy.url}${path}`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${await mintGrant(SECRET, { merchantUid, ...(mode ? { mode } : {}) })}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': key,
          },
          body: JSON.stringify({ merchant_uid: merchantUid, cancel_request_amount: 1000, reason: '단순 변심' }),
        });
      try {
        // The refund's first trip takes the order's lease and reads the order on one reserved connection.
        const refund = await terminatedWhileWaiting('leases', 'ACCESS EXCLUSIVE', () =>
          post('/payments/cancel', 'PGO-1', 'pgo-refund'),
        );
        assert.equal(refund.status, 503, await refund.clone().text());
        assert.equal(((await refund.json()) as { error: { code: string } }).error.code, 'UPSTREAM_UNAVAILABLE');
        assert.equal(stack.fake.count('cancel'), 0, 'nothing was sent');

        // A refund request is written in a transaction (the request and its event); its write waits, then dies.
        const asked = await terminatedWhileWaiting('refund_requests', 'EXCLUSIVE', () =>
          post('/refund-requests', 'PGO-2', 'pgo-request', 'request'),
        );
        // Answered either way: 503, or 201 when the transaction's retry (event-writes.ts) found the lock let go.
        assert.ok([201, 503].includes(asked.status), await asked.clone().text());

        await new Promise((r) => setTimeout(r, 500)); // a throw from the driver's timer comes a moment later
        const health = await fetch(`${proxy.url}/health`).catch((error: unknown) => error);
        assert.ok(health instanceof Response && health.status === 200, `the proxy is still running:\n${proxy.out}`);
        assert.doesNotMatch(proxy.out, /TypeError/);
        // The driver keeps the FATAL of a connection that died mid-statement and fails the first statement of that
        // connection's next session with it (a stale errorResponse in postgres 3.4.9): one more 503, "nothing was
        // refunded", true. A retry with the same key then goes through, as the widget's does.
        const retried = async (call: () => Promise<Response>, ok: number) => {
          let answer = await call();
          for (let tries = 1; answer.status === 503 && tries < 3; tries += 1) answer = await call();
          assert.equal(answer.status, ok, `${await answer.clone().text()}\n${proxy.out}`);
        };
        await retried(() => post('/payments/cancel', 'PGO-1', 'pgo-refund'), 200);
        await retried(() => post('/refund-requests', 'PGO-2', 'pgo-request', 'request'), 201);
        assert.equal(stack.fake.count('cancel'), 1);
      } finally {
        await proxy.kill();
        await stack.close();
      }
    });
  });
}
