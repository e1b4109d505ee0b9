// The app's edges: health, CORS and origins, body limits, JSON only, and log lines that never hold a secret.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from './store/sqlite.ts';
import type { Store } from './store/store.ts';
import { createHarness, GRANT_SECRET, type Harness, IAMPORT_URL } from './test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('the proxy app', () => {
  it("GET /health answers { ok, store }; the i'mport base URL and the mode only with HEALTH_DETAILS", async () => {
    h = await createHarness();
    const res = await h.app.request('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, store: 'sqlite', gateway: 'iamport' });
    await h.close();
    h = await createHarness({ config: { healthDetails: true } });
    const detailed = await (await h.app.request('/health')).json();
    assert.deepEqual(detailed, { ok: true, store: 'sqlite', gateway: 'iamport', iamport: IAMPORT_URL, mode: 'live' });
  });

  it('answers 503 on /health when the ledger is gone', async () => {
    h = await createHarness();
    await h.store.close();
    const res = await h.app.request('/health');
    assert.equal(res.status, 503);
  });

  it('answers 503 on /health within seconds when the ledger hangs rather than fails', { timeout: 15_000 }, async () => {
    // PostgreSQL's host gone silent (SIGSTOPped, a network drop): no statement timeout, so the ping never answers.
    const inner = createSqliteStore({ path: ':memory:' });
    const store: Store = { ...inner, ping: () => new Promise<never>(() => undefined) };
    h = await createHarness({ store });
    const started = Date.now();
    const res = await h.app.request('/health');
    assert.equal(res.status, 503);
    assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
  });

  it("answers a clear 503 when the ledger database is down, and never calls i'mport", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'DB-1', amount: 1000 });
    await h.store.close();
    const cancel = await h.cancel({ merchant_uid: 'DB-1', reason: 'x' });
    assert.equal(cancel.res.status, 503);
    assert.equal(cancel.body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.match(cancel.body.error.message, /this request sent no refund/);
    const view = await h.view('DB-1');
    assert.equal(view.res.status, 503);
    assert.equal(h.fake.calls.length, 0);
  });

  it('a same-key retry of a refund whose answer was lost, with the ledger down: 503, never "nothing was refunded"', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'DB-2', amount: 10_000 });
    await h.view('DB-2');
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
    const body = { merchant_uid: 'DB-2', cancel_request_amount: 4000, reason: 'x' };
    const first = await h.cancel(body, { key: 'db-2' });
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, "i'mport made it");
    await h.store.close();
    const retry = await h.cancel(body, { key: 'db-2' });
    assert.deepEqual([retry.res.status, retry.body.error.code], [503, 'UPSTREAM_UNAVAILABLE']);
    // The ledger holds what the key did, so this retry cannot say; what it can say is that it sent nothing itself.
    assert.doesNotMatch(retry.body.error.message, /nothing was refunded/);
    assert.match(retry.body.error.message, /this request sent no refund/);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, 'nothing more was sent');
  });

  it('allows CORS only for ALLOWED_ORIGINS and PUBLIC_ORIGIN, never for the origin a Host header claims', async () => {
    h = await createHarness({
      allowedOrigins: ['https://shop.example'],
      config: { publicOrigin: 'https://refunds.example' },
    });
    const preflight = (origin: string) =>
      h.app.request('http://proxy.test/payments/cancel', {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
        },
      });
    const allowed = await preflight('https://shop.example');
    assert.equal(allowed.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
    assert.match(allowed.headers.get('Access-Control-Allow-Headers') ?? '', /Idempotency-Key/i);
    const own = await preflight('https://refunds.example');
    assert.equal(own.headers.get('Access-Control-Allow-Origin'), 'https://refunds.example');
    // The request is addressed to proxy.test: that is the client's claim, not the proxy's origin.
    assert.equal((await preflight('http://proxy.test')).headers.get('Access-Control-Allow-Origin'), null);
    assert.equal((await preflight('https://evil.example')).headers.get('Access-Control-Allow-Origin'), null);
  });

  it('refuses a refund from a page whose origin only the Host header vouches for (no PUBLIC_ORIGIN)', async () => {
    h = await createHarness({ allowedOrigins: [] });
    h.fake.addPayment({ merchant_uid: 'HOST-1', amount: 1000 });
    const grant = await h.grant('HOST-1');
    const res = await h.app.request('http://evil.example/payments/cancel', {
      method: 'POST',
      headers: {
        Host: 'evil.example',
        Origin: 'http://evil.example',
        Authorization: `Bearer ${grant}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ merchant_uid: 'HOST-1', reason: 'x' }),
    });
    assert.equal(res.status, 403);
    assert.equal(h.fake.calls.length, 0);
    const server = await h.cancel({ merchant_uid: 'HOST-1', reason: 'x' });
    assert.equal(server.res.status, 200, 'a request without Origin (a server) still passes on its grant');
  });

  it('lets an allowed page read error answers too (401, 429), with the headers the widget needs exposed', async () => {
    h = await createHarness({ allowedOrigins: ['https://shop.example'], rateLimit: { perIp: 0, perOrder: 1 } });
    h.fake.addPayment({ merchant_uid: 'E-1', amount: 1000 });
    const origin = 'https://shop.example';
    const noGrant = await h.view('E-1', { grant: null, origin });
    assert.equal(noGrant.res.status, 401);
    assert.equal(noGrant.res.headers.get('Access-Control-Allow-Origin'), origin);
    assert.equal(noGrant.res.headers.get('Vary'), 'Origin');
    await h.view('E-1', { origin });
    const limited = await h.view('E-1', { origin });
    assert.equal(limited.res.status, 429);
    assert.equal(limited.res.headers.get('Access-Control-Allow-Origin'), origin);
    assert.match(limited.res.headers.get('Access-Control-Expose-Headers') ?? '', /Retry-After/);
    assert.ok(limited.res.headers.get('Retry-After'));
  });

  it("refuses a refund sent from a page on an origin not allowed, without calling i'mport", async () => {
    h = await createHarness({ allowedOrigins: ['https://shop.example'] });
    h.fake.addPayment({ merchant_uid: 'A-1', amount: 1000 });
    const evil = await h.cancel({ merchant_uid: 'A-1', reason: 'x' }, { origin: 'https://evil.example' });
    assert.equal(evil.res.status, 403);
    assert.equal(evil.body.error.code, 'FORBIDDEN');
    assert.equal(h.fake.calls.length, 0);
    const shop = await h.cancel({ merchant_uid: 'A-1', reason: 'x' }, { origin: 'https://shop.example' });
    assert.equal(shop.res.status, 200);
    assert.equal(shop.res.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
  });

  it('refuses a valid refund padded over 16 KB (PAYLOAD_TOO_LARGE) and bad bodies (INVALID_REQUEST)', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'A-2', amount: 1000 });
    const auth = { Authorization: `Bearer ${await h.grant('A-2')}` };
    const valid = { merchant_uid: 'A-2', reason: 'x' };
    const send = (body: string | Blob, type = 'application/json') =>
      h.app.request('/payments/cancel', { method: 'POST', headers: { ...auth, 'Content-Type': type }, body });
    // "한글" in EUC-KR (C7 D1 B1 DB): not UTF-8, so not JSON; read as UTF-8 it would be a reason nobody wrote.
    const eucKr = new Blob(['{"merchant_uid":"A-2","reason":"', new Uint8Array([0xc7, 0xd1, 0xb1, 0xdb]), '"}']);
    // Each with what its message must say: a bad field is named (its value, maybe an account number, is not quoted).
    const cases: [ReturnType<typeof send>, RegExp][] = [
      [send('merchant_uid=A-2&reason=x', 'application/x-www-form-urlencoded'), /JSON/],
      [send('{"merchant_uid":'), /JSON/],
      [send(eucKr), /not UTF-8/],
      [send(JSON.stringify(valid), 'application/json; charset=euc-kr'), /UTF-8/],
      [send(JSON.stringify({ merchant_uid: 'A-2' })), /^reason is required$/],
      [send(JSON.stringify({ ...valid, cancel_request_amount: -5 })), /^cancel_request_amount /],
      [send(JSON.stringify({ ...valid, cancel_request_amount: '1000' })), /^cancel_request_amount /],
      [send(JSON.stringify({ ...valid, refund_account: '12-34가' })), /^refund_account (?!.*12-?34)/],
      [send(JSON.stringify({ merchant_uid: 'A-2', reason: ' ', refund_tel: 12 })), /^reason is required; refund_tel /],
    ];
    for (const [answer, says] of cases) {
      const res = await answer;
      assert.equal(res.status, 400);
      const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(body.error.code, 'INVALID_REQUEST');
      assert.match(body.error.message, says);
    }
    // A refund that would be valid but for its size (JSON allows the padding): refused on its length, the limit named.
    const oversized = await send(`${JSON.stringify(valid)}${' '.repeat(16 * 1024)}`);
    assert.equal(oversized.status, 413);
    const tooLarge = (await oversized.json()) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(tooLarge.error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(tooLarge.error.message, /limit of 16384 bytes/);
    assert.equal(h.fake.calls.length, 0);
    const unpadded = await send(JSON.stringify(valid), 'application/json; Charset="UTF-8"');
    assert.equal(unpadded.status, 200, 'the same body without the padding is a valid refund');
  });

  it("logs one line per request without the grant, the i'mport secret or the account number", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'A-3', amount: 1000, pay_method: 'vbank', pg_provider: 'kcp' });
    const grant = await h.grant('A-3');
    await h.view('A-3', { grant });
    const account = { refund_holder: '홍길동', refund_bank: 'BK04', refund_account: '123456789012' };
    await h.cancel({ merchant_uid: 'A-3', reason: 'x', ...account }, { grant });
    const requests = h.logs.filter((l) => l.msg === 'request');
    assert.equal(requests.length, 2);
    assert.deepEqual(
      requests.map((l) => [l.method, l.status]),
      [
        ['GET', 200],
        ['POST', 200],
      ],
    );
    const text = JSON.stringify(h.logs);
    for (const secret of [grant, GRANT_SECRET, 'test_imp_secret', '123456789012']) {
      assert.ok(!text.includes(secret), `log holds ${secret.slice(0, 8)}…`);
    }
  });

  it("limits requests per IP and per order (429 RATE_LIMITED, Retry-After) before calling i'mport", async () => {
    h = await createHarness({ rateLimit: { perIp: 5, perOrder: 2 } });
    h.fake.addPayment({ merchant_uid: 'R-1', amount: 1000 });
    const perOrder = [];
    for (let i = 0; i < 3; i++) perOrder.push(await h.view('R-1'));
    assert.deepEqual(
      perOrder.map((r) => r.res.status),
      [200, 200, 429],
    );
    assert.ok(Number(perOrder[2]!.res.headers.get('Retry-After')) >= 1);
    assert.equal(perOrder[2]!.body.error.code, 'RATE_LIMITED');
    const perIp = [];
    for (let i = 0; i < 3; i++) perIp.push((await h.view(`R-other-${i}`)).res.status);
    assert.deepEqual(perIp, [404, 404, 429], 'the sixth request from one IP is refused whatever the order');
    assert.equal(h.fake.count('cancel'), 0);
    h.clock.advance(61_000);
    assert.equal((await h.view('R-1')).res.status, 200, 'a new window opens after a minute');
  });

  it('serves the built widget with CORS and caching headers, and 304 for a matching ETag', async () => {
    const script = { body: 'customElements.define("refund-button", class extends HTMLElement {});', etag: '"abc"' };
    h = await createHarness({ loadWidget: async () => script });
    const res = await h.app.request('/refund-button.js', { headers: { Origin: 'https://any-shop.example' } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), script.body);
    assert.match(res.headers.get('Content-Type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), '*');
    assert.match(res.headers.get('Cache-Control') ?? '', /max-age=\d+/);
    assert.equal(res.headers.get('ETag'), '"abc"');
    const again = await h.app.request('/refund-button.js', { headers: { 'If-None-Match': '"abc"' } });
    assert.equal(again.status, 304);
  });

  it('says how to build the widget when it has not been built', async () => {
    h = await createHarness();
    const res = await h.app.request('/refund-button.js');
    assert.equal(res.status, 500);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /npm run build/);
  });

  it('answers unknown routes with a JSON 404', async () => {
    h = await createHarness();
    const res = await h.app.request('/nope');
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { ok: boolean }).ok, false);
  });
});
