// The sandbox's request mode: its request-mode demo orders, and /sandbox/desk with a staff grant that works at /staff/.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { verifyGrant } from '../auth/grant.ts';
import { verifyStaffGrant } from '../auth/staff-grant.ts';
import { createStillClock, GRANT_SECRET, type Harness, type HarnessOptions } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';
import { iamportDemo } from './demo-gateway.ts';
import { createSandbox, type SandboxOptions } from './routes.ts';

let h: Harness;
const DEMO_ORIGIN = 'http://127.0.0.1:8787';
afterEach(async () => h?.close());

interface Order {
  merchant_uid: string;
  grant: string;
  mode?: string;
}

const setUp = async (more: Partial<SandboxOptions> = {}, options: HarnessOptions = {}) => {
  // The proxy's own origin as the node entry gives it (here through PUBLIC_ORIGIN): the desk page is served there.
  h = await withRequests({ ...options, config: { publicOrigin: DEMO_ORIGIN, ...options.config } });
  const sandbox = createSandbox({
    gateway: iamportDemo(h.fake),
    grantSecret: GRANT_SECRET,
    now: h.clock.now,
    ownOrigins: () => [DEMO_ORIGIN],
    ...more,
  });
  h.app.route('/', sandbox.routes);
  const orders = async () => ((await (await h.app.request('/sandbox/orders')).json()) as { orders: Order[] }).orders;
  return { orders };
};

/** The staff grant /sandbox/desk put in its <refund-desk>. */
const deskToken = async (lang = 'ko') => {
  const page = await (await h.app.request(`/sandbox/desk?lang=${lang}`)).text();
  const token = /<refund-desk token="([^"]+)" lang="(ko|en)"><\/refund-desk>/.exec(page);
  assert.ok(token, page);
  assert.equal(token[2], lang);
  return token[1]!;
};

