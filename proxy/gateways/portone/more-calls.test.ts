// The V2 gateway's other calls against the fake PortOne V2: closing an unpaid virtual account, the refund banks,
// inbound webhooks (Standard Webhooks) and the account-holder lookup.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { BANKS_V2 } from '../../../shared/banks-v2.ts';
import { BankCodeSchema } from '../../../shared/schemas/fields.ts';
import type { Payment } from '../../payments/payment.ts';
import { BANKS } from './fake/banks.ts';
import { signWebhook } from './fake/webhooks.ts';
import { setupGateway, WEBHOOK_SECRET } from './test-gateway.ts';

const paymentOf = async (gateway: ReturnType<typeof setupGateway>['gateway'], id: string): Promise<Payment> => {
  const found = await gateway.getPayment(id);
  assert.equal(found.kind, 'ok');
  return found.payment;
};

describe('PortOne V2 virtual-account close', () => {
  it('closes an issued account with its own call; the payment is then failed, as a re-read shows', async () => {
    const { fake, gateway, calls } = setupGateway();
    fake.addPayment({ paymentId: 'vb', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    const result = await gateway.closeVirtualAccount(await paymentOf(gateway, 'vb'));
    assert.equal(result.kind, 'ok');
    assert.equal(result.payment.status, 'failed');
    assert.equal((await paymentOf(gateway, 'vb')).status, 'failed');
    assert.equal(fake.count('cancel'), 0);
    assert.ok(calls.some((c) => c.call === 'close_virtual_account'));
  });

  it('is refused when the account no longer waits for a deposit, and unknown when the answer is lost', async () => {
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'paid', total: 5000, method: 'virtual_account' });
    const refused = await gateway.closeVirtualAccount(await paymentOf(gateway, 'paid'));
    assert.equal(refused.kind, 'refused');
    assert.match(refused.kind === 'refused' ? refused.message : '', /PAYMENT_NOT_WAITING_FOR_DEPOSIT/);
    fake.addPayment({ paymentId: 'vb', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    fake.inject({ kind: 'lose_response', route: 'close' });
    assert.equal((await gateway.closeVirtualAccount(await paymentOf(gateway, 'vb'))).kind, 'unknown');
  });
});

describe('PortOne V2 refund banks', () => {
  it('has all 79 Bank values, named in Korean and English, and offers those that hold customer accounts', async () => {
    assert.deepEqual(
      BANKS_V2.map((b) => b.code),
      [...BANKS],
    );
    assert.ok(BANKS_V2.every((b) => b.name_ko !== '' && b.name_en !== ''));
    const { fake, gateway } = setupGateway();
    fake.addPayment({ paymentId: 'vb', total: 5000, method: 'virtual_account' });
    const offered = gateway.refundBanks(await paymentOf(gateway, 'vb')).map((b) => b.code);
    assert.ok(
      offered.includes('LOCAL_NONGHYUP') && offered.includes('STANDARD_CHARTERED') && offered.includes('K_BANK'),
    );
    assert.ok(!offered.includes('BANK_OF_KOREA'));
  });

  it("passes every V2 bank code through the refund_bank field rule, and still V1's PG codes", () => {
    for (const { code } of BANKS_V2) assert.ok(v.is(BankCodeSchema, code), code);
    for (const code of ['BK88', '88', '088', '004']) assert.ok(v.is(BankCodeSchema, code), code);
    for (const code of ['shinhan', 'A', '_SHINHAN', 'SHINHAN_', 'A_B_C_D_E', 'BK88_X1', 'ABCDEFGHIJ']) {
      assert.ok(!v.is(BankCodeSchema, code), code);
    }
  });
});

describe('PortOne V2 inbound webhooks', () => {
  const body = JSON.stringify({
    type: 'Transaction.Cancelled',
    timestamp: '2026-01-15T03:00:00.000Z',
    data: { paymentId: 'order-1', storeId: 'store-fake-0000', transactionId: 't', cancellationId: 'c' },
  });
  const signed = async (at: number, text = body, secret = WEBHOOK_SECRET) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(at),
    'webhook-signature': await signWebhook(secret, 'msg_1', at, text),
  });

  it('re-fetches the paymentId of a verified Transaction webhook (as the fake signs it)', async () => {
    const { gateway, clock } = setupGateway();
    const at = clock.ms / 1000;
    assert.deepEqual(await gateway.readWebhook({ headers: await signed(at), body }), {
      kind: 'refetch',
      paymentId: 'order-1',
    });
    // The secret as PortOne's SDK also takes it, the base64 without whsec_: the same key.
    const bare = setupGateway({}, { webhookSecret: WEBHOOK_SECRET.slice('whsec_'.length) });
    assert.equal((await bare.gateway.readWebhook({ headers: await signed(at), body })).kind, 'refetch');
    // Several signatures (a secret being rotated): one that holds is enough.
    const headers = await signed(at);
    headers['webhook-signature'] = `v1,AAAA ${headers['webhook-signature']}`;
    assert.equal((await gateway.readWebhook({ headers, body })).kind, 'refetch');
  });

  it('rejects as unverified an unsigned, wrongly signed, tampered or stale webhook', async () => {
    const { gateway, clock } = setupGateway();
    const at = clock.ms / 1000;
    const reasons = [
      await gateway.readWebhook({ headers: {}, body }),
      await gateway.readWebhook({
        headers: await signed(at, body, `whsec_${btoa('another-secret-of-32-bytes-long!')}`),
        body,
      }),
      await gateway.readWebhook({ headers: await signed(at), body: body.replace('order-1', 'order-2') }),
      await gateway.readWebhook({ headers: await signed(at - 301), body }),
      await gateway.readWebhook({ headers: await signed(at + 301), body }),
    ].map((reading) => (reading.kind === 'rejected' ? reading.reason : reading.kind));
    assert.deepEqual(reasons, ['unverified', 'unverified', 'unverified', 'unverified', 'unverified']);
    assert.equal((await gateway.readWebhook({ headers: await signed(at - 299), body })).kind, 'refetch');
  });

  it('acknowledges a verified webhook of another kind, and calls a verified one without a paymentId malformed', async () => {
    const { gateway, clock } = setupGateway();
    const at = clock.ms / 1000;
    const billing = JSON.stringify({ type: 'BillingKey.Issued', data: { billingKey: 'b' } });
    assert.deepEqual(await gateway.readWebhook({ headers: await signed(at, billing), body: billing }), {
      kind: 'ignored',
    });
    const bare = JSON.stringify({ type: 'Transaction.Paid', data: {} });
    const reading = await gateway.readWebhook({ headers: await signed(at, bare), body: bare });
    assert.equal(reading.kind === 'rejected' && reading.reason, 'malformed');
  });
});

