/**
 * @module The fake gateway behind the demo shop, as the sandbox's routes use it: i'mport V1's (seed.ts, own-orders.ts)
 * or PortOne V2's (portone-demo.ts). Each seeds its own demo orders, pays a developer's own order, and misbehaves on
 * request, in its own wire terms.
 */
import type { FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createOwnOrder, type NewOrder } from './own-orders.ts';
import { type DemoOrder, demoOrders, seedSandbox } from './seed.ts';

export type DemoGatewayName = 'iamport' | 'portone';

export interface DemoGateway {
  /** As /health names it. */
  readonly name: DemoGatewayName;
  /** Seeds every demo order of a new generation and returns them in display order. */
  seed(options: { nowMs: number; generation: string }): DemoOrder[];
  /** The demo orders of a generation seeded earlier, without touching the fake. */
  orders(generation: string): DemoOrder[];
  /** Pays a developer's own order and returns its merchant_uid; throws OrderRefused when this fake has no such kind. */
  addOwnOrder(order: NewOrder, nowMs: number): string;
  /** Queues a fault as the demo page sends it; throws when the fake's own schema refuses it. */
  inject(fault: unknown): void;
  clearFaults(): void;
  /** Forgets every payment and fault. */
  reset(): void;
}

/** An own order this gateway's fake cannot make (the message says why, for a 400). */
export class OrderRefused extends Error {}

export const iamportDemo = (fake: FakeIamport): DemoGateway => ({
  name: 'iamport',
  seed: (options) => seedSandbox(fake, options),
  orders: demoOrders,
  addOwnOrder: (order, nowMs) => createOwnOrder(fake, order, nowMs),
  inject: (fault) => fake.inject(fault as Parameters<FakeIamport['inject']>[0]), // inject() validates with its schema
  clearFaults: () => fake.clearFaults(),
  reset: () => fake.reset(),
});