const staff = (token: string, path: string, body?: unknown) =>
  h.app.request(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      Origin: DEMO_ORIGIN,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const approvalOrders = (list: Order[]) => list.filter((o) => /-(card|vbank)-approval$/.test(o.merchant_uid));

describe('sandbox request mode', () => {
  it('seeds a card and a paid vbank order in request mode, with request-mode grants, labelled on the demo page', async () => {
    const { orders } = await setUp();
    const list = await orders();
    const asking = approvalOrders(list);
    assert.deepEqual(
      asking.map((o) => [o.merchant_uid.split('-').slice(2).join('-'), o.mode]),
      [
        ['card-approval', 'request'],
        ['vbank-approval', 'request'],
      ],
    );
    for (const o of list) {
      const check = await verifyGrant(o.grant, GRANT_SECRET, { now: h.clock.now });
      assert.ok(check.ok);
      assert.equal(check.grant.mode, asking.includes(o) ? 'request' : undefined, o.merchant_uid);
    }
    for (const o of asking) {
      const { body } = await h.view(o.merchant_uid, { grant: o.grant });
      assert.equal(body.request_mode, true);
      assert.equal(body.refundable, true);
      const direct = await h.cancel({ merchant_uid: o.merchant_uid, reason: 'x' }, { grant: o.grant });
      assert.equal(direct.res.status, 403, 'a request-mode grant never refunds');
    }
    const ko = await (await h.app.request('/')).text();
    assert.equal(ko.match(/승인 후 환불 · <a href="\/sandbox\/desk\?lang=ko">/g)?.length, 2);
    assert.match(ko, /<a class="desk-link" href="\/sandbox\/desk\?lang=ko">/);
    const en = await (await h.app.request('/?lang=en')).text();
    assert.equal(en.match(/Refund after approval · <a href="\/sandbox\/desk\?lang=en">/g)?.length, 2);
  });

  it('serves /sandbox/desk in Korean and English with <refund-desk> and a fresh staff grant for sandbox-staff', async () => {
    // Still, so the two grants a minute apart are 60 s apart to the second, however long the test takes between them.
    await setUp({}, { clock: createStillClock(Date.now()) });
    const res = await h.app.request('/sandbox/desk');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    const ko = await res.text();
    assert.match(ko, /<html lang="ko">/);
    assert.match(ko, /<script type="module" src="\/refund-desk\.js"><\/script>/);
    assert.match(ko, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(ko, /<a href="\/\?lang=ko">/, 'a way back to the shop');
    assert.doesNotMatch(ko, /니다|니까/, 'the 해요 register');
    const en = await (await h.app.request('/sandbox/desk?lang=en')).text();
    assert.match(en, /<html lang="en">/);
    assert.match(en, /staff page/);

    const token = await deskToken();
    const check = await verifyStaffGrant(token, GRANT_SECRET, { now: h.clock.now, maxTtlSeconds: 15 * 60 });
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.grant.sub, 'sandbox-staff');
    h.clock.advance(60_000);
    const next = await verifyStaffGrant(await deskToken(), GRANT_SECRET, { now: h.clock.now });
    assert.ok(next.ok);
    assert.equal(next.grant.iat, (check.grant.iat ?? 0) + 60, 'minted anew at each page load');
    const listed = await staff(token, '/staff/refund-requests?status=requested');
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('Access-Control-Allow-Origin'), DEMO_ORIGIN, "the proxy's own origin may call");
    assert.deepEqual(((await listed.json()) as { data: unknown[] }).data, []);
  });

  it('keeps the staff grant within MAX_GRANT_TTL', async () => {
    await setUp({ maxGrantTtlSeconds: 120 }, { config: { maxGrantTtlSeconds: 120 } });
    const token = await deskToken('en');
    const check = await verifyStaffGrant(token, GRANT_SECRET, { now: h.clock.now, maxTtlSeconds: 120 });
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal((await staff(token, '/staff/refund-requests')).status, 200);
  });

  it('lets a visitor ask as the customer, then approve or reject as sandbox-staff, and the customer sees it', async () => {
    const { orders } = await setUp();
    const [card, vbank] = approvalOrders(await orders()) as [Order, Order];
    const { ask } = requestCalls(h);
    const asked = await ask(
      { merchant_uid: card.merchant_uid, cancel_request_amount: 30000, reason: '단순 변심' },
      { grant: card.grant },
    );
    assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
    const askedVbank = await ask(
      {
        merchant_uid: vbank.merchant_uid,
        reason: '상품 불량·파손',
        refund_holder: '홍길동',
        refund_bank: '11',
        refund_account: '3021234567891',
      },
      { grant: vbank.grant },
    );
    assert.equal(askedVbank.res.status, 201, JSON.stringify(askedVbank.body));

    const token = await deskToken();
    const queue = (await (await staff(token, '/staff/refund-requests?status=requested')).json()) as {
      data: Array<{ id: string; merchant_uid: string; refund_account_masked: string | null }>;
    };
    assert.deepEqual(queue.data.map((r) => r.merchant_uid).sort(), [card.merchant_uid, vbank.merchant_uid].sort());
    assert.equal(queue.data.find((r) => r.merchant_uid === vbank.merchant_uid)?.refund_account_masked, '****7891');

    const approved = await staff(token, `/staff/refund-requests/${asked.body.request.id}/approve`, {});
    assert.equal(approved.status, 200, await approved.clone().text());
    const cardView = (await h.view(card.merchant_uid, { grant: card.grant })).body;
    assert.equal(cardView.request.status, 'refunded');
    assert.equal(cardView.cancelable_amount, 64000 - 30000, "the sandbox i'mport refunded the approved amount");

    const rejected = await staff(token, `/staff/refund-requests/${askedVbank.body.request.id}/reject`, {
      reason: '이미 배송된 상품이에요',
    });
    assert.equal(rejected.status, 200, await rejected.clone().text());
    const vbankView = (await h.view(vbank.merchant_uid, { grant: vbank.grant })).body;
    assert.equal(vbankView.request.status, 'rejected');
    assert.equal(vbankView.request.reject_reason, '이미 배송된 상품이에요');
    assert.equal(vbankView.request.allow_new_request, true);

    const decided = (await (await staff(token, '/staff/refund-requests')).json()) as {
      data: Array<{ decided_by: string }>;
    };
    assert.deepEqual(
      decided.data.map((r) => r.decided_by),
      ['staff:sandbox-staff', 'staff:sandbox-staff'],
    );
  });

  it('after a reset the new orders carry no request: the old ones stay in the ledger with the old ids', async () => {
    const { orders } = await setUp();
    const [card] = approvalOrders(await orders()) as [Order];
    const asked = await requestCalls(h).ask(
      { merchant_uid: card.merchant_uid, reason: '단순 변심' },
      { grant: card.grant },
    );
    assert.equal(asked.res.status, 201);
    const reset = await h.app.request('/sandbox/reset', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(reset.status, 200);
    const [fresh] = approvalOrders(await orders()) as [Order];
    assert.notEqual(fresh.merchant_uid, card.merchant_uid);
    const view = (await h.view(fresh.merchant_uid, { grant: fresh.grant })).body;
    assert.equal(view.request, null);
    assert.equal(view.request_mode, true);
    const token = await deskToken();
    const open = (await (await staff(token, '/staff/refund-requests?status=requested')).json()) as {
      data: Array<{ merchant_uid: string }>;
    };
    assert.deepEqual(
      open.data.map((r) => r.merchant_uid),
      [card.merchant_uid],
      'the old request stays in the ledger',
    );
    // Its payment went with the reset's fresh sandbox i'mport: approving it refunds nothing and ends it failed.
    const approved = await staff(token, `/staff/refund-requests/${asked.body.request.id}/approve`, {});
    const answer = (await approved.json()) as { request: { status: string; error_code: string } };
    assert.deepEqual([answer.request.status, answer.request.error_code], ['failed', 'PG_PROVIDER']);
  });
});
