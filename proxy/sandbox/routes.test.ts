// The sandbox's demo shop and controls, mounted on a proxy wired to the same fake i'mport.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { verifyGrant } from '../auth/grant.ts';
import type { FakePayment } from '../gateways/iamport/fake/fake-iamport.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { createHarness, GRANT_SECRET, type Harness } from '../test-support/harness.ts';
import { iamportDemo } from './demo-gateway.ts';
import { createSandbox, type SandboxOptions } from './routes.ts';

let h: Harness;
const DEMO_ORIGIN = 'http://127.0.0.1:8787';
const json = { 'Content-Type': 'application/json' };
afterEach(async () => h?.close());

const setUp = async (more: Partial<SandboxOptions> = {}) => {
  // As `npm start` runs the sandbox: with a data key of its own, so its request-mode orders take requests.
  h = await createHarness({ config: { dataKeys: { current: randomDataKey(), previous: null } } });
  const sandbox = createSandbox({
    gateway: iamportDemo(h.fake),
    grantSecret: GRANT_SECRET,
    now: h.clock.now,
    ownOrigins: () => [DEMO_ORIGIN],
    ...more,
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
      [
        'card',
        'partial',
        'refunded',
        'vbank-inicis',
        'vbank-kcp',
        'vbank-ready',
        'phone-now',
        'phone-old',
        'trans',
        'card-approval',
        'vbank-approval',
      ],
    );
    const ko = await (await h.app.request('/')).text();
    assert.match(ko, /<html lang="ko">/);
    assert.match(ko, /샌드박스/);
    for (const o of list) assert.ok(ko.includes(`merchant-uid="${o.merchant_uid}"`));
    assert.match(await (await h.app.request('/?lang=en')).text(), /Sandbox mode/);
    const views = await Promise.all(list.map(async (o) => (await h.view(o.merchant_uid, { grant: o.grant })).body));
    assert.deepEqual(
      views.map((v) => v.refundable),
      [true, true, false, true, true, true, true, false, true, true, true],
    );
    assert.deepEqual(
      views.map((v) => v.reason ?? null),
      [null, null, 'fully_refunded', null, null, null, null, 'phone_previous_month', null, null, null],
    );
    assert.equal(views[1].cancelable_amount, 40000);
    assert.equal(views[5].revocable, true);
  });

  it('speaks the 해요 register in every Korean sentence, scripts included, and carries its own favicon', async () => {
    await setUp();
    const ko = await (await h.app.request('/')).text();
    // 합쇼체 endings (…니다, …니까) would break the page's polite-informal voice, the widget's too; labels included.
    assert.doesNotMatch(ko, /니다|니까/, 'no -ㅂ니다 endings');
    const sentences = [...ko.matchAll(/[가-힣][^<>'"]*?[.?!](?=[\s<'"]|$)/g)].map((m) => m[0]);
    assert.ok(sentences.length >= 5, sentences.join('\n'));
    for (const sentence of sentences) {
      assert.match(sentence, /요[.?!]$/, `a 해요 ending: ${sentence}`);
    }
    for (const lang of ['ko', 'en']) {
      const page = await (await h.app.request(`/?lang=${lang}`)).text();
      const icon = /<link rel="icon" type="image\/svg\+xml" href="data:image\/svg\+xml,([^"]+)">/.exec(page);
      assert.ok(icon, `${lang}: an inline SVG favicon`);
      assert.match(decodeURIComponent(icon[1]!), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg".*<\/svg>$/s);
    }
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
    // The fakes' held cancel needs a test to apply it: offered, a sandbox refund would hang at the fake for good.
    assert.equal((await inject(JSON.stringify({ kind: 'apply_later' }))).status, 400);
    assert.equal((await inject('nope')).status, 400);
    const ok = await h.cancel({ merchant_uid: card.merchant_uid, reason: 'x' }, { grant: card.grant });
    assert.equal(ok.res.status, 200);
  });

  it('drops every queued fault on DELETE /sandbox/faults, from its own page only', async () => {
    const { orders } = await setUp();
    const card = (await orders())[0]!;
    const fault = JSON.stringify({ kind: 'pg_refusal', times: 5 });
    await h.app.request('/sandbox/faults', { method: 'POST', headers: json, body: fault });
    const foreign = { ...json, Origin: 'https://evil.example' };
    assert.equal((await h.app.request('/sandbox/faults', { method: 'DELETE', headers: foreign })).status, 403);
    const refused = await h.cancel({ merchant_uid: card.merchant_uid, reason: 'x' }, { grant: card.grant });
    assert.equal(refused.res.status, 502, 'still queued after the refused clear');
    assert.equal((await h.app.request('/sandbox/faults', { method: 'DELETE', headers: json })).status, 204);
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

  it('keeps the demo generation an earlier run left (its payments already in the fake): same ids, nothing re-seeded', async () => {
    const changes: string[] = [];
    const first = await setUp({ onChange: (generation) => changes.push(generation) });
    const ids = (await first.orders()).map((o) => o.merchant_uid);
    assert.equal(changes.length, 1, 'seeding a fresh sandbox is a change to save');
    const generation = changes[0]!;
    assert.ok(ids.every((id) => id.startsWith(`DEMO-${generation}-`)));
    const payments = await fakePayments();
    const kept = createSandbox({
      gateway: iamportDemo(h.fake),
      grantSecret: GRANT_SECRET,
      now: h.clock.now,
      ownOrigins: () => [DEMO_ORIGIN],
      keptGeneration: generation,
      onChange: (g) => changes.push(g),
    });
    assert.deepEqual(
      kept.orders().map((o) => o.merchant_uid),
      ids,
    );
    assert.equal((await fakePayments()).length, payments.length, 'no payment added');
    assert.equal(changes.length, 1, 'nothing changed');
  });
});

const fakePayments = async () => (await (await h.fake.app.request('/__fake/payments')).json()) as FakePayment[];

const createOrder = (body: unknown, headers: Record<string, string> = json) =>
  h.app.request('/sandbox/orders', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /sandbox/orders', () => {
  it("pays an order of each kind at the sandbox i'mport and answers 201 with its merchant_uid and a grant for it", async () => {
    const changes: string[] = [];
    await setUp({ onChange: (generation) => changes.push(generation) });
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [
        { kind: 'card', amount: 15000, name: '내 상품' },
        { pay_method: 'card', pg_provider: 'html5_inicis', name: '내 상품' },
      ],
      [
        { kind: 'vbank', amount: 20000, pg: 'kcp' },
        { pay_method: 'vbank', pg_provider: 'kcp', refund_account_required: true },
      ],
      [
        { kind: 'vbank_ready', amount: 7000 },
        { pay_method: 'vbank', status: 'ready', revocable: true },
      ],
      [
        { kind: 'phone', amount: 3300 },
        { pay_method: 'phone', pg_provider: 'danal', refundable: true },
      ],
      [
        { kind: 'trans', amount: 12000 },
        { pay_method: 'trans', pg_provider: 'tosspayments', refundable: true },
      ],
    ];
    const seen = new Set<string>();
    for (const [body, expected] of cases) {
      const res = await createOrder(body);
      assert.equal(res.status, 201, JSON.stringify(body));
      const answer = (await res.json()) as { merchant_uid: string; grant: string };
      assert.deepEqual(Object.keys(answer).sort(), ['grant', 'merchant_uid']);
      assert.ok(!seen.has(answer.merchant_uid), 'a new merchant_uid each time');
      seen.add(answer.merchant_uid);
      const check = await verifyGrant(answer.grant, GRANT_SECRET);
      assert.ok(check.ok && check.grant.sub === answer.merchant_uid, 'signed with the sandbox secret, for this order');
      assert.equal((await verifyGrant(answer.grant, 'another-secret-0123456789-abcdefghijkl')).ok, false);
      const view = await h.view(answer.merchant_uid, { grant: answer.grant });
      assert.equal(view.res.status, 200);
      assert.equal(view.body.amount, body.amount);
      for (const [field, value] of Object.entries(expected))
        assert.equal(view.body[field], value, `${field} of ${body.kind}`);
    }
    assert.match(
      (await h.view([...seen][1]!)).body.banks[0].code,
      /^BK/,
      "the pg chosen is the payment's: KCP's bank codes",
    );
    assert.equal(changes.length, 1 + cases.length, 'each new order is a change to save');
  });

  it("refunds one's own order through the proxy like any other", async () => {
    await setUp();
    const { merchant_uid, grant } = (await (await createOrder({ kind: 'card', amount: 15000 })).json()) as {
      merchant_uid: string;
      grant: string;
    };
    const refund = await h.cancel({ merchant_uid, cancel_request_amount: 5000, reason: '단순 변심' }, { grant });
    assert.equal(refund.res.status, 200);
    assert.equal(refund.body.cancelable_amount, 10000);
  });

  it('answers bad input with 400 INVALID_REQUEST and a message naming the problem, creating nothing', async () => {
    await setUp();
    const before = (await fakePayments()).length;
    const bad: Array<[unknown, RegExp]> = [
      ['not json', /JSON object/],
      [[], /JSON object/],
      [{}, /kind is required/],
      [{ kind: 'cash', amount: 1000 }, /kind must be one of card, vbank, vbank_ready, phone, trans/],
      [{ kind: 'card' }, /amount is required/],
      [{ kind: 'card', amount: '1000' }, /amount must be a number/],
      [{ kind: 'card', amount: 1000.5 }, /whole won/],
      [{ kind: 'card', amount: 99 }, /at least 100/],
      [{ kind: 'card', amount: 10_000_001 }, /at most 10000000/],
      [{ kind: 'card', amount: 1000, name: '  ' }, /name is empty/],
      [{ kind: 'card', amount: 1000, pg: 'nope' }, /pg must be/],
      [{ kind: 'card', amount: 1000, pg: 'constructor' }, /pg must be/],
      [{ kind: 'card', amount: 1000, currency: 'USD' }, /currency is not a field/],
    ];
    for (const [body, message] of bad) {
      const res = await createOrder(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const answer = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(answer.ok, false);
      assert.equal(answer.error.code, 'INVALID_REQUEST');
      assert.match(answer.error.message, message, JSON.stringify(body));
    }
    assert.equal((await fakePayments()).length, before, 'no payment was created');
  });

  it("takes JSON from the demo's own page or from no page (curl, a shop's server), never from another origin", async () => {
    await setUp();
    const before = (await fakePayments()).length;
    const order = { kind: 'card', amount: 1000 };
    assert.equal((await createOrder(order, { ...json, Origin: 'https://evil.example' })).status, 403);
    assert.equal((await createOrder(order, { 'Content-Type': 'text/plain' })).status, 403);
    assert.equal((await fakePayments()).length, before);
    assert.equal((await createOrder(order, { ...json, Origin: DEMO_ORIGIN })).status, 201);
    assert.equal((await h.app.request('/sandbox/orders')).status, 200, 'GET /sandbox/orders is not guarded');
  });
});
