// parseConfig for PortOne V2: its variables, the one gateway the credentials choose, and start-up errors naming them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, deploymentOf, parseConfig } from './config.ts';
import { createGateway } from './gateways/create-gateway.ts';

const WHSEC = `whsec_${btoa('portone-webhook-secret-32-bytes!')}`;
const v2 = { PORTONE_API_SECRET: 'v2-secret', PORTONE_WEBHOOK_SECRET: WHSEC, REFUND_TOKEN_SECRET: 's'.repeat(32) };

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
};

const pieces = { fetch: () => Promise.reject(new Error('no network in this test')), now: Date.now, log: () => {} };

describe('parseConfig with PortOne V2', () => {
  it('reads PORTONE_API_SECRET, the webhook secret, the default URL and no store; the gateway is portone', () => {
    const config = parseConfig(v2);
    assert.deepEqual(config.portone, {
      apiSecret: 'v2-secret',
      webhookSecret: WHSEC,
      apiUrl: 'https://api.portone.io',
      timeoutMs: 60_000,
    });
    assert.equal(createGateway(config, pieces).name, 'portone');
    assert.equal(createGateway(config, pieces).webhookPath, '/webhooks/portone');
  });

  it('reads PORTONE_STORE_ID and PORTONE_API_URL', () => {
    const config = parseConfig({ ...v2, PORTONE_STORE_ID: 'store-sub-1', PORTONE_API_URL: 'http://127.0.0.1:9000/' });
    assert.equal(config.portone?.storeId, 'store-sub-1');
    assert.equal(config.portone?.apiUrl, 'http://127.0.0.1:9000');
  });

  it("reads PORTONE_TIMEOUT_MS (60 s unless set, as PortOne advises), apart from i'mport's IAMPORT_TIMEOUT_MS", () => {
    const config = parseConfig({ ...v2, PORTONE_TIMEOUT_MS: '90000', IAMPORT_TIMEOUT_MS: '5000' });
    assert.equal(config.portone?.timeoutMs, 90_000);
    assert.equal(parseConfig({ ...v2, IAMPORT_TIMEOUT_MS: '5000' }).portone?.timeoutMs, 60_000);
    assert.match(problemsOf({ ...v2, PORTONE_TIMEOUT_MS: '500' }), /PORTONE_TIMEOUT_MS/);
  });

  it("stays i'mport V1 without PORTONE_API_SECRET", () => {
    const config = parseConfig({ IMP_KEY: 'k', IMP_SECRET: 's', REFUND_TOKEN_SECRET: 's'.repeat(32) });
    assert.equal(config.portone, undefined);
    assert.equal(createGateway(config, pieces).name, 'iamport');
  });

  it('stops start-up when both gateways are configured, naming both', () => {
    const message = problemsOf({ ...v2, IMP_KEY: 'k', IMP_SECRET: 's' });
    assert.match(message, /IMP_KEY and IMP_SECRET \(i'mport V1\) and PORTONE_API_SECRET \(PortOne V2\) are both set/);
    assert.match(problemsOf({ ...v2, IMP_SECRET: 's' }), /IMP_SECRET \(i'mport V1\) and PORTONE_API_SECRET/);
  });

  it('requires PORTONE_WEBHOOK_SECRET with the secret, in its whsec_ form', () => {
    const { PORTONE_WEBHOOK_SECRET: _, ...withoutWebhook } = v2;
    assert.match(problemsOf(withoutWebhook), /PORTONE_WEBHOOK_SECRET is not set/);
    assert.match(problemsOf({ ...v2, PORTONE_WEBHOOK_SECRET: 'plain-secret' }), /PORTONE_WEBHOOK_SECRET must be/);
    const bare = WHSEC.slice('whsec_'.length);
    const parsed = parseConfig({ ...v2, PORTONE_WEBHOOK_SECRET: bare });
    assert.equal(parsed.portone?.webhookSecret, bare, 'without whsec_, as its SDK takes it');
    assert.doesNotMatch(problemsOf({ ...v2, PORTONE_WEBHOOK_SECRET: 'x', IMP_KEY: 'k' }), /IMP_SECRET is not set/);
  });

  it("refuses IAMPORT_WEBHOOK_IPS on V2: it lists i'mport's senders, and V2's webhooks are signed instead", () => {
    assert.match(problemsOf({ ...v2, IAMPORT_WEBHOOK_IPS: '52.78.100.19' }), /IAMPORT_WEBHOOK_IPS .* unset/);
    assert.deepEqual(parseConfig({ ...v2, IAMPORT_WEBHOOK_IPS: '' }).webhookIps, []);
  });

  it('counts PORTONE_API_SECRET as live: the sandbox never runs with it', () => {
    assert.equal(deploymentOf({ PORTONE_API_SECRET: '' }).sandbox, false);
  });
});
