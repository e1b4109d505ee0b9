// Both rotations through the Node entry's own environment (what `npm start` reads): REFUND_TOKEN_SECRET_PREVIOUS lets
// a grant signed with the old secret refund, and MERCHANT_WEBHOOK_SECRET_PREVIOUS signs the refund's event so that a
// receiver still verifying with the old webhook secret (the `standardwebhooks` package) accepts it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { nodeStack } from '../test-support/node-stack.ts';

const OLD = 'rotation-old-secret-0123456789-abcdefghij';
const NEW = 'rotation-new-secret-0123456789-abcdefghij';

describe('secret rotation on the Node entry', () => {
  it("takes the old grant secret's grant and signs its event for the old webhook secret's receiver", {
    timeout: 60_000,
  }, async () => {
    const stack = await nodeStack(NEW, 'refund-rotation-');
    const { fake, receiver } = stack;
    const env = {
      ...stack.env,
      REFUND_TOKEN_SECRET_PREVIOUS: OLD,
      // The receiver verifies with the stack's secret: here the old one, the proxy signing with a new one beside it.
      MERCHANT_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      MERCHANT_WEBHOOK_SECRET_PREVIOUS: stack.env.MERCHANT_WEBHOOK_SECRET,
    };
    const proxy = await startNodeProxy(env);
    try {
      fake.addPayment({ merchant_uid: 'ROT-N1', amount: 10_000 });
      const refund = (secret: string) =>
        mintGrant(secret, { merchantUid: 'ROT-N1' }).then((grant) =>
          fetch(`${proxy.url}/payments/cancel`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${grant}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ merchant_uid: 'ROT-N1', cancel_request_amount: 1000, reason: 'x' }),
          }),
        );
      const res = await refund(OLD);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await refund('rotation-other-secret-0123456789-abcdefgh')).status, 401);
      for (let waited = 0; receiver.received.length === 0 && waited < 10_000; waited += 25) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const [event] = receiver.received;
      assert.ok(event, 'the event arrived');
      assert.equal(event.verifyError, null, 'verified with the old webhook secret');
      assert.equal(String(event.headers['webhook-signature']).split(' ').length, 2);
    } finally {
      await proxy.kill();
      await stack.close();
    }
  });
});
