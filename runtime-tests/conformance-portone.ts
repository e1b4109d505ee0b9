/**
 * @module The conformance suite on PortOne V2: the proxy on one runtime, started with PORTONE_* instead of IMP_*,
 * talking over loopback to the fake V2 (portOneStack) and to PostgreSQL. It runs the scenarios both gateways share
 * (refund-scenarios.ts, as conformance.ts does on i'mport V1), then what only V2 has: `Authorization: PortOne …` on
 * every call, the checksum as `currentCancellableAmount`, a quoted `Idempotency-Key`, V2's bank list, refusals told
 * apart by `type`, a virtual account closed, and a REQUESTED cancel settled by V2's signed webhook. The webhook is
 * verified with WebCrypto's HMAC, which is why this runs on every runtime.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FakeV2PaymentInput } from '../proxy/gateways/portone/fake/fake-portone.ts';
import { signWebhook } from '../proxy/gateways/portone/fake/webhooks.ts';
import { REFUND_BANKS_V2 } from '../shared/banks-v2.ts';
import { eventually } from './eventually.ts';
import { addLivePayment, portOneProbe } from './gateway-probes.ts';
import { RUNTIME_LABELS, type RuntimeName } from './harness.ts';
import { runRefundScenarios } from './refund-scenarios.ts';
import { scenarioClient } from './scenario-client.ts';
import { portOneStack } from './stack.ts';

export const runPortOneConformance = (runtime: RuntimeName): void => {
  describe(`the proxy on PortOne V2, on ${RUNTIME_LABELS[runtime]}`, () => {
    const stack = portOneStack(runtime, { schema: `${runtime}_v2` });
    const { fake, authorizations, webhookSecret } = stack.fake;
    const { call, cancel, attempts, ledgerCancelAmount } = scenarioClient(runtime, stack);

    const addPayment = (input: FakeV2PaymentInput) => addLivePayment(fake, input);
    const cancelsOf = (paymentId: string) =>
      fake.calls.filter((c) => c.route === 'cancel' && c.path === `/payments/${paymentId}/cancel`);
    const sentBody = (c: { body: unknown } | undefined) => c?.body as Record<string, unknown> | undefined;

    /** Every call that reached V2 carried the API secret as V2 takes it. */
    const assertPortOneAuth = () => {
      assert.ok(authorizations.length > 0);
      assert.deepEqual(new Set(authorizations), new Set([`PortOne ${fake.apiSecret}`]));
    };

    runRefundScenarios(runtime, stack, portOneProbe(fake));

    it("lists V2's refund banks in a paid virtual account's view, and sends the account as V2's refundAccount", async () => {
      addPayment({ paymentId: 'RT2-VBANK', total: 20000, method: 'virtual_account' });
      const view = await call('/payments/RT2-VBANK', { merchantUid: 'RT2-VBANK' });
      assert.equal(view.res.status, 200, JSON.stringify(view.body));
      assert.deepEqual(
        [view.body.pay_method, view.body.refundable, view.body.refund_account_required],
        ['vbank', true, true],
      );
      assert.deepEqual(view.body.banks, REFUND_BANKS_V2, "V2's Bank enum, not a PG's codes");
      const ok = await cancel({
        merchant_uid: 'RT2-VBANK',
        reason: '환불',
        refund_holder: '홍길동',
        refund_bank: 'KOOKMIN',
        refund_account: '123456-01-234567',
      });
      assert.equal(ok.res.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(sentBody(cancelsOf('RT2-VBANK')[0]), {
        reason: '환불',
        requester: 'CUSTOMER',
        currentCancellableAmount: 20000,
        refundAccount: { bank: 'KOOKMIN', number: '12345601234567', holderName: '홍길동' },
      });
    });

    it('refunds part, then the rest: V2 is asked with the checksum and a quoted key, and the ledger follows', async () => {
      addPayment({ paymentId: 'RT2-PART', total: 10000 });
      const first = await cancel(
        { merchant_uid: 'RT2-PART', cancel_request_amount: 3000, reason: '부분 환불' },
        { key: 'rt2-part-key-0001' },
      );
      assert.equal(first.res.status, 200, JSON.stringify(first.body));
      assert.deepEqual(
        [first.body.refunded, first.body.cancelable_amount, first.body.status],
        [3000, 7000, 'cancelled'],
      );
      const rest = await cancel({ merchant_uid: 'RT2-PART', reason: '나머지' });
      assert.equal(rest.res.status, 200, JSON.stringify(rest.body));
      assert.deepEqual([rest.body.refunded, rest.body.cancelable_amount, rest.body.status], [7000, 0, 'cancelled']);

      const [sentFirst, sentRest] = cancelsOf('RT2-PART');
      assert.deepEqual(sentBody(sentFirst), {
        amount: 3000,
        reason: '부분 환불',
        requester: 'CUSTOMER',
        currentCancellableAmount: 10000,
      });
      assert.deepEqual(sentBody(sentRest), { reason: '나머지', requester: 'CUSTOMER', currentCancellableAmount: 7000 });
      const audit = await attempts('RT2-PART');
      assert.deepEqual(
        audit.map((a) => [a.outcome, a.refunded]),
        [
          ['succeeded', 3000],
          ['succeeded', 7000],
        ],
      );
      // From the client's key (scoped to the payment and requester), else from the attempt: quoted, as V2 takes it.
      assert.equal(sentFirst?.idempotencyKey, '"refund-button:key:customer:RT2-PART:rt2-part-key-0001"');
      assert.equal(sentRest?.idempotencyKey, `"refund-button:attempt:${audit[1]?.id}"`);
      assert.equal(fake.getPayment('RT2-PART')?.status, 'CANCELLED');
      assert.equal(await ledgerCancelAmount('RT2-PART'), 10000);
      assertPortOneAuth();
    });

    it("answers V2's MAX_CANCEL_COUNT_REACHED refusal in our code, refunding nothing", async () => {
      addPayment({ paymentId: 'RT2-MAX', total: 5000, maxCancelCount: 0 });
      const { res, body } = await cancel({ merchant_uid: 'RT2-MAX', cancel_request_amount: 1000, reason: 'r' });
      assert.deepEqual([res.status, body.error?.code], [409, 'MAX_CANCEL_COUNT_REACHED'], JSON.stringify(body));
      assert.deepEqual(
        cancelsOf('RT2-MAX').map((c) => c.status),
        [409],
      );
      assert.equal(fake.getPayment('RT2-MAX')?.amount.cancelled, 0);
      assert.deepEqual(
        (await attempts('RT2-MAX')).map((a) => a.outcome),
        ['rejected'],
      );
    });

    it('closes an unpaid virtual account with V2’s own call, never a cancel', async () => {
      addPayment({ paymentId: 'RT2-UNPAID', total: 5000, method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED' });
      const view = await call('/payments/RT2-UNPAID', { merchantUid: 'RT2-UNPAID' });
      assert.equal(view.body.revocable, true, JSON.stringify(view.body));
      const { res, body } = await cancel({ merchant_uid: 'RT2-UNPAID', reason: '주문 취소' });
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.revoked, true);
      const calls = fake.calls.filter((c) => c.path.startsWith('/payments/RT2-UNPAID/'));
      assert.deepEqual(
        calls.map((c) => [c.route, c.status]),
        [['close', 200]],
      );
      assert.equal(fake.getPayment('RT2-UNPAID')?.status, 'FAILED');
    });

    it("answers a REQUESTED cancel as pending, and settles it on V2's signed Transaction.Cancelled webhook", async () => {
      addPayment({ paymentId: 'RT2-REQ', total: 10000, cancelMode: 'REQUESTED' });
      // The proxy shares one lookup per payment among webhooks within 2 s: without Transaction.CancelPending, the
      // webhook below is the first the proxy hears of this payment, so it must do the settling itself.
      const target = { url: `${stack.proxy.url}/webhooks/portone`, secret: webhookSecret };
      fake.setWebhookTarget(undefined);
      let asked: Awaited<ReturnType<typeof cancel>>;
      try {
        asked = await cancel({ merchant_uid: 'RT2-REQ', reason: 'r' }, { key: 'rt2-req-key-0001' });
      } finally {
        fake.setWebhookTarget(target);
      }
      assert.equal(asked.res.status, 200, JSON.stringify(asked.body));
      assert.deepEqual(
        [asked.body.pending, asked.body.accepted, asked.body.refunded, asked.body.cancelable_amount],
        [true, true, 10000, 0],
      );
      const waiting = await call('/payments/RT2-REQ', { merchantUid: 'RT2-REQ' });
      assert.equal(waiting.body.reason, 'OUTCOME_PENDING_CHECK', JSON.stringify(waiting.body));
      assert.deepEqual(
        (await attempts('RT2-REQ')).map((a) => a.outcome),
        ['unknown'],
      );

      const lookups = fake.count('payment');
      const cancellation = fake.getPayment('RT2-REQ')?.cancellations[0];
      fake.settleCancellation('RT2-REQ', cancellation?.id ?? '', 'SUCCEEDED');
      await fake.flushWebhooks();
      const sent = fake.webhooks.filter((w) => w.body.includes('"paymentId":"RT2-REQ"'));
      assert.deepEqual(
        sent.map((w) => [w.type, w.status, w.error]),
        [['Transaction.Cancelled', 200, undefined]],
        'the proxy verified the signature (WebCrypto HMAC) and took the webhook',
      );
      const settled = await eventually('the attempt is settled', async () => {
        const [attempt] = await attempts('RT2-REQ');
        return attempt?.outcome === 'succeeded' ? attempt : undefined;
      });
      assert.equal(settled.refunded, 10000);
      assert.equal(await ledgerCancelAmount('RT2-REQ'), 10000);
      assert.ok(fake.count('payment') > lookups, 'the payment was read from V2 again, not from the body');
      const done = await call('/payments/RT2-REQ', { merchantUid: 'RT2-REQ' });
      assert.deepEqual([done.body.refundable, done.body.reason], [false, 'fully_refunded']);
    });

    it('answers 401 to an unsigned, wrongly signed or stale webhook, and asks V2 nothing', async () => {
      addPayment({ paymentId: 'RT2-HOOK', total: 10000 });
      const body = JSON.stringify({ type: 'Transaction.Cancelled', data: { paymentId: 'RT2-HOOK' } });
      const nowSec = Math.floor(Date.now() / 1000);
      const post = async (secret: string | null, at = nowSec) =>
        call('/webhooks/portone', {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            ...(secret === null
              ? {}
              : {
                  'webhook-id': 'msg_rt2',
                  'webhook-timestamp': String(at),
                  'webhook-signature': await signWebhook(secret, 'msg_rt2', at, body),
                }),
          },
          body: JSON.parse(body),
        });
      // Only this order's: earlier scenarios' webhooks may still have V2 read their orders, in the background.
      const lookupsOfIt = () =>
        fake.calls.filter((c) => c.route === 'payment' && c.path === '/payments/RT2-HOOK').length;
      const lookups = lookupsOfIt();
      const other = `whsec_${btoa('some-other-webhook-secret-bytes!')}`;
      for (const answer of [await post(null), await post(other), await post(webhookSecret, nowSec - 600)]) {
        assert.equal(answer.res.status, 401, JSON.stringify(answer.body));
        assert.equal(answer.body.error.code, 'UNAUTHORIZED');
      }
      assert.equal(lookupsOfIt(), lookups, 'V2 was asked nothing');
      assert.equal(await ledgerCancelAmount('RT2-HOOK'), undefined);
      // The control: signed with the proxy's secret, the same body is taken and the payment read from V2.
      const signed = await post(webhookSecret);
      assert.equal(signed.res.status, 200, JSON.stringify(signed.body));
      assert.equal(lookupsOfIt(), lookups + 1);
    });
  });
};
