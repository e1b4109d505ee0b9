// The proxy process killed (SIGKILL) after i'mport applied a refund but before the proxy wrote its ledger: after a
// restart, the next request or the webhook reconciles, and nothing is refunded twice. (The dead process's lease on
// the order expires within seconds; the next request waits for it.)
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../gateways/iamport/fake/serve-node.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { startNodeProxy } from '../test-support/node-process.ts';

const SECRET = 'kill-test-secret-0123456789-abcdefghijkl';

/** A proxy process, a fake i'mport it reaches over HTTP, and a refund in flight when the proxy is killed. */
const killMidRefund = async () => {
  const fake = createFakeIamport();
  const served = await serveFakeIamport(fake);
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-kill-'));
  const env = {
    IMP_KEY: 'test_imp_key',
    IMP_SECRET: 'test_imp_secret',
    REFUND_TOKEN_SECRET: SECRET,
    IAMPORT_API_URL: served.url,
    DATA_DIR: dataDir,
  };
  const p = fake.addPayment({ merchant_uid: 'KILL-1', amount: 10_000 });
  const grant = await mintGrant(SECRET, { merchantUid: 'KILL-1' });
  const refund = (base: string, key: string, body: Record<string, unknown>) =>
    fetch(`${base}/payments/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${grant}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ merchant_uid: 'KILL-1', reason: 'x', ...body }),
    });

  const first = await startNodeProxy(env);
  // i'mport applies the cancel at once and holds its answer back; the proxy is killed while it waits.
  fake.inject({ kind: 'hold_response', ms: 10_000 });
  const inFlight = refund(first.url, 'kill-key', { cancel_request_amount: 4000 }).catch((error: unknown) => error);
  for (let i = 0; i < 200 && fake.getPayment(p.imp_uid)!.cancel_amount === 0; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 4000, "i'mport applied the refund");
  await first.kill('SIGKILL');
  assert.ok((await inFlight) instanceof Error, 'the customer got no answer');

  // What the dead process left behind: an attempt without an outcome, a ledger behind i'mport.
  const ledger = createSqliteStore({ path: join(dataDir, 'ledger.sqlite') });
  assert.equal((await ledger.getPayment('KILL-1'))!.cancel_amount, 0);
  assert.deepEqual(
    (await ledger.listAttempts('KILL-1')).map((a) => a.outcome),
    [null],
  );

  const second = await startNodeProxy(env);
  return { fake, served, p, refund, second, ledger };
};

describe("the proxy killed between i'mport's success and its ledger write", () => {
  it('after a restart, the retry with the same key reports the refund that happened, without refunding again', async () => {
    const { fake, served, p, refund, second, ledger } = await killMidRefund();
    try {
      const retry = await refund(second.url, 'kill-key', { cancel_request_amount: 4000 });
      assert.equal(retry.status, 200);
      const body = (await retry.json()) as { refunded: number; cancelable_amount: number };
      assert.deepEqual([body.refunded, body.cancelable_amount], [4000, 6000]);
      assert.equal(fake.count('cancel'), 1, 'no second cancel');
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 4000);
      assert.equal((await ledger.getPayment('KILL-1'))!.cancel_amount, 4000);
      assert.deepEqual(
        (await ledger.listAttempts('KILL-1')).map((a) => a.outcome),
        ['succeeded'],
      );
    } finally {
      await second.kill();
      await ledger.close();
      await served.close();
    }
  });

  it("after a restart, i'mport's webhook reconciles the ledger and settles the attempt; the rest refunds exactly", async () => {
    const { fake, served, p, refund, second, ledger } = await killMidRefund();
    try {
      const hook = await fetch(`${second.url}/webhooks/iamport`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ imp_uid: p.imp_uid, merchant_uid: 'KILL-1', status: 'cancelled' }).toString(),
      });
      assert.equal(hook.status, 200);
      assert.equal((await ledger.getPayment('KILL-1'))!.cancel_amount, 4000, "the ledger caught up with i'mport");
      const rest = await refund(second.url, 'rest-key', {});
      assert.equal(rest.status, 200);
      assert.equal(((await rest.json()) as { refunded: number }).refunded, 6000);
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 10_000);
      assert.equal(fake.count('cancel'), 2);
      assert.deepEqual(
        (await ledger.listAttempts('KILL-1')).map((a) => a.outcome),
        ['succeeded', 'succeeded'],
        'the dead attempt was settled',
      );
    } finally {
      await second.kill();
      await ledger.close();
      await served.close();
    }
  });
});
