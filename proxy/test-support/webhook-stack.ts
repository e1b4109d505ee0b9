/**
 * @module webhookStacks(): for a test file, a proxy per test with merchant webhooks on, sending to its own loopback
 * receiver (which verifies with the `standardwebhooks` package); both are closed after each test.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach } from 'node:test';
import { createHarness, type Harness, type HarnessOptions } from './harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** A partial refund (1,000 of a new 10,000 order) answered 200, its tail work settled: one `refund.succeeded`. */
export const refundOnce = async (h: Harness, merchantUid: string): Promise<void> => {
  h.fake.addPayment({ merchant_uid: merchantUid, amount: 10_000 });
  const res = await h.cancel({ merchant_uid: merchantUid, cancel_request_amount: 1000, reason: 'x' });
  assert.equal(res.res.status, 200);
  await h.settled();
};

/** A new `whsec_` secret of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface WebhookStackOptions {
  /** The secret the proxy signs with. */
  readonly secret: string;
  readonly retryDelaysMs: readonly number[];
  /** How the proxy is made (createHarness unless given, e.g. one with the admin API on). */
  readonly harness?: (options: HarnessOptions) => Promise<Harness>;
}

/** Call at a test file's top level; each call of the function it returns starts a receiver and a proxy. */
export const webhookStacks = ({ secret, retryDelaysMs, harness = createHarness }: WebhookStackOptions) => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    // The proxy first (its background deliveries end), then the receiver.
    for (const close of closers.splice(0)) await close();
  });
  /**
   * `receiverSecret`: what the receiver verifies with (another secret than the proxy's to see verification fail);
   * `query`: added to the receiver's URL in the proxy's configuration (`?token=…`, a receiver's own token).
   */
  return async (receiverSecret = secret, query = ''): Promise<{ h: Harness; receiver: WebhookReceiver }> => {
    const receiver = await startWebhookReceiver(receiverSecret);
    closers.push(() => receiver.close());
    const h = await harness({
      outside: (url, init) => fetch(url, init),
      config: { merchantWebhooks: { urls: [`${receiver.url}${query}`], secret, retryDelaysMs: [...retryDelaysMs] } },
    });
    closers.unshift(() => h.close());
    return { h, receiver };
  };
};
