// The Node entry stopped with SIGTERM while a refund's cancel and an event's POST are in flight: both finish (the
// customer is answered with the refund, the event is recorded delivered), as docs/deploy.md says, before it exits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { nodeStack } from '../test-support/node-stack.ts';

const SECRET = 'shutdown-test-secret-0123456789-abcdefgh';

/** Polls `done` (a child process's doing) for at most `ms`. */
const eventually = async (done: () => boolean, ms: number) => {
  for (let waited = 0; !done() && waited < ms; waited += 25) await new Promise((r) => setTimeout(r, 25));
  return done();
};

describe('the Node entry stopped with SIGTERM', () => {
  it("lets a refund's cancel and an event's POST that are in flight finish before it exits", {
    timeout: 60_000,
  }, async () => {
    const stack = await nodeStack(SECRET, 'refund-sigterm-');
    const { fake, receiver, env } = stack;
    const refund = async (url: string, merchantUid: string) =>
      fetch(`${url}/payments/cancel`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${await mintGrant(SECRET, { merchantUid })}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ merchant_uid: merchantUid, cancel_request_amount: 3000, reason: 'x' }),
      });
    const ledger = createSqliteStore({ path: stack.ledgerPath });
    try {
      // A cancel i'mport takes 1.5 s to answer, stopped 0.3 s in.
      const first = await startNodeProxy(env);
      fake.addPayment({ merchant_uid: 'TERM-R', amount: 10_000 });
      fake.inject({ kind: 'delay', route: 'cancel', ms: 1500 });
      const answer = refund(first.url, 'TERM-R');
      assert.ok(await eventually(() => fake.count('cancel') === 1, 10_000), "the cancel reached i'mport");
      await new Promise((r) => setTimeout(r, 300));
      const stopped = first.kill('SIGTERM');
      const res = await answer;
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as { cancelable_amount: number }).cancelable_amount, 7000);
      await stopped;
      assert.doesNotMatch(first.out, /refund outcome unknown|socket hang up/);

      // An event whose receiver takes 1.5 s to answer, stopped while its POST waits.
      const second = await startNodeProxy(env);
      fake.addPayment({ merchant_uid: 'TERM-W', amount: 10_000 });
      receiver.slow(1500);
      const before = receiver.received.length;
      assert.equal((await refund(second.url, 'TERM-W')).status, 200);
      assert.ok(await eventually(() => receiver.received.length > before, 10_000), 'the POST is in flight');
      await second.kill('SIGTERM');
      const events = receiver.received.map((r) => String(r.headers['webhook-id']));
      const last = await ledger.getEvent(events.at(-1)!);
      assert.equal(last?.status, 'delivered', 'the POST that was in flight was answered and recorded');
      assert.equal(last?.attempts, 1, 'once: nothing for a restarted proxy to send again');
    } finally {
      await ledger.close();
      await stack.close();
    }
  });
});
