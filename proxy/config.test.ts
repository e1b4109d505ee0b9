// parseConfig: defaults, sandbox or live, the runtime's needs, and a message naming each bad or missing variable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, deploymentOf, grantSecretOf, parseConfig, SANDBOX_IAMPORT_KEYS } from './config.ts';

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
    const { warnings, ...config } = parseConfig(base);
    assert.deepEqual(config, {
      sandbox: false,
      production: false,
      iamport: { apiKey: 'key', apiSecret: 'secret', apiUrl: 'https://api.iamport.kr', timeoutMs: 15000 },
      grantSecret: 's'.repeat(32),
      maxGrantTtlSeconds: 3600,
      database: { kind: 'sqlite', dataDir: './.data' },
      allowedOrigins: [],
      publicOrigin: null,
      port: 8787,
      host: '127.0.0.1',
      addressFromPlatform: false,
      trustProxyHops: 0,
      rateLimit: { perIp: 120, perOrder: 30, webhookPerIp: 120 },
      webhookIps: [],
      webhookForwardUrl: null,
      healthDetails: false,
      admin: { keys: [], perKeyPerMinute: 600, generated: false },
      staffPerSubPerMinute: 120,
      merchantWebhooks: null,
      attentionAfterSeconds: 600,
      dataKeys: { current: null, previous: null },
      holderCheck: { verify: 'when_available', iamportLookup: false },
    });
    assert.equal(warnings.length, 2, 'ALLOWED_ORIGINS is empty (next test), request mode is off (config-keys.test.ts)');
  });

  it('reads RATE_LIMIT_STAFF_PER_SUB as a whole number (0 turns the limit off), and refuses anything else naming it', () => {
    assert.equal(parseConfig({ ...base, RATE_LIMIT_STAFF_PER_SUB: '0' }).staffPerSubPerMinute, 0);
    assert.equal(parseConfig({ ...base, RATE_LIMIT_STAFF_PER_SUB: '30' }).staffPerSubPerMinute, 30);
    for (const bad of ['-1', '1.5', 'lots']) {
      assert.throws(
        () => parseConfig({ ...base, RATE_LIMIT_STAFF_PER_SUB: bad }),
        (error: unknown) =>
          error instanceof ConfigError && error.problems.some((p) => p.startsWith('RATE_LIMIT_STAFF_PER_SUB')),
      );
    }
  });

  it('reads ATTENTION_AFTER as a positive whole number of seconds, and refuses anything else naming it', () => {
    assert.equal(parseConfig({ ...base, ATTENTION_AFTER: '90' }).attentionAfterSeconds, 90);
    for (const bad of ['0', '-5', '1.5', 'ten', '2592001']) {
      assert.throws(
        () => parseConfig({ ...base, ATTENTION_AFTER: bad }),
        (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.startsWith('ATTENTION_AFTER')),
        bad,
      );
    }
  });

  it('says the range of a whole-number setting given a negative or a fraction, not only that it must be whole', () => {
    for (const bad of ['-1', '1.5']) {
      assert.throws(
        () => parseConfig({ ...base, MAX_GRANT_TTL: bad }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.some((p) => /^MAX_GRANT_TTL must be a whole number from 60 to 604800$/.test(p)),
        bad,
      );
    }
  });

  it('warns at start in live mode when ALLOWED_ORIGINS is empty, saying which pages may still call', () => {
    const bare = parseConfig(base).warnings.join('\n');
    assert.match(bare, /^ALLOWED_ORIGINS is empty and PUBLIC_ORIGIN is not set: no web page may call the payment/);
    const own = parseConfig({ ...base, PUBLIC_ORIGIN: 'https://refunds.example.com' }).warnings.join('\n');
    assert.match(own, /^ALLOWED_ORIGINS is empty: only pages on PUBLIC_ORIGIN \(https:\/\/refunds\.example\.com\)/);
    assert.match(own, /List the shop's origins in ALLOWED_ORIGINS/);
    const keyed = { ...base, DATA_ENCRYPTION_KEY: btoa('k'.repeat(32)) };
    assert.deepEqual(parseConfig({ ...keyed, ALLOWED_ORIGINS: 'https://shop.example' }).warnings, []);
    assert.equal(parseConfig({ ...keyed, ALLOWED_ORIGINS: ' , ' }).warnings.length, 1, 'only commas: empty');
    assert.deepEqual(parseConfig({}).warnings, [], 'the sandbox: its own pages are its only callers');
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
    const message = problemsOf({
      REFUND_TOKEN_SECRET: 'short',
      PORT: 'eighty',
      IAMPORT_API_URL: 'ftp://x',
      DATABASE_URL: 'mysql://x',
      ALLOWED_ORIGINS: 'https://shop.example/path',
    });
    for (const name of [
      'IMP_KEY',
      'IMP_SECRET',
      'REFUND_TOKEN_SECRET',
      'PORT',
      'IAMPORT_API_URL',
      'DATABASE_URL',
      'ALLOWED_ORIGINS',
    ]) {
      assert.match(message, new RegExp(name));
    }
  });

  it('names an origin written without its scheme, for ALLOWED_ORIGINS and PUBLIC_ORIGIN alike, in the one message', () => {
    const message = problemsOf({ ...base, ALLOWED_ORIGINS: 'shop.example.com', PUBLIC_ORIGIN: 'refunds.example.com' });
    assert.match(
      message,
      /ALLOWED_ORIGINS: "shop\.example\.com" is not an origin such as https:\/\/shop\.example\.com/,
    );
    assert.match(message, /PUBLIC_ORIGIN is not an origin such as https:\/\/shop\.example\.com/);
  });

  it("refuses a DATABASE_URL with a stray % (a password's own %, not encoded) in one line, without the password", () => {
    for (const password of ['pa%zzword', 'pa%a9word']) {
      const message = problemsOf({ ...base, DATABASE_URL: `postgres://refunds:${password}@db:5432/refunds` });
      assert.match(message, /DATABASE_URL has a % that does not decode .*: write a % in the password as %25/, password);
      assert.doesNotMatch(message, new RegExp(password));
    }
    const encoded = parseConfig({ ...base, DATABASE_URL: 'postgres://refunds:pa%25zzword@db:5432/refunds' });
    assert.deepEqual(encoded.database, { kind: 'postgres', url: 'postgres://refunds:pa%25zzword@db:5432/refunds' });
  });

  it('refuses a DATABASE_URL whose password holds / ? or # unescaped, in one line, without the password', () => {
    // The driver would throw a TypeError quoting the whole URL (password and all), or read another host.
    for (const password of ['k9/Xq2SECRET', 'k9#Xq2SECRET', 'k9?Xq2SECRET', '123/SECRET', '12#SECRET']) {
      const message = problemsOf({ ...base, DATABASE_URL: `postgres://app:${password}@127.0.0.1:5432/db` });
      assert.match(
        message,
        /DATABASE_URL cannot be read as a PostgreSQL URL: write a \/ \? or # in the user/,
        password,
      );
      assert.doesNotMatch(message, /SECRET/);
    }
    const encoded = 'postgres://app:k9%2FXq%23%3F[2@x@127.0.0.1:5432/db?sslmode=require&connect_timeout=5';
    assert.deepEqual(parseConfig({ ...base, DATABASE_URL: encoded }).database, { kind: 'postgres', url: encoded });
    for (const fine of ['postgres://127.0.0.1/db', 'postgresql://u@db/refunds', 'postgres://u:p@h1,h2/db']) {
      assert.equal(parseConfig({ ...base, DATABASE_URL: fine }).database.kind, 'postgres', fine);
    }
  });

  it('reads TRUST_PROXY as a number of hops; true is one hop with a warning, false none', () => {
    assert.equal(parseConfig({ ...base, TRUST_PROXY: '2' }).trustProxyHops, 2);
    const legacy = parseConfig({ ...base, TRUST_PROXY: 'true' });
    assert.equal(legacy.trustProxyHops, 1);
    assert.match(legacy.warnings.join('\n'), /TRUST_PROXY=true is read as TRUST_PROXY=1/);
    assert.equal(parseConfig({ ...base, TRUST_PROXY: 'false' }).trustProxyHops, 0);
    assert.match(problemsOf({ ...base, TRUST_PROXY: 'nginx' }), /TRUST_PROXY must be the number of reverse proxies/);
  });

  it('reads VERIFY_REFUND_HOLDER (off, when_available, required) and IAMPORT_HOLDER_LOOKUP, refusing other values', () => {
    const config = parseConfig({ ...base, VERIFY_REFUND_HOLDER: 'Required', IAMPORT_HOLDER_LOOKUP: 'true' });
    assert.deepEqual(config.holderCheck, { verify: 'required', iamportLookup: true });
    assert.equal(parseConfig({ ...base, VERIFY_REFUND_HOLDER: 'off' }).holderCheck.verify, 'off');
    assert.doesNotMatch(config.warnings.join('\n'), /VERIFY_REFUND_HOLDER/);
    const unmet = parseConfig({ ...base, VERIFY_REFUND_HOLDER: 'required' });
    assert.match(unmet.warnings.join('\n'), /VERIFY_REFUND_HOLDER=required.*IAMPORT_HOLDER_LOOKUP=true/);
    const message = problemsOf({ ...base, VERIFY_REFUND_HOLDER: 'always', IAMPORT_HOLDER_LOOKUP: 'maybe' });
    assert.match(message, /VERIFY_REFUND_HOLDER must be off, when_available or required/);
    assert.match(message, /IAMPORT_HOLDER_LOOKUP must be true or false/);
  });

  it("reads IAMPORT_INICIS_PG_API_KEY, which i'mport requires to revoke a KG Inicis virtual account", () => {
    assert.equal(
      parseConfig({ ...base, IAMPORT_INICIS_PG_API_KEY: ' inicis-key ' }).iamport.inicisPgApiKey,
      'inicis-key',
    );
    assert.equal('inicisPgApiKey' in parseConfig(base).iamport, false);
    assert.equal('inicisPgApiKey' in parseConfig({ ...base, IAMPORT_INICIS_PG_API_KEY: '' }).iamport, false);
  });

  it('reads PUBLIC_ORIGIN, MAX_GRANT_TTL, the webhook settings and HEALTH_DETAILS', () => {
    const config = parseConfig({
      ...base,
      PUBLIC_ORIGIN: 'https://refunds.example.com',
      MAX_GRANT_TTL: '900',
      RATE_LIMIT_WEBHOOK_PER_IP: '10',
      IAMPORT_WEBHOOK_IPS: '52.78.100.19, 52.78.48.223,::FFFF:52.78.5.241',
      HEALTH_DETAILS: 'true',
    });
    assert.equal(config.publicOrigin, 'https://refunds.example.com');
    assert.equal(config.maxGrantTtlSeconds, 900);
    assert.equal(config.rateLimit.webhookPerIp, 10);
    assert.deepEqual(config.webhookIps, ['52.78.100.19', '52.78.48.223', '52.78.5.241']);
    assert.equal(config.healthDetails, true);
    const message = problemsOf({
      ...base,
      PUBLIC_ORIGIN: 'https://x.example/path',
      IAMPORT_WEBHOOK_IPS: '52.78.100.19,i-am-port',
    });
    assert.match(message, /PUBLIC_ORIGIN must be an origin/);
    assert.match(message, /IAMPORT_WEBHOOK_IPS must be a comma-separated list of IP addresses/);
  });

  it('stops start-up on an IAMPORT_WEBHOOK_IPS of commas alone (addresses gone missing), where unset or empty is any sender', () => {
    for (const commas of [',', ' , ,']) {
      assert.match(problemsOf({ ...base, IAMPORT_WEBHOOK_IPS: commas }), /IAMPORT_WEBHOOK_IPS lists no address/);
    }
    assert.deepEqual(parseConfig({ ...base, IAMPORT_WEBHOOK_IPS: '' }).webhookIps, []);
    assert.deepEqual(parseConfig(base).webhookIps, []);
    assert.deepEqual(parseConfig({ ...base, IAMPORT_WEBHOOK_IPS: '52.78.100.19,' }).webhookIps, ['52.78.100.19']);
  });
});

