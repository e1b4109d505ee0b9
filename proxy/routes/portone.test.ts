// The proxy's routes on PortOne V2 (the harness over the fake V2): refunds of each kind, V2's refusals in our codes,
// idempotency at PortOne, a REQUESTED cancel settled by V2's signed webhook, and webhooks that do not verify.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { CancelSuccessSchema } from '../../shared/schemas/answers.ts';
import { createFakePortOne, type FakePortOne, type FakePortOneOptions } from '../gateways/portone/fake/fake-portone.ts';
import { signWebhook } from '../gateways/portone/fake/webhooks.ts';
import { createClock, createHarness, type Harness, PORTONE_WEBHOOK_SECRET } from '../test-support/harness.ts';

let h: Harness;
let fake: FakePortOne;
afterEach(async () => {
  // A webhook the fake sent in the background lands before the ledger closes.
  await fake?.flushWebhooks();
  await h?.settled();
  await h?.close();
});

/** A proxy on V2 whose fake sends its signed webhooks straight to the proxy's /webhooks/portone. */
const setup = async (options: FakePortOneOptions = {}) => {
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  fake = createFakePortOne({
    now: clock.now,
    webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
    webhookFetch: async (url, init) => h.app.request(String(url), init),
    ...options,
  });
  h = await createHarness({ clock, portone: fake });
};

