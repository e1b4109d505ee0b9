// The V2 gateway against the fake PortOne V2: lookups mapped to the proxy's Payment, and cancels (the body V2 gets,
// the key, each documented error as a refusal kind, the outcomes nobody knows yet).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payment } from '../../payments/payment.ts';
import type { ChangeResult, Gateway } from '../gateway.ts';
import { commandFor, setupGateway } from './test-gateway.ts';

const paymentOf = async (gateway: Gateway, id: string): Promise<Payment> => {
  const found = await gateway.getPayment(id);
  assert.equal(found.kind, 'ok');
  return found.payment;
};

const refusalOf = (result: ChangeResult) => {
  assert.equal(result.kind, 'refused', JSON.stringify(result));
  return result;
};

describe('PortOne V2 lookups', () => {
  it('maps a paid card payment: paymentId as both ids, paid, card, the channel PG, every call signed', async () => {
    const { fake, gateway, calls } = setupGateway();
    fake.addPayment({ paymentId: 'order-1', total: 10000, pgProvider: 'KCP_V2', orderName: '책 한 권' });
    const found = await gateway.findPayment('order-1');
    assert.equal(found.kind, 'ok');
    const p = found.payment;
    assert.deepEqual(
      [p.imp_uid, p.merchant_uid, p.status, p.pay_method, p.pg_provider, p.name, p.amount, p.cancel_amount],
      ['order-1', 'order-1', 'paid', 'card', 'KCP_V2', '책 한 권', 10000, 0],
    );
    assert.equal(p.currency, 'KRW');
    assert.equal(p.paid_at, Date.UTC(2026, 0, 15, 3) / 1000);
    assert.deepEqual(p.cancel_history, []);
    assert.deepEqual(
      calls.map((c) => c.call),
      ['get_payment'],
    );
  });

  it("maps statuses: PARTIAL_CANCELLED is cancelled with cancel_amount, as i'mport says, an issued virtual account is ready vbank", async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'part', total: 10000, cancelled: 3000 });
    fake.addPayment({ paymentId: 'all', total: 10000, cancelled: 10000 });
    fake.addPayment({ paymentId: 'vbank', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    fake.addPayment({ paymentId: 'failed', total: 5000, status: 'FAILED' });
    const part = await paymentOf(gateway, 'part');
    assert.deepEqual([part.status, part.cancel_amount, part.cancel_history.length], ['cancelled', 3000, 1]);
    assert.equal(part.cancel_history[0]?.amount, 3000);
    assert.equal((await paymentOf(gateway, 'all')).status, 'cancelled');
    const vbank = await paymentOf(gateway, 'vbank');
    assert.deepEqual([vbank.status, vbank.pay_method, vbank.paid_at], ['ready', 'vbank', null]);
    assert.equal((await paymentOf(gateway, 'failed')).status, 'failed');
  });

  it('answers not_found for an unknown paymentId, and for a TEST channel payment unless told to take them', async () => {
    const { fake, gateway } = setupGateway();
    assert.deepEqual(await gateway.getPayment('nope'), { kind: 'not_found' });
    assert.deepEqual(await gateway.getPayment('..'), { kind: 'not_found' });
    const live = setupGateway({}, { testChannel: false });
    live.fake.addPayment({ paymentId: 'order-1', total: 1000 });
    assert.deepEqual(await live.gateway.getPayment('order-1'), { kind: 'not_found' });
    assert.equal(fake.count('payment'), 1);
  });

  it('is unavailable (auth) with a wrong secret, and (http_error) on a 5xx', async () => {
    const { fake, gateway } = setupGateway({}, { apiSecret: 'pg-secret-by-mistake' });
    fake.addPayment({ paymentId: 'order-1', total: 1000 });
    const found = await gateway.getPayment('order-1');
    assert.equal(found.kind, 'unavailable');
    assert.equal(found.reason, 'auth');
    const ok = setupGateway();
    ok.fake.addPayment({ paymentId: 'order-1', total: 1000 });
    ok.fake.inject({ kind: 'http_5xx', route: 'payment' });
    const failed = await ok.gateway.getPayment('order-1');
    assert.equal(failed.kind === 'unavailable' && failed.reason, 'http_error');
  });

  it('sends storeId when a sub-store is configured', async () => {
    const { fake, gateway } = setupGateway({ subStoreIds: ['store-sub-1'] }, { storeId: 'store-sub-1' });
    fake.addPayment({ paymentId: 'order-1', total: 1000, storeId: 'store-sub-1' });
    assert.equal((await gateway.getPayment('order-1')).kind, 'ok');
    const cancelled = await gateway.cancel(commandFor(await paymentOf(gateway, 'order-1')));
    assert.equal(cancelled.kind, 'ok');
    assert.equal(fake.getPayment('order-1', 'store-sub-1')?.status, 'CANCELLED');
  });
});

