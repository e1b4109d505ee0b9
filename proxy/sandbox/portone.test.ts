// The demo shop on the fake PortOne V2 (SANDBOX_GATEWAY=portone), wired as the Node entry wires it: the sandbox's
// configuration, the gateway createGateway() makes from it, and the fake's signed webhooks into /webhooks/portone.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { buildProxyWithOutbox } from '../app.ts';
import { closeWhenSettled, createBackground } from '../background.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createClock } from '../test-support/harness.ts';
import { portoneDemo } from './portone-demo.ts';
import { createSandbox } from './routes.ts';

const DEMO_ORIGIN = 'http://127.0.0.1:8787';
const json = { 'Content-Type': 'application/json' };
let close = async () => {};
afterEach(async () => close());

const sandboxEnv = (more: Record<string, string> = {}) => ({
  DATA_DIR: mkdtempSync(join(tmpdir(), 'refund-sandbox-v2-')),
  ...more,
});

const setUp = async () => {
  const config = parseConfig(sandboxEnv({ SANDBOX_GATEWAY: 'portone' }));
  assert.ok(config.sandbox && config.portone);
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  let app: ReturnType<typeof buildProxyWithOutbox>['app'] | undefined;
  const fake: FakePortOne = createFakePortOne({
    apiSecret: config.portone.apiSecret,
    now: clock.now,
    webhook: { url: 'http://proxy.test/webhooks/portone', secret: config.portone.webhookSecret },
    webhookFetch: async (url, init) => app!.request(String(url), init),
  });
  const store = createSqliteStore({ path: ':memory:' });
  await store.migrate();
  const background = createBackground();
  const logs: Record<string, unknown>[] = [];
  // As the entry does once the fake listens; merchant webhooks are the receiver's concern (webhooks.test.ts).
  const proxyConfig = {
    ...config,
    portone: { ...config.portone, apiUrl: 'http://fake-portone.test' },
    merchantWebhooks: null,
  };
  ({ app } = buildProxyWithOutbox(proxyConfig, {
    store,
    fetch: fake.fetch,
    now: clock.now,
    log: (line) => void logs.push(line),
    background,
    ownOrigins: () => [DEMO_ORIGIN],
  }));
  const sandbox = createSandbox({
    gateway: portoneDemo(fake),
    grantSecret: config.grantSecret,
    now: clock.now,
    ownOrigins: () => [DEMO_ORIGIN],
  });
  app.route('/', sandbox.routes);
  const proxy = app;
  close = async () => {
    await fake.flushWebhooks();
    await closeWhenSettled(background, store);
  };
  const orders = async () =>
    (
      (await (await proxy.request('/sandbox/orders')).json()) as {
        orders: Array<{ merchant_uid: string; grant: string }>;
      }
    ).orders;
  const order = async (key: string) => {
    const found = (await orders()).find((o) => o.merchant_uid.endsWith(`-${key}`));
    assert.ok(found, key);
    return found;
  };
  const call = async (path: string, grant: string, body?: unknown) => {
    const res = await proxy.request(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${grant}`, ...json },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { res, body: (await res.json()) as Record<string, any> };
  };
  return { app: proxy, fake, sandbox, orders, order, call, logs };
};

describe('SANDBOX_GATEWAY', () => {
  it("chooses the fake PortOne V2 with secrets of the start's own, keeps i'mport V1 by default, refuses others", () => {
    const v2 = parseConfig(sandboxEnv({ SANDBOX_GATEWAY: ' PortOne ' }));
    assert.match(v2.portone?.webhookSecret ?? '', /^whsec_[A-Za-z0-9+/]+={0,2}$/);
    assert.ok((v2.portone?.apiSecret.length ?? 0) >= 32);
    assert.notEqual(parseConfig(sandboxEnv({ SANDBOX_GATEWAY: 'portone' })).portone?.apiSecret, v2.portone?.apiSecret);
    const v1 = parseConfig(sandboxEnv());
    assert.equal(v1.portone, undefined);
    assert.equal(v1.iamport.apiKey, 'test_imp_key');
    assert.throws(
      () => parseConfig(sandboxEnv({ SANDBOX_GATEWAY: 'toss' })),
      (error) =>
        error instanceof ConfigError &&
        error.sandbox &&
        /SANDBOX_GATEWAY must be iamport .* or portone/.test(error.message),
    );
  });

  it('is not read live: the credentials choose the gateway there', () => {
    const live = parseConfig({
      IMP_KEY: 'k',
      IMP_SECRET: 's',
      REFUND_TOKEN_SECRET: 'x'.repeat(32),
      SANDBOX_GATEWAY: 'toss',
    });
    assert.equal(live.sandbox, false);
    assert.equal(live.portone, undefined);
  });
});

describe('the sandbox on PortOne V2', () => {
  it('seeds the demo orders V2 holds, with V2 bank codes, and says on the page and /health that PortOne V2 answers', async () => {
    const { app, fake, orders, call } = await setUp();
    const list = await orders();
    assert.deepEqual(
      list.map((o) => o.merchant_uid.split('-').slice(2).join('-')),
      ['card', 'partial', 'refunded', 'vbank', 'vbank-ready', 'card-approval', 'vbank-approval'],
    );
    assert.deepEqual(
      list.map((o) => fake.getPayment(o.merchant_uid)?.status),
      ['PAID', 'PARTIAL_CANCELLED', 'CANCELLED', 'PAID', 'VIRTUAL_ACCOUNT_ISSUED', 'PAID', 'PAID'],
    );
    const views = await Promise.all(list.map(async (o) => (await call(`/payments/${o.merchant_uid}`, o.grant)).body));
    assert.deepEqual(
      views.map((v) => [v.refundable, v.pay_method]),
      [
        [true, 'card'],
        [true, 'card'],
        [false, 'card'],
        [true, 'vbank'],
        [true, 'vbank'],
        [true, 'card'],
        [true, 'vbank'],
      ],
    );
    assert.equal(views[1]?.cancelable_amount, 40000);
    assert.equal(views[3]?.refund_account_required, true);
    assert.equal(views[4]?.revocable, true);
    const ko = await (await app.request('/')).text();
    assert.match(ko, /data-gateway="portone"/);
    assert.match(ko, /가짜 PortOne V2가 응답해요/);
    assert.match(await (await app.request('/?lang=en')).text(), /fake PortOne V2 answers/);
    const health = (await (await app.request('/health')).json()) as Record<string, unknown>;
    assert.equal(health.gateway, 'portone');
  });

  it('refunds a demo card order end to end: V2 cancels it, and its signed webhook reaches /webhooks/portone', async () => {
    const { fake, order, call } = await setUp();
    const card = await order('card');
    const { res, body } = await call('/payments/cancel', card.grant, {
      merchant_uid: card.merchant_uid,
      reason: '단순 변심',
      cancel_request_amount: 9000,
    });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual([body.refunded, body.cancelable_amount], [9000, 30000]);
    assert.equal(fake.getPayment(card.merchant_uid)?.status, 'PARTIAL_CANCELLED');
    await fake.flushWebhooks();
    assert.deepEqual(
      fake.webhooks.map((w) => [w.type, w.url, w.status]),
      [['Transaction.PartialCancelled', 'http://proxy.test/webhooks/portone', 200]],
    );
    assert.equal((await call(`/payments/${card.merchant_uid}`, card.grant)).body.cancelable_amount, 30000);
  });

  it('refunds the paid virtual account into an account given with a V2 bank code', async () => {
    const { fake, order, call } = await setUp();
    const vbank = await order('vbank');
    const { res, body } = await call('/payments/cancel', vbank.grant, {
      merchant_uid: vbank.merchant_uid,
      reason: '단순 변심',
      refund_holder: '홍길동',
      refund_bank: 'KOOKMIN',
      refund_account: '123-456-7890',
    });
    assert.equal(res.status, 200, JSON.stringify(body));
    const sent = fake.calls.find((c) => c.route === 'cancel')?.body as Record<string, unknown> | undefined;
    assert.deepEqual(sent?.refundAccount, { bank: 'KOOKMIN', number: '1234567890', holderName: '홍길동' });
  });

  it("says when the paid virtual account's refund arrives, as on V1 for the same PG (KG Inicis: 1–2 business days)", async () => {
    const { order, call } = await setUp();
    const vbank = await order('vbank');
    const { body } = await call(`/payments/${vbank.merchant_uid}`, vbank.grant);
    assert.equal(body.refund_account_required, true);
    assert.deepEqual(body.payout_estimate, { min_business_days: 1, max_business_days: 2 });
  });

  it('asks for the paid virtual account in request mode with a V2 bank code, and staff approval refunds it at V2', async () => {
    const { app, fake, order, call } = await setUp();
    const vbank = await order('vbank-approval');
    const asked = await call('/refund-requests', vbank.grant, {
      merchant_uid: vbank.merchant_uid,
      reason: '상품 불량·파손',
      refund_holder: '홍길동',
      refund_bank: 'NONGHYUP',
      refund_account: '302-1234-5678-91',
    });
    assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
    const desk = await (await app.request('/sandbox/desk')).text();
    const token = /<refund-desk token="([^"]+)"/.exec(desk)?.[1];
    assert.ok(token);
    const approved = await app.request(`/staff/refund-requests/${asked.body.request.id}/approve`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, Origin: DEMO_ORIGIN, ...json },
      body: '{}',
    });
    assert.equal(approved.status, 200, await approved.clone().text());
    const sent = fake.calls.find((c) => c.route === 'cancel')?.body as Record<string, unknown> | undefined;
    assert.deepEqual(sent?.refundAccount, { bank: 'NONGHYUP', number: '3021234567891', holderName: '홍길동' });
    assert.equal(fake.getPayment(vbank.merchant_uid)?.status, 'CANCELLED');
  });

  it("takes each fault the demo page's panel sends, in the V2 fake's terms", async () => {
    const { app, fake } = await setUp();
    const page = await (await app.request('/')).text();
    const sent = /const faults = (\{[\s\S]*?\});/.exec(page)?.[1];
    assert.ok(sent, 'the page lists its faults');
    const faults = Object.values(Function(`return ${sent}`)() as Record<string, unknown>);
    assert.equal(faults.length, 4);
    for (const fault of faults) {
      const res = await app.request('/sandbox/faults', {
        method: 'POST',
        headers: { ...json, Origin: DEMO_ORIGIN },
        body: JSON.stringify(fault),
      });
      assert.equal(res.status, 204, JSON.stringify(fault));
    }
    const refused = await app.request('/sandbox/faults', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ kind: 'pg_refusal', route: 'payment' }),
    });
    assert.equal(refused.status, 400);
    fake.clearFaults();
  });

  it("makes V2 refuse the next refund from the demo page's panel, and resets to fresh orders", async () => {
    const { app, fake, order, call, orders } = await setUp();
    const fault = await app.request('/sandbox/faults', {
      method: 'POST',
      headers: { ...json, Origin: DEMO_ORIGIN },
      body: JSON.stringify({ kind: 'pg_refusal', message: '해당거래 취소실패(잔액부족)' }),
    });
    assert.equal(fault.status, 204);
    const card = await order('card');
    const refused = await call('/payments/cancel', card.grant, {
      merchant_uid: card.merchant_uid,
      reason: '단순 변심',
    });
    assert.deepEqual(
      [refused.res.status, refused.body.error?.code],
      [502, 'PG_PROVIDER'],
      JSON.stringify(refused.body),
    );
    assert.equal(fake.getPayment(card.merchant_uid)?.status, 'PAID');
    const reset = await app.request('/sandbox/reset', { method: 'POST', headers: { ...json, Origin: DEMO_ORIGIN } });
    assert.equal(reset.status, 200);
    const fresh = await orders();
    assert.equal(
      fresh.some((o) => o.merchant_uid === card.merchant_uid),
      false,
    );
    assert.equal(fake.getPayment(card.merchant_uid), undefined);
    assert.ok(fresh.every((o) => fake.getPayment(o.merchant_uid)));
  });

  it("pays one's own card and virtual-account orders at V2, and refuses the kinds V2's fake has not", async () => {
    const { app, fake, call } = await setUp();
    const post = (body: unknown) =>
      app.request('/sandbox/orders', { method: 'POST', headers: json, body: JSON.stringify(body) });
    const made = (await (await post({ kind: 'vbank_ready', amount: 15000 })).json()) as Record<string, string>;
    assert.equal(fake.getPayment(made.merchant_uid!)?.status, 'VIRTUAL_ACCOUNT_ISSUED');
    assert.equal((await call(`/payments/${made.merchant_uid}`, made.grant!)).body.revocable, true);
    const card = await post({ kind: 'card', amount: 15000 });
    assert.equal(card.status, 201);
    for (const [body, message] of [
      [{ kind: 'phone', amount: 15000 }, /kind phone is not in the PortOne V2 sandbox/],
      [{ kind: 'card', amount: 15000, pg: 'kcp' }, /pg is an i'mport pg_provider/],
    ] as const) {
      const res = await post(body);
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, message);
    }
  });
});
