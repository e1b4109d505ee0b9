/**
 * @module The two gateways the reliability suite runs on, behind one small adapter: a proxy (the harness) over the
 * gateway's fake, a payment to seed, what the gateway holds for an order, how many cancels reached it, and the faults
 * both fakes offer. A case written against `GatewayUnderTest` runs unchanged on i'mport V1 and on PortOne V2.
 */

import assert from 'node:assert/strict';
import type { LateOutcome } from '../gateways/fake-kit/late-cancels.ts';
import {
  createFakeIamport,
  type FakeIamport,
  type Fault as IamportFault,
} from '../gateways/iamport/fake/fake-iamport.ts';
import {
  createFakePortOne,
  type FakePortOne,
  type Fault as PortOneFault,
} from '../gateways/portone/fake/fake-portone.ts';
import { fromMinor } from '../gateways/portone/minor-units.ts';
import { createClock, createHarness, type Harness, type HarnessOptions } from '../test-support/harness.ts';
import { withFetch } from '../test-support/rewrite-answers.ts';

export type GatewayName = 'iamport' | 'portone';

/** What the gateway holds for one order: what was paid, what it refunded, and its cancellations that count. */
export interface Held {
  readonly paid: number;
  readonly refunded: number;
  readonly cancellations: number;
}

/**
 * A fault both fakes apply the same way (the fake-kit's transport faults, and a PG refusal), on a route both have:
 * `payment` is the payment's lookup by the gateway's id, `cancel` the cancel.
 */
export type SharedFault =
  | { kind: 'delay'; ms: number; route?: 'payment' | 'cancel' | 'any'; times?: number }
  | { kind: 'http_5xx'; status?: number; route?: 'payment' | 'cancel' | 'any'; times?: number }
  | { kind: 'drop'; route?: 'payment' | 'cancel' | 'any'; times?: number }
  | { kind: 'lose_response'; times?: number }
  | { kind: 'hold_response'; ms: number; times?: number }
  | { kind: 'pg_refusal'; message: string; times?: number }
  /** Nothing listens at the gateway's address: the next `times` requests fail to connect, whatever their route. */
  | { kind: 'refuse_connection'; times?: number }
  /**
   * The next cancel to reach the PG is taken on and not answered (the caller's timeout ends the call) nor applied yet:
   * it is held until `settleLate` applies it (the PG finishing it then, however late) or drops it (the PG refused it).
   */
  | { kind: 'apply_later'; times?: number };

type FakeFault = Exclude<SharedFault, { kind: 'refuse_connection' }>;

/** Node's fetch when nothing listens at the address: neither fake can play it, so the adapter does, before them. */
const connectionRefused = () =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
  });

/** A revocation of an unpaid virtual account: i'mport's `DELETE /vbanks/…`, V2's virtual-account close. */
const isRevocation = (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) => {
  const url = input instanceof Request ? input.url : String(input);
  return (init?.method === 'DELETE' && url.includes('/vbanks/')) || url.includes('/virtual-account/close');
};

/**
 * `fetch`, but refusing to connect while `refuse` has requests left, and running what `beforeRevocation` queued just
 * before the next revocation reaches the gateway.
 */
const refusing = (fetch: typeof globalThis.fetch) => {
  let left = 0;
  let refused = 0;
  const beforeRevocation: (() => void)[] = [];
  const wrapped: typeof globalThis.fetch = async (input, init) => {
    if (left > 0) {
      left -= 1;
      refused += 1;
      throw connectionRefused();
    }
    if (isRevocation(input, init)) for (const run of beforeRevocation.splice(0)) run();
    return fetch(input, init);
  };
  return {
    fetch: wrapped,
    refuse: (times: number) => void (left += times),
    refused: () => refused,
    beforeRevocation: (run: () => void) => void beforeRevocation.push(run),
  };
};

