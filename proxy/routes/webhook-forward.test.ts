// IAMPORT_WEBHOOK_FORWARD_URL: each i'mport webhook the proxy handled (each PortOne V2 webhook it verified) goes on
// to the shop's own handler unchanged, after the answer, retrying after 5 s, 1 min and 10 min; nothing about the
// forward changes what the gateway is answered.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { signWebhook } from '../gateways/portone/fake/webhooks.ts';
import type { FetchInit, FetchLike } from '../net/fetch-like.ts';
import {
  createClock,
  createHarness,
  type Harness,
  PORTONE_WEBHOOK_SECRET,
  type TestClock,
} from '../test-support/harness.ts';
import { createRetryTimer } from '../webhook-forwarder.ts';

const SHOP = 'https://shop.example/iamport/notice/';

let h: Harness;
afterEach(async () => h?.close());

interface Received {
  readonly url: string;
  readonly init: FetchInit;
}

/** The Standard Webhooks headers PortOne V2 signs `body` with, as `id`, now on `clock`. */
const signedAsPortOne = async (id: string, clock: TestClock, body: string) => {
  const at = Math.floor(clock.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(at),
    'webhook-signature': await signWebhook(PORTONE_WEBHOOK_SECRET, id, at, body),
  };
};

/** The shop's old handler: answers each request with the next of `answers` (the last one repeats). */
const shopHandler = (answers: Array<number | 'network error'>) => {
  const received: Received[] = [];
  const fetch: FetchLike = async (url, init) => {
    received.push({ url, init });
    const answer = answers[Math.min(received.length, answers.length) - 1]!;
    if (answer === 'network error') throw new TypeError('fetch failed: connect ECONNREFUSED');
    return { status: answer, text: async () => 'whatever the handler says' };
  };
  return { received, fetch };
};

/** Waits that return at once, noting how long each would have been. */
const instantWaits = () => {
  const waited: number[] = [];
  const wait = async (ms: number): Promise<boolean> => {
    waited.push(ms);
    return true;
  };
  return { waited, wait };
};

const forwarding = async (answers: Array<number | 'network error'>) => {
  const shop = shopHandler(answers);
  const waits = instantWaits();
  h = await createHarness({
    config: { webhookForwardUrl: SHOP },
    outside: shop.fetch,
    retryWait: waits.wait,
  });
  return { shop, waits };
};

const post = (body: string, type: string) =>
  h.app.request('/webhooks/iamport', { method: 'POST', headers: { 'Content-Type': type }, body });

const warnings = () => h.logs.filter((line) => line.level === 'warn');

