// Rotating MERCHANT_WEBHOOK_SECRET: while MERCHANT_WEBHOOK_SECRET_PREVIOUS is set every event carries a signature by
// each secret, so a receiver that still has the old secret and one that already has the new one both verify it with
// the `standardwebhooks` package as it is; one with neither secret does not. Retries are signed with both too.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, refundOnce as refund } from '../test-support/webhook-stack.ts';

const OLD = newWebhookSecret();
const NEW = newWebhookSecret();
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const stack = async (previousSecret: string | undefined, receiverSecrets: readonly string[]) => {
  const receivers: WebhookReceiver[] = [];
  for (const secret of receiverSecrets) {
    const receiver = await startWebhookReceiver(secret);
    receivers.push(receiver);
    closers.push(() => receiver.close());
  }
  const h: Harness = await createHarness({
    outside: (url, init) => fetch(url, init),
    config: {
      merchantWebhooks: {
        urls: receivers.map((r) => r.url),
        secret: NEW,
        ...(previousSecret === undefined ? {} : { previousSecret }),
        retryDelaysMs: [5_000],
      },
    },
  });
  closers.unshift(() => h.close());
  return { h, receivers };
};

describe('merchant webhook secret rotation', () => {
  it('signs with the new and the previous secret: receivers on either verify, one on neither does not', async () => {
    const stranger = newWebhookSecret();
    const { h, receivers } = await stack(OLD, [OLD, NEW, stranger]);
    const [onOld, onNew, onNeither] = receivers as [WebhookReceiver, WebhookReceiver, WebhookReceiver];
    await refund(h, 'ROT-1');
    for (const receiver of [onOld, onNew, onNeither]) assert.equal(receiver.received.length, 1);
    const signature = String(onOld.received[0]!.headers['webhook-signature']);
    assert.match(signature, /^v1,[A-Za-z0-9+/]+={0,2} v1,[A-Za-z0-9+/]+={0,2}$/, 'two signatures, space-separated');
    assert.equal(onOld.received[0]!.verifyError, null, 'the receiver still on the old secret verifies');
    assert.equal(onNew.received[0]!.verifyError, null, 'the receiver already on the new secret verifies');
    assert.equal((onNew.received[0]!.verified as { type?: string }).type, 'refund.succeeded');
    assert.notEqual(onNeither.received[0]!.verifyError, null, 'a third secret verifies neither signature');
  });

  it('signs retries with both as well, and with the new secret alone once the previous one is unset', async () => {
    const rotating = await stack(OLD, [OLD]);
    const [onOld] = rotating.receivers as [WebhookReceiver];
    onOld.failNext(1);
    await refund(rotating.h, 'ROT-2');
    rotating.h.clock.advance(6_000);
    assert.equal(await rotating.h.outbox.runDue(), 1);
    assert.deepEqual(
      onOld.received.map((r) => [r.answered, r.verifyError]),
      [
        [503, null],
        [204, null],
      ],
    );

    const rotated = await stack(undefined, [OLD, NEW]);
    const [stillOld, onNew] = rotated.receivers as [WebhookReceiver, WebhookReceiver];
    await refund(rotated.h, 'ROT-3');
    assert.match(String(onNew.received[0]!.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+={0,2}$/, 'one signature');
    assert.equal(onNew.received[0]!.verifyError, null);
    assert.notEqual(stillOld.received[0]!.verifyError, null, 'the old secret no longer verifies once it is dropped');
  });
});
