/**
 * @module The sandbox's orders: one of every case a merchant should see handled, seeded into the fake i'mport.
 * Each seeding is a new "generation" with its own merchant_uids, so the ledger never mixes a reset's orders
 * with the previous ones; a restart on the same DATA_DIR keeps its generation (demoOrders), and the payments with it.
 */
import type { FakeIamport, FakePaymentInput } from '../gateways/iamport/fake/fake-iamport.ts';

export interface DemoOrder {
  readonly merchant_uid: string;
  readonly name: string;
  readonly amount: number;
  /** What this order shows, for the demo page (Korean, English). */
  readonly scenario: readonly [ko: string, en: string];
  readonly pay_method_label: readonly [ko: string, en: string];
  /** `request`: its grant lets the customer only ask, and staff decide at /sandbox/desk (README, "Request mode"). */
  readonly mode?: 'request';
}

const DAY = 86_400;
const KST = 9 * 3600;

/** UNIX seconds of the last minute of the previous month, in KST. */
const lastMonthKst = (nowSec: number): number => {
  const kst = new Date((nowSec + KST) * 1000);
  return Date.UTC(kst.getUTCFullYear(), kst.getUTCMonth(), 1) / 1000 - KST - 60;
};

/** What the demo page says of a demo order, whichever fake gateway holds its payment. */
export interface DemoSeed {
  key: string;
  name: string;
  amount: number;
  scenario: DemoOrder['scenario'];
  label: DemoOrder['pay_method_label'];
  mode?: 'request';
}

type Seed = Omit<FakePaymentInput, 'merchant_uid'> & DemoSeed;

