/**
 * @module The demo shop on the fake PortOne V2 (SANDBOX_GATEWAY=portone): the demo orders V2 can hold (cards and
 * virtual accounts; the fake has no phone or bank-transfer payments), with V2's `Bank` codes and `PgProvider` names,
 * and the demo page's faults in the V2 fake's terms. A demo order's merchant_uid is its V2 paymentId.
 */
import type { Bank, FakePortOne, FakeV2PaymentInput, Fault } from '../gateways/portone/fake/fake-portone.ts';
import { type DemoGateway, OrderRefused } from './demo-gateway.ts';
import { newMerchantUid, type OrderKind } from './own-orders.ts';
import { type DemoOrder, type DemoSeed, orderOf } from './seed.ts';

type Seed = Omit<FakeV2PaymentInput, 'paymentId' | 'total' | 'orderName'> & DemoSeed;

const CARD: DemoOrder['pay_method_label'] = ['신용카드', 'Card'];
const VBANK: DemoOrder['pay_method_label'] = ['가상계좌', 'Virtual account'];

const SEEDS: readonly Seed[] = [
  {
    key: 'card',
    name: '무선 이어폰 케이스',
    amount: 39000,
    pgProvider: 'INICIS_V2',
    scenario: ['카드 결제: 전액 또는 부분 환불', 'Card: full or partial refund'],
    label: CARD,
  },
  {
    key: 'partial',
    name: '겨울 니트 (2벌)',
    amount: 58000,
    pgProvider: 'KCP_V2',
    cancelled: 18000,
    scenario: ['이미 일부 환불된 주문', 'Already partly refunded'],
    label: CARD,
  },
  {
    key: 'refunded',
    name: '머그컵 세트',
    amount: 12000,
    pgProvider: 'INICIS_V2',
    status: 'CANCELLED',
    scenario: ['전액 환불된 주문', 'Fully refunded'],
    label: CARD,
  },
  {
    key: 'vbank',
    name: '러닝화',
    amount: 45000,
    pgProvider: 'INICIS_V2',
    method: 'virtual_account',
    bank: 'KOOKMIN',
    accountNumber: '92880123456789',
    scenario: ['가상계좌: V2 은행 코드로 계좌 환불', 'Virtual account: refund to an account, V2 bank codes'],
    label: VBANK,
  },
  {
    key: 'vbank-ready',
    name: '스마트폰 거치대',
    amount: 19900,
    pgProvider: 'TOSSPAYMENTS',
    method: 'virtual_account',
    status: 'VIRTUAL_ACCOUNT_ISSUED',
    bank: 'WOORI',
    accountNumber: '27001234567890',
    scenario: ['입금 전 가상계좌: 발급 취소', 'Unpaid virtual account: revoke'],
    label: ['가상계좌 (입금 전)', 'Virtual account (unpaid)'],
  },
  {
    key: 'card-approval',
    name: '블루투스 스피커',
    amount: 64000,
    pgProvider: 'INICIS_V2',
    scenario: ['승인 후 환불: 배송된 카드 결제 주문', 'Refund after approval: a delivered card order'],
    label: CARD,
    mode: 'request',
  },
  {
    key: 'vbank-approval',
    name: '캠핑 의자',
    amount: 52000,
    pgProvider: 'INICIS_V2',
    method: 'virtual_account',
    bank: 'NONGHYUP',
    accountNumber: '30112345678901',
    scenario: ['승인 후 환불: 입금된 가상계좌 주문', 'Refund after approval: a paid virtual-account order'],
    label: VBANK,
    mode: 'request',
  },
];

// Each own-order kind as V2 holds it, on the PG its demo order uses; phone and bank transfer have no V2 fake payment.
const OWN: Partial<Record<OrderKind, Pick<FakeV2PaymentInput, 'method' | 'status' | 'pgProvider'> & { bank?: Bank }>> =
  {
    card: { pgProvider: 'INICIS_V2' },
    vbank: { method: 'virtual_account', pgProvider: 'INICIS_V2', bank: 'KOOKMIN' },
    vbank_ready: { method: 'virtual_account', status: 'VIRTUAL_ACCOUNT_ISSUED', pgProvider: 'TOSSPAYMENTS' },
  };

/** The demo page's pg_refusal carries i'mport's `message`; V2's fake calls it `pgMessage`. */
const faultOf = (fault: unknown): Fault => {
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) return fault as Fault;
  const { message, ...rest } = fault as Record<string, unknown>;
  return (rest.kind === 'pg_refusal' && typeof message === 'string' ? { ...rest, pgMessage: message } : fault) as Fault;
};

export const portoneDemo = (fake: FakePortOne): DemoGateway => ({
  name: 'portone',
  seed: ({ generation }) =>
    SEEDS.map((seed) => {
      const { key, name, amount, scenario, label, mode, ...payment } = seed;
      const order = orderOf(generation, seed);
      fake.addPayment({
        customerName: '홍길동',
        ...payment,
        paymentId: order.merchant_uid,
        total: amount,
        orderName: name,
      });
      return order;
    }),
  orders: (generation) => SEEDS.map((seed) => orderOf(generation, seed)),
  addOwnOrder: (order, nowMs) => {
    const payment = OWN[order.kind];
    if (!payment) {
      throw new OrderRefused(`kind ${order.kind} is not in the PortOne V2 sandbox (card, vbank and vbank_ready are)`);
    }
    if (order.pg !== undefined) {
      throw new OrderRefused("pg is an i'mport pg_provider: the PortOne V2 sandbox chooses the channel itself");
    }
    const paymentId = newMerchantUid(nowMs);
    fake.addPayment({
      ...payment,
      paymentId,
      total: order.amount,
      orderName: order.name ?? '테스트 상품',
      customerName: '홍길동',
    });
    return paymentId;
  },
  inject: (fault) => fake.inject(faultOf(fault)),
  clearFaults: () => fake.clearFaults(),
  reset: () => fake.reset(),
});