/** A proxy instance over one gateway's fake, and that fake seen through the adapter. */
export interface Running {
  readonly gateway: GatewayName;
  readonly h: Harness;
  /** Seeds a paid card payment of `amount` for the order. */
  addPayment(orderId: string, amount: number): void;
  held(orderId: string): Held;
  /** Cancels that reached the gateway (refused or not). */
  cancels(): number;
  /** Requests of any kind that reached the gateway. */
  calls(): number;
  /** Requests an injected fault shaped: a case whose fault never struck proves nothing. */
  struck(): number;
  inject(fault: SharedFault): void;
  /** When each cancel of the order an `apply_later` fault holds reached the gateway (epoch ms), oldest first. */
  heldLate(orderId: string): number[];
  /**
   * Applies (or drops) the order's held cancels that reached the gateway at a time `when` picks, oldest first, as the
   * PG finishing them now; how many there were.
   */
  settleLate(orderId: string, when: (at: number) => boolean, how: LateOutcome): Promise<number>;
  /** Runs `run` just before this instance's next revocation of an unpaid virtual account reaches the gateway. */
  beforeRevocation(run: () => void): void;
  /** The customer's deposit lands on the order's unpaid virtual account; whether it was awaiting one. */
  deposit(orderId: string): boolean;
  /** The PortOne V2 fake, when this runs on V2 (for what only V2 has). */
  readonly portone: FakePortOne | undefined;
}

/** The proxy's options the suite varies; the gateway, its fake and the clock come from the adapter. */
export type ProxyOptions = Omit<HarnessOptions, 'fake' | 'portone' | 'clock' | 'gateway'>;

export interface GatewayUnderTest {
  readonly name: GatewayName;
  /** For test names: "i'mport V1" or "PortOne V2". */
  readonly label: string;
  /** A proxy over a new fake, or, with `beside`, a second instance over the same fake and clock. */
  start(options?: ProxyOptions, beside?: Running): Promise<Running>;
}

/**
 * i'mport keys payments by imp_uid (`imp_` and 12 digits); the suite names orders by merchant_uid, so the one is made
 * from the other (FNV-1a: distinct for the few orders of a test).
 */