describe('PortOne V2 account-holder lookup', () => {
  it('answers the holder with the Platform product, not_offered without it', async () => {
    const { fake, gateway, calls } = setupGateway({ platformEnabled: true });
    fake.addAccount({ bank: 'KOOKMIN', number: '12345678901234', holderName: '홍길동' });
    assert.deepEqual(await gateway.lookupHolder?.({ bank: 'KOOKMIN', number: '12345678901234' }), {
      kind: 'ok',
      holder: '홍길동',
    });
    assert.ok(calls.some((c) => c.call === 'get_account_holder'));
    fake.settings.platformEnabled = false;
    assert.deepEqual(await gateway.lookupHolder?.({ bank: 'KOOKMIN', number: '12345678901234' }), {
      kind: 'not_offered',
    });
  });

  it('logs an answer it cannot use with the account number masked, never whole', async () => {
    const lines: unknown[] = [];
    const { fake } = setupGateway({ platformEnabled: true });
    const odd: typeof fetch = async (input, init) =>
      String(input).includes('/platform/bank-accounts/')
        ? new Response(JSON.stringify({ holderName: 7 }), { status: 200 })
        : fake.fetch(input, init);
    const { gateway } = setupGateway({}, { fetch: odd, apiSecret: fake.apiSecret, log: (line) => lines.push(line) });
    const seen = await gateway.lookupHolder?.({ bank: 'KOOKMIN', number: '12345678901234' });
    assert.equal(seen?.kind, 'unavailable');
    assert.equal(lines.length, 1);
    assert.ok(!JSON.stringify(lines).includes('12345678901234'), JSON.stringify(lines));
    assert.match(JSON.stringify(lines), /\*\*\*\*1234/);
  });

  it("answers unavailable when the bank's side fails (its 503), as when PortOne fails: never a mismatch", async () => {
    const { fake, gateway } = setupGateway({ platformEnabled: true });
    // The fake answers an account it does not know with PLATFORM_EXTERNAL_API_FAILED, a 503 PortOne documents as the
    // bank's side failing: it says nothing of the account.
    const unknown = await gateway.lookupHolder?.({ bank: 'KOOKMIN', number: '99999999999' });
    assert.equal(unknown?.kind, 'unavailable');
    assert.deepEqual(await gateway.lookupHolder?.({ bank: 'KB_SECURITIES', number: '99999999999' }), {
      kind: 'not_offered',
    });
    fake.inject({ kind: 'http_5xx', route: 'holder' });
    const failed = await gateway.lookupHolder?.({ bank: 'KOOKMIN', number: '99999999999' });
    assert.equal(failed?.kind, 'unavailable');
  });
});
