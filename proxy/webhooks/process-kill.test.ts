// The proxy killed (SIGKILL) after a refund's answer, while its event's first delivery is in flight: the event is in
// the ledger, held by the dead process until its hold runs out; a restarted proxy then delivers it, same webhook-id.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { nodeStack } from '../test-support/node-stack.ts';

const SECRET = 'kill-test-secret-0123456789-abcdefghijkl';

/** Polls `done` (a child process's doing, which no injected clock reaches) for at most `ms`. */
const eventually = async (done: () => boolean, ms: number) => {
  for (let waited = 0; !done() && waited < ms; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return done();
};

describe('the proxy killed between the answer and the first delivery of its event', () => {
  it('a restarted proxy delivers the event once the dead one’s hold ran out', { timeout: 90_000 }, async () => {
    const stack = await nodeStack(SECRET, 'refund-kill-webhook-');
    const { fake, receiver, env } = stack;
    fake.addPayment({ merchant_uid: 'KILL-W', amount: 10_000 });
    const grant = await mintGrant(SECRET, { merchantUid: 'KILL-W' });
    const first = await startNodeProxy(env);
    let second: Awaited<ReturnType<typeof startNodeProxy>> | undefined;
    const ledger = createSqliteStore({ path: stack.ledgerPath });
    try {
      receiver.holdNext(1);
      const res = await fetch(`${first.url}/payments/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${grant}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ merchant_uid: 'KILL-W', cancel_request_amount: 3000, reason: 'x' }),
      });
      assert.equal(res.status, 200, 'the customer was answered');
      assert.ok(await eventually(() => receiver.received.length === 1, 10_000), 'the first delivery is in flight');
      await first.kill('SIGKILL');
      const id = String(receiver.received[0]!.headers['webhook-id']);
      assert.equal((await ledger.getEvent(id))?.status, 'pending', 'the event outlived the process');

      second = await startNodeProxy(env);
      const delivered = () => receiver.received.some((r) => r.answered === 204);
      assert.ok(await eventually(delivered, 45_000), 'delivered by the restarted proxy');
      const ok = receiver.received.find((r) => r.answered === 204)!;
      assert.equal(ok.headers['webhook-id'], id, 'the same webhook-id');
      assert.equal(ok.verifyError, null);
      assert.equal((JSON.parse(ok.body) as { type: string }).type, 'refund.succeeded');
      assert.ok((await eventually(() => false, 500)) === false);
      assert.equal((await ledger.getEvent(id))?.status, 'delivered');
    } finally {
      await second?.kill();
      await ledger.close();
      await stack.close();
    }
  });
});
