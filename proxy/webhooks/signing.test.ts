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
    const withNode = await createSigner(decoded.key, hmacSha256).sign(id, timestamp, body);
    const withWebCrypto = await createSigner(decoded.key).sign(id, timestamp, body);
    assert.equal(withNode, withWebCrypto);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': withNode };
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(newSecret()).verify(body, headers), 'another secret does not verify it');
  });
});