const seeds = (nowSec: number): Seed[] => [
  {
    key: 'card',
    name: '무선 이어폰 케이스',
    amount: 39000,
    pay_method: 'card',
    pg_provider: 'html5_inicis',
    card_name: '신한카드',
    scenario: ['카드 결제: 전액 또는 부분 환불', 'Card: full or partial refund'],
    label: ['신용카드', 'Card'],
  },
  {
    key: 'partial',
    name: '겨울 니트 (2벌)',
    amount: 58000,
    pay_method: 'card',
    pg_provider: 'kcp',
    status: 'cancelled',
    cancel_amount: 18000,
    paid_at: nowSec - 3 * DAY,
    cancelled_at: nowSec - DAY,
    cancel_history: [
      {
        pg_tid: 'demo-cancel-1',
        amount: 18000,
        cancelled_at: nowSec - DAY,
        reason: '한 벌 반품',
        cancellation_id: 'demo-cancellation-1',
        receipt_url: null,
      },
    ],
    scenario: ['이미 일부 환불된 주문', 'Already partly refunded'],
    label: ['신용카드', 'Card'],
  },
  {
    key: 'refunded',
    name: '머그컵 세트',
    amount: 12000,
    pay_method: 'card',
    pg_provider: 'html5_inicis',
    status: 'cancelled',
    cancel_amount: 12000,
    paid_at: nowSec - 5 * DAY,
    cancelled_at: nowSec - 2 * DAY,
    cancel_history: [
      {
        pg_tid: 'demo-cancel-2',
        amount: 12000,
        cancelled_at: nowSec - 2 * DAY,
        reason: '단순 변심',
        cancellation_id: 'demo-cancellation-2',
        receipt_url: null,
      },
    ],
    scenario: ['전액 환불된 주문', 'Fully refunded'],
    label: ['신용카드', 'Card'],
  },
  {
    key: 'vbank-inicis',
    name: '러닝화',
    amount: 45000,
    pay_method: 'vbank',
    pg_provider: 'html5_inicis',
    vbank_name: '국민은행',
    vbank_num: '92880123456789',
    scenario: ['가상계좌(KG이니시스): 계좌로 환불', 'Virtual account (KG Inicis): refund to an account'],
    label: ['가상계좌', 'Virtual account'],
  },
  {
    key: 'vbank-kcp',
    name: '보온 텀블러',
    amount: 27500,
    pay_method: 'vbank',
    pg_provider: 'kcp',
    vbank_name: '신한은행',
    vbank_num: '56211098765432',
    scenario: ['가상계좌(NHN KCP): KCP 은행 코드', 'Virtual account (NHN KCP): KCP bank codes'],
    label: ['가상계좌', 'Virtual account'],
  },
  {
    key: 'vbank-ready',
    name: '스마트폰 거치대',
    amount: 19900,
    pay_method: 'vbank',
    pg_provider: 'tosspayments',
    status: 'ready',
    paid_at: 0,
    vbank_name: '우리은행',
    vbank_num: '27001234567890',
    vbank_date: nowSec + 3 * DAY,
    scenario: ['입금 전 가상계좌: 발급 취소', 'Unpaid virtual account: revoke'],
    label: ['가상계좌 (입금 전)', 'Virtual account (unpaid)'],
  },
  {
    key: 'phone-now',
    name: '모바일 상품권',
    amount: 9900,
    pay_method: 'phone',
    pg_provider: 'danal',
    scenario: ['이번 달 휴대폰 결제', 'Phone payment, this month'],
    label: ['휴대폰 소액결제', 'Phone'],
  },
  {
    key: 'phone-old',
    name: '웹툰 쿠키 100개',
    amount: 5500,
    pay_method: 'phone',
    pg_provider: 'danal',
    paid_at: lastMonthKst(nowSec),
    scenario: ['지난달 휴대폰 결제: 환불 불가', 'Phone payment, last month: not refundable'],
    label: ['휴대폰 소액결제', 'Phone'],
  },
  {
    key: 'trans',
    name: '원두 1kg',
    amount: 33000,
    pay_method: 'trans',
    pg_provider: 'tosspayments',
    bank_name: '카카오뱅크',
    scenario: ['실시간 계좌이체', 'Real-time bank transfer'],
    label: ['계좌이체', 'Bank transfer'],
  },
  // Delivered orders: the shop looks first. Keys end unlike the others' ('-card', '-vbank-inicis'): tests find an
  // order by the end of its merchant_uid.
  {
    key: 'card-approval',
    name: '블루투스 스피커',
    amount: 64000,
    pay_method: 'card',
    pg_provider: 'html5_inicis',
    card_name: '현대카드',
    paid_at: nowSec - 4 * DAY,
    scenario: ['승인 후 환불: 배송된 카드 결제 주문', 'Refund after approval: a delivered card order'],
    label: ['신용카드', 'Card'],
    mode: 'request',
  },
  {
    key: 'vbank-approval',
    name: '캠핑 의자',
    amount: 52000,
    pay_method: 'vbank',
    pg_provider: 'html5_inicis',
    vbank_name: '농협은행',
    vbank_num: '30112345678901',
    paid_at: nowSec - 6 * DAY,
    scenario: ['승인 후 환불: 입금된 가상계좌 주문', 'Refund after approval: a paid virtual-account order'],
    label: ['가상계좌', 'Virtual account'],
    mode: 'request',
  },
];

/** A demo order of a generation, as the demo page lists it. */
export const orderOf = (generation: string, { key, name, amount, scenario, label, mode }: DemoSeed): DemoOrder => ({
  merchant_uid: `DEMO-${generation}-${key}`,
  name,
  amount,
  scenario,
  pay_method_label: label,
  ...(mode ? { mode } : {}),
});

/** Seeds every demo order into the fake and returns them in display order. */
export const seedSandbox = (
  fake: FakeIamport,
  { nowMs, generation }: { nowMs: number; generation: string },
): DemoOrder[] =>
  seeds(Math.floor(nowMs / 1000)).map((seed) => {
    const { key, scenario, label, mode, ...payment } = seed;
    const order = orderOf(generation, seed);
    fake.addPayment({ buyer_name: '홍길동', ...payment, merchant_uid: order.merchant_uid });
    return order;
  });

/** The demo orders of a generation seeded earlier, in display order, without touching the fake (times play no part). */
export const demoOrders = (generation: string): DemoOrder[] => seeds(0).map((seed) => orderOf(generation, seed));
