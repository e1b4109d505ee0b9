// The facade's typed outcomes, read without HTTP: what each use case answers for a refund, a revocation, a refusal, a
// replay, the view and the webhook's sync (the routes' rendering of them is tested through app.request()).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createBackground, type TrackedBackground } from '../background.ts';
import { createFakeIamport, type FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createIamportGateway } from '../gateways/iamport/gateway.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { type CancelInput, cancelRefund, type RefundDeps, syncFromWebhook, toAnswer, viewPayment } from './index.ts';

const T0 = 1_767_225_600_000;

let ids = 0;
let open: { deps: RefundDeps; background: TrackedBackground } | undefined;
afterEach(async () => {
  await open?.background.settled();
  await open?.deps.store.close();
  open = undefined;
});

const setup = async (): Promise<{ deps: RefundDeps; fake: FakeIamport }> => {
  const now = () => T0;
  const fake = createFakeIamport({ now });
  const store = createSqliteStore({ path: ':memory:' });
  await store.migrate();
  const background = createBackground();
  const deps: RefundDeps = {
    store,
    gateway: createIamportGateway({
      baseUrl: 'http://iamport.test',
      apiKey: 'test_imp_key',
      apiSecret: 'test_imp_secret',
      inicisPgApiKey: 'test_inicis_pg_key', // the fake's payments are KG Inicis's
      fetch: fake.fetch,
      now,
    }),
    now,
    sleep: async () => undefined,
    randomId: () => `id-${++ids}`,
    requestHashKeys: ['request-hash-key'],
    leaseWaitMs: 0,
    leaseTtlMs: 10_000,
    log: () => undefined,
    background,
  };
  open = { deps, background };
  return { deps, fake };
};

const input = (merchant_uid: string, extra: Partial<CancelInput['request']> = {}, key: string | null = null) => ({
  request: { merchant_uid, reason: '단순 변심', ...extra },
  grant: { sub: merchant_uid, exp: T0 / 1000 + 600 },
  idempotencyKey: key,
  clientIp: null,
  origin: null,
});

describe('cancelRefund: outcomes', () => {
  it("refunded: the amount, and the payment as i'mport now shows it", async () => {
    const { deps, fake } = await setup();
    fake.addPayment({ merchant_uid: 'O-1', amount: 9000 });
    const outcome = await cancelRefund(deps, input('O-1', { cancel_request_amount: 4000 }));
    assert.equal(outcome.kind, 'refunded');
    if (outcome.kind !== 'refunded') return;
    assert.deepEqual([outcome.refunded, outcome.payment.cancel_amount], [4000, 4000]);
    assert.equal(outcome.entry?.amount, 4000, 'the cancel_history entry this refund made');
  });

  it('revoked: an unpaid virtual account', async () => {
    const { deps, fake } = await setup();
    fake.addPayment({ merchant_uid: 'O-2', amount: 5000, pay_method: 'vbank', status: 'ready', paid_at: 0 });
    const outcome = await cancelRefund(deps, input('O-2'));
    assert.equal(outcome.kind, 'revoked');
  });

  it('failed: a code, the message, and the fresh balance where the client reloads', async () => {
    const { deps, fake } = await setup();
    fake.addPayment({ merchant_uid: 'O-3', amount: 1000 });
    assert.deepEqual(await cancelRefund(deps, input('O-3', { cancel_request_amount: 5000 })), {
      kind: 'failed',
      code: 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
      message: 'At most 1000 KRW can be refunded.',
      cancelable_amount: 1000,
    });
  });

  it("failed with PG_PROVIDER: i'mport's own words, also kept in the audit", async () => {
    const { deps, fake } = await setup();
    fake.addPayment({ merchant_uid: 'O-4', amount: 1000 });
    fake.inject({ kind: 'pg_refusal', message: '[PG] 취소 불가' });
    const outcome = await cancelRefund(deps, input('O-4'));
    assert.equal(outcome.kind === 'failed' && outcome.code, 'PG_PROVIDER');
    const [attempt] = await deps.store.listAttempts('O-4');
    assert.equal(outcome.kind === 'failed' && outcome.message, attempt?.iamport_message);
    assert.ok(attempt?.iamport_message?.includes('[PG] 취소 불가'));
  });

  it('replayed: the stored answer for a key, which is the first outcome rendered', async () => {
    const { deps, fake } = await setup();
    fake.addPayment({ merchant_uid: 'O-5', amount: 9000 });
    const first = await cancelRefund(deps, input('O-5', { cancel_request_amount: 1000 }, 'o-key'));
    await open?.background.settled();
    const again = await cancelRefund(deps, input('O-5', { cancel_request_amount: 1000 }, 'o-key'));
    assert.equal(again.kind, 'replayed');
    assert.deepEqual(again.kind === 'replayed' && again.answer, toAnswer(first));
    assert.equal(fake.count('cancel'), 1);
  });
});

describe('viewPayment and syncFromWebhook: outcomes', () => {
  it('a view of a known order; PAYMENT_NOT_FOUND for an unknown one', async () => {
    const { deps, fake } = await setup();
    fake.addPayment({ merchant_uid: 'O-6', amount: 3000 });
    const grant = { sub: 'O-6', exp: T0 / 1000 + 600 };
    const view = await viewPayment(deps, 'O-6', grant);
    assert.deepEqual(view.kind === 'view' && [view.view.cancelable_amount, view.view.refundable], [3000, true]);
    const unknown = await viewPayment(deps, 'O-NONE', { sub: 'O-NONE', exp: T0 / 1000 + 600 });
    assert.deepEqual(unknown.kind === 'failed' && unknown.code, 'PAYMENT_NOT_FOUND');
  });

  it("synced for a payment i'mport knows, stored in the ledger; PAYMENT_NOT_FOUND otherwise", async () => {
    const { deps, fake } = await setup();
    const p = fake.addPayment({ merchant_uid: 'O-7', amount: 3000 });
    assert.deepEqual(await syncFromWebhook(deps, p.imp_uid), { kind: 'synced' });
    assert.equal((await deps.store.getPayment('O-7'))?.imp_uid, p.imp_uid);
    const unknown = await syncFromWebhook(deps, 'imp_999999999999');
    assert.deepEqual(unknown.kind === 'failed' && unknown.code, 'PAYMENT_NOT_FOUND');
  });
});