/** A cancel straight at the fake, as from PortOne's console: our ledger does not see it. */
const cancelBehindOurBack = (paymentId: string, body: unknown, headers: Record<string, string> = {}) =>
  fake.fetch(`https://api.portone.io/payments/${paymentId}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `PortOne ${fake.apiSecret}`, ...headers },
    body: JSON.stringify(body),
  });

const cancels = () => fake.calls.filter((c) => c.route === 'cancel');

describe('refunds on PortOne V2', () => {
  it('refunds a card payment in full: V2 is asked once with the checksum, the answer is the widget’s', async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-1', total: 10000 });
    assert.equal((await h.view('ORD-1')).body.cancelable_amount, 10000);
    const { res, body } = await h.cancel({ merchant_uid: 'ORD-1', reason: '단순 변심' }, { key: 'key-ord-1-000001' });
    assert.equal(res.status, 200);
    assert.ok(v.safeParse(CancelSuccessSchema, body).success);
    assert.deepEqual(
      [body.refunded, body.cancel_amount, body.cancelable_amount, body.status],
      [10000, 10000, 0, 'cancelled'],
    );
    assert.equal(fake.getPayment('ORD-1')?.status, 'CANCELLED');
    const [sent] = cancels();
    assert.deepEqual(sent?.body, { reason: '단순 변심', requester: 'CUSTOMER', currentCancellableAmount: 10000 });
    assert.equal(sent?.idempotencyKey, '"refund-button:key:customer:ORD-1:key-ord-1-000001"');
  });

  it("refunds a payment whose id is made as PortOne's own guide makes it (payment-<uuid>: 44 characters)", async () => {
    await setup();
    const id = `payment-${randomUUID()}`;
    assert.equal(id.length, 44);
    fake.addPayment({ paymentId: id, total: 10000 });
    const view = await h.view(id);
    assert.equal(view.res.status, 200, JSON.stringify(view.body));
    assert.equal(view.body.cancelable_amount, 10000);
    const { res, body } = await h.cancel(
      { merchant_uid: id, cancel_request_amount: 4000, reason: 'r' },
      { key: 'K-44-00000001' },
    );
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.cancelable_amount, 6000);
    // A cancel made in PortOne's console reaches the ledger through V2's signed webhook.
    assert.equal((await cancelBehindOurBack(id, { reason: 'console', amount: 1000 })).status, 200);
    await fake.flushWebhooks();
    await h.settled();
    assert.equal((await h.store.getPayment(id))?.cancel_amount, 5000);
  });

  it("shows the tax-free part still refundable, and forwards the grant's split as taxFreeAmount/vatAmount", async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-TF', total: 20000, taxFree: 8000 });
    const before = await h.view('ORD-TF');
    assert.equal(before.body.cancelable_tax_free_amount, 8000);
    const grant = await h.grant('ORD-TF', { taxFreeAmount: 3000, vatAmount: 500 });
    const done = await h.cancel({ merchant_uid: 'ORD-TF', reason: 'r', cancel_request_amount: 8500 }, { grant });
    assert.equal(done.res.status, 200, JSON.stringify(done.body));
    const sent = cancels()[0]?.body as Record<string, unknown>;
    assert.deepEqual([sent.amount, sent.taxFreeAmount, sent.vatAmount], [8500, 3000, 500]);
    assert.equal((await h.view('ORD-TF')).body.cancelable_tax_free_amount, 5000, 'taxFree − cancelledTaxFree');
  });

  it("refunds a grant's split once: a second refund under it sends what of the tax-free part is left, and no VAT", async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-TF2', total: 10000, taxFree: 4000 });
    const grant = await h.grant('ORD-TF2', { maxAmount: 10000, jti: 'tf2', taxFreeAmount: 4000, vatAmount: 545 });
    for (const amount of [5000, 5000]) {
      const done = await h.cancel({ merchant_uid: 'ORD-TF2', reason: 'r', cancel_request_amount: amount }, { grant });
      assert.equal(done.res.status, 200, JSON.stringify(done.body));
    }
    assert.deepEqual(
      cancels().map((c) => {
        const sent = c.body as Record<string, unknown>;
        return [sent.amount, sent.taxFreeAmount, sent.vatAmount];
      }),
      [
        [5000, 4000, 545],
        // The grant's part went with its first refund; none is left, so none is sent (omitted: all taxable).
        [5000, undefined, undefined],
      ],
    );
    assert.equal((await h.view('ORD-TF2')).body.cancelable_amount, 0);
  });

  it("sends a grant's tax-free part once even where the payment has more of it left", async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-TF5', total: 10000, taxFree: 6000 });
    const grant = await h.grant('ORD-TF5', { maxAmount: 10000, jti: 'tf5', taxFreeAmount: 2000 });
    for (const amount of [3000, 3000]) {
      const done = await h.cancel({ merchant_uid: 'ORD-TF5', reason: 'r', cancel_request_amount: amount }, { grant });
      assert.equal(done.res.status, 200, JSON.stringify(done.body));
    }
    assert.deepEqual(
      cancels().map((c) => (c.body as Record<string, unknown>).taxFreeAmount),
      [2000, undefined],
      'the second refund is taxable: the taxable part left (3000) covers it',
    );
  });

  // Guards tax-split.ts grantTaxFree()'s cap (Math.min(part, left)): a grant's tax_free_amount above what of the
  // payment's tax-free part is left sends only what is left, and the least amount the grant lets through follows it.
  it("sends no more of a grant's tax-free part than the payment has left, and asks at least that much", async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-TF6', total: 10000, taxFree: 4000 });
    // 1000 of the tax-free part refunded at PortOne's console: 3000 of it left.
    assert.equal(
      (await cancelBehindOurBack('ORD-TF6', { reason: 'console', amount: 1000, taxFreeAmount: 1000 })).status,
      200,
    );
    await fake.flushWebhooks();
    await h.settled();
    assert.equal((await h.view('ORD-TF6')).body.cancelable_tax_free_amount, 3000);
    const grant = await h.grant('ORD-TF6', { maxAmount: 9000, jti: 'tf6', taxFreeAmount: 5000 });
    const below = await h.cancel({ merchant_uid: 'ORD-TF6', reason: 'r', cancel_request_amount: 2999 }, { grant });
    assert.equal(below.res.status, 400, JSON.stringify(below.body));
    assert.match(below.body.error.message, /at least 3000 KRW/, 'the floor is the part left, not the grant’s 5000');
    assert.equal(cancels().length, 1, 'only the console’s cancel reached PortOne');
    const done = await h.cancel({ merchant_uid: 'ORD-TF6', reason: 'r', cancel_request_amount: 3000 }, { grant });
    assert.equal(done.res.status, 200, JSON.stringify(done.body));
    const sent = cancels()[1]?.body as Record<string, unknown>;
    assert.deepEqual([sent.amount, sent.taxFreeAmount], [3000, 3000]);
    assert.equal((await h.view('ORD-TF6')).body.cancelable_tax_free_amount, 0);
  });

  it('refunds everything of a payment with a tax-free part with no split in the grant: the part left goes with it', async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-TF3', total: 10000, taxFree: 4000 });
    const part = await h.cancel({ merchant_uid: 'ORD-TF3', reason: 'r', cancel_request_amount: 7000 });
    assert.equal(part.res.status, 200, JSON.stringify(part.body));
    const rest = await h.cancel({ merchant_uid: 'ORD-TF3', reason: 'r' });
    assert.equal(rest.res.status, 200, JSON.stringify(rest.body));
    assert.deepEqual(
      cancels().map((c) => (c.body as Record<string, unknown>).taxFreeAmount),
      [1000, 3000],
      'the taxable part first: 7000 of which 6000 taxable, then the 3000 tax-free left',
    );
    assert.equal((await h.view('ORD-TF3')).body.cancelable_amount, 0);
  });

  it('refunds the rest beside a REQUESTED cancel: the tax-free part that cancel holds back is not sent again', async () => {
    await setup({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'ORD-TF4', total: 10000, taxFree: 4000 });
    const part = await h.cancel({ merchant_uid: 'ORD-TF4', reason: 'r', cancel_request_amount: 7000 });
    assert.deepEqual([part.res.status, part.body.accepted], [200, true], JSON.stringify(part.body));
    const rest = await h.cancel({ merchant_uid: 'ORD-TF4', reason: 'r', cancel_request_amount: 3000 });
    assert.equal(rest.res.status, 200, JSON.stringify(rest.body));
    assert.deepEqual(
      cancels().map((c) => (c.body as Record<string, unknown>).taxFreeAmount),
      [1000, 3000],
      'the 7000 held takes 1000 of the tax-free part: the 3000 left is all tax-free, as if the 7000 had finished',
    );
  });

  it('refunds part, then the rest', async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-2', total: 10000 });
    const first = await h.cancel({ merchant_uid: 'ORD-2', cancel_request_amount: 4000, reason: '부분' });
    assert.equal(first.res.status, 200);
    assert.deepEqual([first.body.refunded, first.body.cancelable_amount, first.body.status], [4000, 6000, 'cancelled']);
    const rest = await h.cancel({ merchant_uid: 'ORD-2', reason: '나머지' });
    assert.deepEqual([rest.res.status, rest.body.refunded, rest.body.cancelable_amount], [200, 6000, 0]);
    assert.deepEqual(
      cancels().map((c) => (c.body as { amount?: number; currentCancellableAmount: number }).currentCancellableAmount),
      [10000, 6000],
    );
    assert.equal(fake.getPayment('ORD-2')?.amount.cancelled, 10000);
  });

  it('refunds a paid virtual account into the account given, with a V2 bank code', async () => {
    await setup();
    fake.addPayment({ paymentId: 'VB-1', total: 5000, method: 'virtual_account' });
    const view = await h.view('VB-1');
    assert.equal(view.body.refund_account_required, true);
    const { res, body } = await h.cancel({
      merchant_uid: 'VB-1',
      reason: '단순 변심',
      refund_holder: '홍길동',
      refund_bank: 'LOCAL_NONGHYUP',
      refund_account: '301-1234-5678-91',
    });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.pending, true);
    assert.deepEqual((cancels()[0]?.body as Record<string, unknown> | undefined)?.refundAccount, {
      bank: 'LOCAL_NONGHYUP',
      number: '3011234567891',
      holderName: '홍길동',
    });
  });

  it("asks for the holder's phone number on Smartro, and sends it as holderPhoneNumber", async () => {
    await setup();
    fake.addPayment({ paymentId: 'VB-2', total: 5000, method: 'virtual_account', pgProvider: 'SMARTRO_V2' });
    const view = await h.view('VB-2');
    assert.deepEqual([view.body.pg_provider, view.body.refund_tel_required], ['SMARTRO_V2', true]);
    const account = { refund_holder: '홍길동', refund_bank: 'SHINHAN', refund_account: '110123456789' };
    const missing = await h.cancel({ merchant_uid: 'VB-2', reason: 'r', ...account });
    assert.equal(missing.body.error.code, 'REFUND_ACCOUNT_REQUIRED');
    const { res } = await h.cancel({ merchant_uid: 'VB-2', reason: 'r', ...account, refund_tel: '010-1234-5678' });
    assert.equal(res.status, 200);
    const sent = cancels()[0]?.body as { refundAccount?: unknown } | undefined;
    assert.deepEqual(sent?.refundAccount, {
      bank: 'SHINHAN',
      number: '110123456789',
      holderName: '홍길동',
      holderPhoneNumber: '01012345678',
    });
  });

  it('closes an unpaid virtual account with V2’s own call, never a cancel', async () => {
    await setup();
    fake.addPayment({ paymentId: 'VB-3', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    assert.equal((await h.view('VB-3')).body.revocable, true);
    const { res, body } = await h.cancel({ merchant_uid: 'VB-3', reason: '주문 취소' });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.revoked, true);
    assert.deepEqual([fake.count('close'), fake.count('cancel')], [1, 0]);
    assert.equal(fake.getPayment('VB-3')?.status, 'FAILED');
    const after = (await h.view('VB-3')).body;
    assert.deepEqual(
      [after.refundable, after.reason, after.cancelable_amount, after.refund_account_required, after.banks],
      [false, 'not_paid', 0, false, undefined],
      'closed unpaid: nothing to refund, no account asked for, as the close answered',
    );
  });

  it('answers CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN with the new balance when someone refunded at PortOne', async () => {
    await setup();
    // No webhook: the ledger must not learn of the refund at PortOne before the proxy's own cancel does.
    fake.setWebhookTarget(undefined);
    fake.addPayment({ paymentId: 'ORD-3', total: 10000 });
    await h.view('ORD-3');
    assert.equal((await cancelBehindOurBack('ORD-3', { reason: 'console', amount: 3000 })).status, 200);
    const { res, body } = await h.cancel({ merchant_uid: 'ORD-3', cancel_request_amount: 5000, reason: 'r' });
    assert.equal(res.status, 409);
    assert.equal(body.error.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    assert.equal(body.cancelable_amount, 7000);
    assert.equal(fake.getPayment('ORD-3')?.amount.cancelled, 3000);
  });

  it("answers PG_PROVIDER with the PG's words, and V2's own refusals in the new codes", async () => {
    await setup({ maxCancelCount: 1 });
    fake.addPayment({ paymentId: 'ORD-4', total: 10000 });
    fake.inject({ kind: 'pg_refusal', pgCode: 'E101', pgMessage: '카드사 승인 취소 거절' });
    const pg = await h.cancel({ merchant_uid: 'ORD-4', cancel_request_amount: 1000, reason: 'r' });
    assert.deepEqual([pg.res.status, pg.body.error.code], [502, 'PG_PROVIDER']);
    assert.match(pg.body.error.message, /카드사 승인 취소 거절 \(E101\)/);
    const max = await h.cancel({ merchant_uid: 'ORD-4', cancel_request_amount: 1000, reason: 'r' });
    assert.deepEqual([max.res.status, max.body.error.code], [409, 'MAX_CANCEL_COUNT_REACHED']);
    assert.equal(fake.getPayment('ORD-4')?.amount.cancelled, 0);
  });
});

describe('idempotency at PortOne V2', () => {
  it('refunds once when the answer is lost and the same request is sent again with the same key', async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-5', total: 10000 });
    await h.view('ORD-5');
    fake.inject({ kind: 'lose_response', route: 'cancel' });
    fake.inject({ kind: 'http_5xx', route: 'payment' });
    const lost = await h.cancel(
      { merchant_uid: 'ORD-5', cancel_request_amount: 3000, reason: 'r' },
      { key: 'K-5-0000000001' },
    );
    assert.deepEqual([lost.res.status, lost.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    await h.settled();
    const again = await h.cancel(
      { merchant_uid: 'ORD-5', cancel_request_amount: 3000, reason: 'r' },
      { key: 'K-5-0000000001' },
    );
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.refunded, 3000);
    assert.equal(fake.getPayment('ORD-5')?.amount.cancelled, 3000);
    assert.equal(fake.getPayment('ORD-5')?.cancellations.length, 1);
  });

  it('answers REFUND_OUTCOME_UNKNOWN while PortOne still runs a request with the key, then the one refund', async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-6', total: 10000 });
    await h.view('ORD-6');
    fake.inject({ kind: 'stall', route: 'cancel' });
    const key = '"refund-button:key:customer:ORD-6:K-6-0000000001"';
    const first = cancelBehindOurBack('ORD-6', { reason: 'r', amount: 2000 }, { 'Idempotency-Key': key });
    while (fake.stalled === 0) await new Promise((resolve) => setImmediate(resolve));
    const busy = await h.cancel(
      { merchant_uid: 'ORD-6', cancel_request_amount: 2000, reason: 'r' },
      { key: 'K-6-0000000001' },
    );
    assert.deepEqual([busy.res.status, busy.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    const attempts = await h.store.listAttempts('ORD-6');
    assert.equal(attempts[0]?.outcome, 'unknown', 'the attempt stays unsettled, not failed');
    fake.releaseStalled();
    assert.equal((await first).status, 200);
    await h.settled();
    const settled = await h.cancel(
      { merchant_uid: 'ORD-6', cancel_request_amount: 2000, reason: 'r' },
      { key: 'K-6-0000000001' },
    );
    assert.equal(settled.res.status, 200, JSON.stringify(settled.body));
    assert.equal(fake.getPayment('ORD-6')?.amount.cancelled, 2000);
  });
});

describe('POST /webhooks/portone', () => {
  it('sends a refund made while another cancel is REQUESTED with the checksum less that cancel, as V2 counts it', async () => {
    await setup({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'ORD-7B', total: 10000 });
    await h.view('ORD-7B');
    const first = await h.cancel({ merchant_uid: 'ORD-7B', reason: 'r', cancel_request_amount: 4000 });
    assert.deepEqual([first.res.status, first.body.accepted, first.body.cancelable_amount], [200, true, 6000]);
    const second = await h.cancel({ merchant_uid: 'ORD-7B', reason: 'r', cancel_request_amount: 1000 });
    assert.equal(second.res.status, 200, JSON.stringify(second.body));
    assert.equal(second.body.cancelable_amount, 5000, 'the same figure as the first answer, less this one');
    assert.deepEqual(
      cancels().map((c) => (c.body as Record<string, unknown>).currentCancellableAmount),
      [10000, 6000],
    );
  });

  it('settles a REQUESTED cancel when V2 signs Transaction.Cancelled: the payment is re-fetched', async () => {
    await setup({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'ORD-7', total: 10000 });
    await h.view('ORD-7');
    const asked = await h.cancel({ merchant_uid: 'ORD-7', reason: 'r' }, { key: 'K-7-0000000001' });
    assert.equal(asked.res.status, 200, JSON.stringify(asked.body));
    assert.deepEqual(
      [asked.body.pending, asked.body.accepted, asked.body.refunded, asked.body.cancelable_amount],
      [true, true, 10000, 0],
      'accepted, to finish later: pending, and nothing left to refund meanwhile',
    );
    assert.equal((await h.view('ORD-7')).body.reason, 'OUTCOME_PENDING_CHECK', 'the order waits for the outcome');
    await fake.flushWebhooks();
    await h.settled();
    // Transaction.CancelPending re-fetched the payment: the cancellation shows as unfinished, so nothing is settled.
    assert.equal((await h.store.listAttempts('ORD-7'))[0]?.outcome, 'unknown');
    h.clock.advance(3000);
    const lookups = fake.count('payment');
    const cancellation = fake.getPayment('ORD-7')?.cancellations[0];
    fake.settleCancellation('ORD-7', cancellation?.id ?? '', 'SUCCEEDED');
    await fake.flushWebhooks();
    await h.settled();
    assert.deepEqual(
      fake.webhooks.map((w) => [w.type, w.status]),
      [
        ['Transaction.CancelPending', 200],
        ['Transaction.Cancelled', 200],
      ],
    );
    assert.ok(fake.count('payment') > lookups, 'the payment was re-fetched, not read from the body');
    assert.equal((await h.store.listAttempts('ORD-7'))[0]?.outcome, 'succeeded');
    assert.equal((await h.store.getPayment('ORD-7'))?.cancel_amount, 10000);
  });

  it('answers 401 to an unsigned, wrongly signed or stale webhook, and asks PortOne nothing', async () => {
    await setup();
    fake.addPayment({ paymentId: 'ORD-8', total: 10000 });
    const body = JSON.stringify({ type: 'Transaction.Cancelled', data: { paymentId: 'ORD-8' } });
    const nowSec = Math.floor(h.clock.now() / 1000);
    const post = async (secret: string | null, at = nowSec) =>
      h.app.request('/webhooks/portone', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(secret === null
            ? {}
            : {
                'webhook-id': 'msg_8',
                'webhook-timestamp': String(at),
                'webhook-signature': await signWebhook(secret, 'msg_8', at, body),
              }),
        },
        body,
      });
    const other = `whsec_${btoa('some-other-webhook-secret-bytes!')}`;
    for (const res of [await post(null), await post(other), await post(PORTONE_WEBHOOK_SECRET, nowSec - 600)]) {
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    }
    assert.equal(fake.count('payment'), 0);
    assert.equal(await h.store.getPayment('ORD-8'), null);
    assert.equal((await post(PORTONE_WEBHOOK_SECRET)).status, 200);
    assert.equal(fake.count('payment'), 1);
  });
});
