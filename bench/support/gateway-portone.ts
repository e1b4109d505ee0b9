/**
 * @module The PortOne V2 profile: the fake PortOne (fake-portone-process.ts), its seeded orders, and the cancel the
 * proxy's V2 client sends (`POST /payments/{paymentId}/cancel`, `Authorization: PortOne <secret>`, an Idempotency-Key).
 */
import { RECEIPT_BASE } from '../../proxy/gateways/portone/fake/payments.ts';
import { startChild } from './children.ts';
import type { GatewayProfile } from './gateway-profile.ts';
import { type Answer, jsonField } from './load.ts';
import {
  ledgerRecordOf as iamportRecordOf,
  merchantUidOf,
  ORDER_AMOUNT,
  PORTONE_API_SECRET,
  REFUND_AMOUNT,
  REFUND_REASON,
  unexpected,
} from './orders.ts';

const cancellationStatus = (body: string): unknown => {
  const cancellation = jsonField(body, 'cancellation');
  return typeof cancellation === 'object' && cancellation !== null && 'status' in cancellation
    ? cancellation.status
    : undefined;
};

export const portoneProfile: GatewayProfile = {
  name: 'portone',
  straightNote:
    'PortOne V2: `POST /payments/{paymentId}/cancel`, `Authorization: PortOne <secret>`, an Idempotency-Key.',
  // As the proxy stores a V2 payment (gateways/portone/to-payment.ts): the paymentId is both ids, the tax-free part shown.
  ledgerRecordOf: (prefix, i) => {
    const paymentId = merchantUidOf(prefix, i);
    return {
      ...iamportRecordOf(prefix, i),
      imp_uid: paymentId,
      pg_provider: 'TOSSPAYMENTS',
      receipt_url: `${RECEIPT_BASE}/${paymentId}`,
      tax_free: 0,
      cancelled_tax_free: 0,
    };
  },
  // V2 answers a refusal with a 4xx; a 200 may still be a cancellation the PG has not finished (REQUESTED).
  cancelled: (answer: Answer) =>
    answer.status === 200 && cancellationStatus(answer.body) === 'SUCCEEDED' ? null : unexpected(answer),
  async start() {
    const fake = await startChild('fake-portone-process.ts', {});
    return {
      url: fake.url,
      seed: async (prefix, count) => void (await fake.call('seed', { prefix, count })),
      directCancel: (prefix, i) => {
        const paymentId = merchantUidOf(prefix, i);
        return {
          method: 'POST',
          url: `${fake.url}/payments/${encodeURIComponent(paymentId)}/cancel`,
          headers: {
            Accept: 'application/json',
            Authorization: `PortOne ${PORTONE_API_SECRET}`,
            'Content-Type': 'application/json',
            // The shape of the proxy's key for a client's Idempotency-Key (gateways/portone/idempotency-key.ts).
            'Idempotency-Key': `"refund-button:key:customer:${paymentId}:${crypto.randomUUID()}"`,
          },
          body: JSON.stringify({
            reason: REFUND_REASON,
            amount: REFUND_AMOUNT,
            requester: 'CUSTOMER',
            currentCancellableAmount: ORDER_AMOUNT,
          }),
        };
      },
      proxyTarget: { portoneUrl: fake.url },
      stop: () => fake.stop(),
    };
  },
};
