// The proxy process killed (SIGKILL) after the gateway applied a refund but before the proxy wrote its ledger, on each
// gateway: after a restart, the next request or the gateway's webhook reconciles, and nothing is refunded twice. (The
// dead process's lease on the order expires within seconds; the next request waits for it.)
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { PROCESS_RIGS, type ProcessRig } from './process-rigs.ts';

const SECRET = 'kill-test-secret-0123456789-abcdefghijkl';

/** A proxy process, the gateway's fake it reaches over HTTP, and a refund in flight when the proxy is killed. */
const killMidRefund = async (rig: ProcessRig) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-kill-'));
  const env = { ...rig.env, REFUND_TOKEN_SECRET: SECRET, DATA_DIR: dataDir };
  rig.addPayment('KILL-1', 10_000);
  const grant = await mintGrant(SECRET, { merchantUid: 'KILL-1' });
  const refund = (base: string, key: string, body: Record<string, unknown>) =>
    fetch(`${base}/payments/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${grant}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ merchant_uid: 'KILL-1', reason: 'x', ...body }),
    });

  const first = await startNodeProxy(env);
  // The gateway applies the cancel at once and holds its answer back; the proxy is killed while it waits.
  rig.holdNextCancel(10_000);
  const inFlight = refund(first.url, 'kill-key', { cancel_request_amount: 4000 }).catch((error: unknown) => error);
  for (let i = 0; i < 200 && rig.held('KILL-1').refunded === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(rig.held('KILL-1').refunded, 4000, 'the gateway applied the refund');
  await first.kill('SIGKILL');
  assert.ok((await inFlight) instanceof Error, 'the customer got no answer');

  // What the dead process left behind: an attempt without an outcome, a ledger behind the gateway.
  const ledger = createSqliteStore({ path: join(dataDir, 'ledger.sqlite') });
  assert.equal((await ledger.getPayment('KILL-1'))!.cancel_amount, 0);
  assert.deepEqual(
    (await ledger.listAttempts('KILL-1')).map((a) => a.outcome),
    [null],
  );

  const second = await startNodeProxy(env);
  return { refund, second, ledger };
};

for (const { label, start } of PROCESS_RIGS) {
  describe(`the proxy killed between ${label}'s success and its ledger write`, () => {
    it('after a restart, the retry with the same key reports the refund that happened, without refunding again', async () => {
      const rig = await start();
      const { refund, second, ledger } = await killMidRefund(rig);
      try {
        const retry = await refund(second.url, 'kill-key', { cancel_request_amount: 4000 });
        assert.equal(retry.status, 200);
        const body = (await retry.json()) as { refunded: number; cancelable_amount: number };
        assert.deepEqual([body.refunded, body.cancelable_amount], [4000, 6000]);
        assert.equal(rig.cancels(), 1, 'no second cancel');
        assert.equal(rig.held('KILL-1').refunded, 4000);
        assert.equal((await ledger.getPayment('KILL-1'))!.cancel_amount, 4000);
        assert.deepEqual(
          (await ledger.listAttempts('KILL-1')).map((a) => a.outcome),
          ['succeeded'],
        );
      } finally {
        await second.kill();
        await ledger.close();
        await rig.close();
      }
    });

    it("after a restart, the gateway's webhook reconciles the ledger and settles the attempt; the rest refunds exactly", async () => {
      const rig = await start();
      const { refund, second, ledger } = await killMidRefund(rig);
      try {
        const hook = await rig.webhook(second.url, 'KILL-1');
        assert.equal(hook.status, 200);
        assert.equal((await ledger.getPayment('KILL-1'))!.cancel_amount, 4000, 'the ledger caught up with the gateway');
        const rest = await refund(second.url, 'rest-key', {});
        assert.equal(rest.status, 200);
        assert.equal(((await rest.json()) as { refunded: number }).refunded, 6000);
        assert.equal(rig.held('KILL-1').refunded, 10_000);
        assert.equal(rig.cancels(), 2);
        assert.deepEqual(
          (await ledger.listAttempts('KILL-1')).map((a) => a.outcome),
          ['succeeded', 'succeeded'],
          'the dead attempt was settled',
        );
      } finally {
        await second.kill();
        await ledger.close();
        await rig.close();
      }
    });
  });
}