describe('PortOne V2 cancel', () => {
  it('cancels all that remains: no amount, the checksum as currentCancellableAmount, CUSTOMER, a quoted key', async () => {
    const { fake, gateway, calls } = setupGateway();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const payment = await paymentOf(gateway, 'order-1');
    const result = await gateway.cancel(commandFor(payment, { attemptId: 'attempt-0001' }));
    assert.equal(result.kind, 'ok');
    assert.deepEqual([result.payment.status, result.payment.cancel_amount], ['cancelled', 10000]);
    const [entry] = result.payment.cancel_history;
    assert.equal(entry?.amount, 10000);
    assert.equal(entry?.cancellation_id, fake.getPayment('order-1')?.cancellations[0]?.id);
    const sent = fake.calls.find((c) => c.route === 'cancel');
    assert.deepEqual(sent?.body, { reason: '단순 변심', requester: 'CUSTOMER', currentCancellableAmount: 10000 });
    assert.equal(sent?.idempotencyKey, '"refund-button:attempt:attempt-0001"');
    assert.deepEqual(
      calls.map((c) => c.call),
      ['get_payment', 'cancel_payment'],
    );
  });

  it('cancels part with amount, ADMIN, the tax parts, and the answer matches a re-read', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'order-1', total: 10000, taxFree: 2000 });
    const payment = await paymentOf(gateway, 'order-1');
    const command = commandFor(payment, { amount: 4000, requester: 'admin', taxFree: 1000, vat: 273 });
    const result = await gateway.cancel(command);
    assert.equal(result.kind, 'ok');
    const sent = fake.calls.find((c) => c.route === 'cancel')?.body;
    assert.deepEqual(sent, {
      reason: '단순 변심',
      amount: 4000,
      taxFreeAmount: 1000,
      vatAmount: 273,
      requester: 'ADMIN',
      currentCancellableAmount: 10000,
    });
    assert.deepEqual(result.payment, await paymentOf(gateway, 'order-1'));
    assert.deepEqual([result.payment.status, result.payment.cancel_amount], ['cancelled', 4000]);
  });

  it('sends a paid virtual account refund to refundAccount, the phone number only where V2 takes it (Smartro)', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'vb', total: 5000, method: 'virtual_account' });
    fake.addPayment({ paymentId: 'vb-smartro', total: 5000, method: 'virtual_account', pgProvider: 'SMARTRO_V2' });
    const refundAccount = { bank: 'STANDARD_CHARTERED', number: '11012345678', holder: '홍길동', tel: '01012345678' };
    for (const id of ['vb', 'vb-smartro']) {
      const payment = await paymentOf(gateway, id);
      assert.equal(payment.pay_method, 'vbank');
      assert.equal((await gateway.cancel(commandFor(payment, { refundAccount }))).kind, 'ok');
    }
    const [other, smartro] = fake.calls
      .filter((c) => c.route === 'cancel')
      .map((c) => c.body as Record<string, unknown>);
    const account = { bank: 'STANDARD_CHARTERED', number: '11012345678', holderName: '홍길동' };
    assert.deepEqual(other?.refundAccount, account, 'no phone number for a PG that does not take one');
    assert.deepEqual(smartro?.refundAccount, { ...account, holderPhoneNumber: '01012345678' });
  });

  it('derives the key from the client key, hashing one V2 would not take', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'a', total: 1000 });
    fake.addPayment({ paymentId: 'b', total: 1000 });
    await gateway.cancel(commandFor(await paymentOf(gateway, 'a'), { idempotencyKey: 'key-123' }));
    await gateway.cancel(commandFor(await paymentOf(gateway, 'b'), { idempotencyKey: '환불-"키"' }));
    const keys = fake.calls.filter((c) => c.route === 'cancel').map((c) => c.idempotencyKey);
    assert.equal(keys[0], '"refund-button:key:customer:a:key-123"');
    assert.match(keys[1] ?? '', /^"refund-button:key-sha256:[0-9a-f]{64}"$/);
    assert.equal(fake.count('cancel'), 2);
    assert.ok(fake.calls.every((c) => c.status === 200));
  });

  it('never replays one order’s answer for another, or a customer’s for a staff approval, under the same key', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'a', total: 1000 });
    fake.addPayment({ paymentId: 'b', total: 2000 });
    const key = { idempotencyKey: 'same-key-0001' };
    await gateway.cancel(commandFor(await paymentOf(gateway, 'a'), { ...key, amount: 500 }));
    const other = await gateway.cancel(commandFor(await paymentOf(gateway, 'b'), key));
    assert.equal(other.kind === 'ok' && other.payment.cancel_amount, 2000);
    const admin = await gateway.cancel(commandFor(await paymentOf(gateway, 'a'), { ...key, requester: 'admin' }));
    assert.equal(admin.kind === 'ok' && admin.payment.cancel_amount, 1000);
    assert.deepEqual(
      ['a', 'b'].map((id) => fake.getPayment(id)?.amount.cancelled),
      [1000, 2000],
    );
  });

  it("takes PortOne's 429 for a request that went nowhere (not sent), never a refusal", async () => {
    const { fake } = setupGateway();
    const limited: typeof fetch = async (input, init) =>
      String(input).endsWith('/cancel')
        ? new Response(JSON.stringify({ type: 'TOO_MANY_REQUESTS', message: 'slow down' }), { status: 429 })
        : fake.fetch(input, init);
    const { gateway } = setupGateway({}, { fetch: limited, apiSecret: fake.apiSecret });
    fake.addPayment({ paymentId: 'limited', total: 1000 });
    const result = await gateway.cancel(commandFor(await paymentOf(gateway, 'limited')));
    assert.equal(result.kind, 'not_sent', JSON.stringify(result));
    assert.equal(fake.getPayment('limited')?.amount.cancelled, 0);
  });

  it('never gives two orders one key where their ids and keys run together as text (X with Y:k, X:Y with k)', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'X', total: 1000 });
    fake.addPayment({ paymentId: 'X:Y', total: 2000 });
    await gateway.cancel(commandFor(await paymentOf(gateway, 'X'), { idempotencyKey: 'Y:k-0000000001' }));
    const other = await gateway.cancel(commandFor(await paymentOf(gateway, 'X:Y'), { idempotencyKey: 'k-0000000001' }));
    assert.equal(other.kind === 'ok' && other.payment.cancel_amount, 2000, JSON.stringify(other));
    assert.deepEqual(
      ['X', 'X:Y'].map((id) => fake.getPayment(id)?.amount.cancelled),
      [1000, 2000],
    );
    const keys = fake.calls.filter((c) => c.route === 'cancel').map((c) => c.idempotencyKey);
    assert.equal(keys[0], '"refund-button:key:customer:X:Y:k-0000000001"');
    assert.match(keys[1] ?? '', /^"refund-button:key-sha256:[0-9a-f]{64}"$/);
  });

  it('replays at PortOne when the same refund is sent again after a lost answer: refunded once', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const payment = await paymentOf(gateway, 'order-1');
    fake.inject({ kind: 'lose_response' });
    const command = commandFor(payment, { amount: 3000, idempotencyKey: 'client-key-0001' });
    const lost = await gateway.cancel(command);
    assert.equal(lost.kind, 'unknown');
    const again = await gateway.cancel({ ...command, attemptId: crypto.randomUUID() });
    assert.equal(again.kind, 'ok');
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 3000);
    assert.equal(fake.getPayment('order-1')?.cancellations.length, 1);
  });

  it('answers unknown for IDEMPOTENCY_OUTSTANDING_REQUEST, a 5xx, a timeout and a dropped answer', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const payment = await paymentOf(gateway, 'order-1');
    fake.inject({ kind: 'stall' });
    const command = commandFor(payment, { idempotencyKey: 'client-key-0002' });
    const first = gateway.cancel(command);
    while (fake.stalled === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = await gateway.cancel({ ...command, attemptId: crypto.randomUUID() });
    assert.equal(second.kind, 'unknown');
    assert.match(second.kind === 'unknown' ? second.detail : '', /IDEMPOTENCY_OUTSTANDING_REQUEST/);
    assert.equal(second.kind === 'unknown' && second.stillRunning, true);
    fake.releaseStalled();
    assert.equal((await first).kind, 'ok');

    fake.addPayment({ paymentId: 'order-2', total: 10000 });
    const two = await paymentOf(gateway, 'order-2');
    fake.inject({ kind: 'http_5xx', route: 'cancel', status: 504 });
    const five = await gateway.cancel(commandFor(two));
    assert.equal(five.kind === 'unknown' && five.reason, 'http_error');
    fake.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await gateway.cancel(commandFor(two))).kind, 'unknown');
    const slow = setupGateway({}, { timeoutMs: 20 });
    slow.fake.addPayment({ paymentId: 'order-3', total: 1000 });
    const three = await paymentOf(slow.gateway, 'order-3');
    slow.fake.inject({ kind: 'hold_response', ms: 5000 });
    const timedOut = await slow.gateway.cancel(commandFor(three));
    assert.equal(timedOut.kind === 'unknown' && timedOut.reason, 'timeout');
  });

  it('reads each documented refusal by its type', async () => {
    const { fake, gateway } = setupGateway({ maxCancelCount: 1 });
    fake.addPayment({ paymentId: 'done', total: 1000, cancelled: 1000 });
    fake.addPayment({ paymentId: 'open', total: 10000, taxFree: 1000 });
    const done = await paymentOf(gateway, 'done');
    const open = await paymentOf(gateway, 'open');
    const kinds = async (command: Parameters<Gateway['cancel']>[0]) => refusalOf(await gateway.cancel(command)).refusal;
    assert.equal(await kinds(commandFor(done, { checksum: 1000, amount: 1000 })), 'already_cancelled');
    assert.equal(await kinds(commandFor(open, { checksum: 9000 })), 'checksum');
    assert.equal(await kinds(commandFor(open, { amount: 20000 })), 'amount');
    assert.equal(await kinds(commandFor(open, { amount: 500, taxFree: 400, vat: 200 })), 'sum_of_parts');
    assert.equal(await kinds(commandFor(open, { amount: 3000, taxFree: 2000 })), 'tax_free_amount');
    // The tax-free part is 1000: a whole cancel said to be all taxable takes more tax than is left.
    assert.equal(await kinds(commandFor(open, {})), 'tax_amount');
    fake.inject({ kind: 'pg_refusal', pgCode: 'PG_1234', pgMessage: '한도 초과' });
    const pg = refusalOf(await gateway.cancel(commandFor(open, { amount: 1000 })));
    assert.deepEqual([pg.refusal, pg.message, pg.code, pg.httpStatus], ['pg', '한도 초과 (PG_1234)', null, 502]);
    assert.equal(await kinds(commandFor(open, { amount: 1000 })), 'max_cancel_count');
    fake.addPayment({ paymentId: 'unpaid', total: 1000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    assert.equal(await kinds(commandFor(await paymentOf(gateway, 'unpaid'))), 'not_paid');
  });

  it('is not_sent when PortOne refuses the secret', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'order-1', total: 1000 });
    const payment = await paymentOf(gateway, 'order-1');
    const wrong = setupGateway({}, { apiSecret: 'wrong', fetch: fake.fetch });
    assert.equal((await wrong.gateway.cancel(commandFor(payment))).kind, 'not_sent');
    assert.equal(fake.getPayment('order-1')?.status, 'PAID');
  });

  it('answers requested, with the payment as PortOne shows it, for a REQUESTED cancellation', async () => {
    const { fake, gateway } = setupGateway({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'order-1', total: 10000 });
    const payment = await paymentOf(gateway, 'order-1');
    const result = await gateway.cancel(commandFor(payment, { amount: 2000 }));
    assert.equal(result.kind, 'requested');
    assert.equal(result.cancellationId, fake.getPayment('order-1')?.cancellations[0]?.id);
    assert.deepEqual([result.payment.status, result.payment.cancel_amount], ['paid', 0]);
    assert.deepEqual(result.payment.cancel_history, []);
    assert.deepEqual(
      result.payment.cancels_pending?.map((c) => [c.amount, c.cancellation_id]),
      [[2000, result.cancellationId]],
    );
  });
});
