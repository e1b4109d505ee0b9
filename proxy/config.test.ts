// parseConfig: defaults, and a message naming each bad or missing variable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from './config.ts';

const base = { IMP_KEY: 'key', IMP_SECRET: 'secret', REFUND_TOKEN_SECRET: 's'.repeat(32) };

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
};

describe('parseConfig', () => {
  it('fills in the documented defaults', () => {
    const config = parseConfig(base);
    assert.deepEqual(config, {
      iamport: { apiKey: 'key', apiSecret: 'secret', apiUrl: 'https://api.iamport.kr', timeoutMs: 15000 },
      grantSecret: 's'.repeat(32),
      database: { kind: 'sqlite', dataDir: './.data' },
      allowedOrigins: [],
      port: 8787,
      host: '127.0.0.1',
      trustProxy: false,
      rateLimit: { perIp: 120, perOrder: 30 },
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, and reads the other variables', () => {
    const config = parseConfig({
      ...base,
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/refunds',
      IAMPORT_API_URL: 'http://127.0.0.1:9999/',
      ALLOWED_ORIGINS: 'https://shop.example, http://localhost:3000',
      PORT: '9000',
      HOST: '0.0.0.0',
    });
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/refunds' });
    assert.equal(config.iamport.apiUrl, 'http://127.0.0.1:9999');
    assert.deepEqual(config.allowedOrigins, ['https://shop.example', 'http://localhost:3000']);
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
  });

  it('names every missing or bad variable in one message', () => {
    const message = problemsOf({ REFUND_TOKEN_SECRET: 'short', PORT: 'eighty', IAMPORT_API_URL: 'ftp://x', DATABASE_URL: 'mysql://x', ALLOWED_ORIGINS: 'https://shop.example/path' });
    for (const name of ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET', 'PORT', 'IAMPORT_API_URL', 'DATABASE_URL', 'ALLOWED_ORIGINS']) {
      assert.match(message, new RegExp(name));
    }
  });
});