describe('REFUND_TOKEN_SECRET_PREVIOUS', () => {
  const old = 'o'.repeat(40);

  it('reads the grant secret before a rotation beside the current one; unset or empty, there is none', () => {
    assert.equal(parseConfig({ ...base, REFUND_TOKEN_SECRET_PREVIOUS: old }).previousGrantSecret, old);
    assert.equal(parseConfig(base).previousGrantSecret, undefined);
    assert.equal(parseConfig({ ...base, REFUND_TOKEN_SECRET_PREVIOUS: '' }).previousGrantSecret, undefined);
  });

  it('stops start-up when it is set alone (the sandbox included), short, or the same as REFUND_TOKEN_SECRET', () => {
    const { REFUND_TOKEN_SECRET: _, ...withoutCurrent } = base;
    assert.match(
      problemsOf({ ...withoutCurrent, REFUND_TOKEN_SECRET_PREVIOUS: old }),
      /REFUND_TOKEN_SECRET_PREVIOUS is set, but REFUND_TOKEN_SECRET is not/,
    );
    assert.match(
      problemsOf({ REFUND_TOKEN_SECRET_PREVIOUS: old }),
      /REFUND_TOKEN_SECRET_PREVIOUS is set, but REFUND_TOKEN_SECRET is not/,
      'in the sandbox, whose grant secret is its own',
    );
    const short = problemsOf({ ...base, REFUND_TOKEN_SECRET_PREVIOUS: 'hunter2' });
    assert.match(short, /REFUND_TOKEN_SECRET_PREVIOUS.*at least 32 characters/);
    assert.doesNotMatch(short, /hunter2/, 'never quoted');
    assert.match(
      problemsOf({ ...base, REFUND_TOKEN_SECRET_PREVIOUS: base.REFUND_TOKEN_SECRET }),
      /REFUND_TOKEN_SECRET_PREVIOUS is the same as REFUND_TOKEN_SECRET/,
    );
  });

  it('sees the current secret pasted as the previous one with a blank or a newline around it (either side)', () => {
    // Both are taken with blanks around them (a value from a file, `echo … | wrangler secret put`): the same secret
    // pasted twice must stop start-up however it was pasted, as MERCHANT_WEBHOOK_SECRET_PREVIOUS's check does.
    const current = base.REFUND_TOKEN_SECRET;
    for (const [now, previous] of [
      [current, `${current}\n`],
      [current, ` ${current} `],
      [`${current}\n`, current],
    ]) {
      assert.match(
        problemsOf({ ...base, REFUND_TOKEN_SECRET: now!, REFUND_TOKEN_SECRET_PREVIOUS: previous! }),
        /REFUND_TOKEN_SECRET_PREVIOUS is the same as REFUND_TOKEN_SECRET/,
        JSON.stringify([now, previous]),
      );
    }
  });
});

