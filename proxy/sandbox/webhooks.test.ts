// The sandbox's webhook receiver and its panel: a refund's event arrives verified by the standardwebhooks package,
// "fail next" shows the outbox's retries (same webhook-id), a forged post is listed as not verified, and the panel's
// controls are guarded like the sandbox's others.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type ServedReceiver, serveSandboxReceiver } from '../entries/sandbox-receiver.ts';
import { createHarness, GRANT_SECRET, type Harness } from '../test-support/harness.ts';
import { iamportDemo } from './demo-gateway.ts';
import { createSandbox } from './routes.ts';
import { createSandboxReceiver, loadStandardWebhooks, type ReceivedDelivery } from './webhook-receiver.ts';

const DEMO_ORIGIN = 'http://127.0.0.1:8787';
const json = { 'Content-Type': 'application/json' };
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const RETRIES_MS = [5_000, 15_000];

let h: Harness | undefined;
let served: ServedReceiver | undefined;
afterEach(async () => {
  await h?.close();
  await served?.close();
  h = undefined;
  served = undefined;
});

const setUp = async () => {
  const verify = await loadStandardWebhooks(SECRET);
  assert.ok(verify, 'standardwebhooks is installed (a devDependency)');
  const slept: number[] = [];
  const receiver = createSandboxReceiver({ verify, now: Date.now, sleep: async (ms) => void slept.push(ms) });
  served = await serveSandboxReceiver(receiver);
  h = await createHarness({
    outside: (url, init) => fetch(url, init),
    config: { merchantWebhooks: { urls: [served.url], secret: SECRET, retryDelaysMs: RETRIES_MS } },
  });
  const sandbox = createSandbox({
    gateway: iamportDemo(h.fake),
    grantSecret: GRANT_SECRET,
    now: h.clock.now,
    ownOrigins: () => [DEMO_ORIGIN],
    webhooks: { kind: 'receiver', receiver },
  });
  h.app.route('/', sandbox.routes);
  const harness = h;
  const card = sandbox.orders().find((o) => o.merchant_uid.endsWith('-card'))!;
  const refundCard = async () => {
    const grant = await harness.grant(card.merchant_uid);
    const { res } = await harness.cancel(
      { merchant_uid: card.merchant_uid, reason: 'x', cancel_request_amount: 1000 },
      { grant },
    );
    assert.equal(res.status, 200);
    await harness.settled(); // the first delivery runs right after the answer
  };
  const panel = async () =>
    (await (await harness.app.request('/sandbox/webhooks')).json()) as {
      target: string;
      received: ReceivedDelivery[];
      settings: { fail_next: number; delay_ms: number } | null;
    };
  const control = (body: unknown, headers: Record<string, string> = json) =>
    harness.app.request('/sandbox/webhooks', { method: 'POST', headers, body: JSON.stringify(body) });
  return { h: harness, receiver, refundCard, panel, control, slept, url: served.url };
};

