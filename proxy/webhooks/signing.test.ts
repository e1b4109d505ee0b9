// The two ways of signing (the Node entry's node:crypto HMAC, WebCrypto's) give the same signature, and the
// `standardwebhooks` package (not our own code) verifies it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { hmacSha256 } from '../entries/node-crypto.ts';
import { createSigner, decodeSecret, newSecret } from './signing.ts';

describe('webhook signatures', () => {
  it('signs alike with node:crypto and with WebCrypto, and standardwebhooks verifies both', async () => {
    const secret = newSecret();
    const decoded = decodeSecret(secret);
    assert.ok('key' in decoded);
    const id = 'msg_2f1c';
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({
      type: 'refund.succeeded',
      timestamp: '2026-12-03T00:00:00.000Z',
      data: { 금액: 9000 },
    });
    const withNode = await createSigner([decoded.key], hmacSha256).sign(id, timestamp, body);
    const withWebCrypto = await createSigner([decoded.key]).sign(id, timestamp, body);
    assert.equal(withNode, withWebCrypto);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': withNode };
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(newSecret()).verify(body, headers), 'another secret does not verify it');
  });

  it('signs with each of two keys (a rotation), alike both ways; either secret alone verifies', async () => {
    const [current, previous] = [newSecret(), newSecret()];
    const keys = [current, previous].map((secret) => {
      const decoded = decodeSecret(secret);
      assert.ok('key' in decoded);
      return decoded.key;
    }) as [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>];
    const id = 'msg_9a0b';
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'refund.failed', timestamp: '2026-12-06T00:00:00.000Z', data: {} });
    const withNode = await createSigner(keys, hmacSha256).sign(id, timestamp, body);
    assert.equal(withNode, await createSigner(keys).sign(id, timestamp, body));
    const [first, second] = withNode.split(' ');
    assert.equal(first, await createSigner([keys[0]], hmacSha256).sign(id, timestamp, body), 'the current one first');
    assert.equal(second, await createSigner([keys[1]], hmacSha256).sign(id, timestamp, body));
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': withNode };
    for (const secret of [current, previous])
      assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(newSecret()).verify(body, headers));
  });
});