describe('ADMIN_API_KEYS', () => {
  const key = (c: string) => c.repeat(32);

  it('reads comma-separated keys and RATE_LIMIT_ADMIN_PER_KEY; unset, there are none (the admin API is off)', () => {
    const config = parseConfig({
      ...base,
      ADMIN_API_KEYS: ` ${key('a')} ,${key('b')},`,
      RATE_LIMIT_ADMIN_PER_KEY: '5',
    });
    assert.deepEqual(config.admin, { keys: [key('a'), key('b')], perKeyPerMinute: 5, generated: false });
    assert.deepEqual(parseConfig({ ...base, ADMIN_API_KEYS: '' }).admin.keys, []);
  });

  it('stops start-up on a list of commas alone: keys that went missing, not the admin API turned off', () => {
    assert.match(problemsOf({ ...base, ADMIN_API_KEYS: ',,,' }), /ADMIN_API_KEYS lists no key \(only commas\)/);
  });

  it('stops start-up on a key shorter than 32 characters, naming the variable and the key by place, never quoting it', () => {
    const message = problemsOf({ ...base, ADMIN_API_KEYS: `${key('a')},short-key-31-characters-long-xx` });
    assert.match(message, /ADMIN_API_KEYS: key 2 of 2 is 31 characters long; each key must be at least 32/);
    assert.doesNotMatch(message, /short-key/);
  });

  it('makes a key of its own in the sandbox, new at each start, unless ADMIN_API_KEYS is set', () => {
    const first = parseConfig({}).admin;
    assert.equal(first.generated, true);
    assert.equal(first.keys.length, 1);
    assert.ok(first.keys[0]!.length >= 32);
    assert.notDeepEqual(parseConfig({}).admin.keys, first.keys);
    assert.deepEqual(parseConfig({ ADMIN_API_KEYS: key('c') }).admin, {
      keys: [key('c')],
      perKeyPerMinute: 600,
      generated: false,
    });
  });
});

