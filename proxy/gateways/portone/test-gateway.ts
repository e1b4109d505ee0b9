/** @module Test support: the V2 gateway over a fake PortOne V2 (in-process fetch) on a settable clock. */

import type { Payment } from '../../payments/payment.ts';
import type { CancelCommand } from '../gateway.ts';
import { createFakePortOne, type FakePortOneOptions } from './fake/fake-portone.ts';
import { createPortOneGateway, type PortOneGatewayOptions } from './gateway.ts';

export const WEBHOOK_SECRET = `whsec_${btoa('portone-webhook-secret-32-bytes!')}`;

export const setupGateway = (
  fakeOptions: FakePortOneOptions = {},
  gatewayOptions: Partial<PortOneGatewayOptions> = {},
) => {
  const clock = { ms: Date.UTC(2026, 0, 15, 3) };
  const fake = createFakePortOne({ now: () => clock.ms, ...fakeOptions });
  const calls: { call: string; seconds: number }[] = [];
  const gateway = createPortOneGateway({
    baseUrl: 'https://api.portone.io',
    apiSecret: fake.apiSecret,
    webhookSecret: WEBHOOK_SECRET,
    fetch: fake.fetch,
    now: () => clock.ms,
    timeoutMs: 2000,
    testChannel: true,
    recordCall: (call, seconds) => calls.push({ call, seconds }),
    ...gatewayOptions,
  });
  return { fake, gateway, clock, calls };
};

/** A cancel command for `payment`, all that remains unless `amount` says otherwise. */
export const commandFor = (payment: Payment, over: Partial<CancelCommand> = {}): CancelCommand => {
  const left = payment.amount - payment.cancel_amount;
  return {
    payment,
    amount: over.amount ?? left,
    all: over.amount === undefined,
    checksum: left,
    reason: '단순 변심',
    requester: 'customer',
    idempotencyKey: null,
    attemptId: crypto.randomUUID(),
    ...over,
  };
};
