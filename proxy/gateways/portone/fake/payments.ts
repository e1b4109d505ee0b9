/**
 * @module The fake's payments: the seed a test gives, the complete V2 payment built from it, the book they live in,
 * and `toWire()`, which answers a payment as the `Payment` union variant of its status.
 */
import * as v from 'valibot';
import { BankSchema } from './banks.ts';
import type { FakeV2Payment, PaymentStatus } from './wire.ts';

const STATUSES = [
  'READY',
  'PAY_PENDING',
  'VIRTUAL_ACCOUNT_ISSUED',
  'PAID',
  'FAILED',
  'PARTIAL_CANCELLED',
  'CANCELLED',
] as const satisfies readonly PaymentStatus[];

const money = v.pipe(v.number(), v.integer(), v.minValue(0));

/** What a test seeds; everything but `total` has a default (a paid card payment of the fake's own store). */
export const FakeV2PaymentInputSchema = v.strictObject({
  /** The merchant's `paymentId`; random when omitted. */
  paymentId: v.optional(v.pipe(v.string(), v.minLength(1))),
  storeId: v.optional(v.string()),
  method: v.optional(v.picklist(['card', 'virtual_account'])),
  /** Default 'PAID', or the cancelled status `cancelled` implies. */
  status: v.optional(v.picklist(STATUSES)),
  total: v.pipe(money, v.minValue(1)),
  taxFree: v.optional(money),
  /** Default: the taxable part / 11, rounded (the fake's rule; PortOne computes it when the merchant did not). */
  vat: v.optional(money),
  /** Virtual accounts: the issuing bank (default SHINHAN) and number. */
  bank: v.optional(BankSchema),
  accountNumber: v.optional(v.string()),
  /** `SelectedChannel.pgProvider` (the `PgProvider` enum); default 'TOSSPAYMENTS'. */
  pgProvider: v.optional(v.string()),
  /**
   * `SelectedChannel.type`; default 'TEST'. 'LIVE' is for a proxy started live against the fake (the runtime suite),
   * which, as in production, takes no TEST channel's payment.
   */
  channelType: v.optional(v.picklist(['LIVE', 'TEST'])),
  orderName: v.optional(v.string()),
  /** Default 'KRW'. Every amount here is in the currency's minor unit, as V2 sends it: 1050 in USD is US$10.50. */
  currency: v.optional(v.picklist(['KRW', 'USD', 'JPY'])),
  customerName: v.optional(v.string()),
  /** An earlier, succeeded cancellation of this amount (and tax-free part). */
  cancelled: v.optional(money),
  cancelledTaxFree: v.optional(money),
  /** Overrides the fake's `cancelMode` for this payment: 'REQUESTED' makes its cancels wait for `settleCancellation`. */
  cancelMode: v.optional(v.picklist(['SUCCEEDED', 'REQUESTED'])),
  /** Overrides the fake's `maxCancelCount` for this payment. */
  maxCancelCount: v.optional(v.pipe(v.number(), v.minValue(0))),
});
export type FakeV2PaymentInput = v.InferInput<typeof FakeV2PaymentInputSchema>;

export type CancelMode = 'SUCCEEDED' | 'REQUESTED';

/** A payment with what only the fake knows about it. */
export interface StoredPayment {
  readonly payment: FakeV2Payment;
  readonly cancelMode: CancelMode | undefined;
  readonly maxCancelCount: number | undefined;
  /** Cancels that reached the PG (accepted or refused), for MAX_CANCEL_COUNT_REACHED. */
  attempts: number;
  /** Cancellations requested with `skipWebhook: true`: no webhook when they settle either. */
  readonly silent: Set<string>;
}

export const RECEIPT_BASE = 'https://fake-portone.test/receipts';
const THREE_DAYS_MS = 3 * 24 * 3600 * 1000;

const randomId = (): string => crypto.randomUUID();
const digits = (count: number) => Array.from(crypto.getRandomValues(new Uint8Array(count)), (b) => b % 10).join('');

/** The VAT in a taxable amount that includes it (10%), rounded; the fake's rule when none is given. */
export const vatOf = (taxable: number): number => Math.round(taxable / 11);

const statusOf = (given: PaymentStatus | undefined, total: number, cancelled: number): PaymentStatus => {
  if (given) return given;
  if (cancelled <= 0) return 'PAID';
  return cancelled >= total ? 'CANCELLED' : 'PARTIAL_CANCELLED';
};

