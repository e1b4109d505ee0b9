// A ledger connection ended as it opens (a failover, a restart, pg_terminate_backend or a reset landing in its first
// milliseconds): the driver (postgres 3.4.9) runs a query of its own on each connection it opens, the array types
// (`fetch_types`), and drops its promise, so that query failing was an unhandled rejection, which ended the process
// (porsager/postgres#1192, #1205, #1223). Runs the Node entry as a process against DATABASE_URL through a relay on
// loopback that cuts any connection once it sends that query, while armed.
import assert from 'node:assert/strict';
import { createConnection, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { nodeStack } from '../test-support/node-stack.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';

const SECRET = 'pg-type-fetch-secret-0123456789-abcdefgh';
const url = useTempSchema('ledger_type_fetch', 'proxy/store/postgres-type-fetch.test.ts');

/** A TCP relay to the server at `target`; armed, it cuts each connection that sends the driver's type query. */
const startRelay = async (target: URL) => {
  const pairs = new Set<[Socket, Socket]>();
  let armed = false;
  let cut = 0;
  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      if (armed && chunk.includes('typarray')) {
        cut += 1;
        return end();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const relayed = new URL(target.href);
  relayed.host = `127.0.0.1:${port}`;
  return {
    url: relayed.href,
    arm: (on: boolean) => {
      armed = on;
    },
    cuts: () => cut,
    /** Ends every connection open now, as a failover does. */
    dropAll: () => {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
};

if (url) {
  describe('a ledger connection cut while the driver reads the array types', () => {
    let relay: Awaited<ReturnType<typeof startRelay>>;
    before(async () => {
      relay = await startRelay(new URL(url));
    });
    after(() => relay.close());

    it('the proxy lives on, and the same key refunds once after', { timeout: 90_000 }, async () => {
      const stack = await nodeStack(SECRET, 'refund-pg-type-fetch-');
      stack.fake.addPayment({ merchant_uid: 'TF-1', amount: 10_000 });
      stack.fake.addPayment({ merchant_uid: 'TF-2', amount: 10_000 });
      const proxy = await startNodeProxy({
        ...stack.env,
        DATABASE_URL: relay.url,
        DATA_ENCRYPTION_KEY: randomDataKey(),
      });
      const refund = async (merchantUid: string, key: string) =>
        fetch(`${proxy.url}/payments/cancel`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${await mintGrant(SECRET, { merchantUid })}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': key,
          },
          body: JSON.stringify({ merchant_uid: merchantUid, cancel_request_amount: 1000, reason: '단순 변심' }),
        });
      try {
        assert.equal((await refund('TF-1', 'tf-1')).status, 200);
        // A failover: every connection ends, and each one the pool opens again is cut as it reads the types (the
        // driver opens it again, and again) until the relay lets them through.
        relay.arm(true);
        relay.dropAll();
        // The refund that waited on those connections: the driver strands its wait for one (porsager/postgres#1195).
        const during = refund('TF-2', 'tf-2').catch((error: unknown) => error);
        for (let waited = 0; relay.cuts() < 3 && waited < 10_000; waited += 20)
          await new Promise((r) => setTimeout(r, 20));
        assert.ok(relay.cuts() >= 3, 'connections were cut as they read the types');
        relay.arm(false);
        await new Promise((r) => setTimeout(r, 500));
        // Before: the process ended at the first cut ("Error: write CONNECTION_CLOSED", an unhandled rejection).
        const health = await fetch(`${proxy.url}/health`).catch((error: unknown) => error);
        assert.ok(health instanceof Response, `the proxy is still running:\n${proxy.out}`);
        assert.equal(health.status, 200);
        assert.doesNotMatch(proxy.out, /triggerUncaughtException|typarray/);

        let again = await refund('TF-2', 'tf-2');
        for (let tries = 1; again.status !== 200 && tries < 3; tries += 1) again = await refund('TF-2', 'tf-2');
        assert.equal(again.status, 200, `${await again.clone().text()}\n${proxy.out}`);
        // Before: never answered (its wait stranded for good). Now refused once the wait for a connection is over (10 s),
        // and it sent nothing, so it says so.
        const answered = await Promise.race([during, new Promise((r) => setTimeout(() => r('no answer'), 20_000))]);
        assert.ok(answered instanceof Response, `the refund caught in the cut is answered: ${String(answered)}`);
        const body = (await answered.json()) as { error?: { code: string; message: string } };
        if (answered.status !== 200) {
          assert.deepEqual([answered.status, body.error?.code], [503, 'UPSTREAM_UNAVAILABLE']);
          assert.match(body.error?.message ?? '', /this request sent no refund/);
        }
        assert.equal(stack.fake.count('cancel'), 2, 'each order refunded once');
      } finally {
        await proxy.kill();
        await stack.close();
      }
    });
  });
}
