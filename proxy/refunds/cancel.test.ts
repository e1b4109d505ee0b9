// POST /payments/cancel through the public surface, against the fake i'mport: every refund path and its ledger.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { CancelSuccessSchema, ErrorAnswerSchema } from '../../shared/schemas/answers.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createClock, createHarness, type Harness, tempSqlitePath } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';

let h: Harness;
afterEach(async () => h?.close());

const ledgerMatchesFake = async (merchantUid: string, impUid: string) => {
  const stored = await h.store.getPayment(merchantUid);
  const truth = h.fake.getPayment(impUid);
  assert.ok(stored && truth);
  assert.equal(stored.cancel_amount, truth.cancel_amount, "ledger cancel_amount equals i'mport");
  assert.equal(stored.status, truth.status);
  assert.equal(stored.cancel_history.length, truth.cancel_history.length);
};

/** An unpaid (issued, not yet paid) Toss Payments virtual account of 12,000 at the fake i'mport. */
const unpaidVbank = (merchant_uid: string) =>
  h.fake.addPayment({
    merchant_uid,
    amount: 12000,
    pay_method: 'vbank',
    pg_provider: 'tosspayments',
    status: 'ready',
    paid_at: 0,
  });

describe('POST /payments/cancel: card refunds', () => {
  it('refunds everything that remains when no amount is given, with the right checksum', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'ORD-1', amount: 9000, name: '반팔 티셔츠' });
    const { res, body } = await h.cancel({ merchant_uid: 'ORD-1', reason: '단순 변심' });
    assert.equal(res.status, 200);
    assert.ok(
      v.safeParse(CancelSuccessSchema, body).success,
      'the answer is the shared CancelSuccess the widget reads',
    );
    assert.deepEqual(
      {
        ok: body.ok,
        refunded: body.refunded,
        cancel_amount: body.cancel_amount,
        cancelable_amount: body.cancelable_amount,
        status: body.status,
        pending: body.pending,
        imp_uid: body.imp_uid,
      },
      {
        ok: true,
        refunded: 9000,
        cancel_amount: 9000,
        cancelable_amount: 0,
        status: 'cancelled',
        pending: false,
        imp_uid: p.imp_uid,
      },
    );
    const sent = h.fake.calls.filter((c) => c.route === 'cancel');
    assert.equal(sent.length, 1);
    assert.deepEqual(
      {
        imp_uid: (sent[0]!.body as any).imp_uid,
        amount: (sent[0]!.body as any).amount,
        checksum: (sent[0]!.body as any).checksum,
      },
      { imp_uid: p.imp_uid, amount: 9000, checksum: 9000 },
    );
    await ledgerMatchesFake('ORD-1', p.imp_uid);
  });

  it("refunds in parts, each checksum being what remained, then refuses once nothing is left without calling i'mport", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'ORD-2', amount: 30000 });
    const first = await h.cancel({ merchant_uid: 'ORD-2', cancel_request_amount: 10000, reason: 'part' });
    assert.equal(first.body.refunded, 10000);
    assert.equal(first.body.cancelable_amount, 20000);
    assert.equal(first.body.status, 'cancelled', "i'mport reports a partial cancel as cancelled");
    const second = await h.cancel({ merchant_uid: 'ORD-2', reason: 'rest' });
    assert.equal(second.body.refunded, 20000);
    assert.equal(second.body.cancelable_amount, 0);
    const checksums = h.fake.calls.filter((c) => c.route === 'cancel').map((c) => (c.body as any).checksum);
    assert.deepEqual(checksums, [30000, 20000]);
    const third = await h.cancel({ merchant_uid: 'ORD-2', reason: 'again' });
    assert.equal(third.res.status, 409);
    assert.equal(third.body.error.code, 'PAYMENT_ALREADY_CANCELLED');
    assert.equal(h.fake.count('cancel'), 2);
    await ledgerMatchesFake('ORD-2', p.imp_uid);
  });

  it("refuses more than what remains, and a fractional won amount, before calling i'mport", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'ORD-3', amount: 5000, cancel_amount: 2000 });
    const over = await h.cancel({ merchant_uid: 'ORD-3', cancel_request_amount: 3001, reason: 'x' });
    assert.equal(over.res.status, 409);
    assert.equal(over.body.error.code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    assert.ok(v.safeParse(ErrorAnswerSchema, over.body).success, 'failures have the shared error shape');
    assert.equal(over.body.cancelable_amount, 3000);
    const fraction = await h.cancel({ merchant_uid: 'ORD-3', cancel_request_amount: 10.5, reason: 'x' });
    assert.equal(fraction.res.status, 400);
    assert.equal(fraction.body.error.code, 'INVALID_REQUEST');
    assert.equal(h.fake.count('cancel'), 0);
  });

  it('refuses a misspelt or null amount (400, naming it) instead of refunding the whole order', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'ORD-AMT', amount: 10000 });
    const misspelt = await h.cancel({ merchant_uid: 'ORD-AMT', amount: 1000, reason: 'x' }); // i'mport's own name
    assert.equal(misspelt.res.status, 400);
    assert.deepEqual(misspelt.body.error, { code: 'INVALID_REQUEST', message: 'amount is not a field here' });
    const nulled = await h.cancel({ merchant_uid: 'ORD-AMT', cancel_request_amount: null, reason: 'x' }); // a NaN
    assert.equal(nulled.res.status, 400);
    assert.match(nulled.body.error.message, /^cancel_request_amount /);
    assert.equal(h.fake.count('cancel'), 0, 'nothing refunded');
    const left = await h.cancel({ merchant_uid: 'ORD-AMT', reason: 'x' });
    assert.equal(left.body.refunded, 10000, 'left out: everything, as documented');
  });

  it("answers PAYMENT_NOT_FOUND for an order i'mport does not know, and PAYMENT_NOT_PAID for a failed payment", async () => {
    h = await createHarness();
    const missing = await h.cancel({ merchant_uid: 'NOPE', reason: 'x' });
    assert.equal(missing.res.status, 404);
    assert.equal(missing.body.error.code, 'PAYMENT_NOT_FOUND');
    h.fake.addPayment({ merchant_uid: 'ORD-F', amount: 1000, status: 'failed', paid_at: 0 });
    const failed = await h.cancel({ merchant_uid: 'ORD-F', reason: 'x' });
    assert.equal(failed.res.status, 409);
    assert.equal(failed.body.error.code, 'PAYMENT_NOT_PAID');
    assert.equal(h.fake.count('cancel'), 0);
  });

  it('caps the total refunded under a grant at its max_amount, across requests, and says how much is left', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'ORD-MAX', amount: 10000 });
    const grant = await h.grant('ORD-MAX', { maxAmount: 3000, jti: 'grant-1' });
    const all = await h.cancel({ merchant_uid: 'ORD-MAX', reason: 'x' }, { grant });
    assert.equal(all.res.status, 403, 'everything refundable is more than the grant allows');
    assert.equal(all.body.error.code, 'FORBIDDEN');
    // Four requests of 1,000 each refunded 4,000 under a 3,000 grant before.
    for (let i = 0; i < 3; i += 1) {
      const part = await h.cancel({ merchant_uid: 'ORD-MAX', cancel_request_amount: 1000, reason: 'x' }, { grant });
      assert.equal(part.res.status, 200, `refund ${i + 1}`);
    }
    const fourth = await h.cancel({ merchant_uid: 'ORD-MAX', cancel_request_amount: 1000, reason: 'x' }, { grant });
    assert.equal(fourth.res.status, 403);
    assert.match(fourth.body.error.message, /allows refunding 0 KRW more/);
    assert.equal(h.fake.count('cancel'), 3);
    assert.equal((await h.view('ORD-MAX', { grant })).body.grant_remaining, 0);
    assert.equal(
      (await h.view('ORD-MAX', { grant })).body.cancelable_amount,
      7000,
      "the view keeps i'mport's own figure",
    );
    const another = await h.grant('ORD-MAX', { maxAmount: 2000, jti: 'grant-2' });
    assert.equal(
      (await h.view('ORD-MAX', { grant: another })).body.grant_remaining,
      2000,
      'another grant has a cap of its own',
    );
    assert.equal(
      (await h.view('ORD-MAX')).body.grant_remaining,
      undefined,
      'a grant without a cap has no grant_remaining',
    );
  });

  it('gives the amount a grant still allows as a number, in the view and in the refusal', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'ORD-MAX2', amount: 10000 });
    const grant = await h.grant('ORD-MAX2', { maxAmount: 3000, jti: 'grant-3' });
    assert.equal(
      (await h.cancel({ merchant_uid: 'ORD-MAX2', cancel_request_amount: 2000, reason: 'x' }, { grant })).res.status,
      200,
    );
    assert.equal((await h.view('ORD-MAX2', { grant })).body.grant_remaining, 1000);
    const over = await h.cancel({ merchant_uid: 'ORD-MAX2', cancel_request_amount: 1500, reason: 'x' }, { grant });
    assert.equal(over.res.status, 403);
    assert.match(over.body.error.message, /allows refunding 1000 KRW more/);
  });

  it("keeps counting a grant's refunds across proxy instances and restarts, from the ledger", async () => {
    const path = tempSqlitePath();
    const fake = createFakeIamport();
    fake.addPayment({ merchant_uid: 'ORD-MAX3', amount: 10000 });
    const first = await createHarness({ fake, store: createSqliteStore({ path }) });
    const grant = await first.grant('ORD-MAX3', { maxAmount: 3000, jti: 'grant-4' });
    assert.equal(
      (await first.cancel({ merchant_uid: 'ORD-MAX3', cancel_request_amount: 2500, reason: 'x' }, { grant })).res
        .status,
      200,
    );
    await first.close();
    h = await createHarness({ fake, store: createSqliteStore({ path }) });
    const again = await h.cancel({ merchant_uid: 'ORD-MAX3', cancel_request_amount: 1000, reason: 'x' }, { grant });
    assert.equal(again.res.status, 403);
    assert.match(again.body.error.message, /allows refunding 500 KRW more/);
    assert.equal(
      (await h.cancel({ merchant_uid: 'ORD-MAX3', cancel_request_amount: 500, reason: 'x' }, { grant })).res.status,
      200,
    );
  });

  it("counts an attempt whose outcome is not known yet against the grant, until i'mport settles it", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'ORD-MAX4', amount: 10000 });
    await h.view('ORD-MAX4');
    // A crash left an attempt of 2,000 under the grant without an outcome; i'mport shows it applied.
    await h.store.insertAttempt({
      id: 'crashed',
      merchant_uid: 'ORD-MAX4',
      imp_uid: p.imp_uid,
      requested_amount: 2000,
      amount: 2000,
      checksum: 10000,
      reason: 'x',
      refund_bank: null,
      refund_account_masked: null,
      grant_subject: 'ORD-MAX4',
      grant_jti: 'grant-5',
      client_ip: null,
      origin: null,
      idempotency_key: null,
      started_at: h.clock.now(),
    });
    const grant = await h.grant('ORD-MAX4', { maxAmount: 3000, jti: 'grant-5' });
    assert.equal((await h.view('ORD-MAX4', { grant })).body.grant_remaining, 1000);
    h.fake.addPayment({
      imp_uid: p.imp_uid,
      merchant_uid: 'ORD-MAX4',
      amount: 10000,
      status: 'cancelled',
      cancel_amount: 2000,
      cancel_history: [
        {
          pg_tid: 't-1',
          amount: 2000,
          cancelled_at: Math.floor(h.clock.now() / 1000),
          reason: 'x',
          cancellation_id: 'c-1',
          receipt_url: null,
        },
      ],
    });
    const over = await h.cancel({ merchant_uid: 'ORD-MAX4', cancel_request_amount: 1500, reason: 'x' }, { grant });
    assert.equal(over.res.status, 403);
    assert.match(over.body.error.message, /allows refunding 1000 KRW more/);
    assert.equal((await h.store.getAttempt('crashed'))!.outcome, 'succeeded');
  });
});