export const buildPayment = (seed: FakeV2PaymentInput, ctx: { nowMs: number; storeId: string; merchantId: string }) => {
  const input = v.parse(FakeV2PaymentInputSchema, seed);
  const at = new Date(ctx.nowMs).toISOString();
  const taxFree = input.taxFree ?? 0;
  const status = statusOf(input.status, input.total, input.cancelled ?? 0);
  const cancelled = input.cancelled ?? (status === 'CANCELLED' ? input.total : 0);
  const cancelledTaxFree = input.cancelledTaxFree ?? (status === 'CANCELLED' ? taxFree : 0);
  const wasPaid = status === 'PAID' || status === 'PARTIAL_CANCELLED' || status === 'CANCELLED';
  const id = input.paymentId ?? `payment-${randomId()}`;
  const payment: FakeV2Payment = {
    status,
    id,
    transactionId: randomId(),
    merchantId: ctx.merchantId,
    storeId: input.storeId ?? ctx.storeId,
    channel: {
      type: input.channelType ?? 'TEST',
      id: 'channel-id-fake',
      key: 'channel-key-fake',
      name: 'fake channel',
      pgProvider: input.pgProvider ?? 'TOSSPAYMENTS',
      pgMerchantId: 'fake_mid',
    },
    version: 'V2',
    requestedAt: at,
    updatedAt: at,
    statusChangedAt: at,
    orderName: input.orderName ?? '가짜 주문',
    amount: {
      total: input.total,
      taxFree,
      vat: input.vat ?? vatOf(input.total - taxFree),
      discount: 0,
      paid: wasPaid ? input.total : 0,
      cancelled,
      cancelledTaxFree,
    },
    currency: input.currency ?? 'KRW',
    customer: input.customerName === undefined ? {} : { name: input.customerName },
    origin: { platformType: 'PC', ipAddress: '127.0.0.1' },
    cancellations: [],
  };
  if (input.method === 'virtual_account') {
    payment.method = {
      type: 'PaymentMethodVirtualAccount',
      bank: input.bank ?? 'SHINHAN',
      accountNumber: input.accountNumber ?? digits(14),
      accountType: 'NORMAL',
      remitteeName: '(주)가짜상점',
      expiredAt: new Date(ctx.nowMs + THREE_DAYS_MS).toISOString(),
      issuedAt: at,
    };
  } else if (status !== 'READY') {
    payment.method = { type: 'PaymentMethodCard', card: { name: '가짜카드' }, approvalNumber: digits(8) };
  }
  if (status !== 'READY' && status !== 'FAILED') payment.pgTxId = `fake_${randomId()}`;
  if (wasPaid) {
    payment.paidAt = at;
    payment.receiptUrl = `${RECEIPT_BASE}/${id}`;
  }
  if (status === 'FAILED') {
    payment.failedAt = at;
    payment.failure = { reason: '결제 실패', pgCode: 'FAKE_FAIL', pgMessage: '가짜 PG 실패' };
  }
  if (cancelled > 0) {
    payment.cancelledAt = at;
    payment.cancellations.push({
      status: 'SUCCEEDED',
      id: randomId(),
      pgCancellationId: `fake_${randomId()}`,
      totalAmount: cancelled,
      taxFreeAmount: cancelledTaxFree,
      vatAmount: vatOf(cancelled - cancelledTaxFree),
      reason: '이전 취소',
      requestedAt: at,
      cancelledAt: at,
      receiptUrl: `${RECEIPT_BASE}/${id}/cancel`,
      trigger: 'API',
    });
  }
  const stored: StoredPayment = {
    payment,
    cancelMode: input.cancelMode,
    maxCancelCount: input.maxCancelCount,
    attempts: payment.cancellations.length,
    silent: new Set(),
  };
  return stored;
};

const COMMON = [
  'status',
  'id',
  'transactionId',
  'merchantId',
  'storeId',
  'method',
  'channel',
  'version',
  'requestedAt',
  'updatedAt',
  'statusChangedAt',
  'orderName',
  'amount',
  'currency',
  'customer',
  'origin',
] as const;

const CANCELLED_FIELDS = ['paidAt', 'pgTxId', 'receiptUrl', 'cancellations', 'cancelledAt'] as const;

/** The fields beyond COMMON each variant of the `Payment` union has (ReadyPayment, PaidPayment, …). */
const VARIANT_FIELDS: Record<PaymentStatus, readonly (keyof FakeV2Payment)[]> = {
  READY: [],
  PAY_PENDING: ['pgTxId'],
  VIRTUAL_ACCOUNT_ISSUED: ['pgTxId'],
  PAID: ['paidAt', 'pgTxId', 'receiptUrl', 'cancellations'],
  PARTIAL_CANCELLED: CANCELLED_FIELDS,
  CANCELLED: CANCELLED_FIELDS,
  FAILED: ['failedAt', 'failure'],
};

/** The payment as `GET /payments/{paymentId}` answers it: a copy holding only its variant's fields. */
export const toWire = (payment: FakeV2Payment): Record<string, unknown> => {
  const wire: Record<string, unknown> = {};
  for (const key of [...COMMON, ...VARIANT_FIELDS[payment.status]]) {
    if (payment[key] !== undefined) wire[key] = structuredClone(payment[key]);
  }
  // PaidPayment requires `disputes`; the fake has none. Its cancellations are the pending or failed ones, if any.
  if (payment.status === 'PAID') {
    wire.disputes = [];
    if (payment.cancellations.length === 0) delete wire.cancellations;
  }
  return wire;
};

export interface PaymentBook {
  /** Stores a payment, replacing one with the same storeId and id. */
  put(stored: StoredPayment): void;
  get(storeId: string, paymentId: string): StoredPayment | undefined;
  list(): StoredPayment[];
  clear(): void;
}

export const createPaymentBook = (): PaymentBook => {
  const byKey = new Map<string, StoredPayment>();
  const key = (storeId: string, paymentId: string) => `${storeId}\u0000${paymentId}`;
  return {
    put: (stored) => void byKey.set(key(stored.payment.storeId, stored.payment.id), stored),
    get: (storeId, paymentId) => byKey.get(key(storeId, paymentId)),
    list: () => [...byKey.values()],
    clear: () => byKey.clear(),
  };
};
