// The staff door: a staff grant and nothing else opens /staff/, a staff grant opens no order, CORS and the origin
// guard for browsers (while /admin stays without CORS), a limit per staff member, and the staff member in the log.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { mintStaffGrant } from '../auth/staff-grant.ts';
import { json, KEY, T, withAdmin } from '../test-support/admin-calls.ts';
import { createClock, GRANT_SECRET, type Harness } from '../test-support/harness.ts';
import { corsHeaders, staffCalls } from './staff-calls.ts';

let h: Harness;
let calls: ReturnType<typeof staffCalls>;
afterEach(async () => h?.close());

const open = async (made: Promise<Harness>) => {
  h = await made;
  calls = staffCalls(h);
};

const ORDER = 'ORD-STAFF-1';
/** Every staff route, as [method, path]. */
const STAFF_ROUTES = [
  ['GET', '/staff/refunds'],
  ['GET', `/staff/payments/${ORDER}`],
  ['POST', '/staff/events/msg_x/redeliver'],
] as const;

describe('the staff door', () => {
  it('answers a staff grant on every staff route, and no /staff/grants or /staff/events', async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: ORDER, amount: 10_000 });
    await h.cancel({ merchant_uid: ORDER, reason: 'x', cancel_request_amount: 1000 });
    const grant = await calls.staffGrant('alice');
    const statuses = [];
    for (const [method, path] of STAFF_ROUTES) statuses.push((await calls.staff(path, grant, { method })).status);
    assert.deepEqual(statuses, [200, 200, 404], 'the unknown event is 404 from the shared handler, past the door');
    const mint = await calls.staff('/staff/grants', grant, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'staff', sub: 'mallory' }),
    });
    assert.equal(mint.status, 404, 'staff cannot mint grants');
    assert.equal((await calls.staff('/staff/events', grant)).status, 404);
  });

  it("refuses a customer's grant on every staff route with 403 FORBIDDEN", async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: ORDER, amount: 10_000 });
    const customer = await h.grant(ORDER);
    for (const [method, path] of STAFF_ROUTES) {
      const res = await calls.staff(path, customer, { method });
      assert.equal(res.status, 403, path);
      assert.equal((await json(res)).error.code, 'FORBIDDEN');
    }
  });

  it('refuses a staff grant whose sub is an order id on every customer route, and refunds nothing', async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: ORDER, amount: 10_000 });
    const staff = await calls.staffGrant(ORDER);
    const view = await h.view(ORDER, { grant: staff });
    const cancel = await h.cancel({ merchant_uid: ORDER, reason: 'x' }, { grant: staff });
    for (const { res, body } of [view, cancel]) {
      assert.equal(res.status, 403);
      assert.equal(body.error.code, 'FORBIDDEN');
    }
    assert.equal(h.fake.calls.length, 0, "no request reached i'mport");
    // The same order's customer grant still works: the refusal is the grant's kind, not the order.
    assert.equal((await h.view(ORDER)).res.status, 200);
  });

  it('refuses a grant with any other role everywhere, 401', async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: ORDER, amount: 10_000 });
    const now = Math.floor(h.clock.now() / 1000);
    const { sign } = await import('hono/jwt');
    for (const role of ['admin', 'customer', 'Staff', '', 1, null]) {
      const grant = await sign({ role, sub: ORDER, iat: now, exp: now + 600 }, GRANT_SECRET, 'HS256');
      assert.equal((await h.view(ORDER, { grant })).res.status, 401, `customer route, role ${String(role)}`);
      const cancel = await h.cancel({ merchant_uid: ORDER, reason: 'x' }, { grant });
      assert.equal(cancel.res.status, 401);
      for (const [method, path] of STAFF_ROUTES) {
        assert.equal((await calls.staff(path, grant, { method })).status, 401, `${path}, role ${String(role)}`);
      }
    }
    assert.equal(h.fake.calls.length, 0);
  });

  it('answers a missing, expired, forged, too-long-lived or malformed staff grant 401, all alike', async () => {
    const clock = createClock(T);
    await open(withAdmin({ clock, config: { maxGrantTtlSeconds: 600 } }));
    const now = T / 1000;
    const expired = await mintStaffGrant(GRANT_SECRET, { sub: 'alice', now: now - 700, ttlSeconds: 600 });
    const forged = await mintStaffGrant('another-secret-0123456789-abcdefghijklmn', { sub: 'alice', now });
    const tooLong = await mintStaffGrant(GRANT_SECRET, { sub: 'alice', now, ttlSeconds: 601 });
    const valid = await mintStaffGrant(GRANT_SECRET, { sub: 'alice', now, ttlSeconds: 600 });
    const [head, payload] = valid.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ role: 'staff', sub: 'root', iat: now, exp: now + 60 })).toString('base64url')}.${valid.split('.')[2]}`;
    const answers = [];
    for (const grant of [null, expired, forged, tooLong, tampered, 'not-a-jwt', `${head}.${payload}.`]) {
      const res = await calls.staff('/staff/refunds', grant);
      answers.push({ status: res.status, body: await res.json(), www: res.headers.get('WWW-Authenticate') });
    }
    for (const answer of answers) assert.deepEqual(answer, answers[0]);
    assert.deepEqual(answers[0], {
      status: 401,
      body: {
        ok: false,
        error: { code: 'UNAUTHORIZED', message: 'A staff grant is required (Authorization: Bearer <staff grant>).' },
      },
      www: 'Bearer',
    });
    assert.equal((await calls.staff('/staff/refunds', valid)).status, 200, 'the same grant, untouched, opens it');
  });

  it('answers a preflight from an allowed origin, not from another, and refuses a call from another origin', async () => {
    await open(withAdmin({ allowedOrigins: ['https://desk.example'] }));
    const grant = await calls.staffGrant('alice');
    const preflight = (origin: string) =>
      h.app.request('/staff/refunds', {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
    const allowed = await preflight('https://desk.example');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('Access-Control-Allow-Origin'), 'https://desk.example');
    assert.deepEqual(allowed.headers.get('Access-Control-Allow-Headers')?.split(','), [
      'Authorization',
      'Content-Type',
    ]);
    assert.match(allowed.headers.get('Access-Control-Allow-Methods') ?? '', /POST/);
    const foreign = await preflight('https://evil.example');
    assert.equal(foreign.headers.get('Access-Control-Allow-Origin'), null);
    assert.ok(!Object.values(corsHeaders(foreign)).includes('*'));

    const get = await calls.staff('/staff/refunds', grant, { headers: { Origin: 'https://desk.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('Access-Control-Allow-Origin'), 'https://desk.example');
    const refused = await calls.staff('/staff/refunds', null, { headers: { Origin: 'https://desk.example' } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('Access-Control-Allow-Origin'), 'https://desk.example', 'the console reads why');
    const tooLarge = await calls.staff('/staff/refund-requests/rr_x/reject', grant, {
      method: 'POST',
      headers: { Origin: 'https://desk.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(20_000) }),
    });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.headers.get('Access-Control-Allow-Origin'), 'https://desk.example', 'a 413 too');
    const evil = await calls.staff('/staff/events/msg_x/redeliver', grant, {
      method: 'POST',
      headers: { Origin: 'https://evil.example' },
    });
    assert.equal(evil.status, 403);
    assert.match((await json(evil)).error.message, /not in ALLOWED_ORIGINS/);
    assert.equal(evil.headers.get('Access-Control-Allow-Origin'), null);

    // The admin API still answers no browser.
    const admin = await calls.admin('/admin/refunds', { headers: { Origin: 'https://desk.example' } });
    assert.equal(admin.status, 200);
    assert.deepEqual(corsHeaders(admin), {});
  });

  it('limits each staff member on their own (RATE_LIMIT_STAFF_PER_SUB), and counts again a minute on', async () => {
    const clock = createClock(T);
    await open(withAdmin({ clock, config: { staffPerSubPerMinute: 2 } }));
    const alice = await calls.staffGrant('alice');
    const aliceAgain = await calls.staffGrant('alice', 600);
    assert.equal((await calls.staff('/staff/refunds', alice)).status, 200);
    assert.equal((await calls.staff('/staff/refunds', aliceAgain)).status, 200);
    const limited = await calls.staff('/staff/refunds', alice);
    assert.equal(limited.status, 429, 'counted per sub, not per grant');
    assert.equal((await json(limited)).error.code, 'RATE_LIMITED');
    assert.equal(limited.headers.get('Retry-After'), '60');
    assert.equal((await calls.staff('/staff/refunds', await calls.staffGrant('bob'))).status, 200);
    clock.advance(60_000);
    assert.equal((await calls.staff('/staff/refunds', await calls.staffGrant('alice'))).status, 200);
  });

  it('logs each staff call with the staff member, never the grant', async () => {
    await open(withAdmin());
    const grant = await calls.staffGrant('alice@shop.example');
    await calls.staff('/staff/refunds', grant);
    await calls.staff('/staff/refunds', null);
    const lines = h.logs.filter((line) => line.msg === 'request' && String(line.path).startsWith('/staff/'));
    assert.deepEqual(
      lines.map((line) => [line.status, line.staff_sub]),
      [
        [200, 'alice@shop.example'],
        [401, undefined],
      ],
    );
    assert.ok(!JSON.stringify(h.logs).includes(grant));
    assert.ok(!JSON.stringify(h.logs).includes(KEY));
  });

  it('takes a staff grant minted by the merchant backend itself (mintStaffGrant), no admin key needed', async () => {
    const { createHarness } = await import('../test-support/harness.ts');
    await open(createHarness());
    const grant = await mintStaffGrant(GRANT_SECRET, { sub: 'alice', now: Math.floor(h.clock.now() / 1000) });
    assert.equal((await calls.staff('/staff/refunds', grant)).status, 200);
    assert.equal(
      (await calls.staff('/staff/refunds', await mintGrant(GRANT_SECRET, { merchantUid: 'x' }))).status,
      403,
    );
  });
});
