/**
 * @module The benchmark's orders: one paid card payment per order, seeded alike into the fake gateway (i'mport, or
 * PortOne V2 for the overhead part) and the proxy's ledger (as if the widget had already shown it), so a refund goes
 * straight to the cancel.
 */
import { mintGrant } from '../../proxy/auth/grant.ts';
import type { FakePaymentInput } from '../../proxy/gateways/iamport/fake/fake-iamport.ts';
import type { FakeV2PaymentInput } from '../../proxy/gateways/portone/fake/fake-portone.ts';
import type { PaymentRecord } from '../../proxy/store/store.ts';
import { type Answer, jsonField } from './load.ts';

export const GRANT_SECRET = 'bench-grant-secret-0123456789-abcdefghijkl';
export const IMP_KEY = 'bench_imp_key';
export const IMP_SECRET = 'bench_imp_secret';
/** PortOne V2's API secret and webhook secret (`whsec_` and 32 bytes in base64), when the proxy runs on V2. */
export const PORTONE_API_SECRET = 'bench_portone_v2_secret';
export const PORTONE_WEBHOOK_SECRET = `whsec_${btoa('bench-portone-webhook-secret-32b')}`;
/** The shop whose page calls the proxy (sent as Origin, allowed by the proxy). */
export const SHOP_ORIGIN = 'https://shop.example';

/** Every order was paid this much, at this time (2026-01-01 UTC, UNIX seconds), by card on KG Inicis. */
export const ORDER_AMOUNT = 10_000;
export const PAID_AT = 1_767_225_600;
/** Each benchmark refund is a partial one of this much. */
export const REFUND_AMOUNT = 1_000;
export const REFUND_REASON = '단순 변심';

export const merchantUidOf = (prefix: string, i: number): string => `${prefix}-${i}`;
export const impUidOf = (prefix: string, i: number): string => `imp_${prefix}_${i}`;

/** A paid card order of ORDER_AMOUNT, the same in the fake i'mport and in the ledger. */
const orderOf = (prefix: string, i: number) => ({
  imp_uid: impUidOf(prefix, i),
  merchant_uid: merchantUidOf(prefix, i),
  pay_method: 'card',
  pg_provider: 'html5_inicis',
  name: 'Bench order',
  amount: ORDER_AMOUNT,
  status: 'paid' as const,
  paid_at: PAID_AT,
  receipt_url: `https://fake-iamport.test/receipts/${impUidOf(prefix, i)}`,
});

/** Card, as every part seeds it; or a virtual account (paid), whose refund names the account to pay it back to. */
export type PayMethod = 'card' | 'vbank';

export const fakeSeedOf = (prefix: string, i: number, payMethod: PayMethod = 'card'): FakePaymentInput => ({
  ...orderOf(prefix, i),
  pay_method: payMethod,
});

/** The same order as a V2 payment in the fake PortOne: its paymentId is the order's id (merchant_uid). */
export const portoneSeedOf = (prefix: string, i: number): FakeV2PaymentInput => ({
  paymentId: merchantUidOf(prefix, i),
  total: ORDER_AMOUNT,
  orderName: 'Bench order',
});

/** The ledger's copy of the same payment, as the proxy would have stored it from i'mport's answer. */
export const ledgerRecordOf = (prefix: string, i: number): PaymentRecord => ({
  ...orderOf(prefix, i),
  cancel_amount: 0,
  currency: 'KRW',
  cancel_history: [],
});

/** Grants for orders 0..count-1, minted up front: signing is the merchant's backend's work, not the proxy's. */
export const mintGrants = (prefix: string, count: number): Promise<string[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      mintGrant(GRANT_SECRET, { merchantUid: merchantUidOf(prefix, i), ttlSeconds: 3600 }),
    ),
  );

/** The refund the widget sends: a partial refund with a fresh Idempotency-Key, from the shop's page. */
export const proxyRefund = (proxyUrl: string, prefix: string, i: number, grant: string) =>
  ({
    method: 'POST',
    url: `${proxyUrl}/payments/cancel`,
    headers: {
      Authorization: `Bearer ${grant}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': crypto.randomUUID(),
      Origin: SHOP_ORIGIN,
    },
    body: JSON.stringify({
      merchant_uid: merchantUidOf(prefix, i),
      cancel_request_amount: REFUND_AMOUNT,
      reason: REFUND_REASON,
    }),
  }) as const;

/** The refund view of one order through the proxy. */
export const proxyView = (proxyUrl: string, merchantUid: string, grant: string) =>
  ({
    method: 'GET',
    url: `${proxyUrl}/payments/${encodeURIComponent(merchantUid)}`,
    headers: { Authorization: `Bearer ${grant}`, Origin: SHOP_ORIGIN },
  }) as const;

export const unexpected = (answer: Answer): string => `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;

/** The proxy refunded. */
export const refunded = (answer: Answer): string | null =>
  answer.status === 200 && jsonField(answer.body, 'ok') === true ? null : unexpected(answer);

/** Any 200 with a JSON object that names the order. */
export const viewed = (answer: Answer): string | null =>
  answer.status === 200 && typeof jsonField(answer.body, 'merchant_uid') === 'string' ? null : unexpected(answer);
