/** @module Small builders for the store contract suite: unique ids, so tests sharing one database never collide. */
import { randomUUID } from 'node:crypto';
import type { NewRefundRequest } from './requests.ts';
import type { AttemptFinish, AttemptStart, PaymentRecord, Store } from './store.ts';

/** Two Store instances on one database, as two processes (or two servers) would have. */
export interface StorePair {
  readonly a: Store;
  readonly b: Store;
}

/** 2026-01-01T00:00:00Z in ms: beyond 32 bits, so a BIGINT that comes back as a string or a wrapped int shows. */
export const T0 = 1_767_225_600_000;

export const unique = (prefix: string) => `${prefix}-${randomUUID()}`;

export function aPayment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    imp_uid: unique('imp'),
    merchant_uid: unique('order'),
    pay_method: 'card',
    pg_provider: 'html5_inicis',
    name: '반팔 티셔츠 외 1건',
    amount: 39_000,
    cancel_amount: 0,
    currency: 'KRW',
    status: 'paid',
    paid_at: 1_767_225_600,
    receipt_url: 'https://iniweb.inicis.com/receipt/1',
    cancel_history: [],
    // As i'mport V1 shows a payment: no tax-free figures.
    tax_free: null,
    cancelled_tax_free: null,
    ...overrides,
  };
}

export function anAttempt(overrides: Partial<AttemptStart> = {}): AttemptStart {
  return {
    id: unique('attempt'),
    merchant_uid: unique('order'),
    imp_uid: unique('imp'),
    requested_amount: 10_000,
    amount: 10_000,
    checksum: 39_000,
    reason: '단순 변심',
    refund_bank: '88',
    refund_account_masked: '******8400',
    grant_subject: 'customer-42',
    grant_jti: unique('jti'),
    client_ip: '203.0.113.7',
    origin: 'https://shop.example',
    idempotency_key: unique('idem'),
    started_at: T0,
    request_id: null,
    approved_by: null,
    holder_check: null,
    late_of: null,
    ...overrides,
  };
}

export function aFinish(overrides: Partial<AttemptFinish> = {}): AttemptFinish {
  return {
    outcome: 'succeeded',
    error_code: null,
    iamport_code: 0,
    iamport_message: null,
    cancellation_id: unique('cancel'),
    refunded: 10_000,
    iamport_ms: 231.5,
    finished_at: T0 + 250,
    ...overrides,
  };
}

/** A refund request as a customer's would be written, with a sealed account. */
export const aRequest = (overrides: Partial<NewRefundRequest> = {}): NewRefundRequest => ({
  id: unique('req'),
  merchant_uid: unique('order'),
  amount: 10_000,
  reason: '단순 변심',
  refund_bank: '88',
  refund_account_masked: '****8400',
  refund_secret: 'v1.sealed.iv.body',
  idempotency_key: null,
  grant_subject: 'customer-42',
  tax_free_amount: null,
  vat_amount: null,
  grant_jti: null,
  grant_max_amount: null,
  imp_uid: null,
  cancels_seen: null,
  created_at: T0,
  ...overrides,
});