describe("the sandbox's merchant webhooks", () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

  it('get a fresh whsec_ secret at each start, no URL (the entry starts its receiver) and retries after 5, 15, 30 s', () => {
    const first = parseConfig({}).merchantWebhooks;
    assert.deepEqual(first?.urls, []);
    assert.match(first?.secret ?? '', /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(first?.retryDelaysMs, [5_000, 15_000, 30_000]);
    assert.notEqual(parseConfig({}).merchantWebhooks?.secret, first?.secret);
    assert.deepEqual(parseConfig({ WEBHOOK_RETRY_SCHEDULE: '1,2' }).merchantWebhooks?.retryDelaysMs, [1_000, 2_000]);
    assert.equal(parseConfig(base).merchantWebhooks, null, 'live: off unless configured');
  });

  it("are the merchant's own when MERCHANT_WEBHOOK_URL and its secret are set, still on the sandbox's schedule", () => {
    const own = parseConfig({ MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:9000/hooks', MERCHANT_WEBHOOK_SECRET: secret });
    assert.deepEqual(own.merchantWebhooks, {
      urls: ['http://127.0.0.1:9000/hooks'],
      secret,
      retryDelaysMs: [5_000, 15_000, 30_000],
    });
    assert.match(
      problemsOf({ MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:9000/hooks' }),
      /MERCHANT_WEBHOOK_SECRET is not set/,
    );
    assert.match(
      problemsOf({ MERCHANT_WEBHOOK_URL: 'https://shop:pw@shop.example/h', MERCHANT_WEBHOOK_SECRET: secret }),
      /MERCHANT_WEBHOOK_URL must not carry a user or password/,
    );
    assert.deepEqual(
      parseConfig({ ...base, MERCHANT_WEBHOOK_URL: 'https://shop.example/h', MERCHANT_WEBHOOK_SECRET: secret })
        .merchantWebhooks?.retryDelaysMs,
      [5, 300, 1800, 7200, 18000, 36000, 36000].map((s) => s * 1000),
      'live keeps the documented schedule',
    );
  });
});

describe('IAMPORT_WEBHOOK_FORWARD_URL', () => {
  const forwardUrl = (url: string, env: Record<string, string> = {}) =>
    parseConfig({ ...base, ...env, IAMPORT_WEBHOOK_FORWARD_URL: url }).webhookForwardUrl;

  it('takes an https URL exactly as written (a trailing slash, a query with a token)', () => {
    assert.equal(forwardUrl('https://shop.example/iamport/notice/'), 'https://shop.example/iamport/notice/');
    assert.equal(forwardUrl(' https://shop.example/hook?key=abc '), 'https://shop.example/hook?key=abc');
    assert.equal(forwardUrl('https://shop.example/hook', { NODE_ENV: 'production' }), 'https://shop.example/hook');
  });

  it('takes plain http only to a loopback address, and never in production', () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]:3000/hook']) {
      assert.equal(forwardUrl(url), url);
      assert.match(
        problemsOf({ ...base, NODE_ENV: 'production', IAMPORT_WEBHOOK_FORWARD_URL: url }),
        /IAMPORT_WEBHOOK_FORWARD_URL must start with https:\/\/ in production/,
      );
    }
    assert.match(
      problemsOf({ ...base, IAMPORT_WEBHOOK_FORWARD_URL: 'http://shop.example/hook' }),
      /IAMPORT_WEBHOOK_FORWARD_URL must start with https:\/\/ \(http:\/\/ only to a loopback address\)/,
    );
    for (const url of ['shop.example/hook', 'ftp://shop.example/hook']) {
      assert.match(problemsOf({ ...base, IAMPORT_WEBHOOK_FORWARD_URL: url }), /IAMPORT_WEBHOOK_FORWARD_URL/, url);
    }
    assert.equal(forwardUrl(''), null, 'set but empty is unset, as for the other optional variables');
  });

  it("takes the gateway's API over plain http in production only to a loopback address: its secret goes with every call", () => {
    const live = { ...base, IAMPORT_API_URL: 'http://127.0.0.1:9100' };
    assert.equal(parseConfig(live).iamport?.apiUrl, 'http://127.0.0.1:9100', 'a local stand-in, in development');
    const local = parseConfig({ ...live, NODE_ENV: 'production' });
    assert.equal(local.iamport?.apiUrl, 'http://127.0.0.1:9100', 'an egress proxy on this machine, live');
    assert.match(
      problemsOf({ ...live, NODE_ENV: 'production', IAMPORT_API_URL: 'http://api.iamport.kr' }),
      /IAMPORT_API_URL must start with https:\/\/ in production/,
    );
    const v2 = { REFUND_TOKEN_SECRET: base.REFUND_TOKEN_SECRET, PORTONE_API_SECRET: 'secret', NODE_ENV: 'production' };
    assert.match(
      problemsOf({ ...v2, PORTONE_API_URL: 'http://api.portone.io' }),
      /PORTONE_API_URL must start with https:\/\/ in production/,
    );
  });
});

describe('deploymentOf', () => {
  it('runs the sandbox only with nothing live set and NODE_ENV unset, development or test (any case)', () => {
    for (const NODE_ENV of [undefined, '', 'development', 'Development', 'TEST']) {
      assert.deepEqual(
        deploymentOf(NODE_ENV === undefined ? {} : { NODE_ENV }),
        { sandbox: true, production: false },
        String(NODE_ENV),
      );
    }
  });

  it('counts every other NODE_ENV as production, and any live variable (even empty) as live', () => {
    for (const NODE_ENV of ['production', 'Production', 'prod', 'staging']) {
      assert.deepEqual(deploymentOf({ NODE_ENV }), { sandbox: false, production: true }, NODE_ENV);
    }
    for (const name of ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET', 'DATABASE_URL']) {
      assert.equal(deploymentOf({ [name]: 'x' }).sandbox, false, name);
      assert.equal(deploymentOf({ [name]: '' }).sandbox, false, `${name} set but empty`);
    }
    // A misspelt IMP_SECRET beside a real grant secret: live, so start-up names the missing IMP_SECRET.
    assert.equal(deploymentOf({ IMP_KEY: 'k', IMP_SECERT: 's', REFUND_TOKEN_SECRET: 's'.repeat(32) }).sandbox, false);
  });

  it('runs the sandbox on Node only: elsewhere nothing set is a live configuration missing its variables', () => {
    assert.equal(deploymentOf({}, 'Node').sandbox, true);
    for (const runtime of ['Deno', 'Bun', 'Cloudflare Workers'] as const) {
      assert.equal(deploymentOf({}, runtime).sandbox, false, runtime);
    }
  });

  it('counts an unset NODE_ENV as production on Workers, Deno and Bun, where nothing sets it; development or test says otherwise', () => {
    for (const runtime of ['Deno', 'Bun', 'Cloudflare Workers'] as const) {
      assert.equal(deploymentOf({}, runtime).production, true, runtime);
      assert.equal(deploymentOf({ NODE_ENV: '' }, runtime).production, true, `${runtime}, empty`);
      assert.equal(deploymentOf({ NODE_ENV: 'Test' }, runtime).production, false, `${runtime}, test`);
      assert.equal(deploymentOf({ NODE_ENV: 'development' }, runtime).production, false, `${runtime}, development`);
    }
    assert.equal(deploymentOf({}, 'Node').production, false);
  });
});

describe('parseConfig for the sandbox', () => {
  const sandboxProblems = (env: Record<string, string>): ConfigError => {
    try {
      parseConfig(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error;
    }
    assert.fail('expected a ConfigError');
  };

  it("gives the fake i'mport's keys and a random grant secret of its own, new at each start", () => {
    const first = parseConfig({});
    assert.equal(first.sandbox, true);
    assert.deepEqual(first.iamport, { ...SANDBOX_IAMPORT_KEYS, apiUrl: '', timeoutMs: 15000 });
    assert.ok(first.grantSecret.length >= 32);
    assert.notEqual(parseConfig({}).grantSecret, first.grantSecret);
  });

  it('signs with SANDBOX_TOKEN_SECRET when set, and refuses one shorter than 32 characters (empty too)', () => {
    assert.equal(parseConfig({ SANDBOX_TOKEN_SECRET: 'x'.repeat(32) }).grantSecret, 'x'.repeat(32));
    for (const SANDBOX_TOKEN_SECRET of ['short', '']) {
      const error = sandboxProblems({ SANDBOX_TOKEN_SECRET });
      assert.deepEqual(error.problems, ['SANDBOX_TOKEN_SECRET must be at least 32 characters']);
      assert.equal(error.sandbox, true, 'the error says the sandbox was asked for');
    }
  });

  it('refuses a non-loopback HOST unless SANDBOX_PUBLIC=true', () => {
    const refused = sandboxProblems({ HOST: '0.0.0.0' }).message;
    assert.match(refused, /HOST=0\.0\.0\.0 is not a loopback address.*SANDBOX_PUBLIC=true/s);
    assert.equal(parseConfig({ HOST: '0.0.0.0', SANDBOX_PUBLIC: 'true' }).host, '0.0.0.0');
    for (const HOST of ['127.0.0.1', '::1', 'localhost']) assert.equal(parseConfig({ HOST }).sandbox, true);
    assert.equal(parseConfig({ ...base, HOST: '0.0.0.0' }).host, '0.0.0.0', 'a live proxy may listen anywhere');
  });

  it("says a live configuration error is not the sandbox's", () => {
    try {
      parseConfig({ IMP_KEY: 'k' });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError && error.sandbox === false);
    }
  });
});

describe('parseConfig outside Node', () => {
  it('requires DATABASE_URL, naming the runtime, alongside every other problem', () => {
    assert.throws(
      () => parseConfig({ IMP_KEY: 'k' }, 'Deno'),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => /^DATABASE_URL is not set: on Deno the ledger is PostgreSQL/.test(p)) &&
        error.problems.some((p) => p.startsWith('IMP_SECRET')) &&
        error.problems.some((p) => p.startsWith('REFUND_TOKEN_SECRET')),
    );
    const workers = /IMP_KEY is not set[\s\S]*on Cloudflare Workers the ledger/;
    assert.throws(() => parseConfig({}, 'Cloudflare Workers'), workers);
  });

  it('gives a PostgreSQL configuration when DATABASE_URL is set', () => {
    const config = parseConfig({ ...base, DATABASE_URL: 'postgres://u:p@db:5432/refunds' }, 'Bun');
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u:p@db:5432/refunds' });
  });

  it("refuses a gateway's API over plain http with NODE_ENV unset, which nothing sets there, unless it says test", () => {
    const env = { ...base, DATABASE_URL: 'postgres://u:p@db:5432/refunds', IAMPORT_API_URL: 'http://api.example.com' };
    for (const runtime of ['Deno', 'Bun', 'Cloudflare Workers'] as const) {
      assert.throws(
        () => parseConfig(env, runtime),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.some((p) => /^IAMPORT_API_URL must start with https:\/\/ in production/.test(p)),
        runtime,
      );
      assert.equal(parseConfig({ ...env, NODE_ENV: 'test' }, runtime).iamport?.apiUrl, 'http://api.example.com');
    }
  });

  it('leaves the address to the platform on Deno Deploy (DENO_DEPLOYMENT_ID)', () => {
    const env = { ...base, DATABASE_URL: 'postgres://u:p@db:5432/refunds' };
    assert.equal(parseConfig(env, 'Deno').addressFromPlatform, false);
    assert.equal(parseConfig({ ...env, DENO_DEPLOYMENT_ID: 'abc123' }, 'Deno').addressFromPlatform, true);
  });
});

