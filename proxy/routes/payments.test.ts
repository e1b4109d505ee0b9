// GET /payments/:merchant_uid: what the widget renders, for each kind of payment.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { RefundViewSchema } from '../../shared/schemas/refund-view.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('GET /payments/:merchant_uid', () => {
  it("fetches an order not yet known from i'mport by merchant_uid, stores it, and then answers from the ledger", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({
      merchant_uid: 'V-1',
      amount: 9000,
      name: '반팔 티셔츠',
      pay_method: 'card',
      pg_provider: 'kcp',
    });
    const { res, body } = await h.view('V-1');
    assert.equal(res.status, 200);
    assert.deepEqual(body, {
      merchant_uid: 'V-1',
      imp_uid: p.imp_uid,
      name: '반팔 티셔츠',
      amount: 9000,
      cancel_amount: 0,
      cancelable_amount: 9000,
      cancelable_tax_free_amount: null,
      currency: 'KRW',
      pay_method: 'card',
      pg_provider: 'kcp',
      status: 'paid',
      paid_at: p.paid_at,
      refundable: true,
      revocable: false,
      refund_account_required: false,
      refund_tel_required: false,
      payout_estimate: null,
      request_mode: false,
      request: null,
    });
    assert.ok(v.safeParse(RefundViewSchema, body).success, 'the answer is the shared RefundView the widget reads');
    assert.equal(h.fake.count('find'), 1);
    await h.view('V-1');
    assert.equal(h.fake.count('find'), 1, 'the second view came from the ledger');
    assert.equal((await h.store.getPayment('V-1'))!.imp_uid, p.imp_uid);
  });

  it('shows a partly refunded order as refundable for the rest, and a fully refunded one with its reason', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'V-PART', amount: 10000, cancel_amount: 4000, status: 'cancelled' });
    h.fake.addPayment({ merchant_uid: 'V-FULL', amount: 10000, cancel_amount: 10000, status: 'cancelled' });
    const part = await h.view('V-PART');
    assert.equal(part.body.cancelable_amount, 6000);
    assert.equal(part.body.refundable, true);
    const full = await h.view('V-FULL');
    assert.equal(full.body.refundable, false);
    assert.equal(full.body.reason, 'fully_refunded');
  });

  it("asks for an account on a paid virtual account and lists the banks with that PG's own codes", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'V-INI', amount: 1000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    h.fake.addPayment({ merchant_uid: 'V-KCP', amount: 1000, pay_method: 'vbank', pg_provider: 'kcp' });
    const ini = await h.view('V-INI');
    const kcp = await h.view('V-KCP');
    assert.ok(v.safeParse(RefundViewSchema, ini.body).success);
    assert.equal(ini.body.refund_account_required, true);
    const shinhan = (banks: any[]) => banks.find((b) => b.name_en === 'Shinhan Bank');
    assert.deepEqual(shinhan(ini.body.banks), { code: '88', name_ko: '신한은행', name_en: 'Shinhan Bank' });
    assert.equal(shinhan(kcp.body.banks).code, 'BK88');
  });

  it("marks an unpaid virtual account revocable, a failed payment not paid, and last month's phone payment not refundable", async () => {
    const clock = createClock(Date.UTC(2026, 2, 1, 3, 0)); // 2026-03-01 12:00 KST
    h = await createHarness({ clock });
    h.fake.addPayment({
      merchant_uid: 'V-READY',
      amount: 1000,
      pay_method: 'vbank',
      pg_provider: 'kicc', // i'mport revokes KICC's unpaid accounts, not NHN KCP's (iamport-v1.md §5.1)
      status: 'ready',
      paid_at: 0,
    });
    h.fake.addPayment({ merchant_uid: 'V-FAIL', amount: 1000, status: 'failed', paid_at: 0 });
    h.fake.addPayment({
      merchant_uid: 'V-PHONE',
      amount: 1000,
      pay_method: 'phone',
      pg_provider: 'danal',
      paid_at: Date.UTC(2026, 1, 28, 10) / 1000,
    });
    const ready = await h.view('V-READY');
    assert.deepEqual(
      [ready.body.refundable, ready.body.revocable, ready.body.refund_account_required, ready.body.paid_at],
      [true, true, false, null],
    );
    const failed = await h.view('V-FAIL');
    assert.deepEqual([failed.body.refundable, failed.body.reason], [false, 'not_paid']);
    const phone = await h.view('V-PHONE');
    assert.deepEqual([phone.body.refundable, phone.body.reason], [false, 'phone_previous_month']);
  });

  it("says when a payout into the customer's account arrives, per PG, and nothing where none is published", async () => {
    h = await createHarness();
    const vbank = { amount: 1000, pay_method: 'vbank' } as const;
    h.fake.addPayment({ merchant_uid: 'P-INI', ...vbank, pg_provider: 'html5_inicis' });
    h.fake.addPayment({ merchant_uid: 'P-DAOU', ...vbank, pg_provider: 'daou' });
    h.fake.addPayment({ merchant_uid: 'P-CARD', amount: 1000, pay_method: 'card', pg_provider: 'html5_inicis' });
    h.fake.addPayment({ merchant_uid: 'P-NONE', ...vbank, pg_provider: 'jtnet' });
    const estimates: Record<string, unknown> = {};
    for (const uid of ['P-INI', 'P-DAOU', 'P-CARD', 'P-NONE']) {
      const { body } = await h.view(uid);
      assert.ok(v.safeParse(RefundViewSchema, body).success, uid);
      estimates[uid] = body.payout_estimate;
    }
    assert.deepEqual(estimates, {
      'P-INI': { min_business_days: 1, max_business_days: 2 },
      'P-DAOU': { min_business_days: 7, max_business_days: null },
      'P-CARD': null,
      'P-NONE': null,
    });
  });

  it('asks for a phone number with the account where the PG needs one (Welcome Payments)', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'V-WEL', amount: 1000, pay_method: 'vbank', pg_provider: 'welcome' });
    const { body } = await h.view('V-WEL');
    assert.equal(body.refund_tel_required, true);
  });

  it("answers 404 PAYMENT_NOT_FOUND for an unknown order and 503 when i'mport cannot be reached", async () => {
    h = await createHarness();
    const missing = await h.view('NOPE');
    assert.equal(missing.res.status, 404);
    assert.equal(missing.body.error.code, 'PAYMENT_NOT_FOUND');
    h.fake.inject({ kind: 'http_5xx', route: 'find' });
    h.fake.addPayment({ merchant_uid: 'V-DOWN', amount: 1 });
    const down = await h.view('V-DOWN');
    assert.equal(down.res.status, 503);
    assert.equal(down.body.error.code, 'UPSTREAM_UNAVAILABLE');
  });
});