describe('forwarding webhooks to IAMPORT_WEBHOOK_FORWARD_URL', () => {
  it('sends the same body with the same Content-Type, JSON or form, to the URL as written', async () => {
    const { shop } = await forwarding([200]);
    const p = h.fake.addPayment({ merchant_uid: 'F-1', amount: 1000 });
    const json = `{"imp_uid":"${p.imp_uid}","merchant_uid":"F-1","status":"paid", "extra":[1,2]}`;
    assert.equal((await post(json, 'application/json; charset=utf-8')).status, 200);
    const form = new URLSearchParams({ imp_uid: p.imp_uid, merchant_uid: 'F-1', status: 'paid' }).toString();
    assert.equal((await post(form, 'application/x-www-form-urlencoded')).status, 200);
    await h.settled();
    assert.deepEqual(
      shop.received.map(({ url, init }) => [url, init.method, init.headers, init.body]),
      [
        [SHOP, 'POST', { 'Content-Type': 'application/json; charset=utf-8' }, json],
        [SHOP, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, form],
      ],
    );
    assert.equal((await h.store.getPayment('F-1'))?.imp_uid, p.imp_uid, 'the proxy handled it too');
  });

  it("answers i'mport without waiting for the shop's handler", async () => {
    let release = (): void => undefined;
    const received: string[] = [];
    h = await createHarness({
      config: { webhookForwardUrl: SHOP },
      outside: (_url, init) =>
        new Promise((resolve) => {
          received.push(init.body ?? '');
          release = () => resolve({ status: 200, text: async () => '' });
        }),
    });
    const p = h.fake.addPayment({ merchant_uid: 'F-2', amount: 1000 });
    const res = await post(JSON.stringify({ imp_uid: p.imp_uid }), 'application/json');
    assert.equal(res.status, 200, 'answered while the shop has not answered yet');
    assert.equal(received.length, 1);
    release();
    await h.settled();
  });

  it('retries after 5 s, 1 min and 10 min on a non-2xx answer or a network error, then gives up with a warn line', async () => {
    const { shop, waits } = await forwarding([500, 'network error', 302, 404]);
    const p = h.fake.addPayment({ merchant_uid: 'F-3', amount: 1000 });
    const res = await post(JSON.stringify({ imp_uid: p.imp_uid, note: 'only-in-the-body' }), 'application/json');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    await h.settled();
    assert.equal(shop.received.length, 4);
    assert.deepEqual(waits.waited, [5_000, 60_000, 600_000]);
    assert.equal(warnings().length, 1);
    assert.match(String(warnings()[0]?.msg), /gave up.*IAMPORT_WEBHOOK_FORWARD_URL/);
    assert.deepEqual(
      { imp_uid: warnings()[0]?.imp_uid, attempts: warnings()[0]?.attempts, failure: warnings()[0]?.failure },
      { imp_uid: p.imp_uid, attempts: 4, failure: 'HTTP 404' },
    );
    assert.ok(
      h.logs.every((line) => !JSON.stringify(line).includes('only-in-the-body')),
      'the log never holds the forwarded body',
    );
  });

  it('stops retrying once the handler takes it (any 2xx)', async () => {
    const { shop, waits } = await forwarding(['network error', 204]);
    const p = h.fake.addPayment({ merchant_uid: 'F-4', amount: 1000 });
    await post(JSON.stringify({ imp_uid: p.imp_uid, status: 'paid' }), 'application/json');
    await h.settled();
    assert.equal(shop.received.length, 2);
    assert.deepEqual(waits.waited, [5_000]);
    assert.deepEqual(warnings(), []);
  });

  it("forwards what the proxy could not use too (unknown payment, i'mport down) without changing its answer", async () => {
    const { shop } = await forwarding([500]);
    const p = h.fake.addPayment({ merchant_uid: 'F-5', amount: 1000 });
    assert.equal((await post(JSON.stringify({ imp_uid: 'imp_000000000000' }), 'application/json')).status, 404);
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    assert.equal((await post(JSON.stringify({ imp_uid: p.imp_uid }), 'application/json')).status, 503);
    await h.settled();
    assert.equal(shop.received.length, 8, 'two webhooks, four tries each');
  });

  it('forwards nothing the proxy refused before handling it (a body without an imp_uid), nor without the setting', async () => {
    const { shop } = await forwarding([200]);
    assert.equal((await post('{"status":"paid"}', 'application/json')).status, 400);
    assert.equal((await post('imp_uid=imp_123456789012', 'text/plain')).status, 400);
    await h.settled();
    assert.equal(shop.received.length, 0);
    await h.close();

    const unset = shopHandler([200]);
    h = await createHarness({ outside: unset.fetch });
    const p = h.fake.addPayment({ merchant_uid: 'F-6', amount: 1000 });
    assert.equal((await post(JSON.stringify({ imp_uid: p.imp_uid }), 'application/json')).status, 200);
    await h.settled();
    assert.equal(unset.received.length, 0);
  });

  it('gives up at once, with its warn line, when the entry stops the retry timer (shutdown)', async () => {
    const shop = shopHandler([503]);
    const timer = createRetryTimer();
    h = await createHarness({ config: { webhookForwardUrl: SHOP }, outside: shop.fetch, retryWait: timer.wait });
    const p = h.fake.addPayment({ merchant_uid: 'F-7', amount: 1000 });
    await post(JSON.stringify({ imp_uid: p.imp_uid }), 'application/json');
    // The first try has failed and the forward waits its 5 s; shutdown ends the wait instead of letting it run.
    while (!h.logs.some((line) => line.msg === 'webhook forward failed; retrying')) await new Promise(setImmediate);
    timer.stop();
    await h.settled();
    assert.equal(shop.received.length, 1);
    assert.match(String(warnings()[0]?.failure), /^HTTP 503; the proxy stopped before the next try$/);
  });

  it("forwards a PortOne V2 webhook with its signature headers: the shop's handler verifies it as PortOne signed it", async () => {
    const shop = shopHandler([200]);
    // Now, not a fixed date: the standardwebhooks library checks the timestamp against the real clock.
    const clock = createClock();
    const fake = createFakePortOne({ now: clock.now });
    h = await createHarness({ clock, portone: fake, config: { webhookForwardUrl: SHOP }, outside: shop.fetch });
    fake.addPayment({ paymentId: 'F-V2', total: 1000 });
    const body = JSON.stringify({
      type: 'Transaction.Paid',
      timestamp: '2026-01-15T03:00:00Z',
      data: { paymentId: 'F-V2' },
    });
    const signed = await signedAsPortOne('msg_fwd_1', clock, body);
    const res = await h.app.request('/webhooks/portone', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Other': 'not forwarded', ...signed },
      body,
    });
    assert.equal(res.status, 200);
    await h.settled();
    assert.equal(shop.received.length, 1);
    const [got] = shop.received;
    assert.deepEqual(
      got?.init.headers,
      { ...signed, 'Content-Type': 'application/json' },
      'only the signature headers',
    );
    assert.equal(got?.init.body, body);
    const headers = got?.init.headers as Record<string, string>;
    assert.deepEqual(new Webhook(PORTONE_WEBHOOK_SECRET).verify(body, headers), JSON.parse(body));
  });

  it('forwards a verified PortOne V2 webhook of a type the proxy has no use for (BillingKey.*): PortOne never resends it', async () => {
    const shop = shopHandler([200]);
    const clock = createClock();
    h = await createHarness({
      clock,
      portone: createFakePortOne({ now: clock.now }),
      config: { webhookForwardUrl: SHOP },
      outside: shop.fetch,
    });
    const body = JSON.stringify({
      type: 'BillingKey.Issued',
      timestamp: '2026-01-15T03:00:00Z',
      data: { billingKey: 'billing-key-1', storeId: 'store-1' },
    });
    const signed = await signedAsPortOne('msg_bk_1', clock, body);
    const res = await h.app.request('/webhooks/portone', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signed },
      body,
    });
    assert.equal(res.status, 200);
    await h.settled();
    assert.deepEqual(
      shop.received.map((r) => [r.init.body, r.init.headers]),
      [[body, { ...signed, 'Content-Type': 'application/json' }]],
    );
  });

  it('keeps at most 1,000 forwards waiting for their next try: past that, one that fails gives up at once', async () => {
    // V1 webhooks are unsigned, and any well-formed imp_uid is forwarded (above): a sender the shop's handler turns
    // away (404 for a payment it does not know) had each of its webhooks, with a body of up to 16 KB, held in memory
    // for the 11 minutes of retries, as many as it sent meanwhile.
    const shop = shopHandler([404]);
    const pending: Array<(waited: boolean) => void> = [];
    const wait = (_ms: number) => new Promise<boolean>((resolve) => pending.push(resolve));
    h = await createHarness({ config: { webhookForwardUrl: SHOP }, outside: shop.fetch, retryWait: wait });
    const padding = 'x'.repeat(15_000);
    const sent = 1_200;
    try {
      for (let i = 0; i < sent; i++) {
        const imp_uid = `imp_${String(i).padStart(12, '0')}`;
        const res = await post(JSON.stringify({ imp_uid, padding }), 'application/json');
        assert.equal(res.status, 404, 'an unknown payment, forwarded all the same');
      }
      while (shop.received.length < sent) await new Promise(setImmediate);
      await new Promise(setImmediate);
      assert.ok(pending.length <= 1_000, `${pending.length} forwards wait for a retry, each holding its body`);
      const gaveUp = warnings().filter((line) => String(line.msg).includes('gave up'));
      assert.equal(gaveUp.length, sent - pending.length, 'each forward not kept says so in a warn line');
    } finally {
      for (const resolve of pending.splice(0)) resolve(false);
      await h.settled();
    }
  });
});
