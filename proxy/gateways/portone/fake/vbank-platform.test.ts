/**
 * @module Tests of `POST /payments/{paymentId}/virtual-account/close` (closeVirtualAccount: CloseVirtualAccountResponse,
 * CloseVirtualAccountError) and `GET /platform/bank-accounts/{bank}/{accountNumber}/holder` (getPlatformAccountHolder:
 * PlatformAccountHolder, GetPlatformAccountHolderError) against the V2 OpenAPI.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BANKS } from './banks.ts';
import { assertPayment, assertSchema } from './openapi-facts.ts';
import { api, setup } from './test-fixture.ts';

const close = (fake: ReturnType<typeof setup>['fake'], paymentId: string, query = '') =>
  api(fake).post(`/payments/${paymentId}/virtual-account/close${query}`, {});

describe('POST /payments/{paymentId}/virtual-account/close', () => {
  it('closes an account awaiting deposit: { closedAt }, and the payment is FAILED from then on', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    const { status, body } = await close(fake, 'order-1');
    assert.equal(status, 200);
    assertSchema('CloseVirtualAccountResponse', body);
    assert.equal(body.closedAt, '2026-01-15T03:00:00.000Z');
    const payment = assertPayment((await api(fake).get('/payments/order-1')).body);
    assert.equal(payment.status, 'FAILED');
  });

  it('answers 409 PAYMENT_NOT_WAITING_FOR_DEPOSIT once a deposit() landed: the payment is a PAID one', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'order-1', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    assert.equal(fake.deposit('order-1'), true);
    assert.equal(fake.deposit('order-1'), false, 'paid already');
    const payment = assertPayment((await api(fake).get('/payments/order-1')).body);
    assert.deepEqual([payment.status, (payment.amount as { paid: number }).paid], ['PAID', 5000]);
    assert.equal((await close(fake, 'order-1')).body.type, 'PAYMENT_NOT_WAITING_FOR_DEPOSIT');
  });

  it('answers 409 PAYMENT_NOT_WAITING_FOR_DEPOSIT for a paid account, a card payment and a closed account', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'paid', total: 5000, method: 'virtual_account' });
    fake.addPayment({ paymentId: 'card', total: 5000 });
    fake.addPayment({ paymentId: 'open', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    await close(fake, 'open');
    for (const paymentId of ['paid', 'card', 'open']) {
      const { status, body } = await close(fake, paymentId);
      assert.deepEqual([paymentId, status, body.type], [paymentId, 409, 'PAYMENT_NOT_WAITING_FOR_DEPOSIT']);
    }
  });

  it('answers 404 PAYMENT_NOT_FOUND, 403 FORBIDDEN for a store out of reach, 502 PG_PROVIDER on a PG refusal', async () => {
    const { fake } = setup();
    fake.addPayment({ paymentId: 'open', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
    assert.equal((await close(fake, 'nope')).body.type, 'PAYMENT_NOT_FOUND');
    assert.equal((await close(fake, 'open', '?storeId=store-other')).body.type, 'FORBIDDEN');
    fake.inject({ kind: 'pg_refusal', route: 'close', pgCode: 'V01', pgMessage: '말소 불가' });
    const refused = await close(fake, 'open');
    assert.deepEqual([refused.status, refused.body.type, refused.body.pgCode], [502, 'PG_PROVIDER', 'V01']);
    assert.equal(fake.getPayment('open')?.status, 'VIRTUAL_ACCOUNT_ISSUED');
  });
});

describe('GET /platform/bank-accounts/{bank}/{accountNumber}/holder', () => {
  const holder = (fake: ReturnType<typeof setup>['fake'], path: string, query = '') =>
    api(fake).get(`/platform/bank-accounts/${path}/holder${query}`);

  it('answers 403 PLATFORM_NOT_ENABLED (PlatformNotEnabledError) without the Platform product', async () => {
    const { fake } = setup();
    fake.addAccount({ bank: 'SHINHAN', number: '110123456789', holderName: '홍길동' });
    const { status, body } = await holder(fake, 'SHINHAN/110123456789');
    assert.deepEqual([status, body.type], [403, 'PLATFORM_NOT_ENABLED']);
  });

  it('answers PlatformAccountHolder for a known account when the platform is enabled', async () => {
    const { fake } = setup({ platformEnabled: true });
    fake.addAccount({ bank: 'K_BANK', number: '100200300400', holderName: '(주)가나다' });
    const { status, body } = await holder(fake, 'K_BANK/100200300400');
    assert.equal(status, 200);
    assertSchema('PlatformAccountHolder', body);
    assert.equal(body.holderName, '(주)가나다');
    assert.equal(typeof body.accountVerificationId, 'string');
  });

  it('follows the platformEnabled switch flipped while running', async () => {
    const { fake } = setup();
    fake.addAccount({ bank: 'SHINHAN', number: '1', holderName: '홍길동' });
    fake.settings.platformEnabled = true;
    assert.equal((await holder(fake, 'SHINHAN/1')).status, 200);
  });

  it('answers 400 PLATFORM_NOT_SUPPORTED_BANK for a bank the lookup does not cover, 400 INVALID_REQUEST outside the Bank enum', async () => {
    const { fake } = setup({ platformEnabled: true });
    const unsupported = await holder(fake, 'KB_SECURITIES/123');
    assert.deepEqual([unsupported.status, unsupported.body.type], [400, 'PLATFORM_NOT_SUPPORTED_BANK']);
    const unknown = await holder(fake, 'SHINHAN_BANK/123');
    assert.deepEqual([unknown.status, unknown.body.type], [400, 'INVALID_REQUEST']);
  });

  it('answers 400 INVALID_REQUEST for both birthdate and businessRegistrationNumber ("중 하나만")', async () => {
    const { fake } = setup({ platformEnabled: true });
    fake.addAccount({ bank: 'SHINHAN', number: '1', holderName: '홍길동' });
    const { status, body } = await holder(fake, 'SHINHAN/1', '?birthdate=900101&businessRegistrationNumber=1234567890');
    assert.deepEqual([status, body.type], [400, 'INVALID_REQUEST']);
  });

  it('answers 503 PLATFORM_EXTERNAL_API_FAILED for an account the bank does not know (the fake’s choice)', async () => {
    const { fake } = setup({ platformEnabled: true });
    const { status, body } = await holder(fake, 'SHINHAN/999');
    assert.deepEqual([status, body.type], [503, 'PLATFORM_EXTERNAL_API_FAILED']);
  });
});

describe('the Bank enum (components.schemas.Bank)', () => {
  it('has the OpenAPI’s 79 values, with its spellings of K_BANK, STANDARD_CHARTERED and LOCAL_NONGHYUP', () => {
    assert.equal(BANKS.length, 79);
    assert.equal(new Set(BANKS).size, 79);
    for (const bank of ['K_BANK', 'STANDARD_CHARTERED', 'LOCAL_NONGHYUP', 'SHINHAN', 'KOOKMIN'] as const) {
      assert.ok(BANKS.includes(bank), bank);
    }
  });
});
