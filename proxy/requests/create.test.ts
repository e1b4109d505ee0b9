// POST /refund-requests and /withdraw, and the view's `request`: request mode from the customer's side.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { RequestCreatedSchema } from '../../shared/refund-requests.ts';
import { RefundViewSchema } from '../../shared/schemas/refund-view.ts';
import type { Harness } from '../test-support/harness.ts';
import { ACCOUNT, ACCOUNT_DIGITS, requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const vbank = (merchant_uid: string) => ({
  merchant_uid,
  reason: '사이즈가 맞지 않아요',
  cancel_request_amount: 5000,
  refund_holder: '홍길동',
  refund_bank: '88',
  refund_account: ACCOUNT,
});

describe('POST /refund-requests', () => {
  it('makes a request (201), shown by the view, and refunds nothing', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const { ask } = requestCalls(h);
    const made = await ask(vbank('R-1'));
    assert.equal(made.res.status, 201);
    assert.ok(v.safeParse(RequestCreatedSchema, made.body).success);
    assert.deepEqual(
      { ...made.body.request, id: 'x', created_at: 0 },
      {
        id: 'x',
        merchant_uid: 'R-1',
        status: 'requested',
        amount: 5000,
        reason: '사이즈가 맞지 않아요',
        created_at: 0,
      },
    );
    assert.equal(h.fake.count('cancel'), 0);
    const view = await h.view('R-1');
    assert.ok(v.safeParse(RefundViewSchema, view.body).success);
    assert.deepEqual(view.body.request, {
      id: made.body.request.id,
      status: 'requested',
      amount: 5000,
      approved_amount: null,
      reason: '사이즈가 맞지 않아요',
      created_at: made.body.request.created_at,
      decided_at: null,
      reject_reason: null,
      allow_new_request: false,
    });
    const stored = JSON.stringify(await h.store.getRequest(made.body.request.id));
    assert.ok(!stored.includes(ACCOUNT_DIGITS) && !stored.includes('홍길동'), 'sealed in the ledger');
    assert.ok(!JSON.stringify(h.logs).includes(ACCOUNT_DIGITS));
  });

  it('checks the body as a refund does: the amount refundable now, a vbank account and its bank', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-2', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const { ask } = requestCalls(h);
    const tooMuch = await ask({ ...vbank('R-2'), cancel_request_amount: 30000 });
    assert.equal(tooMuch.body.error.code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    assert.equal(tooMuch.body.cancelable_amount, 20000, 'with the balance, as POST /payments/cancel answers');
    const stale = await ask({ ...vbank('R-2'), checksum: 25000 });
    assert.deepEqual(
      [stale.res.status, stale.body.error.code, stale.body.cancelable_amount],
      [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 20000],
    );
    const noAccount = await ask({ merchant_uid: 'R-2', reason: 'x' });
    assert.equal(noAccount.body.error.code, 'REFUND_ACCOUNT_REQUIRED');
    const badBank = await ask({ ...vbank('R-2'), refund_bank: 'BK88' });
    assert.equal(badBank.body.error.code, 'INVALID_REQUEST');
    const badBody = await ask({ merchant_uid: 'R-2' });
    assert.equal(badBody.res.status, 400);
    const otherOrder = await ask(vbank('R-2'), { grant: await h.grant('R-OTHER', { mode: 'request' }) });
    assert.equal(otherOrder.res.status, 403);
    assert.equal((await h.view('R-2')).body.request, null);
  });

  it("takes no request while an earlier refund of the order got no answer and may still apply at i'mport", async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-RUN', amount: 20000 });
    // A refund made earlier under a refund-mode grant, whose cancel got no answer: i'mport shows nothing yet.
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const direct = await h.cancel(
      { merchant_uid: 'R-RUN', cancel_request_amount: 3000, reason: 'x' },
      { key: 'r-run' },
    );
    assert.equal(direct.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    const { ask } = requestCalls(h);
    const asked = await ask({ merchant_uid: 'R-RUN', reason: '단순 변심', cancel_request_amount: 3000 });
    assert.equal(asked.res.status, 409, JSON.stringify(asked.body));
    assert.equal(asked.body.error.code, 'REFUND_IN_PROGRESS', 'a request now could be approved beside the first');
    assert.equal(await h.store.latestRequest('R-RUN'), null, 'no request was made');
    // Once i'mport can no longer be running it and shows nothing, the order is refundable and may be asked about.
    h.clock.advance(10 * 60_000 + 1000);
    const later = await ask({ merchant_uid: 'R-RUN', reason: '단순 변심', cancel_request_amount: 3000 });
    assert.equal(later.res.status, 201, JSON.stringify(later.body));
  });

  it('keeps one open request per order: another answers 409 REFUND_REQUEST_OPEN with the open one', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-3', amount: 9000 });
    const { ask } = requestCalls(h);
    const body = { merchant_uid: 'R-3', reason: '변심' };
    const results = await Promise.all([ask(body), ask(body), ask(body, { mode: 'refund' })]);
    const made = results.filter((r) => r.res.status === 201);
    assert.equal(made.length, 1, 'a refund-mode grant may ask too, but only one request is open');
    for (const r of results.filter((x) => x.res.status !== 201)) {
      assert.equal(r.res.status, 409);
      assert.equal(r.body.error.code, 'REFUND_REQUEST_OPEN');
      assert.equal(r.body.request.id, made[0]!.body.request.id);
    }
  });

  it('honours Idempotency-Key: the same key and body replay the answer, another body is 422', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-4', amount: 9000 });
    const { ask } = requestCalls(h);
    const body = { merchant_uid: 'R-4', reason: '변심' };
    const first = await ask(body, { key: 'k-1' });
    await h.settled();
    const again = await ask(body, { key: 'k-1' });
    assert.equal(again.res.status, 201);
    assert.equal(again.res.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const other = await ask({ ...body, reason: '다른 이유' }, { key: 'k-1' });
    assert.equal(other.res.status, 422);
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    // The same key and body sent as a refund is another use of the key.
    const asRefund = await h.cancel(body, { key: 'k-1' });
    assert.equal(asRefund.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('is off without DATA_ENCRYPTION_KEY: 409 REFUND_NOT_ALLOWED naming it', async () => {
    h = await withRequests({}, null);
    h.fake.addPayment({ merchant_uid: 'R-5', amount: 9000 });
    const { ask } = requestCalls(h);
    const off = await ask({ merchant_uid: 'R-5', reason: 'x' });
    assert.equal(off.res.status, 409);
    assert.equal(off.body.error.code, 'REFUND_NOT_ALLOWED');
    assert.match(off.body.error.message, /DATA_ENCRYPTION_KEY/);
    // The view says so first, so the customer is not asked to fill in a request that cannot be made.
    const view = await h.view('R-5', { grant: await h.grant('R-5', { mode: 'request' }) });
    assert.equal(view.res.status, 200);
    assert.ok(v.safeParse(RefundViewSchema, view.body).success);
    assert.deepEqual(
      [view.body.request_mode, view.body.refundable, view.body.reason, view.body.cancelable_amount],
      [true, false, 'request_mode_off', 9000],
    );
    // A refund-mode grant on the same proxy refunds as ever.
    assert.deepEqual([(await h.view('R-5')).body.refundable, (await h.view('R-5')).body.reason], [true, undefined]);
  });

  // A request cannot revoke an unpaid virtual account: the view said refundable (revocable), and the widget offered
  // "cancel the deposit account", which the request then refused.
  it('says an unpaid virtual account is not paid under a request-mode grant, as its request is refused', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-6', amount: 12000, pay_method: 'vbank', status: 'ready' });
    const view = await h.view('R-6', { grant: await h.grant('R-6', { mode: 'request' }) });
    assert.deepEqual([view.body.refundable, view.body.reason, view.body.revocable], [false, 'not_paid', true]);
    const { ask } = requestCalls(h);
    const refused = await ask({ merchant_uid: 'R-6', reason: 'x' });
    assert.deepEqual([refused.res.status, refused.body.error.code], [409, 'PAYMENT_NOT_PAID']);
    // A refund-mode grant revokes it, as ever.
    assert.deepEqual([(await h.view('R-6')).body.refundable, (await h.view('R-6')).body.revocable], [true, true]);
  });
});

describe('the doors of /refund-requests', () => {
  it('are those of /payments: a grant required, CORS for allowed origins, other origins refused', async () => {
    h = await withRequests();
    const post = (origin: string) =>
      h.app.request('/refund-requests', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: origin },
        body: '{}',
      });
    const bare = await post('https://shop.example');
    assert.equal(bare.status, 401);
    assert.equal(bare.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
    const preflight = await h.app.request('/refund-requests/rr_1/withdraw', {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal((await post('https://evil.example')).status, 403);
  });
});

describe('request-mode grants', () => {
  it('never refund directly: POST /payments/cancel answers 403 naming request mode', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-6', amount: 9000 });
    const grant = await h.grant('R-6', { mode: 'request' });
    const refused = await h.cancel({ merchant_uid: 'R-6', reason: 'x' }, { grant });
    assert.equal(refused.res.status, 403);
    assert.equal(refused.body.error.code, 'FORBIDDEN');
    assert.match(refused.body.error.message, /request mode/);
    assert.equal(h.fake.count('cancel'), 0);
    const view = await h.view('R-6', { grant });
    assert.equal(view.res.status, 200, 'the view is open to it');
    assert.equal(view.body.request_mode, true, 'and tells the widget to end in a request');
    assert.equal((await h.view('R-6')).body.request_mode, false, 'a refund-mode grant: the refund itself');
  });
});

describe('POST /refund-requests/:id/withdraw', () => {
  it('withdraws a requested request once; then a new one may be made', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'R-7', amount: 9000 });
    const { ask, withdraw } = requestCalls(h);
    const made = await ask({ merchant_uid: 'R-7', reason: 'x' });
    const id = made.body.request.id;
    const other = await withdraw(id, 'R-OTHER');
    assert.equal(other.res.status, 403);
    const done = await withdraw(id, 'R-7');
    assert.equal(done.res.status, 200);
    assert.equal(done.body.request.status, 'withdrawn');
    assert.equal(done.body.request.allow_new_request, true);
    const twice = await withdraw(id, 'R-7');
    assert.equal(twice.res.status, 409);
    assert.equal(twice.body.error.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(twice.body.request.status, 'withdrawn');
    assert.equal((await ask({ merchant_uid: 'R-7', reason: 'y' })).res.status, 201);
  });
});
