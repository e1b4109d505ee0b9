// POST /payments/:merchant_uid/verify-account: the widget's holder check while the customer types, behind the grant,
// CORS and the per-order rate limit of the other customer routes; it never answers the bank's name for the holder.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { HolderCheckConfig } from '../config.ts';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import {
  type CallOptions,
  createClock,
  createHarness,
  type Harness,
  type HarnessOptions,
} from '../test-support/harness.ts';
import { ACCOUNT, ACCOUNT_DIGITS } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const setup = async (verify: HolderCheckConfig['verify'], more: HarnessOptions = {}) => {
  h = await createHarness({ ...more, config: { holderCheck: { verify, iamportLookup: true } } });
  h.fake.addAccount({ bank: '88', number: ACCOUNT_DIGITS, holder: '홍길동' });
  h.fake.addPayment({ merchant_uid: 'VB-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
};

const verify = async (body: Record<string, unknown>, merchantUid = 'VB-1', call: CallOptions = {}) => {
  const token = call.grant === undefined ? await h.grant(merchantUid) : call.grant;
  const res = await h.app.request(`/payments/${merchantUid}/verify-account`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(call.origin ? { Origin: call.origin } : {}),
    },
    body: JSON.stringify(body),
  });
  return { res, body: (await res.json()) as Record<string, any> };
};

const account = (holder: string) => ({ refund_holder: holder, refund_bank: '88', refund_account: ACCOUNT });

describe('POST /payments/:merchant_uid/verify-account', () => {
  it('answers verified for the right holder, and 400 REFUND_ACCOUNT_HOLDER_MISMATCH without the name for another', async () => {
    await setup('when_available');
    const ok = await verify(account('홍 길동'));
    assert.equal(ok.res.status, 200);
    assert.deepEqual(ok.body, { ok: true, holder_check: 'verified' });
    const wrong = await verify(account('김철수'));
    assert.equal(wrong.res.status, 400);
    assert.equal(wrong.body.error.code, 'REFUND_ACCOUNT_HOLDER_MISMATCH');
    assert.ok(!JSON.stringify(wrong.body).includes('길동'), "the answer never says the bank's holder");
    assert.equal(h.fake.count('cancel'), 0);
    assert.deepEqual(await h.store.listAttempts('VB-1'), [], 'a check is no refund attempt');
    assert.ok(!JSON.stringify(h.logs).includes('홍길동'), 'no log line holds the name the bank returned');
    assert.ok(h.logs.some((l) => l.msg === 'refund holder check' && l.returned === '홍*동'));
  });

  it("answers another holder and no such account in the same words, so it tells nothing of a stranger's account", async () => {
    await setup('when_available');
    const wrong = await verify(account('김철수'));
    const none = await verify({ ...account('김철수'), refund_account: '110-999-999999' });
    assert.deepEqual([wrong.res.status, none.res.status], [400, 400]);
    assert.deepEqual(none.body, wrong.body);
  });

  it('asks the bank nothing for an order with nothing left to refund', async () => {
    await setup('when_available');
    const refunded = await h.cancel(
      { merchant_uid: 'VB-1', reason: 'x', ...account('홍길동') },
      { grant: await h.grant('VB-1') },
    );
    assert.equal(refunded.res.status, 200, JSON.stringify(refunded.body));
    const asked = h.fake.count('holder');
    const after = await verify(account('홍길동'));
    assert.deepEqual([after.res.status, after.body.error?.code], [409, 'PAYMENT_ALREADY_CANCELLED']);
    assert.equal(h.fake.count('holder'), asked, 'the bank was not asked');
  });

  it('never calls a refund PortOne V2 accepted and has not finished "fully refunded": it may yet fail', async () => {
    const clock = createClock();
    const fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
    h = await createHarness({
      clock,
      portone: fake,
      config: { holderCheck: { verify: 'when_available', iamportLookup: false } },
    });
    fake.addPayment({ paymentId: 'VQ-1', total: 10000, method: 'virtual_account' });
    const v2Account = { refund_holder: '홍길동', refund_bank: 'SHINHAN', refund_account: ACCOUNT };
    const accepted = await h.cancel({ merchant_uid: 'VQ-1', reason: 'x', ...v2Account });
    assert.deepEqual([accepted.res.status, accepted.body.accepted], [200, true], JSON.stringify(accepted.body));
    const checked = await verify(v2Account, 'VQ-1');
    assert.notEqual(checked.body.error?.code, 'PAYMENT_ALREADY_CANCELLED', JSON.stringify(checked.body));
  });

  it('answers unavailable when the bank cannot say (even under required), and off without asking', async () => {
    await setup('required');
    h.fake.inject({ kind: 'http_5xx', status: 503, route: 'holder' });
    assert.deepEqual((await verify(account('홍길동'))).body, { ok: true, holder_check: 'unavailable' });
    h.fake.hideHolderLookup();
    assert.deepEqual((await verify(account('홍길동'))).body, { ok: true, holder_check: 'unavailable' });
    await h.close();
    await setup('off');
    assert.deepEqual((await verify(account('김철수'))).body, { ok: true, holder_check: 'off' });
    assert.equal(h.fake.count('holder'), 0);
  });

  it('validates the body as POST /payments/cancel does, and refuses a payment refunded without an account', async () => {
    await setup('when_available');
    const bad = await verify({ refund_holder: '', refund_bank: '88', refund_account: 'abc' });
    assert.equal(bad.res.status, 400);
    assert.equal(bad.body.error.code, 'INVALID_REQUEST');
    const kcpCode = await verify({ ...account('홍길동'), refund_bank: 'BK88' });
    assert.equal(kcpCode.body.error.code, 'INVALID_REQUEST');
    // A misspelt or unknown field is named, never ignored, as on POST /payments/cancel.
    const extra = await verify({ ...account('홍길동'), refund_acount: '110123456789' });
    assert.deepEqual([extra.res.status, extra.body.error.code], [400, 'INVALID_REQUEST']);
    assert.match(extra.body.error.message, /refund_acount/);
    h.fake.addPayment({ merchant_uid: 'CARD-1', amount: 5000 });
    const card = await verify(account('홍길동'), 'CARD-1');
    assert.equal(card.body.error.code, 'INVALID_REQUEST');
    assert.equal(h.fake.count('holder'), 0);
  });

  it('needs a grant for the order (401 without, 403 for another order) and an allowed origin', async () => {
    await setup('when_available');
    assert.equal((await verify(account('홍길동'), 'VB-1', { grant: null })).res.status, 401);
    const other = await verify(account('홍길동'), 'VB-1', { grant: await h.grant('VB-2') });
    assert.equal(other.res.status, 403);
    const foreign = await verify(account('홍길동'), 'VB-1', { origin: 'https://evil.example' });
    assert.equal(foreign.res.status, 403);
    const preflight = await h.app.request('/payments/VB-1/verify-account', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    assert.equal(preflight.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
    assert.equal(h.fake.count('holder'), 0);
  });

  it('is rate-limited per order with the other customer routes (429 RATE_LIMITED)', async () => {
    await setup('when_available', { rateLimit: { perIp: 0, perOrder: 2 } });
    assert.equal((await verify(account('홍길동'))).res.status, 200);
    assert.equal((await verify(account('홍길동'))).res.status, 200);
    const limited = await verify(account('홍길동'));
    assert.equal(limited.res.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.equal(h.fake.count('holder'), 2);
  });
});