describe("the sandbox's webhook receiver", () => {
  it("gets a refund's event through the dispatcher, verified with the standardwebhooks package, and lists it", async () => {
    const { refundCard, panel } = await setUp();
    await refundCard();
    const { target, received } = await panel();
    assert.equal(target, 'receiver');
    assert.equal(received.length, 1);
    const [delivery] = received;
    assert.equal(delivery?.type, 'refund.succeeded');
    assert.match(delivery?.id ?? '', /\S/);
    assert.equal(delivery?.verified, true);
    assert.equal(delivery?.verify_error, null);
    assert.equal(delivery?.answered, 204);
    assert.equal(delivery?.attempt, 1);
  });

  it('fails the next N deliveries on request: the outbox retries with the same webhook-id until one is answered 2xx', async () => {
    const { h, refundCard, panel, control } = await setUp();
    assert.equal((await control({ fail_next: 2 }, { ...json, Origin: DEMO_ORIGIN })).status, 200);
    await refundCard();
    assert.deepEqual(
      (await panel()).received.map((d) => d.answered),
      [500],
    );
    // The retry schedule is waited on the injected clock (jitter is at most 10%), never slept on.
    h.clock.advance(RETRIES_MS[0]! * 1.1);
    await h.outbox!.runDue();
    h.clock.advance(RETRIES_MS[1]! * 1.1);
    await h.outbox!.runDue();
    const { received, settings } = await panel();
    assert.deepEqual(
      received.map((d) => [d.attempt, d.answered, d.verified]),
      [
        [3, 204, true],
        [2, 500, true],
        [1, 500, true],
      ],
    );
    assert.equal(new Set(received.map((d) => d.id)).size, 1, 'one webhook-id on every attempt');
    assert.deepEqual(settings, { fail_next: 0, delay_ms: 0 });
  });

  // The panel listed "204 after 16000 ms" the moment the delivery arrived, while the receiver had answered nothing yet.
  it('lists a delivery it is still holding its answer back for as answering, not as answered', async () => {
    let release = () => {};
    const receiver = createSandboxReceiver({
      verify: () => undefined,
      now: Date.now,
      sleep: () => new Promise<void>((resolve) => (release = resolve)),
    });
    receiver.configure({ delay_ms: 16_000 });
    const answer = receiver.fetch(new Request('http://receiver.test/', { method: 'POST', body: '{"type":"x"}' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([receiver.received()[0]?.answering, receiver.received()[0]?.answered], [true, 204]);
    release();
    assert.equal((await answer).status, 204);
    assert.equal(receiver.received()[0]?.answering, false);
  });

  it('answers slowly when told (at most 20 s, past the 15 s delivery timeout)', async () => {
    const { refundCard, panel, control, slept } = await setUp();
    assert.equal((await control({ delay_ms: 16_000 })).status, 200);
    await refundCard();
    assert.deepEqual(slept, [16_000]);
    const [slow] = (await panel()).received;
    assert.deepEqual([slow?.delay_ms, slow?.answered, slow?.late], [16_000, 204, true], 'listed as answered too late');
    assert.equal((await control({ delay_ms: 1_000 })).status, 200);
    await refundCard();
    assert.equal((await panel()).received[0]?.late, false, 'a second: in time');
    const tooSlow = await control({ delay_ms: 20_001 });
    assert.equal(tooSlow.status, 400);
    assert.match(((await tooSlow.json()) as { error: { message: string } }).error.message, /delay_ms/);
  });

  it('lists a wrongly signed or unsigned post as not verified, and answers it 400', async () => {
    const { panel, url } = await setUp();
    const body = JSON.stringify({ type: 'refund.succeeded', timestamp: new Date().toISOString(), data: {} });
    const forger = new Webhook(`whsec_${randomBytes(32).toString('base64')}`);
    const now = new Date();
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        ...json,
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': forger.sign('msg_forged', now, body),
      },
      body,
    });
    assert.equal(forged.status, 400);
    const unsigned = await fetch(url, { method: 'POST', headers: json, body });
    assert.equal(unsigned.status, 400);
    const { received } = await panel();
    assert.deepEqual(
      received.map((d) => [d.id, d.verified, d.answered]),
      [
        [null, false, 400],
        ['msg_forged', false, 400],
      ],
    );
    assert.ok(
      received.every((d) => d.verify_error),
      'the reason is shown',
    );
  });

  it('takes its controls as JSON from its own page or no page only, and refuses bad settings naming the field', async () => {
    const { control, panel } = await setUp();
    const refused: Array<[unknown, Record<string, string>]> = [
      [{ fail_next: 3 }, { ...json, Origin: 'https://evil.example' }],
      [{ fail_next: 3 }, { 'Content-Type': 'text/plain' }],
      [{ fail_next: 3 }, { 'Content-Type': 'application/x-www-form-urlencoded', Origin: DEMO_ORIGIN }],
    ];
    for (const [body, headers] of refused) assert.equal((await control(body, headers)).status, 403);
    for (const [body, field] of [
      [{ fail_next: -1 }, 'fail_next'],
      [{ fail_next: 101 }, 'fail_next'],
      [{ fail_next: 1.5 }, 'fail_next'],
      [{ delay_ms: '100' }, 'delay_ms'],
      [{ slow: true }, 'slow'],
    ] as const) {
      const res = await control(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(((await res.json()) as { error: { message: string } }).error.message, new RegExp(field));
    }
    assert.deepEqual((await panel()).settings, { fail_next: 0, delay_ms: 0 }, 'nothing changed');
  });

  it("forgets what it received on the sandbox's reset", async () => {
    const { h, refundCard, panel, control } = await setUp();
    await control({ fail_next: 5 });
    await refundCard();
    assert.equal((await panel()).received.length, 1);
    assert.equal((await h.app.request('/sandbox/reset', { method: 'POST', headers: json, body: '{}' })).status, 200);
    const after = await panel();
    assert.deepEqual(after.received, []);
    assert.deepEqual(after.settings, { fail_next: 0, delay_ms: 0 });
  });
});

describe("the demo page's webhooks panel", () => {
  it('shows the receiver panel in Korean and English, filled by polling, never as HTML', async () => {
    const { h, url } = await setUp();
    // A post whose every field is markup: the page must never treat it as such.
    const evil = '<img src=x onerror=alert(1)></script>';
    await fetch(url, {
      method: 'POST',
      headers: { ...json, 'webhook-id': evil },
      body: JSON.stringify({ type: evil }),
    });
    const ko = await (await h.app.request('/')).text();
    assert.match(ko, /<section class="panel webhooks" aria-labelledby="webhooks-title" data-webhooks="receiver">/);
    assert.match(ko, /가맹점 웹훅/);
    assert.match(ko, /<table id="webhook-table">/);
    assert.match(ko, /data-webhook-fail/);
    assert.match(ko, /data-webhook-delay/);
    assert.match(ko, /fetch\('\/sandbox\/webhooks'\)/);
    const en = await (await h.app.request('/?lang=en')).text();
    assert.match(en, /Merchant webhooks/);
    assert.match(en, /NOT verified/);
    for (const page of [ko, en]) {
      assert.ok(!page.includes(evil), 'what was received is not in the page');
      assert.doesNotMatch(page, /innerHTML|insertAdjacentHTML|outerHTML/, 'rows are built with textContent');
    }
  });

  it('says where events go when the receiver is not used, with no controls', async () => {
    h = await createHarness();
    const harness = h;
    const pageFor = async (webhooks: Parameters<typeof createSandbox>[0]['webhooks'], mount = false) => {
      const sandbox = createSandbox({
        gateway: iamportDemo(harness.fake),
        grantSecret: GRANT_SECRET,
        now: harness.clock.now,
        ownOrigins: () => [DEMO_ORIGIN],
        ...(webhooks ? { webhooks } : {}),
      });
      // Mounted on the proxy, the controls' errors get the proxy's answers (AppError → 400).
      if (mount) harness.app.route('/', sandbox.routes);
      const page = await (await sandbox.routes.request('/?lang=en')).text();
      const control = await harness.app.request('/sandbox/webhooks', { method: 'POST', headers: json, body: '{}' });
      return { page, control };
    };
    const merchant = await pageFor({ kind: 'merchant' }, true);
    assert.match(merchant.page, /data-webhooks="merchant"/);
    assert.match(merchant.page, /MERCHANT_WEBHOOK_URL/);
    assert.doesNotMatch(merchant.page, /<table id="webhook-table"|data-webhook-fail/);
    assert.equal(merchant.control.status, 400);
    const off = await pageFor(undefined);
    assert.match(off.page, /data-webhooks="off"/);
    assert.match(off.page, /npm install/);
  });
});
