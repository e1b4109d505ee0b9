/**
 * @module POST /sandbox/orders: an order for a developer's own page, beside the demo's, paid at the sandbox i'mport
 * as a shop's checkout would have left it. The body's rules, and the payment each kind makes.
 */
import * as v from 'valibot';
import { banksFor } from '../../shared/banks.ts';
import type { FakeIamport, FakePaymentInput } from '../gateways/iamport/fake/fake-iamport.ts';

export const ORDER_KINDS = ['card', 'vbank', 'vbank_ready', 'phone', 'trans'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

const MIN_AMOUNT = 100;
const MAX_AMOUNT = 10_000_000;
const FIELDS = 'kind, amount, name, pg';

const bodyMessage = (issue: v.StrictObjectIssue): string => {
  if (issue.expected === 'never') return `${String(issue.input)} is not a field here (the fields are ${FIELDS})`;
  if (issue.expected === 'Object') return 'Send a JSON object, e.g. {"kind":"card","amount":15000}.';
  return `${issue.expected?.replaceAll('"', '')} is required`;
};

/** The request body. A PG must be one with a known refund bank table, as the proxy's own refund rules need. */
const NewOrderSchema = v.strictObject(
  {
    kind: v.picklist(ORDER_KINDS, `kind must be one of ${ORDER_KINDS.join(', ')}`),
    amount: v.pipe(
      v.number('amount must be a number (won)'),
      v.integer('amount must be whole won'),
      v.minValue(MIN_AMOUNT, `amount must be at least ${MIN_AMOUNT}`),
      v.maxValue(MAX_AMOUNT, `amount must be at most ${MAX_AMOUNT}`),
    ),
    name: v.optional(
      v.pipe(
        v.string('name must be a string'),
        v.trim(),
        v.minLength(1, 'name is empty'),
        v.maxLength(100, 'name must be at most 100 characters'),
      ),
    ),
    pg: v.optional(
      v.pipe(
        v.string('pg must be a string'),
        v.check(
          (pg) => banksFor(pg).length > 0,
          "pg must be an i'mport pg_provider with a known refund bank table (html5_inicis, kcp, tosspayments, …)",
        ),
      ),
    ),
  },
  bodyMessage,
);
export type NewOrder = v.InferOutput<typeof NewOrderSchema>;

/** The order a JSON body asks for, or what is wrong with it (an array is no object here, whatever JS says). */
export const parseNewOrder = (
  body: unknown,
): { readonly ok: true; readonly order: NewOrder } | { readonly ok: false; readonly message: string } => {
  const parsed = v.safeParse(NewOrderSchema, Array.isArray(body) ? null : body);
  return parsed.success ? { ok: true, order: parsed.output } : { ok: false, message: parsed.issues[0].message };
};

const DAY = 86_400;

// The demo's PG for each kind, so one's own order behaves as the demo order of that kind does.
const DEFAULT_PG: Readonly<Record<OrderKind, string>> = {
  card: 'html5_inicis',
  vbank: 'html5_inicis',
  vbank_ready: 'tosspayments',
  phone: 'danal',
  trans: 'tosspayments',
};

const paymentOf = (kind: OrderKind, nowSec: number): Partial<FakePaymentInput> => {
  switch (kind) {
    case 'card':
      return { pay_method: 'card', card_name: '신한카드' };
    case 'vbank':
      return { pay_method: 'vbank', vbank_name: '국민은행' };
    case 'vbank_ready':
      return { pay_method: 'vbank', status: 'ready', paid_at: 0, vbank_date: nowSec + 3 * DAY };
    case 'phone':
      return { pay_method: 'phone' };
    case 'trans':
      return { pay_method: 'trans', bank_name: '카카오뱅크' };
  }
};

/** A merchant_uid no earlier order has (the ledger keeps every order, across resets and restarts). */
export const newMerchantUid = (nowMs: number): string => {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => (b % 36).toString(36)).join('');
  return `SB-${nowMs.toString(36).toUpperCase()}-${random.toUpperCase()}`;
};

/** Pays the order at the fake i'mport and returns its merchant_uid. */
export const createOwnOrder = (fake: FakeIamport, order: NewOrder, nowMs: number): string => {
  const merchant_uid = newMerchantUid(nowMs);
  fake.addPayment({
    ...paymentOf(order.kind, Math.floor(nowMs / 1000)),
    merchant_uid,
    amount: order.amount,
    name: order.name ?? '테스트 상품',
    pg_provider: order.pg ?? DEFAULT_PG[order.kind],
    buyer_name: '홍길동',
  });
  return merchant_uid;
};