describe('grantSecretOf (npm run grant)', () => {
  const long = 's'.repeat(32);
  const sandbox = 'b'.repeat(40);

  it("is REFUND_TOKEN_SECRET when it could be the proxy's (32 characters or more), else a problem naming it", () => {
    assert.deepEqual(grantSecretOf({ REFUND_TOKEN_SECRET: long }), {
      ok: true,
      secret: long,
      from: 'REFUND_TOKEN_SECRET',
    });
    for (const REFUND_TOKEN_SECRET of ['', 'short']) {
      assert.deepEqual(
        grantSecretOf({ REFUND_TOKEN_SECRET, SANDBOX_TOKEN_SECRET: sandbox }),
        { ok: false, problem: 'REFUND_TOKEN_SECRET must be at least 32 characters' },
        `${JSON.stringify(REFUND_TOKEN_SECRET)}: set, so never replaced by SANDBOX_TOKEN_SECRET`,
      );
    }
  });

  it('falls back to SANDBOX_TOKEN_SECRET, under the same rule, and names both when neither is set', () => {
    assert.deepEqual(grantSecretOf({ SANDBOX_TOKEN_SECRET: sandbox }), {
      ok: true,
      secret: sandbox,
      from: 'SANDBOX_TOKEN_SECRET',
    });
    const both = grantSecretOf({ REFUND_TOKEN_SECRET: long, SANDBOX_TOKEN_SECRET: sandbox });
    assert.equal(both.ok && both.from, 'REFUND_TOKEN_SECRET', 'the live secret comes first');
    for (const SANDBOX_TOKEN_SECRET of ['', 'short']) {
      assert.deepEqual(grantSecretOf({ SANDBOX_TOKEN_SECRET }), {
        ok: false,
        problem: 'SANDBOX_TOKEN_SECRET must be at least 32 characters',
      });
    }
    const neither = grantSecretOf({});
    assert.ok(!neither.ok && /REFUND_TOKEN_SECRET .*SANDBOX_TOKEN_SECRET.* is not set/.test(neither.problem));
  });

  it('stops start-up on values that look set but cannot work, each named once', () => {
    assert.match(problemsOf({ ...base, IMP_SECRET: '   ' }), /IMP_SECRET is empty/);
    assert.doesNotMatch(problemsOf({ ...base, IMP_SECRET: '   ' }), /IMP_SECRET IMP_SECRET/);
    // A password in the gateway's URL would be printed at start-up and in /health's details.
    assert.match(
      problemsOf({ ...base, IAMPORT_API_URL: 'https://egress:PASSWORD@egress.internal:8443' }),
      /IAMPORT_API_URL must not carry a user or password/,
    );
    // Blanks do not count towards a secret's length.
    assert.match(
      problemsOf({ ...base, REFUND_TOKEN_SECRET: `${' '.repeat(28)}abcd` }),
      /REFUND_TOKEN_SECRET must be at least 32/,
    );
    assert.match(
      problemsOf({ ...base, REFUND_TOKEN_SECRET: `${'s'.repeat(20)} ${'s'.repeat(20)}` }),
      /must not contain/,
    );
    // A file's last newline is no blank inside: the secret is kept as given (grants signed with it still verify).
    const fromFile = `${'s'.repeat(32)}\n`;
    assert.equal(parseConfig({ ...base, REFUND_TOKEN_SECRET: fromFile }).grantSecret, fromFile);
    // An admin key no Authorization header can carry as written.
    const keys = [`${'k'.repeat(20)} ${'k'.repeat(20)}`, '관리자'.repeat(11)];
    for (const key of keys) {
      assert.match(problemsOf({ ...base, ADMIN_API_KEYS: key }), /ADMIN_API_KEYS: key 1 of 1 has a character a header/);
    }
    assert.deepEqual(parseConfig({ ...base, ADMIN_API_KEYS: 'a'.repeat(32) }).admin.keys, ['a'.repeat(32)]);
  });
});