describe('POST /payments/cancel: virtual accounts', () => {
  it("refunds a paid KG Inicis virtual account into the customer's account with Inicis bank codes, pending the next business day", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({
      merchant_uid: 'VB-INI',
      amount: 20000,
      pay_method: 'vbank',
      pg_provider: 'html5_inicis',
    });
    const missing = await h.cancel({ merchant_uid: 'VB-INI', reason: 'x' });
    assert.equal(missing.res.status, 400);
    assert.equal(missing.body.error.code, 'REFUND_ACCOUNT_REQUIRED');
    const kcpCode = await h.cancel({
      merchant_uid: 'VB-INI',
      reason: 'x',
      refund_holder: '홍길동',
      refund_bank: 'BK88',
      refund_account: '110-123-456789',
    });
    assert.equal(kcpCode.res.status, 400);
    assert.equal(kcpCode.body.error.code, 'INVALID_REQUEST');
    assert.equal(h.fake.count('cancel'), 0);

    const ok = await h.cancel({
      merchant_uid: 'VB-INI',
      reason: '환불',
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: '110-123-456789',
    });
    assert.equal(ok.res.status, 200);
    assert.equal(ok.body.pending, true);
    assert.equal(ok.body.pay_method, 'vbank');
    const sent = h.fake.calls.find((c) => c.route === 'cancel')!.body as any;
    assert.deepEqual([sent.refund_holder, sent.refund_bank, sent.refund_account], ['홍길동', '88', '110123456789']);
    const audit = await h.store.listAttempts('VB-INI');
    const done = audit.find((a) => a.outcome === 'succeeded')!;
    assert.equal(done.refund_account_masked, '****6789');
    assert.ok(!JSON.stringify(audit).includes('110123456789'), 'the audit never holds the full account number');
    await ledgerMatchesFake('VB-INI', p.imp_uid);
  });

  it("takes NHN KCP's own bank codes (BK88) for a KCP virtual account", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'VB-KCP', amount: 15000, pay_method: 'vbank', pg_provider: 'kcp' });
    const inicisCode = await h.cancel({
      merchant_uid: 'VB-KCP',
      reason: 'x',
      refund_holder: '김철수',
      refund_bank: '88',
      refund_account: '11012345678',
    });
    assert.equal(inicisCode.body.error.code, 'INVALID_REQUEST');
    const ok = await h.cancel({
      merchant_uid: 'VB-KCP',
      reason: 'x',
      refund_holder: '김철수',
      refund_bank: 'BK88',
      refund_account: '11012345678',
    });
    assert.equal(ok.res.status, 200);
    assert.equal((h.fake.calls.find((c) => c.route === 'cancel')!.body as any).refund_bank, 'BK88');
  });

  it("tells i'mport who asked (extra.requester: customer), and sends the holder's phone wherever it was given", async () => {
    // iamport-v1.md §3.1: extra.requester is required for Naver Pay (admin when left out), and refund_tel, which its
    // reference calls required for every virtual-account refund, is best sent whenever there is one.
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'VB-TEL', amount: 15000, pay_method: 'vbank', pg_provider: 'kcp' });
    h.fake.addPayment({ merchant_uid: 'NP-1', amount: 9000, pay_method: 'naverpay', pg_provider: 'naverpay' });
    const account = { refund_holder: '김철수', refund_bank: 'BK88', refund_account: '11012345678' };
    const vbank = await h.cancel({ merchant_uid: 'VB-TEL', reason: 'x', ...account, refund_tel: '010-1234-5678' });
    assert.equal(vbank.res.status, 200, JSON.stringify(vbank.body));
    const naver = await h.cancel({ merchant_uid: 'NP-1', reason: '단순 변심' });
    assert.equal(naver.res.status, 200, JSON.stringify(naver.body));
    const [toKcp, toNaver] = h.fake.calls.filter((c) => c.route === 'cancel').map((c) => c.body as any);
    assert.deepEqual([toKcp.refund_tel, toKcp.extra], ['01012345678', { requester: 'customer' }]);
    assert.deepEqual([toNaver.refund_tel, toNaver.extra], [undefined, { requester: 'customer' }]);
  });

  it('revokes an unpaid (ready) virtual account with DELETE /vbanks, asking for no account', async () => {
    h = await createHarness();
    const p = unpaidVbank('VB-READY');
    const { res, body } = await h.cancel({ merchant_uid: 'VB-READY', reason: '주문 취소' });
    assert.equal(res.status, 200);
    assert.equal(body.revoked, true);
    assert.equal(body.refunded, 0);
    assert.equal(body.pending, false);
    assert.equal(h.fake.count('vbank'), 1);
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal(h.fake.getPayment(p.imp_uid)!.status, 'failed');
    const again = await h.cancel({ merchant_uid: 'VB-READY', reason: 'again' });
    assert.equal(again.body.error.code, 'PAYMENT_NOT_PAID');
    assert.equal(h.fake.count('vbank'), 1);
  });

  it('revokes only the account the caller was shown: one issued since is not revoked for it (imp_uid, checksum)', async () => {
    h = await createHarness();
    const first = unpaidVbank('VB-AGAIN');
    const shown = (await h.view('VB-AGAIN')).body;
    assert.deepEqual([shown.imp_uid, shown.revocable], [first.imp_uid, true]);
    // That account lapses, and the order is issued another, for another amount.
    h.fake.addPayment({ ...first, status: 'failed' });
    const second = h.fake.addPayment({ ...first, imp_uid: undefined, amount: 7000 });
    assert.equal((await notifyOf(h, second.imp_uid, 'VB-AGAIN', 'ready')).status, 200);
    assert.equal((await h.view('VB-AGAIN')).body.imp_uid, second.imp_uid, 'the order shows the new account');
    for (const named of [{ imp_uid: first.imp_uid }, { checksum: shown.cancelable_amount }]) {
      const refused = await h.cancel({ merchant_uid: 'VB-AGAIN', reason: 'x', ...named });
      assert.equal(refused.res.status, 409, JSON.stringify(refused.body));
      assert.deepEqual(
        [refused.body.error.code, refused.body.cancelable_amount],
        ['CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 7000],
      );
    }
    assert.equal(h.fake.count('vbank'), 0, 'nothing revoked');
    assert.equal(h.fake.getPayment(second.imp_uid)!.status, 'ready');
  });

  // Guards rules.ts isRevocable(): only a virtual account is revoked while unpaid. An unfinished (ready) card payment
  // is not a virtual account: refused as unpaid, never "revoked", and DELETE /vbanks is never called for it.
  it('refuses an unpaid (ready) payment that is not a virtual account as not paid, revoking nothing', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({
      merchant_uid: 'CARD-READY',
      amount: 12000,
      pay_method: 'card',
      pg_provider: 'tosspayments',
      status: 'ready',
      paid_at: 0,
    });
    const view = await h.view('CARD-READY');
    assert.deepEqual(
      [view.body.refundable, view.body.reason, view.body.revocable],
      [false, 'not_paid', false],
      JSON.stringify(view.body),
    );
    const { res, body } = await h.cancel({ merchant_uid: 'CARD-READY', reason: '주문 취소' });
    assert.equal(res.status, 409, JSON.stringify(body));
    assert.equal(body.error.code, 'PAYMENT_NOT_PAID');
    assert.notEqual(body.revoked, true);
    assert.equal(h.fake.count('vbank'), 0, 'no DELETE /vbanks');
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal(h.fake.getPayment(p.imp_uid)!.status, 'ready');
  });

  it('refuses a part of an unpaid virtual account (400): it is revoked whole or not at all', async () => {
    h = await createHarness();
    const p = unpaidVbank('VB-PART');
    const part = await h.cancel({ merchant_uid: 'VB-PART', cancel_request_amount: 5000, reason: '주문 취소' });
    assert.equal(part.res.status, 400);
    assert.equal(part.body.error.code, 'INVALID_REQUEST');
    assert.equal(h.fake.count('vbank'), 0, 'nothing revoked');
    assert.equal(h.fake.getPayment(p.imp_uid)!.status, 'ready');
    const whole = await h.cancel({ merchant_uid: 'VB-PART', cancel_request_amount: 12000, reason: '주문 취소' });
    assert.equal(whole.body.revoked, true, 'the whole amount, as a client that always sends it would');
    assert.equal(h.fake.count('vbank'), 1);
  });
});

