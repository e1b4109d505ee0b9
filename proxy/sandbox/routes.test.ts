// The sandbox's demo shop and controls, mounted on a proxy wired to the same fake i'mport.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, GRANT_SECRET, type Harness } from '../test-support/harness.ts';
import { createSandbox } from './routes.ts';

let h: Harness;
const DEMO_ORIGIN = 'http://127.0.0.1:8787';
const json = { 'Content-Type': 'application/json' };
afterEach(async () => h?.close());

const setUp = async () => {
  h = await createHarness();
  const sandbox = createSandbox({
    fake: h.fake,
    grantSecret: GRANT_SECRET,
    now: h.clock.now,
    ownOrigins: () => [DEMO_ORIGIN],
  });
  h.app.route('/', sandbox.routes);
  const orders = async () =>
    (
      (await (await h.app.request('/sandbox/orders')).json()) as {
        orders: Array<{ merchant_uid: string; grant: string }>;
      }
    ).orders;
  return { sandbox, orders };
};

describe('sandbox', () => {
  it('seeds one order of every kind and renders them on the demo page with server-minted grants, in Korean and English', async () => {
    const { orders } = await setUp();
    const list = await orders();
    assert.deepEqual(
      list.map((o) => o.merchant_uid.split('-').slice(2).join('-')),
      ['card', 'partial', 'refunded', 'vbank-inicis', 'vbank-kcp', 'vbank-ready', 'phone-now', 'phone-old', 'trans'],
    );
    const ko = await (await h.app.request('/')).text();
    assert.match(ko, /<html lang="ko">/);
    assert.match(ko, /샌드박스/);
    for (const o of list) assert.ok(ko.includes(`merchant-uid="${o.merchant_uid}"`));
    assert.match(await (await h.app.request('/?lang=en')).text(), /Sandbox mode/);
    const views = await Promise.all(list.map(async (o) => (await h.view(o.merchant_uid, { grant: o.grant })).body));
    assert.deepEqual(
      views.map((v) => v.refundable),
      [true, true, false, true, true, true, true, false, true],
    );
    assert.deepEqual(
      views.map((v) => v.reason ?? null),
      [null, null, 'fully_refunded', null, null, null, null, 'phone_previous_month', null],
    );
    assert.equal(views[1].cancelable_amount, 40000);
    assert.equal(views[5].revocable, true);
  });

  it('injects a fault for the next refund and refuses a malformed one', async () => {
    const { orders } = await setUp();
    const card = (await orders())[0]!;
    const inject = (body: string) =>
      h.app.request('/sandbox/faults', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal((await inject(JSON.stringify({ kind: 'pg_refusal', message: '잔액부족' }))).status, 204);
    const refused = await h.cancel({ merchant_uid: card.merchant_uid, reason: 'x' }, { grant: card.grant });
    assert.equal(refused.res.status, 502);
    assert.match(refused.body.error.message, /잔액부족/);
    assert.equal((await inject(JSON.stringify({ kind: 'explode' }))).status, 400);
    assert.equal((await inject('nope')).status, 400);
    const ok = await h.cancel({ merchant_uid: card.merchant_uid, reason: 'x' }, { grant: card.grant });
    assert.equal(ok.res.status, 200);
  });

  it('resets to a fresh set of orders with new ids', async () => {
    const { orders } = await setUp();
    const before = await orders();
    const res = await h.app.request('/sandbox/reset', { method: 'POST', headers: json, body: '{}' });
    assert.equal(res.status, 200);
    const after = await orders();
    assert.equal(after.length, before.length);
    assert.ok(after.every((o) => !before.some((b) => b.merchant_uid === o.merchant_uid)));
    assert.equal(
      (await h.view(before[0]!.merchant_uid, { grant: before[0]!.grant })).res.status,
      404,
      "old orders are gone from the sandbox i'mport",
    );
  });

  it('takes control posts only as JSON and never from another page: a form or text/plain post gets 403 and changes nothing', async () => {
    const { orders } = await setUp();
    const before = await orders();
    const card = before[0]!;
    const attempts: Array<[string, RequestInit]> = [
      [
        '/sandbox/reset',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
          body: 'a=1',
        },
      ],
      [
        '/sandbox/reset',
        { method: 'POST', headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example' }, body: '{}' },
      ],
      ['/sandbox/reset', { method: 'POST', headers: { ...json, Origin: 'https://evil.example' }, body: '{}' }],
      ['/sandbox/reset', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }],
      [
        '/sandbox/reset',
        { method: 'POST', headers: { 'Content-Type': 'application/json-patch+json', Origin: DEMO_ORIGIN }, body: '{}' },
      ],
      [
        '/sandbox/faults',
        {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example' },
          body: JSON.stringify({ kind: 'http_5xx' }),
        },
      ],
      [
        '/sandbox/faults',
        {
          method: 'POST',
          headers: { 'Content-Type': 'multipart/form-data; boundary=x', Origin: 'null' },
          body: '--x--',
        },
      ],
    ];
    for (const [path, init] of attempts) {
      const res = await h.app.request(path, init);
      assert.equal(res.status, 403, `${path} ${JSON.stringify(init.headers)}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
    }
    assert.deepEqual(
      (await orders()).map((o) => o.merchant_uid),
      before.map((o) => o.merchant_uid),
      'no reset happened',
    );
    const ok = await h.cancel(
      { merchant_uid: card.merchant_uid, cancel_request_amount: 1000, reason: 'x' },
      { grant: card.grant },
    );
    assert.equal(ok.res.status, 200, 'no fault was injected');
    const fromDemo = await h.app.request('/sandbox/reset', {
      method: 'POST',
      headers: { ...json, Origin: DEMO_ORIGIN },
      body: '{}',
    });
    assert.equal(fromDemo.status, 200, 'the demo page itself may reset');
  });
});
