/** @module The fake's payment book: complete Payment objects built from seeds, looked up as i'mport does. */
import * as v from 'valibot';
import { type FakePayment, type FakePaymentInput, FakePaymentInputSchema } from './payment-schema.ts';
import { randomDigits, randomHex } from './random.ts';

const THREE_DAYS = 3 * 24 * 3600;

/**
 * An amount as i'mport keeps it: a decimal, so 10.10 less 2.90 is 7.2 there (in floating point, 7.199999999999999).
 * Rounded to a millionth, below any currency's smallest unit.
 */
export const decimal = (amount: number): number => Math.round(amount * 1e6) / 1e6;
export const RECEIPT_BASE = 'https://fake-iamport.test/receipts';

/** A complete payment from a seed; the defaults are what a fresh, paid card payment on KG Inicis looks like. */
export const buildPayment = (seed: FakePaymentInput, nowSec: number): FakePayment => {
  const input = v.parse(FakePaymentInputSchema, seed);
  const impUid = input.imp_uid ?? `imp_${randomDigits(12)}`;
  const payMethod = input.pay_method ?? 'card';
  const status = input.status ?? 'paid';
  const history = input.cancel_history ?? [];
  const cancelled = decimal(history.reduce((sum, entry) => sum + entry.amount, 0));
  const startedAt = input.started_at ?? input.paid_at ?? nowSec;
  const isVbank = payMethod === 'vbank';
  const wasPaid = status === 'paid' || status === 'cancelled';
  return {
    imp_uid: impUid,
    merchant_uid: input.merchant_uid,
    pay_method: payMethod,
    channel: input.channel ?? 'pc',
    pg_provider: input.pg_provider ?? 'html5_inicis',
    emb_pg_provider: input.emb_pg_provider ?? null,
    pg_tid: input.pg_tid ?? `fake_${randomHex(10)}`,
    pg_id: input.pg_id ?? 'fake_mid',
    sandbox: input.sandbox ?? false,
    escrow: input.escrow ?? false,
    apply_num: input.apply_num ?? (payMethod === 'card' && wasPaid ? randomDigits(8) : null),
    bank_code: input.bank_code ?? null,
    bank_name: input.bank_name ?? null,
    card_code: input.card_code ?? null,
    card_name: input.card_name ?? null,
    card_issuer_code: input.card_issuer_code ?? null,
    card_issuer_name: input.card_issuer_name ?? null,
    card_publisher_code: input.card_publisher_code ?? null,
    card_publisher_name: input.card_publisher_name ?? null,
    card_quota: input.card_quota ?? (payMethod === 'card' ? 0 : null),
    card_number: input.card_number ?? null,
    card_type: input.card_type ?? null,
    vbank_code: input.vbank_code ?? (isVbank ? '088' : null),
    vbank_name: input.vbank_name ?? (isVbank ? '신한은행' : null),
    vbank_num: input.vbank_num ?? (isVbank ? randomDigits(14) : null),
    vbank_holder: input.vbank_holder ?? (isVbank ? '(주)가짜상점' : null),
    vbank_date: input.vbank_date ?? (isVbank ? startedAt + THREE_DAYS : 0),
    vbank_issued_at: input.vbank_issued_at ?? (isVbank ? startedAt : 0),
    name: input.name ?? null,
    amount: input.amount,
    // A payment seeded as 'cancelled' without details is a fully cancelled one.
    cancel_amount: input.cancel_amount ?? (history.length > 0 ? cancelled : status === 'cancelled' ? input.amount : 0),
    currency: input.currency ?? 'KRW',
    buyer_name: input.buyer_name ?? null,
    buyer_email: input.buyer_email ?? null,
    buyer_tel: input.buyer_tel ?? null,
    buyer_addr: input.buyer_addr ?? null,
    buyer_postcode: input.buyer_postcode ?? null,
    custom_data: input.custom_data ?? null,
    user_agent: input.user_agent ?? null,
    status,
    started_at: startedAt,
    paid_at: input.paid_at ?? (wasPaid ? nowSec : 0),
    failed_at: input.failed_at ?? (status === 'failed' ? nowSec : 0),
    cancelled_at: input.cancelled_at ?? history.at(-1)?.cancelled_at ?? (status === 'cancelled' ? nowSec : 0),
    fail_reason: input.fail_reason ?? null,
    cancel_reason: input.cancel_reason ?? history.at(-1)?.reason ?? null,
    receipt_url: input.receipt_url ?? (wasPaid ? `${RECEIPT_BASE}/${impUid}` : null),
    cancel_history: history,
    cancel_receipt_urls: input.cancel_receipt_urls ?? history.flatMap((entry) => entry.receipt_url ?? []),
    deposit_history: input.deposit_history ?? [],
    cash_receipt_issued: input.cash_receipt_issued ?? false,
    customer_uid: input.customer_uid ?? null,
    customer_uid_usage: input.customer_uid_usage ?? null,
    promotion: input.promotion ?? null,
  };
};

export interface PaymentBook {
  /** Stores a payment, replacing any with the same imp_uid. */
  put(payment: FakePayment): void;
  get(impUid: string): FakePayment | undefined;
  list(): FakePayment[];
  /** The newest payment (by started_at, then by insertion) for an order, optionally in one status. */
  newest(merchantUid: string, filter?: (payment: FakePayment) => boolean): FakePayment | undefined;
  clear(): void;
}

/** The payments the fake knows; the objects are live and only the fake mutates them. */
export const createPaymentBook = (): PaymentBook => {
  const byImpUid = new Map<string, FakePayment>();
  return {
    put: (payment) => void byImpUid.set(payment.imp_uid, payment),
    get: (impUid) => byImpUid.get(impUid),
    list: () => [...byImpUid.values()],
    newest: (merchantUid, filter = () => true) =>
      [...byImpUid.values()]
        .filter((p) => p.merchant_uid === merchantUid && filter(p))
        .reduce<FakePayment | undefined>((best, p) => (!best || p.started_at >= best.started_at ? p : best), undefined),
    clear: () => byImpUid.clear(),
  };
};