describe('POST /payments/cancel: phone payments (same calendar month in KST)', () => {
  it("refunds a phone payment in the month it was paid, and refuses one from an earlier month without calling i'mport", async () => {
    // 2026-02-01 00:10 KST = 2026-01-31 15:10 UTC
    const clock = createClock(Date.UTC(2026, 0, 31, 15, 10));
    h = await createHarness({ clock });
    const lastMonth = Date.UTC(2026, 0, 31, 14, 30) / 1000; // 2026-01-31 23:30 KST
    const thisMonth = Date.UTC(2026, 0, 31, 15, 5) / 1000; // 2026-02-01 00:05 KST
    h.fake.addPayment({
      merchant_uid: 'PH-OLD',
      amount: 3000,
      pay_method: 'phone',
      pg_provider: 'danal',
      paid_at: lastMonth,
    });
    h.fake.addPayment({
      merchant_uid: 'PH-NEW',
      amount: 3000,
      pay_method: 'phone',
      pg_provider: 'danal',
      paid_at: thisMonth,
    });
    const old = await h.cancel({ merchant_uid: 'PH-OLD', reason: 'x' });
    assert.equal(old.res.status, 409);
    assert.equal(old.body.error.code, 'REFUND_NOT_ALLOWED');
    assert.equal(h.fake.count('cancel'), 0);
    const fresh = await h.cancel({ merchant_uid: 'PH-NEW', reason: 'x' });
    assert.equal(fresh.res.status, 200);
  });
});

