/**
 * @module The conformance scenarios both gateways share: /health, the view of a card payment, refunds in full and in
 * part, a paid virtual account's refund, bad grants and idempotent replays. Each runs against the proxy on one runtime
 * through its public HTTP surface, and checks what reached the fake gateway (through a GatewayProbe) and the ledger.
 * Called inside each gateway's describe() (conformance.ts for i'mport V1, conformance-portone.ts for PortOne V2),
 * beside the scenarios only that gateway has.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mintGrant } from '../proxy/auth/grant.ts';
import type { GatewayProbe } from './gateway-probes.ts';
import { GRANT_SECRET, type Ledger, type RunningProxy, type RuntimeName } from './harness.ts';
import { scenarioClient } from './scenario-client.ts';
import type { ServedFake } from './stack.ts';

export const runRefundScenarios = (
  runtime: RuntimeName,
  stack: { readonly proxy: RunningProxy; readonly ledger: Ledger; readonly served: ServedFake },
  gateway: GatewayProbe,
): void => {
  const { client, call, cancel, attempts, ledgerCancelAmount } = scenarioClient(runtime, stack);
  const label = gateway.name === 'iamport' ? "i'mport" : 'PortOne V2';

  it(`answers /health: ok, on the PostgreSQL ledger, with the fake ${label} as its gateway`, async () => {
    const { res, body } = await call('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(
      body,
      { ok: true, store: 'postgres', gateway: gateway.name, [gateway.name]: stack.served.url, mode: 'live' },
      'HEALTH_DETAILS=true shows more',
    );
    const [migrations] = await stack.ledger.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM schema_migrations`;
    assert.ok(migrations!.n >= 1, 'the runtime migrated the ledger in its own schema');
  });

  it(`shows the refund view of a card payment it first reads from ${label}`, async () => {
    const fromGateway = gateway.addCard({ merchantUid: 'RT-VIEW', amount: 9000, name: '반팔 티셔츠' });
    const { res, body } = await call('/payments/RT-VIEW', { merchantUid: 'RT-VIEW' });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body, {
      merchant_uid: 'RT-VIEW',
      imp_uid: fromGateway.imp_uid,
      name: '반팔 티셔츠',
      amount: 9000,
      cancel_amount: 0,
      cancelable_amount: 9000,
      cancelable_tax_free_amount: fromGateway.cancelable_tax_free_amount,
      currency: 'KRW',
      pay_method: 'card',
      pg_provider: fromGateway.pg_provider,
      status: 'paid',
      paid_at: fromGateway.paid_at,
      refundable: true,
      revocable: false,
      refund_account_required: false,
      refund_tel_required: false,
      payout_estimate: null,
      request_mode: false,
      request: null,
    });
    assert.equal(await ledgerCancelAmount('RT-VIEW'), 0, 'the order is in the ledger now');
  });

  it("refunds a card payment in full, and audits it with the client's IP", async () => {
    gateway.addCard({ merchantUid: 'RT-FULL', amount: 4000 });
    const { res, body } = await cancel({ merchant_uid: 'RT-FULL', reason: '단순 변심' });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.refunded, 4000);
    assert.equal(body.cancelable_amount, 0);
    assert.equal(gateway.cancelled('RT-FULL'), 4000);
    assert.equal(await ledgerCancelAmount('RT-FULL'), 4000);
    const [attempt] = await attempts('RT-FULL');
    assert.equal(attempt!.outcome, 'succeeded');
    assert.equal(attempt!.refunded, 4000);
    assert.match(attempt!.client_ip ?? '', client.ip);
  });

  it('refunds part of a payment, twice, leaving the rest refundable', async () => {
    gateway.addCard({ merchantUid: 'RT-PART', amount: 10000 });
    const first = await cancel({ merchant_uid: 'RT-PART', cancel_request_amount: 3000, reason: '부분 환불' });
    assert.equal(first.res.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.refunded, 3000);
    assert.equal(first.body.cancelable_amount, 7000);
    const second = await cancel({ merchant_uid: 'RT-PART', cancel_request_amount: 2000, reason: '부분 환불' });
    assert.equal(second.body.cancelable_amount, 5000);
    assert.equal(gateway.cancelled('RT-PART'), 5000);
    assert.equal(await ledgerCancelAmount('RT-PART'), 5000);
    const view = await call('/payments/RT-PART', { merchantUid: 'RT-PART' });
    assert.equal(view.body.cancelable_amount, 5000);
  });

  it("refunds a paid virtual account into the customer's account, and audits only a masked account number", async () => {
    const { bank } = gateway.addPaidVirtualAccount({ merchantUid: 'RT-VBANK', amount: 20000 });
    const missing = await cancel({ merchant_uid: 'RT-VBANK', reason: 'x' });
    assert.equal(missing.body.error.code, 'REFUND_ACCOUNT_REQUIRED');
    const cancelsBefore = gateway.cancels();
    const ok = await cancel({
      merchant_uid: 'RT-VBANK',
      reason: '환불',
      refund_holder: '홍길동',
      refund_bank: bank,
      refund_account: '110-123-456789',
    });
    assert.equal(ok.res.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.pay_method, 'vbank');
    assert.equal(ok.body.refunded, 20000);
    assert.equal(gateway.cancels(), cancelsBefore + 1);
    assert.deepEqual(gateway.lastRefundAccount(), ['홍길동', bank, '110123456789']);
    const audit = await attempts('RT-VBANK');
    assert.equal(audit.find((a) => a.outcome === 'succeeded')?.refund_account_masked, '****6789');
    assert.ok(!JSON.stringify(audit).includes('110123456789'), 'the audit never holds the full account number');
  });

  it(`refuses a bad grant (wrong secret, another order, none) without calling ${label}`, async () => {
    gateway.addCard({ merchantUid: 'RT-GRANT', amount: 5000 });
    const cancelsBefore = gateway.cancels();
    const forged = await mintGrant('another-secret-that-is-long-enough-0123456789', { merchantUid: 'RT-GRANT' });
    const otherOrder = await mintGrant(GRANT_SECRET, { merchantUid: 'RT-OTHER' });
    for (const grant of [forged, otherOrder, null]) {
      const { res, body } = await cancel({ merchant_uid: 'RT-GRANT', reason: 'x' }, { grant });
      assert.ok([401, 403].includes(res.status), `${res.status} ${JSON.stringify(body)}`);
      assert.equal(body.ok, false);
    }
    assert.deepEqual(gateway.requestsAbout('RT-GRANT'), [], `not one request about the order reached ${label}`);
    assert.equal(gateway.cancels(), cancelsBefore);
    await call('/payments/RT-GRANT', { merchantUid: 'RT-GRANT' });
    assert.notDeepEqual(gateway.requestsAbout('RT-GRANT'), [], 'a good grant reads the order: the probe sees it');
    assert.equal(gateway.cancelled('RT-GRANT'), 0);
  });

  it('replays the stored answer for a repeated Idempotency-Key, refunding once, and refuses the key with another body', async () => {
    gateway.addCard({ merchantUid: 'RT-IDEM', amount: 9000 });
    const cancelsBefore = gateway.cancels();
    const request = { merchant_uid: 'RT-IDEM', cancel_request_amount: 1000, reason: 'x' };
    const first = await cancel(request, { key: 'rt-key-1' });
    const again = await cancel(request, { key: 'rt-key-1' });
    assert.equal(first.res.status, 200, JSON.stringify(first.body));
    assert.equal(first.res.headers.get('Idempotent-Replayed'), null);
    assert.equal(again.res.status, 200);
    assert.equal(again.res.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const other = await cancel({ ...request, cancel_request_amount: 2000 }, { key: 'rt-key-1' });
    assert.equal(other.res.status, 422);
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(gateway.cancels(), cancelsBefore + 1);
    assert.equal(gateway.cancelled('RT-IDEM'), 1000);
    assert.deepEqual(
      (await attempts('RT-IDEM')).map((a) => [a.outcome, a.idempotency_key]),
      [['succeeded', 'rt-key-1']],
    );
  });
};