export const impUidOf = (orderId: string) => {
  let hash = 0x811c9dc5;
  for (const char of orderId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `imp_${String(hash).padStart(12, '0')}`;
};

/** Seeds a paid card payment of the order on the fake i'mport. */
export const seedIamport = (fake: FakeIamport, orderId: string, amount: number) =>
  fake.addPayment({ imp_uid: impUidOf(orderId), merchant_uid: orderId, amount });

export const heldByIamport = (fake: FakeIamport, orderId: string): Held => {
  const payment = fake.getPayment(impUidOf(orderId));
  if (!payment) throw new Error(`i'mport has no payment for ${orderId}`);
  return { paid: payment.amount, refunded: payment.cancel_amount, cancellations: payment.cancel_history.length };
};

export const heldByPortOne = (fake: FakePortOne, orderId: string): Held => {
  const payment = fake.getPayment(orderId);
  if (!payment) throw new Error(`PortOne has no payment ${orderId}`);
  // A REQUESTED cancellation has moved no money yet, and a FAILED one never will.
  const succeeded = payment.cancellations.filter((entry) => entry.status === 'SUCCEEDED');
  // V2 counts in the currency's minor unit (cents); the suite, as the proxy, in its unit.
  const unit = (minor: number) => fromMinor(minor, payment.currency);
  return {
    paid: unit(payment.amount.total),
    refunded: unit(payment.amount.cancelled),
    cancellations: succeeded.length,
  };
};

const iamport: GatewayUnderTest = {
  name: 'iamport',
  label: "i'mport V1",
  async start(options = {}, beside) {
    const clock = beside?.h.clock ?? createClock();
    const fake = beside?.h.fake ?? createFakeIamport({ now: clock.now });
    const transport = refusing(fake.fetch);
    const h = await createHarness({ ...options, clock, fake: withFetch(fake, transport.fetch) });
    return {
      gateway: 'iamport',
      h,
      addPayment: (orderId, amount) => void seedIamport(fake, orderId, amount),
      held: (orderId) => heldByIamport(fake, orderId),
      cancels: () => fake.count('cancel'),
      calls: () => fake.calls.length,
      struck: () => fake.calls.filter((call) => call.fault !== undefined).length + transport.refused(),
      // The fakes' faults are the V1 fake's own, word for word.
      inject: (fault) =>
        fault.kind === 'refuse_connection'
          ? transport.refuse(fault.times ?? 1)
          : fake.inject(fault satisfies IamportFault),
      heldLate: (orderId) =>
        fake
          .heldLate()
          .filter((x) => x.payment === impUidOf(orderId))
          .map((x) => x.at),
      settleLate: (orderId, when, how) => fake.settleLate((x) => x.payment === impUidOf(orderId) && when(x.at), how),
      beforeRevocation: transport.beforeRevocation,
      deposit: (orderId) => fake.deposit(impUidOf(orderId)),
      portone: undefined,
    };
  },
};

const toPortOne = (fault: FakeFault): PortOneFault =>
  fault.kind === 'pg_refusal'
    ? { kind: 'pg_refusal', pgMessage: fault.message, ...(fault.times ? { times: fault.times } : {}) }
    : fault;

const portone: GatewayUnderTest = {
  name: 'portone',
  label: 'PortOne V2',
  async start(options = {}, beside) {
    const clock = beside?.h.clock ?? createClock();
    const fake = beside?.portone ?? createFakePortOne({ now: clock.now });
    const transport = refusing(fake.fetch);
    // The harness reads the fake's secret and fetch only.
    const h = await createHarness({ ...options, clock, portone: { ...fake, fetch: transport.fetch } });
    return {
      gateway: 'portone',
      h,
      addPayment: (orderId, amount) => void fake.addPayment({ paymentId: orderId, total: amount }),
      held: (orderId) => heldByPortOne(fake, orderId),
      cancels: () => fake.count('cancel'),
      calls: () => fake.calls.length,
      struck: () => fake.calls.filter((call) => call.fault !== undefined).length + transport.refused(),
      inject: (fault) =>
        fault.kind === 'refuse_connection' ? transport.refuse(fault.times ?? 1) : fake.inject(toPortOne(fault)),
      heldLate: (orderId) =>
        fake
          .heldLate()
          .filter((x) => x.payment === orderId)
          .map((x) => x.at),
      settleLate: (orderId, when, how) => fake.settleLate((x) => x.payment === orderId && when(x.at), how),
      beforeRevocation: transport.beforeRevocation,
      deposit: (orderId) => fake.deposit(orderId),
      portone: fake,
    };
  },
};

/** Every gateway the proxy runs on; each reliability case runs once per entry. */
export const GATEWAYS: readonly GatewayUnderTest[] = [iamport, portone];

/**
 * The widget's refund of `amount` (3000 unless given) of order `orderId` under Idempotency-Key `key`, through `g`'s
 * proxy: what it answered (its status and error code).
 */
export const refundVia = async (g: Running, orderId: string, key: string, amount = 3000) => {
  const body = { merchant_uid: orderId, reason: '단순 변심', cancel_request_amount: amount };
  const { res, body: answer } = await g.h.cancel(body, { key });
  return { key, status: res.status, code: answer.error?.code as string | undefined };
};

/**
 * An order of 10,000 paid and in the ledger (viewed), and a refund of 3,000 of it under `key` that the PG takes on and
 * answers nobody (held until `settleLate`): its outcome unknown.
 */
export const unansweredRefund = async (g: Running, orderId: string, key: string) => {
  g.addPayment(orderId, 10_000);
  await g.h.view(orderId);
  g.inject({ kind: 'apply_later' });
  assert.equal((await refundVia(g, orderId, key)).code, 'REFUND_OUTCOME_UNKNOWN');
};