describe("POST /payments/cancel: i'mport refusals", () => {
  it("passes a PG refusal on as PG_PROVIDER (502) with i'mport's message, and changes nothing", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'ORD-PG', amount: 8000 });
    h.fake.inject({ kind: 'pg_refusal', message: '해당거래 취소실패' });
    const { res, body } = await h.cancel({ merchant_uid: 'ORD-PG', reason: 'x' });
    assert.equal(res.status, 502);
    assert.equal(body.error.code, 'PG_PROVIDER');
    assert.match(body.error.message, /해당거래 취소실패/);
    await ledgerMatchesFake('ORD-PG', p.imp_uid);
    assert.equal((await h.store.listAttempts('ORD-PG'))[0]!.outcome, 'rejected');
  });

  it('re-fetches on a checksum mismatch and answers CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN with the fresh balance', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'ORD-STALE', amount: 10000 });
    await h.view('ORD-STALE'); // the ledger now holds 10,000 refundable
    // Someone refunds 4,000 in the i'mport console; no webhook reaches us.
    const token = (await (
      await h.fake.fetch('http://iamport.test/users/getToken', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ imp_key: 'test_imp_key', imp_secret: 'test_imp_secret' }),
      })
    ).json()) as any;
    await h.fake.fetch('http://iamport.test/payments/cancel', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: token.response.access_token },
      body: JSON.stringify({ imp_uid: p.imp_uid, amount: 4000, reason: 'console' }),
    });

    const { res, body } = await h.cancel({ merchant_uid: 'ORD-STALE', reason: 'x' });
    assert.equal(res.status, 409);
    assert.equal(body.error.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    assert.equal(body.cancelable_amount, 6000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, 'the stale request refunded nothing');
    await ledgerMatchesFake('ORD-STALE', p.imp_uid);
    const retry = await h.cancel({ merchant_uid: 'ORD-STALE', reason: 'x' });
    assert.equal(retry.body.refunded, 6000);
  });
});
