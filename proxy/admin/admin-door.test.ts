// The admin API's door: 404 unless ADMIN_API_KEYS is set, 401 alike for every refusal, no CORS, the key's id in the log, a limit per key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { adminCalls, json, KEY, OTHER_KEY, T, withAdmin } from '../test-support/admin-calls.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
let admin: ReturnType<typeof adminCalls>['admin'];
let postGrant: ReturnType<typeof adminCalls>['postGrant'];
afterEach(async () => h?.close());

/** Opens the harness and binds the calls to it. */
const open = async (made: Promise<Harness>) => {
  h = await made;
  ({ admin, postGrant } = adminCalls(h));
};

describe('the admin API: its door', () => {
  it('does not exist without ADMIN_API_KEYS: every /admin route answers 404 as an unknown route does', async () => {
    await open(createHarness());
    const unknown = await h.app.request('/no-such-route');
    for (const [path, method] of [
      ['/admin/refunds', 'GET'],
      ['/admin/grants', 'POST'],
      ['/admin/payments/ORD-1', 'GET'],
    ] as const) {
      const res = await admin(path, { method });
      assert.equal(res.status, 404, path);
      assert.deepEqual(await res.json(), await unknown.clone().json());
    }
  });

  it('answers a missing, malformed or wrong key 401 UNAUTHORIZED, all alike, saying nothing about why', async () => {
    await open(withAdmin());
    const answers = await Promise.all(
      [
        admin('/admin/refunds', { key: null }),
        admin('/admin/refunds', { key: `${KEY}x` }),
        admin('/admin/refunds', { key: KEY.slice(0, -1) }),
        admin('/admin/refunds', { key: 'short' }),
        admin('/admin/refunds', { key: null, headers: { Authorization: `Basic ${KEY}` } }),
        admin('/admin/no-such-route', { key: 'wrong' }),
        postGrant({ merchant_uid: 'ORD-1' }, 'wrong'),
      ].map(async (pending) => {
        const res = await pending;
        return { status: res.status, body: await res.json() };
      }),
    );
    for (const answer of answers) {
      assert.deepEqual(answer, answers[0]);
    }
    assert.equal(answers[0]!.status, 401);
    assert.deepEqual(answers[0]!.body, {
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'An admin key is required (Authorization: Bearer <key>).' },
    });
    assert.equal((await admin('/admin/refunds', { key: OTHER_KEY })).status, 200, 'each listed key opens it');
  });

  it('sends no CORS header, even to an allowed origin, and answers no preflight', async () => {
    await open(withAdmin({ allowedOrigins: ['https://shop.example'] }));
    const origin = { Origin: 'https://shop.example' };
    const get = await admin('/admin/refunds', { headers: origin });
    assert.equal(get.status, 200);
    const preflight = await admin('/admin/refunds', {
      key: null,
      method: 'OPTIONS',
      headers: { ...origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(preflight.status, 401);
    const grant = await admin('/admin/grants', {
      method: 'POST',
      headers: { ...origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ merchant_uid: 'ORD-1' }),
    });
    assert.equal(grant.status, 200);
    for (const res of [get, preflight, grant]) {
      const cors = [...res.headers.keys()].filter((name) => name.toLowerCase().startsWith('access-control-'));
      assert.deepEqual(cors, []);
    }
    // The payment routes still answer that origin, so the test would see a CORS header if there were one.
    const payments = await h.app.request('/payments/cancel', { method: 'OPTIONS', headers: origin });
    assert.equal(payments.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
  });

  it("logs each admin call with the key's id (8 hex digits of its SHA-256), never the key", async () => {
    await open(withAdmin());
    await admin('/admin/refunds');
    await admin('/admin/refunds', { key: OTHER_KEY });
    await admin('/admin/refunds', { key: 'wrong-key' });
    const lines = h.logs.filter((line) => line.msg === 'request');
    const id = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);
    assert.deepEqual(
      lines.map((line) => [line.status, line.key_id]),
      [
        [200, id(KEY)],
        [200, id(OTHER_KEY)],
        [401, undefined],
      ],
    );
    const everything = JSON.stringify(h.logs);
    for (const secret of [KEY, OTHER_KEY, 'wrong-key']) assert.ok(!everything.includes(secret));
  });

  it('limits each key on its own (RATE_LIMIT_ADMIN_PER_KEY), 429 with Retry-After, and counts again a minute on', async () => {
    const clock = createClock(T);
    await open(withAdmin({ clock }, 2));
    assert.equal((await admin('/admin/refunds')).status, 200);
    assert.equal((await admin('/admin/refunds')).status, 200);
    const limited = await admin('/admin/refunds');
    assert.equal(limited.status, 429);
    assert.equal((await json(limited)).error.code, 'RATE_LIMITED');
    assert.equal(limited.headers.get('Retry-After'), '60');
    assert.equal((await admin('/admin/refunds', { key: OTHER_KEY })).status, 200, 'the other key has its own count');
    clock.advance(60_000);
    assert.equal((await admin('/admin/refunds')).status, 200);
  });
});
