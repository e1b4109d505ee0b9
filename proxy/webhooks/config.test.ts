// MERCHANT_WEBHOOK_URL, MERCHANT_WEBHOOK_SECRET(_PREVIOUS) and WEBHOOK_RETRY_SCHEDULE through parseConfig: both or
// neither, secrets that decode to at least 24 bytes (a previous one only beside a current one), https except loopback
// http outside production, the default schedule.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../config.ts';

const base = { IMP_KEY: 'key', IMP_SECRET: 'secret', REFUND_TOKEN_SECRET: 's'.repeat(32) };
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
};

describe('merchant webhook configuration', () => {
  it('is off when neither variable is set (or both are empty)', () => {
    assert.equal(parseConfig(base).merchantWebhooks, null);
    assert.equal(
      parseConfig({ ...base, MERCHANT_WEBHOOK_URL: '', MERCHANT_WEBHOOK_SECRET: '' }).merchantWebhooks,
      null,
    );
  });

  it('reads several URLs, the secret and the default retry schedule', () => {
    const config = parseConfig({
      ...base,
      MERCHANT_WEBHOOK_URL: 'https://shop.example.com/hooks/refunds, https://erp.example.com/in',
      MERCHANT_WEBHOOK_SECRET: SECRET,
    });
    assert.deepEqual(config.merchantWebhooks, {
      urls: ['https://shop.example.com/hooks/refunds', 'https://erp.example.com/in'],
      secret: SECRET,
      retryDelaysMs: [5, 300, 1800, 7200, 18000, 36000, 36000].map((s) => s * 1000),
    });
    const paced = parseConfig({
      ...base,
      MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:9000/hook',
      MERCHANT_WEBHOOK_SECRET: SECRET,
      WEBHOOK_RETRY_SCHEDULE: '1, 2,3',
    });
    assert.deepEqual(paced.merchantWebhooks?.retryDelaysMs, [1000, 2000, 3000]);
  });

  it('stops start-up on a URL listed twice (each event would go to it twice at once), naming it without its query', () => {
    const message = problemsOf({
      ...base,
      MERCHANT_WEBHOOK_URL:
        'https://shop.example.com/hook?token=t1,https://erp.example.com/in,https://shop.example.com/hook?token=t1',
      MERCHANT_WEBHOOK_SECRET: SECRET,
    });
    assert.match(message, /MERCHANT_WEBHOOK_URL lists https:\/\/shop\.example\.com\/hook twice/);
    assert.doesNotMatch(message, /t1|erp/);
  });

  // The URL parser takes a space as %20 and drops a line break: two URLs one per line (a YAML block) were read as one
  // URL to a path nobody serves, and every event ran its whole schedule to `failed`.
  it('stops start-up on URLs separated by a space or a line break, never one URL made of both', () => {
    for (const urls of [
      'https://shop.example.com/hooks https://erp.example.com/in',
      'https://a.example/h\nhttps://b.example/i',
    ]) {
      const said = problemsOf({ ...base, MERCHANT_WEBHOOK_URL: urls, MERCHANT_WEBHOOK_SECRET: SECRET });
      assert.match(said, /MERCHANT_WEBHOOK_URL .*a space or line break is not a separator/, JSON.stringify(urls));
    }
  });

  it('stops start-up on a retry schedule with an entry left empty, not one retry fewer', () => {
    for (const schedule of ['5,,300', '5,300,', ',5,300', ' ']) {
      const env = { MERCHANT_WEBHOOK_URL: 'https://shop.example/h', MERCHANT_WEBHOOK_SECRET: SECRET };
      const said = problemsOf({ ...base, ...env, WEBHOOK_RETRY_SCHEDULE: schedule });
      assert.match(said, /WEBHOOK_RETRY_SCHEDULE must be comma-separated whole seconds/, JSON.stringify(schedule));
    }
  });

  it('stops start-up when one is set without the other, naming the missing one', () => {
    assert.match(
      problemsOf({ ...base, MERCHANT_WEBHOOK_URL: 'https://shop.example.com/h' }),
      /MERCHANT_WEBHOOK_SECRET is not set, but MERCHANT_WEBHOOK_URL is/,
    );
    assert.match(
      problemsOf({ ...base, MERCHANT_WEBHOOK_SECRET: SECRET }),
      /MERCHANT_WEBHOOK_URL is not set, but MERCHANT_WEBHOOK_SECRET is/,
    );
  });

  it('stops start-up on a secret that is not whsec_ + base64 of at least 24 bytes', () => {
    const url = { MERCHANT_WEBHOOK_URL: 'https://shop.example.com/h' };
    const short = `whsec_${randomBytes(23).toString('base64')}`;
    assert.match(
      problemsOf({ ...base, ...url, MERCHANT_WEBHOOK_SECRET: short }),
      /MERCHANT_WEBHOOK_SECRET must decode to at least 24 bytes \(it decodes to 23\)/,
    );
    assert.match(
      problemsOf({ ...base, ...url, MERCHANT_WEBHOOK_SECRET: randomBytes(32).toString('base64') }),
      /MERCHANT_WEBHOOK_SECRET must start with whsec_/,
    );
    assert.match(
      problemsOf({ ...base, ...url, MERCHANT_WEBHOOK_SECRET: 'whsec_not base64!' }),
      /MERCHANT_WEBHOOK_SECRET must be whsec_ followed by base64/,
    );
  });

  it('reads the secret before a rotation, and stops start-up on one alone, malformed or the same as the current', () => {
    const url = { MERCHANT_WEBHOOK_URL: 'https://shop.example.com/h' };
    const old = `whsec_${randomBytes(32).toString('base64')}`;
    const config = parseConfig({
      ...base,
      ...url,
      MERCHANT_WEBHOOK_SECRET: SECRET,
      MERCHANT_WEBHOOK_SECRET_PREVIOUS: ` ${old} `,
    });
    assert.equal(config.merchantWebhooks?.secret, SECRET);
    assert.equal(config.merchantWebhooks?.previousSecret, old);
    assert.equal(
      parseConfig({ ...base, ...url, MERCHANT_WEBHOOK_SECRET: SECRET, MERCHANT_WEBHOOK_SECRET_PREVIOUS: '' })
        .merchantWebhooks?.previousSecret,
      undefined,
      'empty is unset',
    );
    const alone = problemsOf({ ...base, ...url, MERCHANT_WEBHOOK_SECRET_PREVIOUS: old });
    assert.match(alone, /MERCHANT_WEBHOOK_SECRET_PREVIOUS is set, but MERCHANT_WEBHOOK_SECRET is not/);
    assert.match(
      problemsOf({ ...base, MERCHANT_WEBHOOK_SECRET_PREVIOUS: old }),
      /MERCHANT_WEBHOOK_SECRET_PREVIOUS is set, but MERCHANT_WEBHOOK_SECRET is not/,
      'also with no URL',
    );
    const short = `whsec_${randomBytes(23).toString('base64')}`;
    const withPrevious = (previous: string) =>
      problemsOf({ ...base, ...url, MERCHANT_WEBHOOK_SECRET: SECRET, MERCHANT_WEBHOOK_SECRET_PREVIOUS: previous });
    assert.match(withPrevious(short), /MERCHANT_WEBHOOK_SECRET_PREVIOUS must decode to at least 24 bytes/);
    assert.match(withPrevious('hunter2'), /MERCHANT_WEBHOOK_SECRET_PREVIOUS must start with whsec_/);
    assert.doesNotMatch(withPrevious('hunter2'), /hunter2/, 'the value itself is never quoted');
    assert.match(withPrevious(SECRET), /MERCHANT_WEBHOOK_SECRET_PREVIOUS is the same as MERCHANT_WEBHOOK_SECRET/);
    // The same 32 bytes spelt another way: base64 of 32 bytes ends in two bits no byte uses, which any value may take.
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const current = `whsec_${randomBytes(32).toString('base64')}`;
    const last = current.at(-2)!;
    const respelt = `${current.slice(0, -2)}${ALPHABET[ALPHABET.indexOf(last) ^ 1]}=`;
    assert.notEqual(respelt, current);
    const both = { ...base, ...url, MERCHANT_WEBHOOK_SECRET: current, MERCHANT_WEBHOOK_SECRET_PREVIOUS: respelt };
    assert.match(problemsOf(both), /MERCHANT_WEBHOOK_SECRET_PREVIOUS is the same as MERCHANT_WEBHOOK_SECRET/);
  });

  it('takes http:// only to a loopback address, and not in production', () => {
    const withUrl = (url: string, extra: Record<string, string> = {}) =>
      problemsOf({ ...base, MERCHANT_WEBHOOK_URL: url, MERCHANT_WEBHOOK_SECRET: SECRET, ...extra });
    assert.match(
      withUrl('http://shop.example.com/h'),
      /MERCHANT_WEBHOOK_URL http:\/\/shop.example.com\/h must start with https:\/\//,
    );
    const tokened = withUrl('http://shop.example.com/h?token=s3cr3t-token#frag');
    assert.match(tokened, /MERCHANT_WEBHOOK_URL http:\/\/shop.example.com\/h must start with https:\/\//);
    assert.ok(!tokened.includes('s3cr3t-token'), 'a token in the query is never echoed');
    assert.match(
      withUrl('http://127.0.0.1:9/h', { NODE_ENV: 'production' }),
      /must start with https:\/\/ in production/,
    );
    assert.match(
      withUrl('ftp://shop.example.com/h'),
      /MERCHANT_WEBHOOK_URL must be a comma-separated list of https:\/\/ URLs/,
    );
    assert.match(
      problemsOf({
        ...base,
        MERCHANT_WEBHOOK_URL: 'https://a.example/h',
        MERCHANT_WEBHOOK_SECRET: SECRET,
        WEBHOOK_RETRY_SCHEDULE: '5,soon',
      }),
      /WEBHOOK_RETRY_SCHEDULE must be comma-separated whole seconds/,
    );
    assert.match(
      problemsOf({
        ...base,
        MERCHANT_WEBHOOK_URL: 'https://a.example/h',
        MERCHANT_WEBHOOK_SECRET: SECRET,
        WEBHOOK_RETRY_SCHEDULE: '5,9999999',
      }),
      /WEBHOOK_RETRY_SCHEDULE must be comma-separated whole seconds, each at most 999999/,
    );
  });

  it('refuses one receiver listed twice in another spelling (host case, its default port, a bare origin)', () => {
    for (const urls of [
      'https://a.example/h,https://A.EXAMPLE/h',
      'https://a.example/h,https://a.example:443/h',
      'https://a.example,https://a.example/',
    ]) {
      const message = problemsOf({ ...base, MERCHANT_WEBHOOK_URL: urls, MERCHANT_WEBHOOK_SECRET: SECRET });
      assert.match(message, /MERCHANT_WEBHOOK_URL lists .* twice/, urls);
    }
  });
});
